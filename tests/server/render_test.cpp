// HISTORY's reply, written as text: valid JSON with the monitor's own points and summary.
#include "../async/loop_fixture.hpp"
#include "fixture.hpp"

#include <pcm/monitor/monitor.hpp>
#include <pcm/server/render.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <vector>

using namespace pcm;
using namespace std::chrono_literals;
using nlohmann::json;

TEST_CASE("HISTORY's reply line is JSON with every point and summary the monitor holds (null for none)") {
    config::Config c;
    c.procfs_root = (test::fixtures() / "proc/debian12-vm").string();
    c.cpu.interval = c.memory.interval = c.disk.interval = 10ms;
    test::LoopFixture fx;
    monitor::Monitor m(fx.scheduler, c);
    m.start();
    fx.run_until([&] { return m.header(monitor::Group::cpu).sequence >= 5; }, "five cpu samples");

    for (monitor::Group group : monitor::all_groups) {
        std::string line = "leading text stays\n";
        server::append_history_reply(line, m, group, std::chrono::hours(1));
        REQUIRE(line.starts_with("leading text stays\n"));
        line.erase(0, std::string_view("leading text stays\n").size());
        REQUIRE(line.ends_with("}\n"));
        CHECK(line.find('\n') == line.size() - 1);  // one line
        json reply = json::parse(line);
        CHECK(reply["ok"] == true);
        const json& h = reply["history"];
        CHECK(h["group"] == monitor::name(group));
        CHECK(h["seconds"] == 3600);

        std::vector<monitor::HistoryPoint> points;
        std::array<monitor::FigureSummary, monitor::max_figures> summary;
        m.history(group, 3600, points, summary);
        auto names = monitor::figure_names(group);
        REQUIRE(h["figures"].size() == names.size());
        REQUIRE(h["points"].size() == points.size());
        for (std::size_t i = 0; i < points.size(); ++i) {
            const json& row = h["points"][i];
            REQUIRE(row.size() == 1 + monitor::max_figures);
            CHECK(row[0].get<std::int64_t>() == points[i].wall_ns / 1'000'000);
            for (std::size_t f = 0; f < monitor::max_figures; ++f) {
                double v = points[i].values[f];
                if (std::isfinite(v)) CHECK(row[1 + f].get<double>() == v);  // shortest form reads back exactly
                else CHECK(row[1 + f].is_null());
            }
        }
        for (std::size_t f = 0; f < names.size(); ++f) {
            CHECK(h["figures"][f] == names[f]);
            const json& s = h["summary"][std::string(names[f])];
            auto same = [](const json& j, double v) { return std::isfinite(v) ? j.get<double>() == v : j.is_null(); };
            CHECK(same(s["min"], summary[f].min));
            CHECK(same(s["avg"], summary[f].avg));
            CHECK(same(s["max"], summary[f].max));
        }
    }
    bool stopped = false;
    m.stop([&] { stopped = true; });
    fx.run_until([&] { return stopped; }, "the monitor to stop");
}
