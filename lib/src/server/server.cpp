#include <pcm/server/server.hpp>

#include <pcm/async/errors.hpp>
#include <pcm/daemon/log.hpp>
#include <pcm/server/connection_reader.hpp>
#include <pcm/server/output_queue.hpp>
#include <pcm/server/render.hpp>
#include <pcm/server/socket_file.hpp>
#include <pcm/sys/unique_fd.hpp>

#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <stop_token>

namespace pcm::server {

using daemon::log;
using daemon::Priority;
using monitor::Group;
using nlohmann::json;

namespace {

std::int64_t now_ns() noexcept { return static_cast<std::int64_t>(uv_hrtime()); }

std::runtime_error failure(const std::string& what, int error) {
    return std::runtime_error(what + ": " + std::strerror(error));
}

std::string error_line(std::string_view code, std::string_view message) {
    json j = {{"ok", false}, {"code", code}, {"error", message}};
    return j.dump() + '\n';
}

constexpr std::string_view help_text[] = {
    "PING",
    "HELP",
    "GET <cpu|memory|disk|filesystem|all>",
    "WAIT <group> [timeout_ms]",
    "SUBSCRIBE <group> [every_ms]",
    "UNSUBSCRIBE",
    "HISTORY <group> <seconds>",
    "METRICS",
    "STATS",
    "CONFIG",
    "RELOAD",
};

}  // namespace

struct Server::Connection {
    Connection(Server& s, uv_loop_t* loop)
        : server(s),
          reader(stream(), s.monitor_.config().limits.max_line_bytes),
          out(stream(), s.monitor_.config().limits.output_queue_bytes) {
        uv_pipe_init(loop, &pipe, 0);
        pipe.data = &reader;  // the reader's callbacks find it here
        uv_timer_init(loop, &idle);
        idle.data = this;
        uv_timer_init(loop, &resume);
        resume.data = this;
    }
    uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&pipe); }

    /// Sends the reply to a request: always taken (requests stop being read while much is
    /// queued: backpressure), counted against the global budget.
    void send(std::string_view bytes) {
        bool keeping_up = out.queued() == 0;
        if (!out.send(bytes, false)) abort("its connection failed");
        // A client that had nothing waiting is not dropped for the reply it just asked for
        // (METRICS may be larger than the budget on a big machine): the others go first.
        server.enforce_budget(keeping_up ? this : nullptr);
    }
    /// As `send`, for a reply shared with other clients (a METRICS text): written from the
    /// shared text when nothing else waits, not copied.
    void send_shared(std::shared_ptr<const std::string> text) {
        bool keeping_up = out.queued() == 0;
        out.hold(false);  // what came before goes first, and the text need not wait behind a hold
        if (!out.send_shared(std::move(text))) abort("its connection failed");
        server.enforce_budget(keeping_up ? this : nullptr);
    }
    /// Sends what the client did not ask for just now (a subscription's event); a client
    /// whose queue passes limits.output_queue_bytes is dropped.
    void push(std::string_view bytes) {
        if (!out.send(bytes, true)) {
            if (!out.failed()) ++server.counters_.dropped_queue_full;
            abort(out.failed() ? "its connection failed" : "output queue full: the client does not read");
        }
        server.enforce_budget(nullptr);
    }
    void reply(const json& body) { send(body.dump() + '\n'); }
    void error(std::string_view code, std::string_view message) { send(error_line(code, message)); }

    /// Ends the connection soon: a pending WAIT is canceled and the next read sees the end.
    void abort(const char* why) {
        if (aborted) return;
        aborted = true;
        out.discard();  // its queued replies no longer count against the budget
        if (server.drop_log_.admit(now_ns()))
            log(Priority::info, "dropping client%s: %s (%" PRIu64 " more clients dropped since the last line)",
                uid_text().c_str(), why, server.drop_log_.suppressed());
        if (!serving) {  // no coroutine left to notice
            close();
            return;
        }
        stop.request_stop();
        reader.abort();
    }

    void touch() {
        auto timeout = server.monitor_.config().limits.idle_timeout;
        if (timeout.count() > 0 && !subscribed)
            uv_timer_start(
                &idle,
                [](uv_timer_t* t) {
                    auto* c = static_cast<Connection*>(t->data);
                    ++c->server.counters_.dropped_idle;
                    c->abort("idle timeout");
                },
                static_cast<std::uint64_t>(timeout.count()), 0);
        else uv_timer_stop(&idle);
    }

    /// Closes both handles once the replies already queued are written.
    void close_when_flushed() {
        out.when_drained([](void* self) { static_cast<Connection*>(self)->close(); }, this);
    }
    void close() {
        if (closing) return;
        closing = true;
        uv_timer_stop(&idle);
        pipe.data = this;  // from here on both handles lead back to the connection
        auto done = [](uv_handle_t* h) {
            auto* c = static_cast<Connection*>(h->data);
            if (--c->open_handles == 0) c->server.closed(*c);
        };
        uv_close(reinterpret_cast<uv_handle_t*>(&pipe), done);
        uv_close(reinterpret_cast<uv_handle_t*>(&idle), done);
        uv_close(reinterpret_cast<uv_handle_t*>(&resume), done);
    }

    std::string uid_text() const { return peer_uid ? " (uid " + std::to_string(*peer_uid) + ")" : std::string(); }

    Server& server;
    uv_pipe_t pipe{};
    uv_timer_t idle{};
    uv_timer_t resume{};  // ungates the reader on the next loop turn (see serve)
    ConnectionReader reader;
    OutputQueue out;
    std::stop_source stop;
    std::optional<uid_t> peer_uid;
    std::optional<Group> subscribed;
    std::int64_t every_ns = 0, last_push_ns = 0;
    std::optional<uid_t> capped_uid;  // counted in Server::per_uid_
    std::uint64_t id = 0;             // finds the connection again after an asynchronous reload
    int open_handles = 3;
    bool aborted = false, closing = false, serving = false, admitted = false;
};

