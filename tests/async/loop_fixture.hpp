#pragma once
// Test helper: a private libuv loop with its scheduler, driven from the test's thread.
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/uv/loop.hpp>

#include <chrono>

namespace pcm::test {

struct LoopFixture {
    uv::Loop loop;
    async::LoopScheduler scheduler{loop.get()};

    /// Runs the loop until `done()` holds (a deadline bounds a hang; see uv::Loop).
    template <class Pred>
    void run_until(Pred done, const char* what = "the awaited condition") {
        loop.run_until(done, std::chrono::minutes(1), what);
    }

    /// Runs the loop for about `span`, whatever happens.
    void run_for(std::chrono::milliseconds span) {
        auto until = std::chrono::steady_clock::now() + span;
        while (std::chrono::steady_clock::now() < until) uv_run(loop.get(), UV_RUN_NOWAIT);
    }
};

}  // namespace pcm::test
