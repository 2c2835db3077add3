#pragma once
// Test helper: a private libuv loop with its scheduler, driven from the test's thread.
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/uv/loop.hpp>

#include <chrono>

namespace pcm::test {

struct LoopFixture {
    uv::Loop loop;
    async::LoopScheduler scheduler{loop.get()};

    /// Runs the loop until `done()` holds.
    template <class Pred>
    void run_until(Pred done) {
        while (!done()) uv_run(loop.get(), UV_RUN_NOWAIT);
    }

    /// Runs the loop for about `span`, whatever happens.
    void run_for(std::chrono::milliseconds span) {
        auto until = std::chrono::steady_clock::now() + span;
        run_until([&] { return std::chrono::steady_clock::now() >= until; });
    }
};

}  // namespace pcm::test
