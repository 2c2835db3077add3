#pragma once
// The optional HTTP listener for Prometheus: GET /metrics and /healthz.
#include <pcm/metrics/http_request.hpp>
#include <pcm/metrics/prometheus.hpp>
#include <pcm/monitor/monitor.hpp>
#include <pcm/uv/handle.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pcm::metrics {

/// Serves one request per connection, then closes it. `GET /metrics` answers in
/// OpenMetrics when the Accept header asks for application/openmetrics-text, else in the
/// Prometheus text format 0.0.4; `GET /healthz` answers "ok". Anything else gets 404, a
/// method other than GET or HEAD 405, a malformed request 400, headers over 8 KiB 431, and
/// a request not complete within 5 s 408. Use on the monitor's loop thread.
class HttpServer {
public:
    static constexpr std::size_t max_request_bytes = 8192;
    static constexpr std::chrono::milliseconds request_timeout{5000};

    HttpServer(uv_loop_t* loop, const monitor::Monitor& monitor, std::function<ServerFigures()> figures);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Listens on "host:port" (numeric IPv4, or [IPv6]); throws std::runtime_error on failure.
    void listen(const std::string& address);

    /// Stops accepting and closes every connection; `on_closed` runs once all are closed.
    void stop(std::function<void()> on_closed);

    std::uint64_t requests() const noexcept { return requests_; }
    std::uint64_t rejected() const noexcept { return rejected_; }

private:
    struct Connection;
    static void on_connection(uv_stream_t* listener, int status);
    void respond(Connection& c, const HttpRequest& request);
    void closed(Connection& c);

    uv_loop_t* loop_;
    const monitor::Monitor& monitor_;
    std::function<ServerFigures()> figures_;
    uv::Handle<uv_tcp_t> listener_;
    std::vector<std::unique_ptr<Connection>> connections_;
    std::string body_;
    std::uint64_t requests_ = 0, rejected_ = 0;
    bool stopping_ = false;
    std::function<void()> on_closed_;
};

}  // namespace pcm::metrics
