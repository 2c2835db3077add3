// pcmonitord: samples CPU, memory, disk and filesystem figures on a libuv loop.
#include <pcm/async/loop_scheduler.hpp>
#include <pcm/config/config.hpp>
#include <pcm/daemon/log.hpp>
#include <pcm/daemon/systemd.hpp>
#include <pcm/daemon/watchdog.hpp>
#include <pcm/metrics/http_server.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/server/server.hpp>
#include <pcm/uv/handle.hpp>
#include <pcm/uv/loop.hpp>

#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using pcm::daemon::log;
using pcm::daemon::Priority;

constexpr const char* system_config = PCM_SYSTEM_CONFIG;  // /etc/pcmonitor/pcmonitor.json when installed under /usr

constexpr const char* usage =
    "usage: pcmonitord [--config FILE] [--socket PATH]\n"
    "       pcmonitord --check-config FILE\n"
    "       pcmonitord --help | --version\n"
    "\n"
    "  --config FILE        read the configuration from FILE (default: " PCM_SYSTEM_CONFIG
    " if it exists, else the built-in defaults)\n"
    "  --socket PATH        listen on PATH instead of the configured socket\n"
    "  --check-config FILE  validate FILE, print every problem, exit 0 if valid, 1 if not\n"
    "  --help               show this help\n"
    "  --version            show the version\n"
    "\n"
    "Signals: SIGHUP reloads the configuration file; SIGTERM and SIGINT stop the daemon.\n";

struct Options {
    std::string config_path;  // empty: built-in defaults
    std::optional<std::string> socket_path;
};

void print_errors(const std::vector<std::string>& errors) {
    for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
}

bool file_exists(const char* path) {
    struct stat st {};
    return ::stat(path, &st) == 0;
}

// Parses the command line; returns an exit code when the process should end here.
std::optional<int> parse_arguments(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        bool has_value = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (arg == "--version") {
            std::printf("pcmonitord %s\n", PCM_VERSION);
            return 0;
        }
        if (arg == "--check-config" && has_value) {
            pcm::config::LoadResult r = pcm::config::load_config_file(argv[++i]);
            if (!r.config) {
                print_errors(r.errors);
                return 1;
            }
            std::printf("%s: valid\n", argv[i]);
            return 0;
        }
        if (arg == "--config" && has_value) {
            options.config_path = argv[++i];
        } else if (arg == "--socket" && has_value) {
            options.socket_path = argv[++i];
        } else {
            std::fprintf(stderr, "pcmonitord: unknown or incomplete argument '%s'\n\n%s", argv[i], usage);
            return 2;
        }
    }
    if (options.config_path.empty() && file_exists(system_config)) options.config_path = system_config;
    return std::nullopt;
}

// Everything that lives on the loop. Destroyed on the loop thread, before the loop closes.
class Daemon {
public:
    Daemon(uv_loop_t* loop, Options options, pcm::config::Config config)
        : options_(std::move(options)),
          config_(std::move(config)),
          scheduler_(loop),
          monitor_(scheduler_, config_),
          server_(loop, monitor_, config_, [this](ReloadDone done) { reload(std::move(done)); }),
          http_(loop, monitor_, config_.http, [this] { return server_.figures(); }),
          sigint_(uv_signal_init, loop),
          sigterm_(uv_signal_init, loop),
          sighup_(uv_signal_init, loop),
          service_timer_(uv_timer_init, loop),
          clock_(loop),
          watchdog_(clock_, pcm::daemon::Notifier::watchdog_period(), [this] { notifier_.send("WATCHDOG=1"); }) {
        service_timer_.get()->data = this;
        for (auto* handle : {sigint_.get(), sigterm_.get(), sighup_.get()}) handle->data = this;
        server_.add_figures([this](pcm::metrics::ServerFigures& f) { http_.add_figures(f); });
        pcm::uv::check(uv_signal_start(sigint_.get(), &Daemon::on_stop_signal, SIGINT), "SIGINT handler");
        pcm::uv::check(uv_signal_start(sigterm_.get(), &Daemon::on_stop_signal, SIGTERM), "SIGTERM handler");
        pcm::uv::check(uv_signal_start(sighup_.get(), &Daemon::on_reload_signal, SIGHUP), "SIGHUP handler");
    }

