#include <pcm/monitor/deadline_schedule.hpp>
#include <pcm/monitor/history.hpp>
#include <pcm/monitor/tick_stats.hpp>

#include <doctest/doctest.h>

#include <cmath>

using namespace pcm::monitor;

constexpr std::int64_t ms = 1'000'000;

namespace {
Instant at(std::int64_t ns) { return Instant(std::chrono::nanoseconds(ns)); }
std::chrono::nanoseconds span(std::int64_t ns) { return std::chrono::nanoseconds(ns); }
}  // namespace

TEST_CASE("deadlines are absolute: a late tick does not push the next one back") {
    DeadlineSchedule s;
    s.start(at(0), span(100 * ms));
    CHECK(s.deadline() == at(0));
    CHECK(s.take(at(0)) == span(0));
    CHECK(s.deadline() == at(100 * ms));
    CHECK(s.take(at(130 * ms)) == span(30 * ms));  // 30 ms late...
    CHECK(s.deadline() == at(200 * ms));           // ...and the next deadline is still on the grid
    CHECK(s.take(at(199 * ms)) == span(-1 * ms));  // a timer a hair early
    CHECK(s.deadline() == at(300 * ms));
    CHECK(s.skipped() == 0);
}

TEST_CASE("a tick far behind is taken once and the missed deadlines are skipped, not burst") {
    DeadlineSchedule s;
    s.start(at(0), span(100 * ms));
    s.take(at(0));
    CHECK(s.take(at(1050 * ms)) == span(950 * ms));  // the loop was blocked for a second
    CHECK(s.deadline() == at(1100 * ms));            // next: the first grid point after now
    CHECK(s.skipped() == 9);                         // 200..1000 were never taken
}

TEST_CASE("changing the interval re-plans from the last deadline") {
    DeadlineSchedule s;
    s.start(at(0), span(1000 * ms));
    s.take(at(0));
    s.change_interval(at(10 * ms), span(100 * ms));
    CHECK(s.deadline() == at(100 * ms));
    s.change_interval(at(500 * ms), span(200 * ms));  // 0 + 200 already passed: now
    CHECK(s.deadline() == at(500 * ms));
}

TEST_CASE("tick stats: min, avg, max, errors and p99 over the recent window") {
    TickStats stats;
    for (int i = 1; i <= 100; ++i) stats.record(i * ms, 10 * i, i % 10 == 0);
    TickStats::Summary s = stats.summary();
    CHECK(s.samples == 100);
    CHECK(s.errors == 10);
    CHECK(s.cost_ns.min == 10);
    CHECK(s.cost_ns.max == 1000);
    CHECK(s.cost_ns.avg == doctest::Approx(505));
    CHECK(s.lateness_ns.p99 == 99 * ms);
    stats.record(-5, 1, false);  // early counts as on time
    CHECK(stats.summary().lateness_ns.min == 0);
    CHECK(TickStats{}.summary().samples == 0);
}

TEST_CASE("history keeps the newest points, survives a resize, and summarises a span") {
    History h(3);
    for (int i = 1; i <= 5; ++i)
        h.push({static_cast<std::uint64_t>(i), i * 1000 * ms, 0, {double(i), NAN, double(10 * i), 0}});
    CHECK(h.size() == 3);
    std::vector<HistoryPoint> out;
    std::array<FigureSummary, max_figures> sum;
    h.since(0, out, sum);
    REQUIRE(out.size() == 3);
    CHECK(out.front().sequence == 3);
    CHECK(out.back().sequence == 5);
    CHECK(sum[0].min == 3);
    CHECK(sum[0].max == 5);
    CHECK(sum[0].avg == doctest::Approx(4));
    CHECK(sum[1].count == 0);  // NaN figures are left out
    CHECK(std::isnan(sum[1].avg));

    out.clear();
    h.since(4500 * ms, out, sum);  // only the newest
    CHECK(out.size() == 1);
    CHECK(sum[2].avg == 50);

    h.resize(5);
    h.push({6, 6000 * ms, 0, {6, 0, 0, 0}});
    out.clear();
    h.since(0, out, sum);
    CHECK(out.size() == 4);
    CHECK(out.front().sequence == 3);
    h.resize(2);
    out.clear();
    h.since(0, out, sum);
    REQUIRE(out.size() == 2);
    CHECK(out.front().sequence == 5);
}