Server::Server(uv_loop_t* loop, monitor::Monitor& monitor, Reload reload)
    : loop_(loop),
      monitor_(monitor),
      reload_(std::move(reload)),
      metrics_(loop, monitor, metrics::Format::prometheus_text, "# EOF\n"),
      started_ns_(now_ns()) {
    monitor_.on_sample([this](Group g) { on_sample(g); });
}

Server::~Server() { monitor_.on_sample({}); }

void Server::listen(const std::string& path, std::uint32_t mode, const std::string& group) {
    SocketFile file(path, mode, group);
    sys::UniqueFd fd = file.bind();
    socket_file_ = std::move(file);
    start_listening(fd.release());
    log(Priority::info, "listening on %s", path.c_str());
}

void Server::check_socket() {
    socket_checked_ns_ = now_ns();
    if (stopping_ || !socket_file_.missing()) return;
    log(Priority::warning, "socket %s disappeared; binding it again", socket_file_.path().c_str());
    try {
        start_listening(socket_file_.bind().release());  // existing connections carry on meanwhile
    } catch (const std::exception& e) {
        log(Priority::error, "cannot bind %s again: %s", socket_file_.path().c_str(),
            e.what());  // again at the next check
    }
}

void Server::adopt(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
        throw failure("cannot use the passed socket", errno);
    start_listening(fd);
    log(Priority::info, "listening on the socket passed by the service manager (fd %d)", fd);
}

void Server::start_listening(int fd) {
    // Accepting by hand (not uv_listen) so that running out of descriptors is seen, logged
    // and counted: libuv's own remedy for EMFILE closes the waiting connections silently.
    listener_.close();
    listen_fd_.reset(fd);
    listener_ = uv::Handle<uv_poll_t>(uv_poll_init_socket, loop_, fd);
    listener_.get()->data = this;
    if (!accept_retry_) {
        accept_retry_ = uv::Handle<uv_timer_t>(uv_timer_init, loop_);
        accept_retry_.get()->data = this;
    }
    if (!spare_fd_) spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (int rc = uv_poll_start(listener_.get(), UV_READABLE, &Server::on_listener); rc != 0)
        throw std::runtime_error(std::string("cannot listen: ") + uv_strerror(rc));
}

void Server::on_listener(uv_poll_t* poll, int status, int) {
    auto* self = static_cast<Server*>(poll->data);
    if (status < 0 || self->stopping_) return;
    self->accept_all();
}

void Server::accept_all() {
    // A bounded batch per wake-up, as libuv does: other work gets its turn under a flood.
    for (int i = 0; i < 128 && !stopping_; ++i) {
        int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            admit(fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) out_of_descriptors(errno);
        return;  // EAGAIN, or nothing more can be done now
    }
}

