// The socket server's listener and connections: binding or adopting the socket, accepting
// (and refusing, with the reason) under the limits, the output budget, and the end of each
// connection. What a connection is served is in dispatch.cpp.
#include <pcm/server/server.hpp>

#include "connection.hpp"

#include <pcm/daemon/log.hpp>
#include <pcm/server/socket_file.hpp>
#include <pcm/sys/unique_fd.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pcm::server {

using daemon::log;
using daemon::Priority;
using detail::error_line;
using detail::now_ns;
using monitor::Group;
using nlohmann::json;

namespace {

std::runtime_error failure(const std::string& what, int error) {
    return std::runtime_error(what + ": " + std::strerror(error));
}

}  // namespace

Server::Server(uv_loop_t* loop, monitor::Monitor& monitor, const config::Config& config, Reload reload)
    : loop_(loop),
      monitor_(monitor),
      reload_(std::move(reload)),
      metrics_(loop, monitor, metrics::Format::prometheus_text, "# EOF\n"),
      started_ns_(now_ns()) {
    monitor_.on_sample([this](Group g) { on_sample(g); });
    apply(config);
}

void Server::apply(const config::Config& config) {
    limits_ = config.limits;
    config_reply_ = json{{"ok", true}, {"config", config::to_json(config)}}.dump() + '\n';
}

Server::~Server() { monitor_.on_sample({}); }

void Server::listen(const std::string& path, std::uint32_t mode, const std::string& group) {
    SocketFile file(path, mode, group);
    sys::UniqueFd fd = file.bind();
    socket_file_ = std::move(file);
    start_listening(fd.release());
    socket_check_ = uv::Handle<uv_timer_t>(uv_timer_init, loop_);
    socket_check_.get()->data = this;
    uv_timer_start(
        socket_check_.get(), [](uv_timer_t* t) { static_cast<Server*>(t->data)->check_socket(); },
        socket_check_period_ms, socket_check_period_ms);
    uv_unref(socket_check_.base());  // a check alone does not keep the loop running
    log(Priority::info, "listening on %s", path.c_str());
}

void Server::check_socket() {
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
    const config::LimitsConfig& limits = limits_;
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
    const std::size_t budget = limits_.output_budget_bytes;
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
    socket_check_.close();
    listen_fd_.reset();
    socket_file_.remove();
    for (auto& c : connections_) c->abort("the daemon is stopping");
    maybe_closed();
}

void Server::maybe_closed() {
    if (stopping_ && connections_.empty() && on_closed_) std::exchange(on_closed_, {})();
}

}  // namespace pcm::server
