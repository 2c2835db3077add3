// pcmonitord: the monitoring daemon. Runs one libuv loop until SIGINT or SIGTERM.
#include <pcm/uv/handle.hpp>
#include <pcm/uv/loop.hpp>

#include <csignal>
#include <cstdio>
#include <exception>

namespace {

struct Daemon {
    pcm::uv::Loop loop;
    pcm::uv::Handle<uv_signal_t> sigint{uv_signal_init, loop.get()};
    pcm::uv::Handle<uv_signal_t> sigterm{uv_signal_init, loop.get()};

    void stop() {
        sigint.close();
        sigterm.close();
    }
};

void on_stop_signal(uv_signal_t* handle, int signum) {
    std::fprintf(stderr, "pcmonitord: received %s, stopping\n", signum == SIGINT ? "SIGINT" : "SIGTERM");
    static_cast<Daemon*>(handle->data)->stop();
}

}  // namespace

int main() try {
    Daemon daemon;
    daemon.sigint.get()->data = &daemon;
    daemon.sigterm.get()->data = &daemon;
    pcm::uv::check(uv_signal_start(daemon.sigint.get(), on_stop_signal, SIGINT), "uv_signal_start");
    pcm::uv::check(uv_signal_start(daemon.sigterm.get(), on_stop_signal, SIGTERM), "uv_signal_start");
    std::fprintf(stderr, "pcmonitord: running\n");
    uv_run(daemon.loop.get(), UV_RUN_DEFAULT);
    return daemon.loop.close() == 0 ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "pcmonitord: %s\n", e.what());
    return 1;
}
