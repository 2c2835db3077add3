#include <pcm/metrics/http_server.hpp>

#include <pcm/config/config.hpp>
#include <pcm/daemon/log.hpp>
#include <pcm/metrics/http_request.hpp>
#include <pcm/uv/close_group.hpp>

#include <algorithm>
#include <cinttypes>
#include <stdexcept>
#include <string_view>

namespace pcm::metrics {
namespace {

constexpr std::string_view text_type = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view openmetrics_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";

}  // namespace

struct HttpServer::Connection {
    Connection(HttpServer& s) : server(s) {
        uv_tcp_init(s.loop_, &tcp);
        uv_timer_init(s.loop_, &timer);
        tcp.data = timer.data = this;
        write.data = this;
        shutdown.data = this;
    }
    uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }

    void close() {
        closer.close([](void* c) { static_cast<Connection*>(c)->server.closed(*static_cast<Connection*>(c)); }, this,
                     &tcp, &timer);
    }
    bool closing() const noexcept { return closer.closing(); }

    /// Sends a whole response and closes once it is written and the client has hung up.
    /// What the client still sends meanwhile is read and dropped (an oversized head
    /// included): closing with unread bytes would reset the connection, and the client
    /// would never see the reply. Bounded in time: http.write_timeout_ms for the write,
    /// then request_timeout for the client to hang up.
    void reply(int status, std::string_view reason, std::string_view type, std::string_view body, bool head = false,
               std::string_view extra_header = {}) {
        reply(status, reason, type, body, nullptr, head, extra_header);
    }
    /// The same with a body shared with other connections (a /metrics text, megabytes on a
    /// big machine: one copy for all the clients it is being written to).
    void reply(int status, std::string_view reason, std::string_view type, std::shared_ptr<const std::string> body,
               bool head) {
        std::string_view text = *body;
        reply(status, reason, type, text, std::move(body), head, {});
    }
    void reply(int status, std::string_view reason, std::string_view type, std::string_view body,
               std::shared_ptr<const std::string> shared, bool head, std::string_view extra_header) {
        if (replied) return;
        replied = true;
        received = 0;  // from here on the buffer only takes what is drained
        response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                   "\r\nContent-Type: " + std::string(type) + "\r\nContent-Length: " + std::to_string(body.size()) +
                   "\r\nConnection: close\r\n" + std::string(extra_header) + "\r\n";
        if (!head && !shared) response += body;
        if (!head) shared_body = std::move(shared);
        uv_timer_start(
            &timer,
            [](uv_timer_t* t) {
                auto* c = static_cast<Connection*>(t->data);
                ++c->server.counters_.http_write_timeouts;
                c->close();  // cancels the write
            },
            static_cast<std::uint64_t>(server.config_.write_timeout.count()), 0);
        uv_buf_t bufs[2] = {uv_buf_init(response.data(), static_cast<unsigned>(response.size())), {}};
        unsigned count = 1;
        if (shared_body)
            bufs[count++] =
                uv_buf_init(const_cast<char*>(shared_body->data()), static_cast<unsigned>(shared_body->size()));
        if (uv_write(&write, stream(), bufs, count, &Connection::on_written) != 0) close();
    }
    static void on_written(uv_write_t* w, int status) {
        auto* c = static_cast<Connection*>(w->data);
        if (status != 0 || c->closing()) return c->close();
        std::string().swap(c->response);
        c->shared_body.reset();
        uv_timer_start(
            &c->timer, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->close(); },
            static_cast<std::uint64_t>(request_timeout.count()), 0);
        if (c->peer_done || uv_shutdown(&c->shutdown, c->stream(), [](uv_shutdown_t* s, int) {
                                auto* conn = static_cast<Connection*>(s->data);
                                if (conn->peer_done) conn->close();
                            }) != 0)
            c->close();
    }
    void reject(int status, std::string_view reason) {
        ++server.counters_.http_rejected;
        reply(status, reason, "text/plain; charset=utf-8", std::string(reason) + "\n");
    }

    HttpServer& server;
    uv_tcp_t tcp{};
    uv_timer_t timer{};
    uv_write_t write{};
    uv_shutdown_t shutdown{};
    char buffer[max_request_bytes + 1];
    std::size_t received = 0;
    std::string response;
    std::shared_ptr<const std::string> shared_body;
    uv::CloseGroup closer;
    bool replied = false, peer_done = false;
    bool head = false, openmetrics = false;  // of the /metrics request waiting for its text
};

HttpServer::HttpServer(uv_loop_t* loop, const monitor::Monitor& monitor, const config::HttpConfig& config,
                       std::function<ServerFigures()> figures)
    : loop_(loop),
      figures_(std::move(figures)),
      texts_{ExpositionCache(loop, monitor, Format::prometheus_text),
             ExpositionCache(loop, monitor, Format::openmetrics)},
      config_(config) {}

HttpServer::~HttpServer() = default;

void HttpServer::listen(const std::string& address) {
    auto parsed = config::parse_listen_address(address);
    if (!parsed) throw std::runtime_error("invalid HTTP listen address: " + address);
    sockaddr_storage storage{};
    if (parsed->first.find(':') != std::string::npos)
        uv_ip6_addr(parsed->first.c_str(), parsed->second, reinterpret_cast<sockaddr_in6*>(&storage));
    else uv_ip4_addr(parsed->first.c_str(), parsed->second, reinterpret_cast<sockaddr_in*>(&storage));
    listener_ = uv::Handle<uv_tcp_t>(uv_tcp_init, loop_);
    listener_.get()->data = this;
    if (int rc = uv_tcp_bind(listener_.get(), reinterpret_cast<sockaddr*>(&storage), 0); rc != 0)
        throw std::runtime_error("cannot bind HTTP listener to " + address + ": " + uv_strerror(rc));
    if (int rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_.get()), 128, &HttpServer::on_connection); rc != 0)
        throw std::runtime_error("cannot listen on " + address + ": " + uv_strerror(rc));
    daemon::log(daemon::Priority::info, "serving /metrics on http://%s/metrics", address.c_str());
}

