#include <pcm/uv/handle.hpp>
#include <pcm/uv/loop.hpp>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace pcm::uv {

Loop::Loop() : loop_(std::make_unique<uv_loop_t>()), pump_(std::make_unique<Pump>()) {
    check(uv_loop_init(loop_.get()), "uv_loop_init");
    // Made here, not on run_until's first call, so that no call of it allocates. They stay
    // inactive, so they do not keep the loop alive.
    uv_prepare_init(get(), &pump_->check);
    uv_timer_init(get(), &pump_->deadline);
}

int Loop::close() noexcept {
    if (closed_) return 0;
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&pump_->check))) {
        uv_close(reinterpret_cast<uv_handle_t*>(&pump_->check), nullptr);
        uv_close(reinterpret_cast<uv_handle_t*>(&pump_->deadline), nullptr);
    }
    uv_run(get(), UV_RUN_NOWAIT);  // lets the close callbacks of already closed handles run
    int rc = uv_loop_close(get());
    if (rc == 0) closed_ = true;
    return rc;
}

namespace {
struct Until {
    bool (*holds)(void*);
    void* pred;
    bool expired = false;
};
}  // namespace

void Loop::run_until(bool (*holds)(void*), void* pred, std::chrono::milliseconds limit, const char* what) {
    Until until{holds, pred};
    // The condition is asked in the prepare phase, right before each poll: once it holds,
    // uv_stop makes that poll return at once and uv_run return after it.
    pump_->check.data = &until;
    uv_prepare_start(&pump_->check, [](uv_prepare_t* handle) {
        auto* u = static_cast<Until*>(handle->data);
        if (u->holds(u->pred)) uv_stop(handle->loop);
    });
    pump_->deadline.data = &until;
    uv_update_time(get());
    uv_timer_start(
        &pump_->deadline,
        [](uv_timer_t* handle) {
            static_cast<Until*>(handle->data)->expired = true;
            uv_stop(handle->loop);
        },
        static_cast<std::uint64_t>(limit.count()), 0);
    struct Disarm {
        Pump& pump;
        ~Disarm() {
            uv_prepare_stop(&pump.check);
            uv_timer_stop(&pump.deadline);
        }
    } disarm{*pump_};  // also when `holds` throws: neither handle may keep pointing at `until`
    bool met = holds(pred);
    while (!met && !until.expired) {
        uv_run(get(), UV_RUN_DEFAULT);
        met = holds(pred);
    }
    if (!met)
        throw std::runtime_error(std::string("timed out after ") + std::to_string(limit.count()) + " ms waiting for " +
                                 what);
}

Loop::~Loop() {
    if (close() == 0) return;
    uv_walk(
        get(),
        [](uv_handle_t* handle, void*) {
            if (uv_is_closing(handle)) return;
            std::fprintf(stderr, "pcm::uv::Loop: handle of type %s still open at loop close\n",
                         uv_handle_type_name(uv_handle_get_type(handle)));
            uv_close(handle, nullptr);
        },
        nullptr);
    uv_run(get(), UV_RUN_DEFAULT);
    uv_loop_close(get());
}

}  // namespace pcm::uv
