#pragma once
// Closing the libuv handles that live inside one object, and knowing when it may go.
#include <uv.h>

namespace pcm::uv {

/// Closes the handles embedded in one owner (a connection's stream and its timers) and
/// calls `closed(owner)` once libuv has let go of every one of them. Only then may the
/// owner be freed: while a stream closes, libuv calls back its canceled writes and
/// shutdown, and those point into the owner. (`uv::Handle` is for a handle alone on the
/// heap; this is for handles that share their owner's lifetime.) Loop thread only.
class CloseGroup {
public:
    using Closed = void (*)(void* owner);

    CloseGroup() = default;
    CloseGroup(const CloseGroup&) = delete;
    CloseGroup& operator=(const CloseGroup&) = delete;

    /// Starts closing `handles` (each open, none closing); a second call does nothing.
    /// Their `data` fields point to this group from here on.
    template <class... H>
    void close(Closed closed, void* owner, H*... handles) noexcept {
        if (closing()) return;
        closed_ = closed;
        owner_ = owner;
        open_ = sizeof...(H);
        (close_one(reinterpret_cast<uv_handle_t*>(handles)), ...);
    }

    /// True from the first `close` on.
    bool closing() const noexcept { return closed_ != nullptr; }

private:
    void close_one(uv_handle_t* handle) noexcept {
        handle->data = this;
        uv_close(handle, &CloseGroup::on_closed);
    }
    static void on_closed(uv_handle_t* handle) {
        auto* self = static_cast<CloseGroup*>(handle->data);
        if (--self->open_ == 0) self->closed_(self->owner_);
    }

    Closed closed_ = nullptr;
    void* owner_ = nullptr;
    int open_ = 0;
};

}  // namespace pcm::uv
