#include "groups.hpp"

#include <pcm/sample/filesystem_sampler.hpp>

#include <algorithm>
#include <cmath>

namespace pcm::groups {
namespace {

using nlohmann::json;

constexpr std::string_view figure_names[] = {"max_used_percent", "min_available_bytes", "filesystems", "errors"};

metrics::Walk filesystem_families(metrics::Writer& w, const sample::FilesystemReading& reading) {
    struct Family {
        std::string_view name, help;
        std::uint64_t sample::FilesystemSpace::*field;
    };
    static constexpr Family families[] = {
        {"node_filesystem_size_bytes", "Filesystem size in bytes.", &sample::FilesystemSpace::size},
        {"node_filesystem_free_bytes", "Filesystem free space in bytes.", &sample::FilesystemSpace::free},
        {"node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.",
         &sample::FilesystemSpace::available},
        {"node_filesystem_files", "Filesystem total file nodes.", &sample::FilesystemSpace::files},
        {"node_filesystem_files_free", "Filesystem total free file nodes.", &sample::FilesystemSpace::files_free},
    };
    const auto& list = reading.filesystems;
    for (const Family& f : families) {
        w.family(f.name, "gauge", f.help);
        for (const sample::FilesystemEntry& e : list) {
            if (e.has_space)
                w.sample(f.name,
                         {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                         static_cast<double>(e.space.*f.field));
            if (w.step_full()) co_yield metrics::pause;
        }
    }
    w.family("node_filesystem_readonly", "gauge", "Filesystem read-only status.");
    for (const sample::FilesystemEntry& e : list) {
        w.sample("node_filesystem_readonly",
                 {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                 e.mount.read_only ? 1 : 0);
        if (w.step_full()) co_yield metrics::pause;
    }
    w.family("node_filesystem_device_error", "gauge",
             "Whether an error occurred while getting statistics for the given device.");
    for (const sample::FilesystemEntry& e : list) {
        w.sample("node_filesystem_device_error",
                 {{"device", e.mount.source}, {"fstype", e.mount.fstype}, {"mountpoint", e.mount.mount_point}},
                 e.has_space ? 0 : 1);
        if (w.step_full()) co_yield metrics::pause;
    }
}

class FilesystemGroup final : public monitor::GroupSampler {
public:
    FilesystemGroup(uv_loop_t* loop, const config::Config& config)
        : sampler_(loop, config.filesystem, config.procfs_root) {}

    async::ValueTask<void> sample() override { return sampler_.sample(); }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        double used = none, available = none, errors = 0;
        const auto& list = sampler_.reading().filesystems;
        for (const auto& f : list) {
            if (!f.has_space) {
                ++errors;
                continue;
            }
            used = std::isnan(used) ? f.space.used_percent : std::max(used, f.space.used_percent);
            double avail = static_cast<double>(f.space.available);
            available = std::isnan(available) ? avail : std::min(available, avail);
        }
        values = {used, available, static_cast<double>(list.size()), errors};
    }

    json data() const override {
        json list = json::array();
        for (const sample::FilesystemEntry& f : sampler_.reading().filesystems) {
            json entry = {{"mount_point", f.mount.mount_point},
                          {"device", f.mount.source},
                          {"fstype", f.mount.fstype},
                          {"read_only", f.mount.read_only}};
            if (f.has_space) {
                entry.update({{"size", f.space.size},
                              {"free", f.space.free},
                              {"available", f.space.available},
                              {"used_percent", f.space.used_percent},
                              {"files", f.space.files},
                              {"files_free", f.space.files_free},
                              {"error", nullptr}});
            } else {
                entry["error"] = f.error.c_str();
            }
            list.push_back(std::move(entry));
        }
        return {{"filesystems", std::move(list)}};
    }

    void add_stats(json& stats) const override {
        const auto& mounts = sampler_.reading().filesystems;
        stats["failing"] =
            std::count_if(mounts.begin(), mounts.end(), [](const auto& mount) { return !mount.has_space; });
        stats["statfs_stuck"] = sampler_.stuck();
    }

    void apply(const config::Config& config) override { sampler_.reconfigure(config.filesystem, config.procfs_root); }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::FilesystemReading, filesystem_families>>(
            sampler_.reading());
    }

private:
    sample::FilesystemSampler sampler_;
};

}  // namespace

const monitor::GroupKind filesystem_kind{monitor::Group::filesystem, figure_names,
                                         [](const config::Config& c) { return c.filesystem.interval; },
                                         &make<FilesystemGroup>};

}  // namespace pcm::groups
