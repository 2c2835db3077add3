#pragma once
// RAII ownership of one libuv handle.
#include <uv.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace pcm::uv {

/// Thrown when a libuv call fails; carries libuv's error name and message.
class error : public std::runtime_error {
public:
    error(const char* what, int code)
        : std::runtime_error(std::string(what) + ": " + uv_err_name(code) + " (" + uv_strerror(code) + ")"),
          code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

/// Throws `uv::error` when `rc` is a libuv error code.
inline int check(int rc, const char* what) {
    if (rc < 0) throw error(what, rc);
    return rc;
}

/// Owns a libuv handle of type `H` (uv_timer_t, uv_async_t, uv_pipe_t, ...).
/// libuv may still reference a handle after the owner is gone, until its close callback
/// runs on the next loop iteration; so the handle lives on the heap and the destructor
/// hands it to `uv_close`, whose callback frees it. Destroy only on the loop's thread.
template <class H>
class Handle {
public:
    Handle() = default;

    /// Allocates the handle and runs `init(loop, handle, args...)` (e.g. uv_timer_init).
    template <class Init, class... Args>
    Handle(Init init, uv_loop_t* loop, Args&&... args) : handle_(std::make_unique<H>()) {
        check(init(loop, handle_.get(), std::forward<Args>(args)...), "uv handle init");
    }

    Handle(Handle&&) noexcept = default;
    Handle& operator=(Handle&& other) noexcept {
        if (this != &other) {
            close();
            handle_ = std::move(other.handle_);
        }
        return *this;
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { close(); }

    H* get() const noexcept { return handle_.get(); }
    uv_handle_t* base() const noexcept { return reinterpret_cast<uv_handle_t*>(handle_.get()); }
    explicit operator bool() const noexcept { return handle_ != nullptr; }

    /// Starts closing now; the memory is released by libuv's close callback.
    void close() noexcept {
        if (handle_) uv_close(reinterpret_cast<uv_handle_t*>(handle_.release()), &free_closed);
    }

private:
    static void free_closed(uv_handle_t* handle) { std::unique_ptr<H> owned(reinterpret_cast<H*>(handle)); }

    std::unique_ptr<H> handle_;
};

}  // namespace pcm::uv