void Server::out_of_descriptors(int error) {
    ++counters_.rejected_no_fd;
    // Give up the spare descriptor for a moment to take the connection off the backlog
    // and tell the client why, rather than leave it waiting (and the poll spinning).
    bool refused = false;
    if (spare_fd_) {
        spare_fd_.reset();
        sys::UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd) {
            std::string line = error_line("too_many_clients", "the daemon is out of file descriptors; try again later");
            [[maybe_unused]] ssize_t n = ::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            refused = true;
        }
        fd.reset();
        spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    if (no_fd_log_.admit(now_ns()))
        log(Priority::error,
            "cannot accept a client: %s (%s clients connected; %" PRIu64
            " such refusals since the last line); "
            "raise LimitNOFILE= or lower limits.max_clients",
            std::strerror(error), std::to_string(connections_.size()).c_str(), no_fd_log_.suppressed());
    if (!refused) {
        // Nothing taken off the backlog: stop watching it for a moment rather than spin.
        uv_poll_stop(listener_.get());
        uv_timer_start(
            accept_retry_.get(),
            [](uv_timer_t* t) {
                auto* self = static_cast<Server*>(t->data);
                if (!self->stopping_ && self->listener_)
                    uv_poll_start(self->listener_.get(), UV_READABLE, &Server::on_listener);
            },
            100, 0);
    }
}

void Server::admit(int fd) {
    auto owned = std::make_unique<Connection>(*this, loop_);
    Connection& c = *owned;
    c.id = ++next_id_;
    connections_.push_back(std::move(owned));
    if (uv_pipe_open(&c.pipe, fd) != 0) {
        ::close(fd);
        c.close();
        return;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) c.peer_uid = cred.uid;
    const config::LimitsConfig& limits = monitor_.config().limits;
    bool privileged = c.peer_uid && (*c.peer_uid == 0 || *c.peer_uid == ::geteuid());
    std::size_t reserved = std::min(limits.reserved_clients, limits.max_clients - 1);
    uid_t uid = c.peer_uid.value_or(static_cast<uid_t>(-1));
    if (admitted_ >= limits.max_clients || (!privileged && admitted_ >= limits.max_clients - reserved)) {
        ++counters_.rejected_max_clients;
        c.error("too_many_clients", "the daemon serves its maximum number of clients; try again later");
        c.close_when_flushed();
        return;
    }
    if (!privileged && per_uid_[uid] >= limits.max_clients_per_uid) {
        ++counters_.rejected_per_uid;
        c.error("too_many_clients_for_uid",
                "this user holds limits.max_clients_per_uid connections already; close one or try again later");
        c.close_when_flushed();
        return;
    }
    c.admitted = true;
    ++admitted_;
    if (!privileged) {
        c.capped_uid = uid;
        ++per_uid_[uid];
    }
    c.out.account_to(&queued_bytes_);
    c.reader.on_hangup([](void* conn) { static_cast<Connection*>(conn)->stop.request_stop(); }, &c);
    c.reader.start();
    c.serving = true;
    c.touch();
    async::spawn(serve(c));
}

struct Server::MetricsRendered {
    Server& server;
    bool await_ready() { return server.metrics_.current(server.figures()) != nullptr; }
    void await_suspend(std::coroutine_handle<> awaiting) {
        server.metrics_.when_ready([](void* frame) { std::coroutine_handle<>::from_address(frame).resume(); },
                                   awaiting.address());
    }
    void await_resume() const noexcept {}
};

Server::MetricsRendered Server::metrics_rendered() { return MetricsRendered{*this}; }

