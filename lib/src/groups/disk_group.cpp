#include "groups.hpp"

#include <pcm/sample/disk_sampler.hpp>

#include <algorithm>
#include <charconv>

namespace pcm::groups {
namespace {

using nlohmann::json;

constexpr std::string_view figure_names[] = {"read_bytes_per_s", "write_bytes_per_s", "ios_per_s",
                                             "max_utilization_percent"};

metrics::Walk disk_families(metrics::Writer& w, const sample::DiskReading& reading) {
    using F = sample::DiskCounters;
    struct Family {
        std::string_view name, type, help;
        F::Field field;
        double scale;
        std::size_t needs;  // fields the kernel must print
    };
    static constexpr Family families[] = {
        {"node_disk_reads_completed_total", "counter", "The total number of reads completed successfully.", F::reads, 1,
         11},
        {"node_disk_reads_merged_total", "counter", "The total number of reads merged.", F::reads_merged, 1, 11},
        {"node_disk_read_bytes_total", "counter", "The total number of bytes read successfully.", F::sectors_read, 512,
         11},
        {"node_disk_read_time_seconds_total", "counter", "The total number of seconds spent by all reads.", F::read_ms,
         0.001, 11},
        {"node_disk_writes_completed_total", "counter", "The total number of writes completed successfully.", F::writes,
         1, 11},
        {"node_disk_writes_merged_total", "counter", "The number of writes merged.", F::writes_merged, 1, 11},
        {"node_disk_written_bytes_total", "counter", "The total number of bytes written successfully.",
         F::sectors_written, 512, 11},
        {"node_disk_write_time_seconds_total", "counter", "This is the total number of seconds spent by all writes.",
         F::write_ms, 0.001, 11},
        {"node_disk_io_now", "gauge", "The number of I/Os currently in progress.", F::in_flight, 1, 11},
        {"node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os.", F::io_ms, 0.001, 11},
        {"node_disk_io_time_weighted_seconds_total", "counter", "The weighted # of seconds spent doing I/Os.",
         F::weighted_io_ms, 0.001, 11},
        {"node_disk_discards_completed_total", "counter", "The total number of discards completed successfully.",
         F::discards, 1, 15},
        {"node_disk_discards_merged_total", "counter", "The total number of discards merged.", F::discards_merged, 1,
         15},
        {"node_disk_discarded_sectors_total", "counter", "The total number of sectors discarded successfully.",
         F::sectors_discarded, 1, 15},
        {"node_disk_discard_time_seconds_total", "counter",
         "This is the total number of seconds spent by all discards.", F::discard_ms, 0.001, 15},
        {"node_disk_flush_requests_total", "counter", "The total number of flush requests completed successfully",
         F::flushes, 1, 17},
        {"node_disk_flush_requests_time_seconds_total", "counter",
         "This is the total number of seconds spent by all flush requests.", F::flush_ms, 0.001, 17},
    };
    const auto& disks = reading.disks;
    for (const Family& f : families) {
        w.family(f.name, f.type, f.help);
        for (const sample::DiskEntry& d : disks) {
            if (d.line.counters.count >= f.needs)
                w.sample(f.name, {{"device", d.line.name}}, static_cast<double>(d.line.counters[f.field]) * f.scale);
            if (w.step_full()) co_yield metrics::pause;
        }
    }
    w.family("node_disk_info", "gauge", "Info of /sys/block/<block_device>.");
    for (const sample::DiskEntry& d : disks) {
        char major[12], minor[12];
        auto major_end = std::to_chars(major, major + sizeof major, d.line.major).ptr;
        auto minor_end = std::to_chars(minor, minor + sizeof minor, d.line.minor).ptr;
        const auto& u = d.udev.values;
        w.sample("node_disk_info",
                 {{"device", d.line.name},
                  {"major", std::string_view(major, static_cast<std::size_t>(major_end - major))},
                  {"minor", std::string_view(minor, static_cast<std::size_t>(minor_end - minor))},
                  {"model", u[2]},
                  {"path", u[0]},
                  {"revision", u[4]},
                  {"serial", u[3]},
                  {"wwn", u[1]}},
                 1);
        if (w.step_full()) co_yield metrics::pause;
    }
    const sample::Pressure& io = reading.pressure;
    if (io.available) {
        w.single("node_pressure_io_waiting_seconds_total", "counter",
                 "Total time in seconds that processes have waited due to IO congestion",
                 static_cast<double>(io.some.total_us) / 1e6);
        w.single("node_pressure_io_stalled_seconds_total", "counter",
                 "Total time in seconds no process could make progress due to IO congestion",
                 static_cast<double>(io.full.total_us) / 1e6);
    }
}

class DiskGroup final : public monitor::GroupSampler {
public:
    explicit DiskGroup(const config::Config& config) : sampler_(config.disk, config.procfs_root) {}

    async::ValueTask<void> sample() override {
        sampler_.sample();
        return async::ValueTask<void>::completed();
    }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        double read = 0, write = 0, ios = 0, util = 0;
        bool any = false;
        for (const auto& d : sampler_.reading().disks) {
            if (!d.rates) continue;
            any = true;
            read += d.rates->read_bytes_per_s;
            write += d.rates->write_bytes_per_s;
            ios += d.rates->reads_per_s + d.rates->writes_per_s;
            util = std::max(util, d.rates->utilization_percent);
        }
        if (any) values = {read, write, ios, util};
    }

    json data() const override {
        json disks = json::array();
        for (const sample::DiskEntry& d : sampler_.reading().disks) {
            const sample::DiskCounters& c = d.line.counters;
            json entry = {{"device", d.line.name},
                          {"read_bytes", c[sample::DiskCounters::sectors_read] * 512},
                          {"written_bytes", c[sample::DiskCounters::sectors_written] * 512},
                          {"reads", c[sample::DiskCounters::reads]},
                          {"writes", c[sample::DiskCounters::writes]},
                          {"in_flight", c[sample::DiskCounters::in_flight]}};
            if (d.rates) {
                entry["rates"] = {{"read_bytes_per_s", d.rates->read_bytes_per_s},
                                  {"write_bytes_per_s", d.rates->write_bytes_per_s},
                                  {"reads_per_s", d.rates->reads_per_s},
                                  {"writes_per_s", d.rates->writes_per_s},
                                  {"utilization_percent", d.rates->utilization_percent},
                                  {"await_ms", d.rates->await_ms},
                                  {"queue_depth", d.rates->queue_depth}};
            } else {
                entry["rates"] = nullptr;
            }
            disks.push_back(std::move(entry));
        }
        return {{"disks", std::move(disks)}, {"pressure", pressure_json(sampler_.reading().pressure)}};
    }

    void apply(const config::Config& config) override { sampler_.reconfigure(config.disk, config.procfs_root); }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::DiskReading, disk_families>>(sampler_.reading());
    }

private:
    sample::DiskSampler sampler_;
};

}  // namespace

const monitor::GroupKind disk_kind{monitor::Group::disk, figure_names,
                                   [](const config::Config& c) { return c.disk.interval; }, &make<DiskGroup>};

}  // namespace pcm::groups
