#include "groups.hpp"

#include <pcm/sample/kernel_sampler.hpp>

#include <unistd.h>

#include <charconv>
#include <initializer_list>

namespace pcm::groups {
namespace {

using nlohmann::json;
using sample::ProtocolValue;

constexpr std::string_view figure_names[] = {"tcp_established", "sockets_used", "file_handles", "conntrack_entries"};

std::optional<std::int64_t> find(const std::vector<ProtocolValue>& values, std::string_view protocol,
                                 std::string_view field) {
    for (const ProtocolValue& v : values)
        if (v.protocol == protocol && v.field == field) return v.value;
    return std::nullopt;
}

bool one_of(std::string_view text, std::initializer_list<std::string_view> options) {
    for (std::string_view o : options)
        if (text == o) return true;
    return false;
}

// node_exporter 1.5's default --collector.netstat.fields, written out:
// ^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|
//   TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|
//   Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|
//   Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$
bool netstat_default_field(std::string_view protocol, std::string_view field) {
    if (field == "InErrors" || field == "InErrs") return true;
    if (protocol == "Ip") return field == "Forwarding";
    if (protocol == "Ip6" || protocol == "IpExt") return field == "InOctets" || field == "OutOctets";
    if (protocol == "Icmp" || protocol == "Icmp6") return field == "InMsgs" || field == "OutMsgs";
    if (protocol == "TcpExt")
        return field.starts_with("Listen") || field.starts_with("Syncookies") || field == "TCPSynRetrans" ||
               field == "TCPTimeouts";
    if (protocol == "Tcp")
        return one_of(field,
                      {"ActiveOpens", "InSegs", "OutSegs", "OutRsts", "PassiveOpens", "RetransSegs", "CurrEstab"});
    if (protocol == "Udp" || protocol == "Udp6")
        return one_of(field, {"InDatagrams", "OutDatagrams", "NoPorts", "RcvbufErrors", "SndbufErrors"});
    return false;
}

struct ConntrackHelp {
    std::string_view field, help;
};
constexpr ConntrackHelp conntrack_help[] = {
    {"found", "Number of searched entries which were successful."},
    {"invalid", "Number of packets seen which can not be tracked."},
    {"ignore", "Number of packets seen which are already connected to a conntrack entry."},
    {"insert", "Number of entries inserted into the list."},
    {"insert_failed", "Number of entries for which list insertion was attempted but failed."},
    {"drop", "Number of packets dropped due to conntrack failure."},
    {"early_drop", "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."},
    {"search_restart", "Number of conntrack table lookups which had to be restarted due to hashtable resizes."},
};
static_assert(std::size(conntrack_help) == sample::conntrack_stat_fields.size());

struct TimexFamily {
    std::string_view name, type, help;
    double sample::TimexFigures::*value;
};
constexpr TimexFamily timex_families[] = {
    {"node_timex_offset_seconds", "gauge", "Time offset in between local system and reference clock.",
     &sample::TimexFigures::offset_seconds},
    {"node_timex_frequency_adjustment_ratio", "gauge", "Local clock frequency adjustment.",
     &sample::TimexFigures::frequency_adjustment_ratio},
    {"node_timex_maxerror_seconds", "gauge", "Maximum error in seconds.", &sample::TimexFigures::maxerror_seconds},
    {"node_timex_estimated_error_seconds", "gauge", "Estimated error in seconds.",
     &sample::TimexFigures::estimated_error_seconds},
    {"node_timex_status", "gauge", "Value of the status array bits.", &sample::TimexFigures::status},
    {"node_timex_loop_time_constant", "gauge", "Phase-locked loop time constant.",
     &sample::TimexFigures::loop_time_constant},
    {"node_timex_tick_seconds", "gauge", "Seconds between clock ticks.", &sample::TimexFigures::tick_seconds},
    {"node_timex_pps_frequency_hertz", "gauge", "Pulse per second frequency.",
     &sample::TimexFigures::pps_frequency_hertz},
    {"node_timex_pps_jitter_seconds", "gauge", "Pulse per second jitter.", &sample::TimexFigures::pps_jitter_seconds},
    {"node_timex_pps_shift_seconds", "gauge", "Pulse per second interval duration.",
     &sample::TimexFigures::pps_shift_seconds},
    {"node_timex_pps_stability_hertz", "gauge", "Pulse per second stability, average of recent frequency changes.",
     &sample::TimexFigures::pps_stability_hertz},
    {"node_timex_pps_jitter_total", "counter", "Pulse per second count of jitter limit exceeded events.",
     &sample::TimexFigures::pps_jitter_total},
    {"node_timex_pps_calibration_total", "counter", "Pulse per second count of calibration intervals.",
     &sample::TimexFigures::pps_calibration_total},
    {"node_timex_pps_error_total", "counter", "Pulse per second count of calibration errors.",
     &sample::TimexFigures::pps_error_total},
    {"node_timex_pps_stability_exceeded_total", "counter", "Pulse per second count of stability limit exceeded events.",
     &sample::TimexFigures::pps_stability_exceeded_total},
    {"node_timex_tai_offset_seconds", "gauge", "International Atomic Time (TAI) offset.",
     &sample::TimexFigures::tai_offset_seconds},
    {"node_timex_sync_status", "gauge", "Is clock synchronized to a reliable server (1 = yes, 0 = no).",
     &sample::TimexFigures::sync_status},
};

// The "N" and "I" of a softnet line as label text, without allocating.
std::string_view index_label(std::size_t i, char (&buffer)[24]) {
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, i);
    return std::string_view(buffer, static_cast<std::size_t>(end - buffer));
}

// node_exporter's netstat, sockstat, softnet, conntrack, arp, udp_queues, filefd, entropy
// and timex collectors.
metrics::Walk kernel_families(metrics::Writer& w, const sample::KernelReading& r) {
    std::string& name = w.name;
    for (const auto* table : {&r.snmp, &r.netstat, &r.snmp6}) {
        for (const ProtocolValue& v : *table) {
            if (!netstat_default_field(v.protocol, v.field)) continue;
            name = "node_netstat_";
            name += v.protocol;
            name += '_';
            name += v.field;
            w.help = "Statistic ";
            w.help += v.protocol;
            w.help += v.field;
            w.help += '.';
            w.single(name, "untyped", w.help, static_cast<double>(v.value));
        }
        if (w.step_full()) co_yield metrics::pause;
    }

    static const double page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
    for (const auto* table : {&r.sockstat, &r.sockstat6}) {
        for (const ProtocolValue& v : *table) {
            bool sockets = v.protocol == "sockets";
            for (bool bytes : {false, true}) {
                if (bytes && v.field != "mem") continue;
                name = "node_sockstat_";
                name += v.protocol;
                name += '_';
                name += v.field;
                if (bytes) name += "_bytes";
                if (sockets) {
                    w.help = "Number of IPv4 sockets in use.";
                } else {
                    w.help = "Number of ";
                    w.help += v.protocol;
                    w.help += " sockets in state ";
                    w.help += v.field;
                    if (bytes) w.help += "_bytes";
                    w.help += '.';
                }
                w.single(name, "gauge", w.help, static_cast<double>(v.value) * (bytes ? page_bytes : 1));
            }
        }
    }

    struct Softnet {
        std::string_view name, help;
        sample::SoftnetLine::Field field;
    };
    static constexpr Softnet softnet[] = {
        {"node_softnet_processed_total", "Number of processed packets", sample::SoftnetLine::processed},
        {"node_softnet_dropped_total", "Number of dropped packets", sample::SoftnetLine::dropped},
        {"node_softnet_times_squeezed_total", "Number of times processing packets ran out of quota",
         sample::SoftnetLine::time_squeeze},
    };
    for (const Softnet& f : softnet) {
        if (r.softnet.empty()) break;
        w.family(f.name, "counter", f.help);
        char buffer[24];
        for (std::size_t cpu = 0; cpu < r.softnet.size(); ++cpu) {
            w.sample(f.name, {{"cpu", index_label(cpu, buffer)}}, static_cast<double>(r.softnet[cpu][f.field]));
            if (w.step_full()) co_yield metrics::pause;
        }
    }

    if (r.conntrack) {
        w.single("node_nf_conntrack_entries", "gauge",
                 "Number of currently allocated flow entries for connection tracking.",
                 static_cast<double>(r.conntrack->entries));
        w.single("node_nf_conntrack_entries_limit", "gauge", "Maximum size of connection tracking table.",
                 static_cast<double>(r.conntrack->limit));
        for (std::size_t f = 0; f < sample::conntrack_stat_fields.size(); ++f) {
            if (!r.conntrack->stat.sums[f]) continue;
            name = "node_nf_conntrack_stat_";
            name += conntrack_help[f].field;
            w.single(name, "gauge", conntrack_help[f].help, static_cast<double>(*r.conntrack->stat.sums[f]));
        }
    }

    if (!r.arp.empty()) {
        w.family("node_arp_entries", "gauge", "ARP entries by device");
        for (const sample::NamedValue& device : r.arp)
            w.sample("node_arp_entries", {{"device", device.name}}, static_cast<double>(device.value));
    }

    if (r.udp || r.udp6) {
        w.family("node_udp_queues", "gauge", "Number of allocated memory in the kernel for UDP datagrams in bytes.");
        for (auto [ip, queues] : {std::pair{"v4", &r.udp}, std::pair{"v6", &r.udp6}}) {
            if (!*queues) continue;
            w.sample("node_udp_queues", {{"ip", ip}, {"queue", "rx"}}, static_cast<double>((*queues)->rx));
            w.sample("node_udp_queues", {{"ip", ip}, {"queue", "tx"}}, static_cast<double>((*queues)->tx));
        }
    }

    if (r.file_handles) {
        w.single("node_filefd_allocated", "gauge", "File descriptor statistics: allocated.",
                 static_cast<double>(r.file_handles->allocated));
        w.single("node_filefd_maximum", "gauge", "File descriptor statistics: maximum.",
                 static_cast<double>(r.file_handles->maximum));
    }
    if (r.entropy_available_bits)
        w.single("node_entropy_available_bits", "gauge", "Bits of available entropy.",
                 static_cast<double>(*r.entropy_available_bits));
    if (r.entropy_pool_size_bits)
        w.single("node_entropy_pool_size_bits", "gauge", "Bits of entropy pool.",
                 static_cast<double>(*r.entropy_pool_size_bits));
    if (r.timex)
        for (const TimexFamily& f : timex_families) w.single(f.name, f.type, f.help, (*r.timex).*f.value);

    // node_exporter's time collector's clock sources, its selinux and os collectors.
    for (auto [family, names] : {std::pair{"node_time_clocksource_available_info", &r.clocksource_available},
                                 std::pair{"node_time_clocksource_current_info", &r.clocksource_current}}) {
        if (names->empty()) continue;
        w.family(family, "gauge",
                 std::string_view(family).ends_with("available_info")
                     ? "Available clocksources read from '/sys/devices/system/clocksource'."
                     : "Current clocksource read from '/sys/devices/system/clocksource'.");
        sample::FieldReader sources(*names);
        for (std::string_view source; sources.next(source);)
            w.sample(family, {{"clocksource", source}, {"device", "0"}}, 1);
    }
    w.single("node_selinux_enabled", "gauge", "SELinux is enabled, 1 is true, 0 is false", r.selinux_enforcing ? 1 : 0);
    if (r.selinux_enforcing)
        w.single("node_selinux_current_mode", "gauge",
                 "SELinux current mode. -1 is disabled, 0 is permissive, 1 is enforcing.",
                 *r.selinux_enforcing ? 1 : 0);
    if (!r.os.value("ID").empty() || !r.os.value("NAME").empty()) {
        const auto& v = r.os.values;
        w.family("node_os_info", "gauge",
                 "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, "
                 "pretty_name, variant, variant_id, version, version_codename, version_id.");
        w.sample("node_os_info",
                 {{"build_id", v[0]},
                  {"id", v[1]},
                  {"id_like", v[2]},
                  {"image_id", v[3]},
                  {"image_version", v[4]},
                  {"name", v[5]},
                  {"pretty_name", v[6]},
                  {"variant", v[7]},
                  {"variant_id", v[8]},
                  {"version", v[9]},
                  {"version_codename", v[10]},
                  {"version_id", v[11]}},
                 1);
        w.family("node_os_version", "gauge", "Metric containing the major.minor part of the OS version.");
        w.sample("node_os_version", {{"id", v[1]}, {"id_like", v[2]}, {"name", v[5]}},
                 sample::os_version_number(v[11]));
    }
}

// {"Tcp": {"ActiveOpens": 12, ...}, ...} from the tables given.
json protocols_json(std::initializer_list<const std::vector<ProtocolValue>*> tables) {
    json out = json::object();
    for (const auto* table : tables)
        for (const ProtocolValue& v : *table) out[v.protocol][v.field] = v.value;
    return out;
}

class KernelGroup final : public monitor::GroupSampler {
public:
    explicit KernelGroup(const config::Config& config) : sampler_(config.procfs_root, config.sysfs_root) {}

