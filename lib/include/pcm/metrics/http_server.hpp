#pragma once
// The optional HTTP listener for Prometheus: GET /metrics and /healthz.
#include <pcm/config/config.hpp>
#include <pcm/metrics/exposition_cache.hpp>
#include <pcm/metrics/http_request.hpp>
#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/uv/handle.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pcm::metrics {

/// Serves one request per connection, then closes it. `GET /metrics` answers in
/// OpenMetrics when the Accept header asks for application/openmetrics-text, else in the
/// Prometheus text format 0.0.4; `GET /healthz` answers "ok" (the path may come in absolute
/// form, http://host/metrics). Anything else gets 404, a method other than GET or HEAD 405,
/// a malformed request or an HTTP/0.9 request line 400, a version other than HTTP/1.x 505,
/// a head over 8 KiB (8,192 bytes up to and including the blank line) 431, and a request
/// not complete within 5 s 408. Replies are bounded by http.write_timeout_ms, connections
/// by http.max_connections (one more closes the oldest). Use on the monitor's loop thread.
class HttpServer {
public:
    static constexpr std::size_t max_request_bytes = 8192;
    static constexpr std::chrono::milliseconds request_timeout{5000};

    HttpServer(uv_loop_t* loop, const monitor::Monitor& monitor, const config::HttpConfig& config,
               std::function<ServerFigures()> figures);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Listens on "host:port" (numeric IPv4, or [IPv6]); throws std::runtime_error on failure.
    void listen(const std::string& address);

    /// Stops accepting and closes every connection; `on_closed` runs once all are closed.
    void stop(std::function<void()> on_closed);

    std::uint64_t requests() const noexcept { return requests_; }
    std::uint64_t rejected() const noexcept { return counters_.http_rejected; }
    /// Fills the HTTP counters of `f`.
    void add_figures(ServerFigures& f) const noexcept;

private:
    struct Connection;
    static void on_connection(uv_stream_t* listener, int status);
    void respond(Connection& c, const HttpRequest& request);
    void send_metrics(Connection& c);
    void closed(Connection& c);

    uv_loop_t* loop_;
    std::function<ServerFigures()> figures_;
    uv::Handle<uv_tcp_t> listener_;
    std::vector<std::unique_ptr<Connection>> connections_;
    // One text per sample and format, shared by every connection writing it: slow clients
    // cost a reference each, not a copy of the body.
    std::array<ExpositionCache, 2> texts_;  // Prometheus text, OpenMetrics
    config::HttpConfig config_;             // as at start: the listener's settings change only on restart
    ClientCounters counters_;
    std::uint64_t requests_ = 0;
    bool stopping_ = false;
    std::function<void()> on_closed_;
};

}  // namespace pcm::metrics