    /// Starts sampling and serving; throws if the socket cannot be had.
    void start() {
        std::vector<pcm::daemon::PassedSocket> passed = pcm::daemon::take_passed_sockets();
        if (!passed.empty()) {
            auto listener = std::find_if(passed.begin(), passed.end(),
                                         [](const auto& p) { return pcm::daemon::is_unix_stream_listener(p.fd); });
            if (listener == passed.end())
                throw std::runtime_error("the service manager passed no listening Unix stream socket (LISTEN_FDS)");
            server_.adopt(listener->fd);
        } else {
            const pcm::config::SocketConfig& s = config_.socket;
            server_.listen(s.path.empty() ? pcm::config::default_socket_path() : s.path, s.mode, s.group);
        }
        if (!config_.http.listen.empty()) http_.listen(config_.http.listen);
        monitor_.start();
        log(Priority::info, "started: %s",
            options_.config_path.empty() ? "built-in default configuration"
                                         : ("configuration " + options_.config_path).c_str());
        // Ready once every group has its first reading; then the socket check and STATUS lines.
        uv_timer_start(service_timer_.get(), &Daemon::on_service_timer, 10, 10);
        if (pcm::daemon::Notifier::watchdog_period().count() > 0) watchdog_.start();
    }

    using ReloadDone = std::function<void(pcm::server::ReloadOutcome)>;

    /// Re-reads the configuration file and calls `done` with the outcome; an invalid file is
    /// refused and the running configuration stays. The file is read and parsed on
    /// libuv's thread pool (at most 1 MiB, a regular file), never on the loop: sampling and
    /// clients carry on meanwhile. Requests that arrive during a read share the next one.
    void reload(ReloadDone done) {
        waiting_reloads_.push_back(std::move(done));
        if (!reading_) start_reading();
    }

private:
    struct ReadWork {
        uv_work_t request{};
        Daemon* daemon = nullptr;
        std::string path;
        pcm::config::LoadResult result;
        std::vector<ReloadDone> done;
    };

    void start_reading() {
        notifier_.send("RELOADING=1");
        auto work = std::make_unique<ReadWork>();
        work->daemon = this;
        work->path = options_.config_path;
        work->done = std::exchange(waiting_reloads_, {});
        work->request.data = work.get();
        if (options_.config_path.empty()) return read_done(*work);
        reading_ = true;
        int rc = uv_queue_work(
            scheduler_.loop(), &work->request,
            [](uv_work_t* w) {  // on a pool thread: pure file reading and parsing
                auto* rw = static_cast<ReadWork*>(w->data);
                rw->result = pcm::config::load_config_file(rw->path);
            },
            [](uv_work_t* w, int) {  // back on the loop; the request owns the work from here
                std::unique_ptr<ReadWork> rw(static_cast<ReadWork*>(w->data));
                rw->daemon->read_done(*rw);
            });
        if (rc == 0) {
            work.release();  // owned by the queued request until its completion callback
            return;
        }
        work->result = pcm::config::load_config_file(work->path);
        read_done(*work);
    }

    void read_done(ReadWork& work) {
        reading_ = false;
        pcm::server::ReloadOutcome outcome{true, {}};
        if (!monitor_.stopping()) {
            outcome = apply_loaded(std::move(work.result));
            notifier_.send(outcome.ok ? "READY=1\nSTATUS=configuration reloaded"
                                      : "READY=1\nSTATUS=reload refused: " + outcome.error);
        }
        for (ReloadDone& done : work.done)
            if (done) done(outcome);
        if (stop_pending_) {
            uv_stop(scheduler_.loop());
            return;
        }
        if (!waiting_reloads_.empty() && !monitor_.stopping()) start_reading();
    }

