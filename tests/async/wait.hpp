#pragma once
// Test helper: wait for a condition, with a deadline and a message, never for a time.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

namespace pcm::test {

/// Polls `done()` (yielding, or running `step()` between polls) until it holds or the
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
    return wait_until(
        done, [] { std::this_thread::yield(); }, what, limit);
}

}  // namespace pcm::test
