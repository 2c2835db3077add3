#include "alloc_counter.hpp"
#include "fixture.hpp"
#include "../async/loop_fixture.hpp"

#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace pcm;

namespace {
config::Config fixture_config() {
    config::Config c;
    c.procfs_root = (test::fixtures() / "proc/debian12-vm").string();
    return c;
}
}  // namespace

TEST_CASE("label values are escaped") {
    std::string out;
    metrics::append_label_value(out, "a\\b\"c\nd");
    CHECK(out == "a\\\\b\\\"c\\nd");
}

TEST_CASE("both formats, from fixture readings; a steady scrape allocates nothing") {
    test::LoopFixture fx;
    monitor::Monitor monitor(fx.scheduler, fixture_config());
    monitor.start();
    fx.run_until([&] { return monitor.header(monitor::Group::filesystem).sequence > 0; });

    std::string text, open;
    metrics::render_prometheus(monitor, {}, text);
    metrics::render_prometheus(monitor, {}, open, metrics::Format::openmetrics);
    CHECK(text.find("# TYPE node_cpu_seconds_total counter\n") != std::string::npos);
    CHECK(text.find("node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 133.7\n") != std::string::npos);  // 13370 ticks
    CHECK(text.find("# EOF") == std::string::npos);
    CHECK(open.find("# TYPE node_cpu_seconds counter\n") != std::string::npos);
    CHECK(open.find("node_cpu_seconds_total{cpu=\"1\",mode=\"user\"} 133.7\n") != std::string::npos);
    CHECK(open.ends_with("# EOF\n"));
    CHECK(text.find("node_memory_Active_anon_bytes ") != std::string::npos);  // "Active(anon)"
    CHECK(text.find("node_memory_HugePages_Total ") != std::string::npos);    // a count: no _bytes

    test::AllocProbe probe;
    for (int i = 0; i < 10; ++i) metrics::render_prometheus(monitor, {}, text);
    CHECK(probe.delta().calls == 0);
    bool stopped = false;
    monitor.stop([&] { stopped = true; });
    fx.run_until([&] { return stopped; });
}
