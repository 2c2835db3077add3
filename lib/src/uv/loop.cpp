#include <pcm/uv/handle.hpp>
#include <pcm/uv/loop.hpp>

#include <cstdio>

namespace pcm::uv {

Loop::Loop() : loop_(std::make_unique<uv_loop_t>()) { check(uv_loop_init(loop_.get()), "uv_loop_init"); }

int Loop::close() noexcept {
    if (closed_) return 0;
    uv_run(get(), UV_RUN_NOWAIT);  // lets the close callbacks of already closed handles run
    int rc = uv_loop_close(get());
    if (rc == 0) closed_ = true;
    return rc;
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