    async::ValueTask<void> sample() override {
        sampler_.sample();
        return async::ValueTask<void>::completed();
    }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        const sample::KernelReading& r = sampler_.reading();
        if (auto established = find(r.snmp, "Tcp", "CurrEstab")) values[0] = static_cast<double>(*established);
        if (auto used = find(r.sockstat, "sockets", "used")) values[1] = static_cast<double>(*used);
        if (r.file_handles) values[2] = static_cast<double>(r.file_handles->allocated);
        if (r.conntrack) values[3] = static_cast<double>(r.conntrack->entries);
    }

    json data() const override {
        const sample::KernelReading& r = sampler_.reading();
        json softnet = json::array();
        for (std::size_t cpu = 0; cpu < r.softnet.size(); ++cpu)
            softnet.push_back({{"cpu", cpu},
                               {"processed", r.softnet[cpu][sample::SoftnetLine::processed]},
                               {"dropped", r.softnet[cpu][sample::SoftnetLine::dropped]},
                               {"times_squeezed", r.softnet[cpu][sample::SoftnetLine::time_squeeze]}});
        json arp = json::object();
        for (const sample::NamedValue& device : r.arp) arp[device.name] = device.value;
        auto udp = [](const std::optional<sample::UdpQueues>& q) -> json {
            return q ? json{{"rx_bytes", q->rx}, {"tx_bytes", q->tx}} : json(nullptr);
        };
        json conntrack = nullptr;
        if (r.conntrack) {
            conntrack = {{"entries", r.conntrack->entries}, {"limit", r.conntrack->limit}};
            for (std::size_t f = 0; f < sample::conntrack_stat_fields.size(); ++f)
                conntrack[std::string(sample::conntrack_stat_fields[f])] = optional_json(r.conntrack->stat.sums[f]);
        }
        json timex = nullptr;
        if (r.timex)
            timex = {{"sync_status", r.timex->sync_status},
                     {"offset_seconds", r.timex->offset_seconds},
                     {"maxerror_seconds", r.timex->maxerror_seconds},
                     {"estimated_error_seconds", r.timex->estimated_error_seconds},
                     {"frequency_adjustment_ratio", r.timex->frequency_adjustment_ratio},
                     {"tai_offset_seconds", r.timex->tai_offset_seconds}};
        return {{"protocols", protocols_json({&r.snmp, &r.netstat, &r.snmp6})},
                {"sockets", protocols_json({&r.sockstat, &r.sockstat6})},
                {"softnet", std::move(softnet)},
                {"arp_entries", std::move(arp)},
                {"udp_queues", {{"v4", udp(r.udp)}, {"v6", udp(r.udp6)}}},
                {"conntrack", std::move(conntrack)},
                {"file_handles",
                 r.file_handles ? json{{"allocated", r.file_handles->allocated}, {"maximum", r.file_handles->maximum}}
                                : json(nullptr)},
                {"entropy_available_bits", optional_json(r.entropy_available_bits)},
                {"entropy_pool_size_bits", optional_json(r.entropy_pool_size_bits)},
                {"timex", std::move(timex)}};
    }

    void apply(const config::Config& config) override { sampler_.set_roots(config.procfs_root, config.sysfs_root); }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::KernelReading, kernel_families>>(sampler_.reading());
    }

private:
    sample::KernelSampler sampler_;
};

}  // namespace

const monitor::GroupKind kernel_kind{monitor::Group::kernel, figure_names,
                                     [](const config::Config& c) { return c.kernel.interval; }, &make<KernelGroup>};

}  // namespace pcm::groups
