#include "../async/loop_fixture.hpp"
#include "alloc_counter.hpp"
#include "exposition_text.hpp"
#include "fixture.hpp"

#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>

#include <doctest/doctest.h>

#include <sys/utsname.h>

#include <algorithm>

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
    fx.run_until(
        [&] {
            return std::ranges::all_of(monitor::all_groups,
                                       [&](monitor::Group g) { return monitor.stats(g).samples > 0; });
        },
        "a first complete sample of every group");

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
    // vmstat, with node_exporter's default fields only; "untyped" is "unknown" in OpenMetrics.
    CHECK(text.find("# TYPE node_vmstat_pgfault untyped\nnode_vmstat_pgfault 46646912\n") != std::string::npos);
    CHECK(open.find("# TYPE node_vmstat_pgfault unknown\nnode_vmstat_pgfault 46646912\n") != std::string::npos);
    CHECK(text.find("\nnode_vmstat_oom_kill 0\n") != std::string::npos);
    CHECK(text.find("node_vmstat_nr_free_pages") == std::string::npos);

    // What node_exporter reports beside the samples: this machine's uname, the time, the
    // exporter's own process.
    utsname u{};
    REQUIRE(::uname(&u) == 0);
    CHECK(text.find(std::string("node_uname_info{domainname=\"") + u.domainname + "\",machine=\"" + u.machine +
                    "\",nodename=\"" + u.nodename + "\",release=\"" + u.release + "\"") != std::string::npos);
    CHECK(text.find("\nnode_time_seconds 1") != std::string::npos);  // some time after 2001
    for (const char* family :
         {"process_cpu_seconds_total ", "process_open_fds ", "process_max_fds ", "process_virtual_memory_bytes ",
          "process_resident_memory_bytes ", "process_start_time_seconds ",
          "node_scrape_collector_success{collector=\"cpu\"} 1\n", "node_filesystem_readonly{"}) {
        INFO(family);
        CHECK(text.find(std::string("\n") + family) != std::string::npos);
    }

    test::AllocProbe probe;
    for (int i = 0; i < 10; ++i) metrics::render_prometheus(monitor, {}, text);
    CHECK(probe.delta().calls == 0);
    bool stopped = false;
    monitor.stop([&] { stopped = true; });
    fx.run_until([&] { return stopped; });
}

TEST_CASE("textfiles: their families in both formats; a counter without _total gets it in OpenMetrics") {
    test::TempDir dir;
    test::write_file(dir.path() / "jobs.prom",
                     "# TYPE backups counter\nbackups{kind=\"full\"} 3\n"
                     "# TYPE restores_total counter\nrestores_total 1\n");
    config::Config c = fixture_config();
    c.textfile.directory = dir.path().string();
    test::LoopFixture fx;
    monitor::Monitor monitor(fx.scheduler, c);
    monitor.start();
    fx.run_until(
        [&] {
            return std::ranges::all_of(monitor::all_groups,
                                       [&](monitor::Group g) { return monitor.stats(g).samples > 0; });
        },
        "a first complete sample of every group");
    std::string text, open;
    metrics::render_prometheus(monitor, {}, text);
    metrics::render_prometheus(monitor, {}, open, metrics::Format::openmetrics);
    CHECK(text.find("# TYPE backups counter\nbackups{kind=\"full\"} 3\n") != std::string::npos);
    CHECK(open.find("# TYPE backups counter\nbackups_total{kind=\"full\"} 3\n") != std::string::npos);
    CHECK(open.find("# TYPE restores counter\nrestores_total 1\n") != std::string::npos);
    CHECK(text.find("\nnode_textfile_scrape_error 0\n") != std::string::npos);
    bool stopped = false;
    monitor.stop([&] { stopped = true; });
    fx.run_until([&] { return stopped; });
}

TEST_CASE("a render in steps gives the one-go text whatever the step, in whole lines, from its own snapshot") {
    test::TempDir dir;
    test::make_big_procfs(dir.path() / "proc", 256, 200);  // about 160 KB of text
    config::Config c;
    c.procfs_root = (dir.path() / "proc").string();
    test::LoopFixture fx;
    monitor::Monitor monitor(fx.scheduler, c);
    monitor.start();
    fx.run_until(
        [&] {
            return std::ranges::all_of(monitor::all_groups,
                                       [&](monitor::Group g) { return monitor.stats(g).samples > 0; });
        },
        "a first complete sample of every group");

    for (metrics::Format format : {metrics::Format::prometheus_text, metrics::Format::openmetrics}) {
        std::string whole;
        metrics::render_prometheus(monitor, {}, whole, format);
        REQUIRE(whole.size() > 100'000);
        for (std::size_t step_bytes : {std::size_t{1}, std::size_t{4096}, std::size_t{65536}}) {
            metrics::PrometheusRender render;
            render.start(monitor, {}, format);
            std::string text;
            int steps = 0;
            bool finished = false;
            while (!finished) {
                std::size_t before = text.size();
                finished = render.step(text, step_bytes);
                ++steps;
                CHECK(text.ends_with('\n'));  // whole lines
                if (!finished) CHECK(text.size() - before >= step_bytes);
            }
            CHECK(render.done());
            CHECK(test::without_moment(text) == test::without_moment(whole));
            CHECK(steps >= static_cast<int>(whole.size() / (step_bytes + 4096)));  // it did pause
        }
    }

    // A render under way keeps describing the sample it started from while the monitor
    // samples on: here every CPU's user time changes in between.
    std::string before;
    metrics::render_prometheus(monitor, {}, before);
    metrics::PrometheusRender render;
    render.start(monitor, {}, metrics::Format::prometheus_text);
    std::string text;
    REQUIRE_FALSE(render.step(text, 4096));
    test::make_big_procfs(dir.path() / "proc", 256, 200, 99999);
    std::uint64_t seen = monitor.header(monitor::Group::cpu).sequence;
    fx.run_until([&] { return monitor.header(monitor::Group::cpu).sequence > seen + 1; }, "two more CPU samples");
    while (!render.step(text, 4096)) {}
    CHECK(test::without_moment(text) == test::without_moment(before));
    std::string after;
    metrics::render_prometheus(monitor, {}, after);
    CHECK(after.find("node_cpu_seconds_total{cpu=\"255\",mode=\"user\"} 999.99\n") != std::string::npos);

    bool stopped = false;
    monitor.stop([&] { stopped = true; });
    fx.run_until([&] { return stopped; });
}
