// The shared exposition text: rendered once per sample, in steps across loop turns when it
// is large, handed to every waiter of that render.
#include "../async/loop_fixture.hpp"
#include "alloc_counter.hpp"
#include "exposition_text.hpp"
#include "fixture.hpp"

#include <pcm/metrics/exposition_cache.hpp>
#include <pcm/monitor/monitor.hpp>

#include <doctest/doctest.h>

#include <algorithm>

#include <string>
#include <vector>

using namespace pcm;

namespace {

struct BigMachine {
    test::TempDir dir;
    test::LoopFixture fx;
    std::unique_ptr<monitor::Monitor> monitor;

    BigMachine(int cpus, int disks) {
        test::make_big_procfs(dir.path() / "proc", cpus, disks);
        config::Config c;
        c.procfs_root = (dir.path() / "proc").string();
        // One sample of each group, then none during the test: "the same samples" holds.
        c.cpu.interval = c.memory.interval = c.disk.interval = c.filesystem.interval = std::chrono::hours(1);
        monitor = std::make_unique<monitor::Monitor>(fx.scheduler, c);
        monitor->start();
        fx.run_until(
            [&] {
                return std::ranges::all_of(monitor::all_groups,
                                           [&](monitor::Group g) { return monitor->stats(g).samples > 0; });
            },
            "a first complete sample of every group");
    }
    ~BigMachine() {
        bool stopped = false;
        monitor->stop([&] { stopped = true; });
        fx.run_until([&] { return stopped; }, "the monitor to stop");
    }
};

struct Waiter {
    metrics::ExpositionCache* cache = nullptr;
    std::shared_ptr<const std::string> text;
    int calls = 0;
    static void ready(void* self) {
        auto* w = static_cast<Waiter*>(self);
        ++w->calls;
        w->text = w->cache->latest();
    }
};

}  // namespace

TEST_CASE("a small text is rendered in the first step, at once, and once per sample") {
    BigMachine m(4, 2);
    metrics::ExpositionCache cache(m.fx.loop.get(), *m.monitor, metrics::Format::prometheus_text);
    auto first = cache.current({});
    REQUIRE(first != nullptr);
    CHECK(first->find("node_cpu_seconds_total{cpu=\"3\",mode=\"user\"}") != std::string::npos);
    CHECK(cache.current({}) == first);  // same samples: the same text, not rendered again
    CHECK(cache.renders() == 1);
    CHECK(cache.steps() == 1);
    std::string whole;
    metrics::render_prometheus(*m.monitor, {}, whole);
    CHECK(test::without_moment(*first) == test::without_moment(whole));
}

TEST_CASE("a large text takes several loop turns; every waiter of that render gets it; a forgotten one is not called") {
    BigMachine m(512, 400);
    metrics::ExpositionCache cache(m.fx.loop.get(), *m.monitor, metrics::Format::openmetrics, {}, 16 * 1024);
    std::string whole;
    metrics::render_prometheus(*m.monitor, {}, whole, metrics::Format::openmetrics);
    REQUIRE(whole.size() > 200'000);

    CHECK(cache.current({}) == nullptr);  // under way
    CHECK(cache.current({}) == nullptr);  // asking again starts nothing new
    std::vector<Waiter> waiters(3);
    for (Waiter& w : waiters) {
        w.cache = &cache;
        cache.when_ready(&Waiter::ready, &w);
    }
    cache.forget(&waiters[1]);
    m.fx.run_until([&] { return waiters[0].calls > 0; }, "the render to complete");
    CHECK(waiters[0].calls == 1);
    CHECK(waiters[1].calls == 0);
    CHECK(waiters[2].calls == 1);
    CHECK(waiters[0].text == waiters[2].text);  // one text for all
    CHECK(test::without_moment(*waiters[0].text) == test::without_moment(whole));
    CHECK(cache.renders() == 1);
    CHECK(cache.steps() >= whole.size() / (16 * 1024 + 4096));
    CHECK(cache.current({}) == waiters[0].text);
}

TEST_CASE("a waiter that asks again from its callback gets the text; finish_now completes a render at once") {
    BigMachine m(512, 400);
    metrics::ExpositionCache cache(m.fx.loop.get(), *m.monitor, metrics::Format::prometheus_text, {}, 16 * 1024);
    struct Asker {
        metrics::ExpositionCache* cache;
        std::shared_ptr<const std::string> got;
        static void ready(void* self) {
            auto* a = static_cast<Asker*>(self);
            a->got = a->cache->current({});
        }
    } asker{&cache, nullptr};
    REQUIRE(cache.current({}) == nullptr);
    cache.when_ready(&Asker::ready, &asker);
    cache.finish_now();  // as at shutdown: no loop turn needed
    REQUIRE(asker.got != nullptr);
    CHECK(asker.got == cache.latest());
    CHECK(asker.got->ends_with("pcmonitor_http_rejected_total 0\n"));
}

TEST_CASE("a render that runs out of memory is given up: its waiters are called, and the next request renders anew") {
    BigMachine m(512, 400);
    metrics::ExpositionCache cache(m.fx.loop.get(), *m.monitor, metrics::Format::prometheus_text, {}, 16 * 1024);
    SUBCASE("at the start: the snapshot of the samples cannot be taken") {
        test::FailLargeAllocations out_of_memory(4 * 1024);
        auto text = cache.current({});
        REQUIRE(text != nullptr);
        CHECK(text->empty());  // the last complete text: there was none yet
    }
    SUBCASE("mid-text, in a later loop turn: the text cannot grow") {
        Waiter w;
        w.cache = &cache;
        REQUIRE(cache.current({}) == nullptr);  // the first step is done
        cache.when_ready(&Waiter::ready, &w);
        test::FailLargeAllocations out_of_memory(64 * 1024);
        m.fx.run_until([&] { return w.calls > 0; }, "the waiter to be called");
        REQUIRE(w.text != nullptr);
        CHECK(w.text->empty());
    }
    CHECK(cache.failures() == 1);

    Waiter again;
    again.cache = &cache;
    REQUIRE(cache.current({}) == nullptr);  // not stuck "under way": a new render starts
    cache.when_ready(&Waiter::ready, &again);
    m.fx.run_until([&] { return again.calls > 0; }, "the second render");
    std::string whole;
    metrics::render_prometheus(*m.monitor, {}, whole);
    CHECK(test::without_moment(*again.text) == test::without_moment(whole));
    CHECK(cache.failures() == 1);
}
