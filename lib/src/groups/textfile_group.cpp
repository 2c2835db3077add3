#include "groups.hpp"

#include <pcm/sample/textfile_sampler.hpp>

#include <cmath>

namespace pcm::groups {
namespace {

using nlohmann::json;

constexpr std::string_view figure_names[] = {"files", "families", "samples", "files_failing"};

// node_exporter's textfile collector: the families of every file read well, a family found
// in several files written once (with the first file's help and type), then each file's
// mtime and whether anything failed.
metrics::Walk textfile_families(metrics::Writer& w, const sample::TextfileReading& r) {
    auto good = [](const sample::TextfileEntry& f) { return f.error.empty(); };
    for (std::size_t f = 0; f < r.files.size(); ++f) {
        if (!good(r.files[f])) continue;
        for (const sample::TextFamily& family : r.files[f].families) {
            bool written = false;
            for (std::size_t earlier = 0; earlier < f && !written; ++earlier)
                if (good(r.files[earlier]))
                    for (const sample::TextFamily& other : r.files[earlier].families)
                        written = written || other.name == family.name;
            if (written) continue;
            if (family.help.empty()) {
                w.help = "Metric read from ";
                w.help += r.directory;
                w.help += '/';
                w.help += r.files[f].file;
            } else {
                w.help = family.help;
            }
            w.family(family.name, family.type, w.help);
            for (std::size_t later = f; later < r.files.size(); ++later) {
                if (!good(r.files[later])) continue;
                for (const sample::TextFamily& same : r.files[later].families) {
                    if (same.name != family.name || same.type != family.type) continue;
                    for (const sample::TextSample& s : same.samples) {
                        w.labels.clear();
                        for (const auto& [key, value] : s.labels) w.labels.emplace_back(key, value);
                        // OpenMetrics wants a counter's samples named <family>_total; the text
                        // format allows a counter without it (as client libraries add it).
                        if (w.format() == metrics::Format::openmetrics && family.type == "counter" &&
                            !s.name.ends_with("_total")) {
                            w.name = s.name;
                            w.name += "_total";
                            w.sample(w.name, w.labels, s.value);
                        } else {
                            w.sample(s.name, w.labels, s.value);
                        }
                    }
                }
            }
            if (w.step_full()) co_yield metrics::pause;
        }
    }
    bool any_good = false;
    for (const auto& file : r.files) any_good = any_good || good(file);
    if (any_good) {
        w.family("node_textfile_mtime_seconds", "gauge", "Unixtime mtime of textfiles successfully read.");
        for (const auto& file : r.files) {
            if (!good(file)) continue;
            w.name = r.directory;
            w.name += '/';
            w.name += file.file;
            w.sample("node_textfile_mtime_seconds", {{"file", w.name}}, std::floor(file.mtime_seconds));
        }
    }
    w.single("node_textfile_scrape_error", "gauge", "1 if there was an error opening or reading a file, 0 otherwise",
             r.scrape_error ? 1 : 0);
}

class TextfileGroup final : public monitor::GroupSampler {
public:
    explicit TextfileGroup(const config::Config& config) : sampler_(config.textfile.directory) {}

    async::ValueTask<void> sample() override {
        sampler_.sample();
        return async::ValueTask<void>::completed();
    }
    const sample::ReadingHeader& header() const noexcept override { return sampler_.reading().header; }

    void figures(std::array<double, monitor::max_figures>& values) const noexcept override {
        const sample::TextfileReading& r = sampler_.reading();
        double families = 0, samples = 0, failing = 0;
        for (const auto& file : r.files) {
            failing += file.error.empty() ? 0 : 1;
            families += static_cast<double>(file.families.size());
            for (const auto& family : file.families) samples += static_cast<double>(family.samples.size());
        }
        values = {static_cast<double>(r.files.size()), families, samples, failing};
    }

    json data() const override {
        const sample::TextfileReading& r = sampler_.reading();
        json files = json::array();
        for (const auto& file : r.files) {
            std::size_t samples = 0;
            for (const auto& family : file.families) samples += family.samples.size();
            files.push_back({{"file", file.file},
                             {"mtime_s", file.mtime_seconds},
                             {"families", file.families.size()},
                             {"samples", samples},
                             {"error", file.error.empty() ? json(nullptr) : json(file.error)}});
        }
        return {{"directory", r.directory.empty() ? json(nullptr) : json(r.directory)},
                {"files", std::move(files)},
                {"scrape_error", r.scrape_error}};
    }

    void apply(const config::Config& config) override { sampler_.set_directory(config.textfile.directory); }

    std::unique_ptr<metrics::GroupExposition> exposition() const override {
        return std::make_unique<metrics::ReadingExposition<sample::TextfileReading, textfile_families>>(
            sampler_.reading());
    }

private:
    sample::TextfileSampler sampler_;
};

}  // namespace

const monitor::GroupKind textfile_kind{monitor::Group::textfile, figure_names,
                                       [](const config::Config& c) { return c.textfile.interval; },
                                       &make<TextfileGroup>};

}  // namespace pcm::groups
