#pragma once
// The local query server: a Unix-domain stream socket speaking the line protocol.
#include <pcm/config/config.hpp>
#include <pcm/daemon/log.hpp>
#include <pcm/metrics/exposition_cache.hpp>
#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/server/request.hpp>
#include <pcm/server/socket_file.hpp>
#include <pcm/sys/unique_fd.hpp>
#include <pcm/uv/handle.hpp>

#include <sys/types.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace pcm::server {

/// What a reload requested over the socket came to.
struct ReloadOutcome {
    bool ok = false;
    std::string error;  ///< why it was refused
};

/// Serves the protocol on one listening socket, one coroutine per connection. Use on the
/// monitor's loop thread only.
class Server {
public:
    /// Starts a reload and calls its argument with the outcome, later or at once.
    using Reload = std::function<void(std::function<void(ReloadOutcome)>)>;

    /// Serves `monitor`'s readings under `config`'s limits (see `apply`).
    Server(uv_loop_t* loop, monitor::Monitor& monitor, const config::Config& config, Reload reload);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Listens on `path`, creating its directory if missing. A socket file nobody answers
    /// on (left by a crash) is replaced; one that answers means another daemon runs, and
    /// that, like any other failure, throws std::runtime_error with the reason. The file
    /// gets `mode` (bound under a umask: no chmod), and `group` if not empty (lchown: a
    /// symlink swapped in is never followed), and is removed by `stop`. A directory that
    /// another user owns, or that others may write to without the sticky bit, is refused.
    void listen(const std::string& path, std::uint32_t mode, const std::string& group);

    /// If the socket file was removed (say, its directory was deleted), binds it again.
    /// Runs by itself every `socket_check_period_ms` once `listen` has bound the file; does
    /// nothing for an adopted socket.
    void check_socket();
    static constexpr std::uint64_t socket_check_period_ms = 1000;

    /// Serves a socket that is already listening (socket activation); it is left in place at exit.
    void adopt(int fd);

    /// Stops accepting and ends every connection; `on_closed` runs once all are closed.
    void stop(std::function<void()> on_closed);

    /// A reloaded configuration: its limits apply to connections accepted from now on (and
    /// the budget to all), and CONFIG describes it. The socket's own settings need a restart.
    void apply(const config::Config& config);

    std::size_t clients() const noexcept { return connections_.size(); }
    metrics::ServerFigures figures() const noexcept;

    /// Adds figures kept elsewhere (the HTTP listener's) to those `STATS` reports.
    void add_figures(std::function<void(metrics::ServerFigures&)> more) { more_figures_ = std::move(more); }

private:
    struct Connection;

    void start_listening(int fd);
    static void on_listener(uv_poll_t* poll, int status, int events);
    void accept_all();
    void out_of_descriptors(int error);
    void admit(int fd);
    /// Drops the clients furthest behind until all queued replies fit the budget; `spared`
    /// (the client just answered, if it had nothing waiting) is not dropped.
    void enforce_budget(Connection* spared);
    async::Task<void> serve(Connection& c);
    void answer(Connection& c, const Request& request);
    struct MetricsRendered;
    /// Resumes once the METRICS text of the current samples is complete (at once, unless
    /// it takes several loop turns).
    MetricsRendered metrics_rendered();
    void on_sample(monitor::Group group);
    /// The group's latest reading as JSON text, rendered once per sample.
    const std::string& reading_text(monitor::Group group);
    /// The SUBSCRIBE event of the group's latest sample, rendered once per sample.
    const std::string& event_line(monitor::Group group);
    /// Sends {"ok":true,"reading":...} to `c`.
    void send_reading(Connection& c, monitor::Group group);
    void closed(Connection& c);
    void maybe_closed();

    uv_loop_t* loop_;
    monitor::Monitor& monitor_;
    Reload reload_;
    config::LimitsConfig limits_;
    std::string config_reply_;  // the CONFIG reply, rendered once per configuration
    sys::UniqueFd listen_fd_;
    uv::Handle<uv_poll_t> listener_;
    uv::Handle<uv_timer_t> accept_retry_;  // after running out of descriptors: accept again later
    uv::Handle<uv_timer_t> socket_check_;  // re-binds a deleted socket file (check_socket)
    sys::UniqueFd spare_fd_;               // given up to accept-and-refuse when out of descriptors
    SocketFile socket_file_;               // empty when the service manager passed the socket
    std::vector<std::unique_ptr<Connection>> connections_;
    struct Rendered {
        std::uint64_t sequence = 0, event_sequence = 0;
        std::string text;   // the reading's JSON
        std::string event;  // the SUBSCRIBE event line around it
    };
    std::array<Rendered, monitor::all_groups.size()> rendered_;
    metrics::ExpositionCache metrics_;  // the METRICS text, shared by all who ask for one sample's
    std::string line_;
    std::int64_t started_ns_;
    std::uint64_t requests_ = 0, bytes_in_ = 0, bytes_out_ = 0;
    metrics::ClientCounters counters_;
    std::uint64_t next_id_ = 0;
    std::size_t admitted_ = 0;                               // connections served (not those turned away)
    std::unordered_map<uid_t, std::size_t> per_uid_;         // admitted connections per unprivileged uid
    std::size_t queued_bytes_ = 0;                           // replies queued for all clients (OutputQueue::account_to)
    daemon::LogThrottle no_fd_log_, budget_log_, drop_log_;  // one line per 10 s of each flood
    std::function<void(metrics::ServerFigures&)> more_figures_;
    bool stopping_ = false;
    std::function<void()> on_closed_;
};

}  // namespace pcm::server
