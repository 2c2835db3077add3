#pragma once
// The local query server: a Unix-domain stream socket speaking the line protocol.
#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/server/request.hpp>
#include <pcm/uv/handle.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string>
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
    using Reload = std::function<ReloadOutcome()>;

    Server(uv_loop_t* loop, monitor::Monitor& monitor, Reload reload);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Listens on `path`, creating its directory if missing. A socket file nobody answers
    /// on (left by a crash) is replaced; one that answers means another daemon runs, and
    /// that, like any other failure, throws std::runtime_error with the reason. The file
    /// gets `mode`, and `group` if not empty, and is removed by `stop`.
    void listen(const std::string& path, std::uint32_t mode, const std::string& group);

    /// If the socket file was removed (say, its directory was deleted), binds it again.
    /// Runs by itself at most once a second, after a sample (so that it adds no wake-up
    /// of its own); call it too from a slower timer in case sampling is rarer than that.
    /// Does nothing for an adopted socket.
    void check_socket();

    /// Serves a socket that is already listening (socket activation); it is left in place at exit.
    void adopt(int fd);

    /// Stops accepting and ends every connection; `on_closed` runs once all are closed.
    void stop(std::function<void()> on_closed);

    std::size_t clients() const noexcept { return connections_.size(); }
    metrics::ServerFigures figures() const noexcept;

private:
    struct Connection;

    static void on_connection(uv_stream_t* listener, int status);
    void start_listening();
    async::Task<void> serve(Connection& c);
    void answer(Connection& c, const Request& request);
    void on_sample(monitor::Group group);
    /// The group's latest reading as JSON text, rendered once per sample.
    const std::string& reading_text(monitor::Group group);
    /// Queues {"ok":true[,"event":"sample"],"reading":...} for `c`.
    void send_reading(Connection& c, monitor::Group group, bool as_event = false);
    void closed(Connection& c);
    void maybe_closed();

    uv_loop_t* loop_;
    monitor::Monitor& monitor_;
    Reload reload_;
    uv::Handle<uv_pipe_t> listener_;
    std::string socket_path_;  // to unlink at stop; empty when adopted
    std::uint32_t socket_mode_ = 0660;
    std::string socket_group_;
    std::vector<std::unique_ptr<Connection>> connections_;
    struct Rendered {
        std::uint64_t sequence = 0;
        std::string text;
    };
    std::array<Rendered, 4> rendered_;
    std::string metrics_text_, line_;
    std::int64_t started_ns_;
    std::int64_t socket_checked_ns_ = 0;
    std::uint64_t requests_ = 0, bytes_in_ = 0, bytes_out_ = 0, rejected_ = 0;
    bool stopping_ = false;
    std::function<void()> on_closed_;
};

}  // namespace pcm::server
