#include <pcm/sample/network_sampler.hpp>

#include "load.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

namespace pcm::sample {
namespace {

// Reads a small sysfs file whole into `buffer`; false if it cannot be opened or read (a
// vanished interface, or EINVAL for an attribute the link's state does not have).
bool read_attribute(const std::string& class_dir, const std::string& name, std::string_view file, char* buffer,
                    std::size_t size, std::string_view& text) noexcept {
    char path[512];
    int length = std::snprintf(path, sizeof path, "%s/%s/%.*s", class_dir.c_str(), name.c_str(),
                               static_cast<int>(file.size()), file.data());
    if (length < 0 || static_cast<std::size_t>(length) >= sizeof path) return false;
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t n = ::read(fd, buffer, size);
    ::close(fd);
    if (n < 0) return false;
    text = std::string_view(buffer, static_cast<std::size_t>(n));
    return true;
}

// One sysfs attribute kept open and read again from offset 0 (sysfs makes the text anew
// on each read at 0): one system call instead of three, and no path to resolve.
class KeptAttribute {
public:
    KeptAttribute(const std::string& class_dir, const std::string& name, std::string_view file) {
        std::snprintf(path_, sizeof path_, "%s/%s/%.*s", class_dir.c_str(), name.c_str(), static_cast<int>(file.size()),
                      file.data());
    }
    ~KeptAttribute() {
        if (fd_ >= 0) ::close(fd_);
    }
    KeptAttribute(const KeptAttribute&) = delete;
    KeptAttribute& operator=(const KeptAttribute&) = delete;

    /// False where the attribute cannot be read now (EINVAL: the carrier of a link that is
    /// down; ENODEV: the interface went away, and its file is opened again next time).
    bool read(char* buffer, std::size_t size, std::string_view& text) noexcept {
        // Twice at most: a file kept open may belong to an interface deleted and made
        // again under the same name (ENODEV); the path then names the new one.
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool was_open = fd_ >= 0;
            if (!was_open) fd_ = ::open(path_, O_RDONLY | O_CLOEXEC);
            if (fd_ < 0) return false;
            ssize_t n = ::pread(fd_, buffer, size, 0);
            if (n >= 0) {
                text = std::string_view(buffer, static_cast<std::size_t>(n));
                return true;
            }
            if (errno != ENODEV && errno != ENOENT) return false;  // EINVAL: no value now; the file stays
            ::close(std::exchange(fd_, -1));
            if (!was_open) return false;
        }
        return false;
    }

private:
    char path_[320];
    int fd_ = -1;
};

}  // namespace

struct NetworkSampler::StateFiles {
    StateFiles(const std::string& class_dir, const std::string& name)
        : operstate(class_dir, name, "operstate"),
          carrier(class_dir, name, "carrier"),
          carrier_changes(class_dir, name, "carrier_changes"),
          rx_nohandler(class_dir, name, "statistics/rx_nohandler") {}
    KeptAttribute operstate, carrier, carrier_changes, rx_nohandler;
};

NetworkSampler::~NetworkSampler() = default;

NetworkSampler::NetworkSampler(const NetworkOptions& options, const std::string& proc_root, const std::string& sys_root)
    : net_dev_(proc_root + "/net/dev"),
      class_dir_(sys_root + "/class/net"),
      filter_(options.include, options.exclude) {}

void NetworkSampler::reconfigure(const NetworkOptions& options, const std::string& proc_root,
                                 const std::string& sys_root) {
    filter_ = NameFilter(options.include, options.exclude);
    net_dev_ = ProcFile(proc_root + "/net/dev");
    class_dir_ = sys_root + "/class/net";
    state_files_.clear();
    for (InterfaceEntry& entry : reading_.interfaces) entry.line.name.clear();  // read them anew
}