void HttpServer::on_connection(uv_stream_t* listener, int status) {
    auto* self = static_cast<HttpServer*>(listener->data);
    if (status < 0 || self->stopping_) return;
    auto owned = std::make_unique<Connection>(*self);
    Connection& c = *owned;
    self->connections_.push_back(std::move(owned));
    if (uv_accept(listener, c.stream()) != 0) {
        c.close();
        return;
    }
    // Over the cap the oldest connection goes: every one waits on its client, and the
    // oldest has waited longest (a scraper's request is answered at once).
    std::size_t open = 0;
    for (const auto& other : self->connections_) open += other->closing() ? 0 : 1;
    if (open > self->config_.max_connections) {
        for (auto& other : self->connections_) {
            if (other->closing()) continue;
            ++self->counters_.http_dropped_oldest;
            if (self->counters_.http_dropped_oldest == 1 || self->counters_.http_dropped_oldest % 1000 == 0)
                daemon::log(daemon::Priority::warning,
                            "HTTP: %zu connections open, over http.max_connections; closing the oldest (%" PRIu64
                            " closed so far)",
                            open, self->counters_.http_dropped_oldest);
            other->close();
            break;
        }
    }
    uv_timer_start(
        &c.timer, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->reject(408, "Request Timeout"); },
        static_cast<std::uint64_t>(request_timeout.count()), 0);
    uv_read_start(
        c.stream(),
        [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
            auto* conn = static_cast<Connection*>(h->data);
            *buf =
                uv_buf_init(conn->buffer + conn->received, static_cast<unsigned>(sizeof conn->buffer - conn->received));
        },
        [](uv_stream_t* stream, ssize_t n, const uv_buf_t*) {
            auto* conn = static_cast<Connection*>(stream->data);
            if (n < 0) {
                // The client is done sending (or gone). Before the reply: nothing more comes.
                // After it: close once the reply is out.
                conn->peer_done = true;
                uv_read_stop(stream);
                if (!conn->replied || n != UV_EOF || conn->response.empty()) conn->close();
                return;
            }
            if (n == 0 || conn->closing()) return;
            if (conn->replied) return;  // drained and dropped (received stays 0)
            conn->received += static_cast<std::size_t>(n);
            // The head must end within max_request_bytes: look at no more than that.
            std::size_t seen = std::min(conn->received, max_request_bytes);
            ParsedHttpRequest parsed = parse_http_request(std::string_view(conn->buffer, seen));
            if (parsed.valid) return conn->server.respond(*conn, parsed.request);
            if (parsed.complete) return conn->reject(400, "Bad Request");
            if (conn->received > max_request_bytes) conn->reject(431, "Request Header Fields Too Large");
        });
}

void HttpServer::respond(Connection& c, const HttpRequest& request) {
    ++requests_;
    bool head = request.method == HttpRequest::Method::head;
    if (request.version_major == 0) return c.reject(400, "Bad Request");  // HTTP/0.9: no headers, no status line
    if (request.version_major != 1) return c.reject(505, "HTTP Version Not Supported");
    if (request.method == HttpRequest::Method::other) {
        ++counters_.http_rejected;
        return c.reply(405, "Method Not Allowed", "text/plain; charset=utf-8", "Method Not Allowed\n", nullptr, false,
                       "Allow: GET, HEAD\r\n");
    }
    const std::string& path = request.path;
    if (path == "/metrics") {
        c.head = head;
        c.openmetrics = request.accept.find("application/openmetrics-text") != std::string::npos;
        ExpositionCache& texts = texts_[c.openmetrics ? 1 : 0];
        ServerFigures figures = figures_ ? figures_() : ServerFigures{};
        add_figures(figures);
        if (texts.current(figures)) return send_metrics(c);
        // Megabytes of text, rendered over several loop turns: answered once it is complete.
        texts.when_ready(
            [](void* conn) {
                auto* waiting = static_cast<Connection*>(conn);
                waiting->server.send_metrics(*waiting);
            },
            &c);
        return;
    }
    if (path == "/healthz") return c.reply(200, "OK", "text/plain; charset=utf-8", "ok\n", head);
    ++counters_.http_rejected;
    c.reply(404, "Not Found", "text/plain; charset=utf-8", "Not Found: try /metrics\n", head);
}

void HttpServer::send_metrics(Connection& c) {
    c.reply(200, "OK", c.openmetrics ? openmetrics_type : text_type, texts_[c.openmetrics ? 1 : 0].latest(), c.head);
}

void HttpServer::add_figures(ServerFigures& f) const noexcept {
    f.counters.http_dropped_oldest = counters_.http_dropped_oldest;
    f.counters.http_write_timeouts = counters_.http_write_timeouts;
    f.counters.http_rejected = counters_.http_rejected;
}

void HttpServer::closed(Connection& c) {
    for (ExpositionCache& texts : texts_) texts.forget(&c);
    std::erase_if(connections_, [&](const auto& owned) { return owned.get() == &c; });
    if (stopping_ && connections_.empty() && on_closed_) std::exchange(on_closed_, {})();
}

void HttpServer::stop(std::function<void()> on_closed) {
    stopping_ = true;
    on_closed_ = std::move(on_closed);
    listener_.close();
    for (auto& c : connections_) c->close();
    if (connections_.empty() && on_closed_) std::exchange(on_closed_, {})();
}

}  // namespace pcm::metrics
