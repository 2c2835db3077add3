#pragma once
// RAII ownership of a libuv event loop.
#include <uv.h>

#include <chrono>
#include <memory>

namespace pcm::uv {

/// A private libuv loop. The destructor lets pending close callbacks run, then closes
/// the loop; any handle still open at that point is a leak, which it reports to stderr
/// and closes so that the memory is not lost.
class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    uv_loop_t* get() const noexcept { return loop_.get(); }

    /// Runs close callbacks still due, then `uv_loop_close`; returns its result (0, or
    /// UV_EBUSY when handles are still open). Only the first call does anything.
    int close() noexcept;

    /// Runs the loop until `done()` holds; throws std::runtime_error naming `what` if
    /// `limit` passes first. `done()` is asked before every wait for I/O, so the loop never
    /// blocks once it holds (a bare `uv_run(UV_RUN_ONCE)` pump does: timers it runs before
    /// polling do not stop it from then waiting, with no deadline, for the next event).
    template <class Pred>
    void run_until(Pred done, std::chrono::milliseconds limit = std::chrono::minutes(1),
                   const char* what = "the awaited condition") {
        if (done()) return;
        run_until([](void* pred) { return static_cast<bool>((*static_cast<Pred*>(pred))()); }, &done, limit, what);
    }

private:
    void run_until(bool (*holds)(void*), void* pred, std::chrono::milliseconds limit, const char* what);

    struct Pump {
        uv_prepare_t check;
        uv_timer_t deadline;
    };

    std::unique_ptr<uv_loop_t> loop_;
    std::unique_ptr<Pump> pump_;  // run_until's two handles
    bool closed_ = false;
};

}  // namespace pcm::uv
