#include <pcm/sample/network_sampler.hpp>

#include "load.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

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

}  // namespace

NetworkSampler::NetworkSampler(const NetworkOptions& options, const std::string& proc_root, const std::string& sys_root)
    : net_dev_(proc_root + "/net/dev"),
      class_dir_(sys_root + "/class/net"),
      filter_(options.include, options.exclude) {}

void NetworkSampler::reconfigure(const NetworkOptions& options, const std::string& proc_root,
                                 const std::string& sys_root) {
    filter_ = NameFilter(options.include, options.exclude);
    net_dev_ = ProcFile(proc_root + "/net/dev");
    class_dir_ = sys_root + "/class/net";
}

void NetworkSampler::read_class(const std::string& name, NetClass& out) const noexcept {
    char buffer[256];
    std::string_view text;
    for (std::size_t i = 0; i < net_class_numbers.size(); ++i)
        out.numbers[i] = read_attribute(class_dir_, name, net_class_numbers[i].file, buffer, sizeof buffer, text)
                             ? parse_sysfs_integer(text)
                             : std::nullopt;
    for (std::size_t i = 0; i < net_class_texts.size(); ++i) {
        bool read = read_attribute(class_dir_, name, net_class_texts[i], buffer, sizeof buffer, text);
        out.texts[i].assign(read ? sysfs_text(text) : std::string_view());  // keeps its capacity
    }
    out.receive_nohandler = read_attribute(class_dir_, name, "statistics/rx_nohandler", buffer, sizeof buffer, text)
                                ? parse_sysfs_integer(text)
                                : std::nullopt;
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
        entry.line = line;
        read_class(line.name, entry.net_class);
        ++count;
    }
    r.interfaces.resize(count);
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