async::Task<void> Server::serve(Connection& c) {
    const std::size_t pause_at = monitor_.config().limits.read_pause_bytes;
    constexpr std::int64_t turn_ns = 2'000'000;  // pipelined requests answered per loop turn: about 2 ms' worth
    std::int64_t turn_started = now_ns();
    while (!c.aborted) {
        bool gated = c.reader.gated();  // (a RELOAD in progress)
        if (!gated && c.out.queued() > pause_at) {
            // Backpressure: answer no more requests (and read none) until the client has
            // taken most of what waits for it; its next sends block in its own kernel buffer.
            ++counters_.read_pauses;
            c.out.hold(false);
            c.reader.gate();
            c.out.when_at_most(
                pause_at / 2,
                [](void* conn) {
                    auto* self = static_cast<Connection*>(conn);
                    if (!self->closing) self->reader.ungate();
                },
                &c);
            gated = true;
        } else if (!gated && c.reader.line_buffered() && now_ns() - turn_started > turn_ns) {
            // A long pipeline (HISTORY, METRICS...) gives the loop back between requests:
            // sampling and other clients go first, then this one carries on.
            c.out.hold(false);
            c.reader.gate();
            uv_timer_start(
                &c.resume, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->reader.ungate(); }, 0, 0);
            gated = true;
        }
        bool waits = gated || !c.reader.line_buffered();
        // Replies gather while the requests they answer arrived together (pipelined), and
        // leave in one write once the last of them is answered.
        c.out.hold(c.reader.line_buffered() && !c.reader.gated());
        ReadResult read = co_await c.reader.read_line();
        if (waits) turn_started = now_ns();
        c.out.hold(true);
        if (read.kind == ReadResult::Kind::too_long) {
            c.error("line_too_long", "request line longer than limits.max_line_bytes; closing");
            break;
        }
        if (read.kind != ReadResult::Kind::line) break;
        c.touch();
        ++requests_;
        ParsedRequest parsed = parse_request(read.line);
        if (!parsed.request) {
            c.error(parsed.error.code, parsed.error.message);
            continue;
        }
        const Request& request = *parsed.request;
        if (request.command == Command::metrics) {
            co_await metrics_rendered();
            if (c.aborted) break;
            c.send_shared(metrics_.latest());
            continue;
        }
        if (request.command != Command::wait) {
            answer(c, request);
            continue;
        }
        // WAIT: the one request that suspends; the connection's stop token cancels it on hang-up.
        Group group = *request.group;
        std::optional<std::string_view> failed_code;
        const char* failed_message = "";
        c.out.hold(false);  // what came before the WAIT is not held back by it
        try {
            co_await monitor_.next(group, request.timeout, c.stop.get_token());
        } catch (const async::timeout_error&) {
            failed_code = "timeout", failed_message = "no fresh sample within the timeout";
        } catch (const async::canceled_error&) {
            break;  // only a hang-up cancels a WAIT: nobody is left to answer
        } catch (const monitor::too_many_waiters&) {
            failed_code = "too_many_waiters", failed_message = "too many clients are waiting; try again";
        } catch (const monitor::shutting_down&) {
            failed_code = "shutting_down", failed_message = "the daemon is shutting down";
        }
        if (c.aborted) break;
        if (failed_code) c.error(*failed_code, failed_message);
        else send_reading(c, group);
    }
    c.out.hold(false);
    c.serving = false;
    if (c.aborted) c.close();  // a dropped client gets nothing more: pending writes are canceled
    else c.close_when_flushed();
}

void Server::answer(Connection& c, const Request& request) {
    switch (request.command) {
        case Command::ping: c.reply({{"ok", true}, {"pong", true}}); return;
        case Command::help: c.reply({{"ok", true}, {"commands", help_text}}); return;
        case Command::get:
            if (request.group) {
                send_reading(c, *request.group);
            } else {
                line_ = R"({"ok":true,"readings":{)";
                for (Group g : monitor::all_groups) {
                    line_ += g == Group::cpu ? "\"" : ",\"";
                    line_ += monitor::name(g);
                    line_ += "\":";
                    line_ += reading_text(g);
                }
                line_ += "}}\n";
                c.send(line_);
            }
            return;
        case Command::subscribe:
            c.subscribed = request.group;
            c.every_ns = std::chrono::nanoseconds(request.every).count();
            c.last_push_ns = 0;
            c.touch();  // subscribers are never idle
            c.reply({{"ok", true}, {"subscribed", monitor::name(*request.group)}, {"every_ms", request.every.count()}});
            return;
        case Command::unsubscribe:
            c.subscribed.reset();
            c.touch();
            c.reply({{"ok", true}, {"unsubscribed", true}});
            return;
        case Command::history:
            line_.clear();
            append_history_reply(line_, monitor_, *request.group, request.span);
            c.send(line_);
            return;
        case Command::stats: c.reply({{"ok", true}, {"stats", stats_json(monitor_, figures())}}); return;
        case Command::config: c.reply({{"ok", true}, {"config", config::to_json(monitor_.config())}}); return;
        case Command::reload: {
            bool allowed = c.peer_uid && (*c.peer_uid == 0 || *c.peer_uid == ::geteuid());
            if (!allowed) {
                c.error("forbidden", "RELOAD is allowed only to root and to the daemon's own user");
                return;
            }
            if (!reload_) {
                c.error("invalid_config", "reload is not available");
                return;
            }
            // The file is read off the loop: no request of this client is answered (or
            // read) until the outcome is in, so replies stay in order.
            c.out.hold(false);
            c.reader.gate();
            reload_([this, id = c.id](const ReloadOutcome& outcome) {
                auto it = std::find_if(connections_.begin(), connections_.end(),
                                       [&](const auto& owned) { return owned->id == id; });
                if (it == connections_.end() || (*it)->aborted || (*it)->closing) return;  // gone meanwhile
                Connection& conn = **it;
                if (outcome.ok) conn.reply({{"ok", true}, {"reloaded", true}});
                else conn.error("invalid_config", outcome.error);
                conn.reader.ungate();
            });
            return;
        }
        case Command::wait:
        case Command::metrics: return;  // handled in serve(): they may take several loop turns
    }
}

