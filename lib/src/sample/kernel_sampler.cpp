#include <pcm/sample/kernel_sampler.hpp>

#include "load.hpp"

#include <pcm/sample/net_class.hpp>

namespace pcm::sample {
namespace {

// Single-value files, as the loaders want them: a status and an output.
ParseStatus parse_integer(std::string_view text, std::optional<std::int64_t>& out) {
    out = parse_sysfs_integer(text);
    return out ? ParseStatus{} : ParseStatus::fail("expected one integer", 1);
}
ParseStatus parse_file_handles(std::string_view text, std::optional<FileNr>& out) {
    FileNr parsed;
    if (!parse_file_nr(text, parsed)) return ParseStatus::fail("expected \"allocated unused maximum\"", 1);
    out = parsed;
    return {};
}
ParseStatus parse_text(std::string_view text, std::string& out) {
    if (text.ends_with('\n')) text.remove_suffix(1);
    out.assign(text);  // keeps its capacity
    return {};
}
ParseStatus parse_udp(std::string_view text, std::optional<UdpQueues>& out) {
    UdpQueues parsed;
    ParseStatus status = parse_udp_queues(text, parsed);
    out = parsed;
    return status;
}

// Loads an optional part: left empty when its file is absent or unreadable; a malformed
// line is reported and skipped, the rest kept.
template <class Out>
void load_part(ProcFile& file, ParseStatus (*parse)(std::string_view, Out&), Out& out, ErrorText& error) {
    if (detail::load_optional(file, parse, out, error) == detail::Loaded::unreadable) out = Out{};
}

// The files, under the procfs root, then under the sysfs root.
enum File : std::size_t {
    snmp,
    netstat,
    snmp6,
    sockstat,
    sockstat6,
    softnet,
    arp,
    udp,
    udp6,
    conntrack_count,
    conntrack_max,
    conntrack_stat,
    file_nr,
    entropy_available,
    entropy_pool_size,
    clocksource_current,
    clocksource_available,
    selinux_enforce,
    file_count
};
constexpr std::string_view file_paths[] = {
    "/net/snmp",
    "/net/netstat",
    "/net/snmp6",
    "/net/sockstat",
    "/net/sockstat6",
    "/net/softnet_stat",
    "/net/arp",
    "/net/udp",
    "/net/udp6",
    "/sys/net/netfilter/nf_conntrack_count",
    "/sys/net/netfilter/nf_conntrack_max",
    "/net/stat/nf_conntrack",
    "/sys/fs/file-nr",
    "/sys/kernel/random/entropy_avail",
    "/sys/kernel/random/poolsize",
    // under the sysfs root
    "/devices/system/clocksource/clocksource0/current_clocksource",
    "/devices/system/clocksource/clocksource0/available_clocksource",
    "/fs/selinux/enforce",
};
constexpr std::size_t first_sysfs_file = clocksource_current;
static_assert(std::size(file_paths) == file_count, "one path per file");
}  // namespace

KernelSampler::KernelSampler(const std::string& proc_root, const std::string& sys_root,
                             AdjtimexFunction adjtimex_function, const std::string& os_release)
    : adjtimex_(adjtimex_function), os_release_(os_release), os_release_fallback_("/usr/lib/os-release") {
    set_roots(proc_root, sys_root);
}

void KernelSampler::set_roots(const std::string& proc_root, const std::string& sys_root) {
    files_.clear();
    for (std::size_t f = 0; f < file_count; ++f)
        files_.emplace_back((f < first_sysfs_file ? proc_root : sys_root) + std::string(file_paths[f]));
}

const KernelReading& KernelSampler::sample() {
    KernelReading& r = reading_;
    detail::begin(r.header);
    ErrorText& error = r.header.error;
    load_part(files_[snmp], &parse_net_snmp, r.snmp, error);
    load_part(files_[netstat], &parse_net_snmp, r.netstat, error);
    load_part(files_[snmp6], &parse_net_snmp6, r.snmp6, error);
    load_part(files_[sockstat], &parse_sockstat, r.sockstat, error);
    load_part(files_[sockstat6], &parse_sockstat, r.sockstat6, error);
    load_part(files_[softnet], &parse_softnet_stat, r.softnet, error);
    load_part(files_[arp], &parse_arp, r.arp, error);
    load_part(files_[udp], &parse_udp, r.udp, error);
    load_part(files_[udp6], &parse_udp, r.udp6, error);
    load_part(files_[file_nr], &parse_file_handles, r.file_handles, error);
    load_part(files_[entropy_available], &parse_integer, r.entropy_available_bits, error);
    load_part(files_[entropy_pool_size], &parse_integer, r.entropy_pool_size_bits, error);

    std::optional<std::int64_t> count, limit;
    load_part(files_[conntrack_count], &parse_integer, count, error);
    load_part(files_[conntrack_max], &parse_integer, limit, error);
    if (count && limit) {
        if (!r.conntrack) r.conntrack.emplace();
        r.conntrack->entries = *count;
        r.conntrack->limit = *limit;
        load_part(files_[conntrack_stat], &parse_conntrack_stat, r.conntrack->stat, error);
    } else {
        r.conntrack.reset();
    }

    load_part(files_[clocksource_current], &parse_text, r.clocksource_current, error);
    load_part(files_[clocksource_available], &parse_text, r.clocksource_available, error);
    std::optional<std::int64_t> enforce;
    load_part(files_[selinux_enforce], &parse_integer, enforce, error);
    r.selinux_enforcing = enforce ? std::optional<bool>(*enforce == 1) : std::nullopt;
    std::string_view os_text;
    if (os_release_.read(os_text) == 0 || os_release_fallback_.read(os_text) == 0) parse_os_release(os_text, r.os);
    else r.os = {};

    struct timex t {};
    int state = adjtimex_(&t);
    if (state >= 0) r.timex = timex_figures(t, state);
    else r.timex.reset();  // EPERM under a seccomp filter such as systemd's ProtectClock=
    return r;
}

}  // namespace pcm::sample
