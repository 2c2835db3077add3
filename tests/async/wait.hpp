#pragma once
// Test helper: wait for a condition, with a deadline and a message, never for a time.
#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace pcm::test {

/// Between polls of a condition another thread will make true: the first polls only spin
/// (racing cases want both threads hot), later ones sleep briefly. A yield would hand a
/// loaded machine's whole time slice to a CPU hog before the awaited thread ran; a short sleep
/// lets the scheduler run that thread at once, so a lock-step of thousands of rounds stays
/// fast under load.
class Backoff {
public:
    void operator()() {
        if (++polls_ < spins) return;
        std::this_thread::sleep_for(std::chrono::microseconds(20));
    }

private:
    static constexpr int spins = 256;
    int polls_ = 0;
};

/// Polls `done()` (backing off, or running `step()` between polls) until it holds or the
/// generous deadline passes; then fails with `what`. The deadline only bounds a hang.
template <class Pred, class Step>
bool wait_until(Pred done, Step step, const char* what, std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            FAIL_CHECK("timed out waiting for: " << what);
            return false;
        }
        step();
    }
    return true;
}

template <class Pred>
bool wait_until(Pred done, const char* what, std::chrono::seconds limit = std::chrono::seconds(30)) {
    return wait_until(done, Backoff{}, what, limit);
}

/// A reusable meeting point for `count` threads (std::barrier's arrive_and_wait). Not
/// std::barrier itself: libstdc++ 12's spins and backs off so that, with other processes on
/// the machine, a round took hundreds of milliseconds; a mutex and a condition variable
/// wake the sleepers as soon as the last one arrives.
class Rendezvous {
public:
    explicit Rendezvous(std::size_t count) : count_(count) {}
    void arrive_and_wait() {
        std::unique_lock lock(mutex_);
        std::size_t generation = generation_;
        if (++arrived_ == count_) {
            arrived_ = 0;
            ++generation_;
            all_here_.notify_all();
            return;
        }
        all_here_.wait(lock, [&] { return generation_ != generation; });
    }

private:
    std::mutex mutex_;
    std::condition_variable all_here_;
    std::size_t count_, arrived_ = 0, generation_ = 0;
};

}  // namespace pcm::test
