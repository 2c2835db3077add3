#pragma once
// RAII ownership of a libuv event loop.
#include <uv.h>

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

    /// Runs the loop one iteration at a time until `done()` holds.
    template <class Pred>
    void run_until(Pred done) {
        while (!done()) uv_run(get(), UV_RUN_ONCE);
    }

private:
    std::unique_ptr<uv_loop_t> loop_;
    bool closed_ = false;
};

}  // namespace pcm::uv