const std::string& Server::reading_text(Group group) {
    Rendered& r = rendered_[static_cast<std::size_t>(group)];
    std::uint64_t sequence = monitor_.header(group).sequence;
    if (r.text.empty() || r.sequence != sequence) {
        r.text = reading_json(monitor_, group).dump();
        r.sequence = sequence;
    }
    return r.text;
}

void Server::send_reading(Connection& c, Group group, bool as_event) {
    line_ = as_event ? R"({"ok":true,"event":"sample","reading":)" : R"({"ok":true,"reading":)";
    line_ += reading_text(group);
    line_ += "}\n";
    if (as_event) c.push(line_);
    else c.send(line_);
}

void Server::on_sample(Group group) {
    std::int64_t now = now_ns();
    if (now - socket_checked_ns_ >= 1'000'000'000) check_socket();
    for (auto& owned : connections_) {
        Connection& c = *owned;
        if (c.subscribed != group || c.aborted || c.closing || now - c.last_push_ns < c.every_ns) continue;
        c.last_push_ns = now;
        send_reading(c, group, true);  // rendered once per sample, whatever the number of subscribers
    }
}

metrics::ServerFigures Server::figures() const noexcept {
    metrics::ServerFigures f;
    f.clients = connections_.size();
    f.requests = requests_;
    f.bytes_in = bytes_in_;
    f.bytes_out = bytes_out_;
    for (const auto& c : connections_) {
        f.bytes_in += c->reader.bytes_received();
        f.bytes_out += c->out.bytes_sent();
    }
    f.uptime_s = static_cast<double>(now_ns() - started_ns_) / 1e9;
    f.queued_bytes = queued_bytes_;
    f.counters = counters_;
    if (more_figures_) more_figures_(f);
    return f;
}

void Server::enforce_budget(Connection* spared) {
    const std::size_t budget = monitor_.config().limits.output_budget_bytes;
    if (queued_bytes_ <= budget) return;
    // Furthest behind first: the clients with the most bytes waiting.
    std::vector<Connection*> behind;
    for (auto& owned : connections_)
        if (!owned->aborted && owned->out.queued() > 0 && owned.get() != spared) behind.push_back(owned.get());
    std::sort(behind.begin(), behind.end(),
              [](Connection* a, Connection* b) { return a->out.queued() > b->out.queued(); });
    for (Connection* c : behind) {
        if (queued_bytes_ <= budget) break;
        ++counters_.dropped_budget;
        if (budget_log_.admit(now_ns()))
            log(Priority::warning,
                "dropping client%s: %zu reply bytes wait for it, furthest behind while all clients together have %zu "
                "queued, over limits.output_budget_bytes (%zu); %" PRIu64
                " more dropped for the budget since the last line",
                c->uid_text().c_str(), c->out.queued(), queued_bytes_, budget, budget_log_.suppressed());
        c->abort("over the output budget");
    }
}

void Server::closed(Connection& c) {
    if (c.admitted) --admitted_;
    if (c.capped_uid) {
        auto it = per_uid_.find(*c.capped_uid);
        if (it != per_uid_.end() && --it->second == 0) per_uid_.erase(it);
    }
    bytes_in_ += c.reader.bytes_received();
    bytes_out_ += c.out.bytes_sent();
    std::erase_if(connections_, [&](const auto& owned) { return owned.get() == &c; });
    maybe_closed();
}

void Server::stop(std::function<void()> on_closed) {
    metrics_.finish_now();  // a client waiting for a METRICS text gets it, and then notices the stop
    stopping_ = true;
    on_closed_ = std::move(on_closed);
    listener_.close();
    accept_retry_.close();
    listen_fd_.reset();
    socket_file_.remove();
    for (auto& c : connections_) c->abort("the daemon is stopping");
    maybe_closed();
}

void Server::maybe_closed() {
    if (stopping_ && connections_.empty() && on_closed_) std::exchange(on_closed_, {})();
}

}  // namespace pcm::server