    pcm::server::ReloadOutcome apply_loaded(pcm::config::LoadResult r) {
        if (options_.config_path.empty()) {
            log(Priority::notice, "reload: no configuration file (running on the built-in defaults); nothing to do");
            return {true, {}};
        }
        if (!r.config) {
            std::string all;
            for (const std::string& e : r.errors) {
                log(Priority::error, "reload refused: %s", e.c_str());
                all += (all.empty() ? "" : "; ") + e;
            }
            log(Priority::error, "reload refused: keeping the running configuration");
            return {false, all};
        }
        if (options_.socket_path) r.config->socket.path = *options_.socket_path;
        if (r.config->socket != config_.socket || r.config->http != config_.http)
            log(Priority::warning, "reload: socket and HTTP listener settings change only on restart");
        r.config->socket = config_.socket;  // what runs, as CONFIG shows it
        r.config->http = config_.http;
        // The daemon owns the configuration and hands each part to its owner.
        config_ = std::move(*r.config);
        pcm::daemon::set_log_level(config_.log_level);
        monitor_.apply(config_);
        server_.apply(config_);
        log(Priority::info, "reloaded %s", options_.config_path.c_str());
        return {true, {}};
    }

public:
    void stop() {
        if (monitor_.stopping()) return;
        log(Priority::info, "stopping");
        notifier_.send("STOPPING=1");
        service_timer_.close();
        // The watchdog is fed to the end: a stop that hangs is the manager's to see.
        http_.stop([this] {
            server_.stop([this] {
                monitor_.stop([this] {
                    watchdog_.stop([this] {
                        sigint_.close();
                        sigterm_.close();
                        sighup_.close();
                        if (reading_)
                            stop_pending_ = true;  // the read in the thread pool ends first (a regular file: soon)
                        else uv_stop(scheduler_.loop());
                    });
                });
            });
        });
    }

private:
    static void on_stop_signal(uv_signal_t* handle, int signum) {
        log(Priority::info, "received %s", signum == SIGINT ? "SIGINT" : "SIGTERM");
        static_cast<Daemon*>(handle->data)->stop();
    }
    // Every 10 ms until ready, then every 10 s: a STATUS line.
    static void on_service_timer(uv_timer_t* timer) {
        auto* self = static_cast<Daemon*>(timer->data);
        if (!self->ready_) {
            for (auto g : pcm::monitor::all_groups)
                if (self->monitor_.header(g).sequence == 0) return;
            self->ready_ = true;
            uv_timer_set_repeat(timer, 10'000);
            self->notifier_.send("READY=1\n" + self->status_line());
            log(Priority::info, "ready");
            ::malloc_trim(0);  // hand back what start-up (config, patterns, first samples) freed
            return;
        }
        self->notifier_.send(self->status_line());
    }

    std::string status_line() const {
        std::uint64_t samples = 0;
        for (auto g : pcm::monitor::all_groups) samples += monitor_.stats(g).samples;
        return "STATUS=" + std::to_string(server_.clients()) + " clients, " + std::to_string(samples) + " samples";
    }

    static void on_reload_signal(uv_signal_t* handle, int) {
        log(Priority::info, "received SIGHUP: reloading");
        static_cast<Daemon*>(handle->data)->reload({});
    }

    Options options_;
    pcm::config::Config config_;  // the running configuration
    pcm::async::LoopScheduler scheduler_;
    pcm::monitor::Monitor monitor_;
    pcm::server::Server server_;
    pcm::metrics::HttpServer http_;
    pcm::uv::Handle<uv_signal_t> sigint_, sigterm_, sighup_;
    pcm::uv::Handle<uv_timer_t> service_timer_;
    pcm::daemon::Notifier notifier_ = pcm::daemon::Notifier::from_environment();
    pcm::monitor::LoopClock clock_;
    pcm::daemon::Watchdog watchdog_;
    bool ready_ = false;
    bool reading_ = false, stop_pending_ = false;
    std::vector<ReloadDone> waiting_reloads_;
};

}  // namespace

int main(int argc, char** argv) try {
    // A client that hangs up must cost a failed write (EPIPE), not the daemon.
    std::signal(SIGPIPE, SIG_IGN);
    Options options;
    if (auto exit_code = parse_arguments(argc, argv, options)) return *exit_code;

    pcm::config::Config config;
    if (!options.config_path.empty()) {
        pcm::config::LoadResult r = pcm::config::load_config_file(options.config_path);
        if (!r.config) {
            print_errors(r.errors);
            return 1;
        }
        config = *r.config;
    }
    if (options.socket_path) config.socket.path = *options.socket_path;
    pcm::daemon::set_log_level(config.log_level);

    pcm::uv::Loop loop;
    {
        Daemon daemon(loop.get(), options, config);
        daemon.start();
        uv_run(loop.get(), UV_RUN_DEFAULT);
    }
    if (int rc = loop.close(); rc != 0) {
        // Only a statvfs stuck in the kernel (a dead network mount) can hold the loop now;
        // its thread cannot be joined, so leave without waiting for it.
        log(Priority::warning, "exiting with work still stuck in the thread pool (%s)", uv_strerror(rc));
        std::fflush(stderr);
        std::_Exit(0);
    }
    log(Priority::info, "stopped");
    return 0;
} catch (const std::exception& e) {
    log(Priority::error, "%s", e.what());
    return 1;
}