void NetworkSampler::read_class(const std::string& name, NetClass& out, bool appeared,
                                StateFiles* files) const noexcept {
    char buffer[256];
    std::string_view text;
    auto number = [&](std::string_view file) {
        return read_attribute(class_dir_, name, file, buffer, sizeof buffer, text) ? parse_sysfs_integer(text)
                                                                                   : std::nullopt;
    };
    auto state = [&](KeptAttribute* kept, std::string_view file) {
        bool read = kept != nullptr ? kept->read(buffer, sizeof buffer, text)
                                    : read_attribute(class_dir_, name, file, buffer, sizeof buffer, text);
        return read ? parse_sysfs_integer(text) : std::nullopt;
    };
    auto text_attribute = [&](std::size_t i) {
        bool read = read_attribute(class_dir_, name, net_class_texts[i], buffer, sizeof buffer, text);
        out.texts[i].assign(read ? sysfs_text(text) : std::string_view());  // keeps its capacity
    };

    // The link's state, every sample.
    constexpr std::size_t operstate = 4, carrier = net_class_index("carrier"),
                          changes = net_class_index("carrier_changes");
    const std::optional<std::int64_t> carrier_before = out.numbers[carrier], changes_before = out.numbers[changes];
    bool state_known = !appeared && !out.texts[operstate].empty();
    std::string_view state_before = state_known ? out.texts[operstate] : std::string_view();
    char state_copy[32] = {};
    state_before.copy(state_copy, sizeof state_copy - 1);
    if (files != nullptr) {
        bool read = files->operstate.read(buffer, sizeof buffer, text);
        out.texts[operstate].assign(read ? sysfs_text(text) : std::string_view());
    } else {
        text_attribute(operstate);
    }
    out.numbers[carrier] = state(files ? &files->carrier : nullptr, "carrier");
    out.numbers[changes] = state(files ? &files->carrier_changes : nullptr, "carrier_changes");
    out.receive_nohandler = state(files ? &files->rx_nohandler : nullptr, "statistics/rx_nohandler");

    bool changed = !state_known || out.texts[operstate] != state_copy || out.numbers[carrier] != carrier_before ||
                   out.numbers[changes] != changes_before;
    if (!appeared && !changed && ++out.samples_since_full_read < full_read_every) return;
    out.samples_since_full_read = 0;
    for (std::size_t i = 0; i < net_class_numbers.size(); ++i)
        if (i != carrier && i != changes) out.numbers[i] = number(net_class_numbers[i].file);
    for (std::size_t i = 0; i < net_class_texts.size(); ++i)
        if (i != operstate) text_attribute(i);
}

const NetworkReading& NetworkSampler::sample() {
    NetworkReading& r = reading_;
    detail::begin(r.header);
    detail::Loaded loaded = detail::load(net_dev_, &parse_net_dev, lines_, r.header.error);
    if (loaded == detail::Loaded::unreadable) lines_.clear();

    double seconds = has_baseline_ ? static_cast<double>(r.header.taken.mono_ns - baseline_ns_) / 1e9 : 0;
    std::size_t count = 0;
    for (const NetDevLine& line : lines_) {
        if (!filter_.wanted(line.name)) continue;
        if (count == r.interfaces.size()) r.interfaces.emplace_back();
        InterfaceEntry& entry = r.interfaces[count];
        const NetDevLine* before = has_baseline_ ? find_named(baseline_, line.name, count) : nullptr;
        entry.rates = before ? network_rates(before->counters, line.counters, seconds) : std::nullopt;
        bool appeared = entry.line.name != line.name;
        entry.line = line;
        if (count < max_kept_open) {
            if (count == state_files_.size()) state_files_.emplace_back();
            if (appeared || !state_files_[count])
                state_files_[count] = std::make_unique<StateFiles>(class_dir_, line.name);
        }
        read_class(line.name, entry.net_class, appeared, count < max_kept_open ? state_files_[count].get() : nullptr);
        ++count;
    }
    r.interfaces.resize(count);
    if (state_files_.size() > count) state_files_.resize(count);  // closes the files of interfaces gone
    if (loaded != detail::Loaded::unreadable) {
        r.header.interval_s = seconds;
        baseline_.resize(count);
        for (std::size_t i = 0; i < count; ++i) baseline_[i] = r.interfaces[i].line;
        baseline_ns_ = r.header.taken.mono_ns;
        has_baseline_ = true;
    }
    return r;
}

}  // namespace pcm::sample
