#include <pcm/server/server.hpp>

#include <pcm/async/errors.hpp>
#include <pcm/daemon/log.hpp>
#include <pcm/server/connection_reader.hpp>
#include <pcm/server/output_queue.hpp>
#include <pcm/server/render.hpp>
#include <pcm/sys/unique_fd.hpp>

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

// Whether something accepts connections on `path` right now.
bool someone_listens(const std::string& path) {
    sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
}

void prepare_directory(const std::string& path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) return;
    struct stat st{};
    if (::stat(dir.c_str(), &st) != 0) {
        if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw failure("cannot create " + dir.string(), errno);
        return;
    }
    // A directory someone else owns could swap the socket under us.
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        throw std::runtime_error(dir.string() + " belongs to another user (uid " + std::to_string(st.st_uid) + ")");
}

void replace_stale_socket(const std::string& path) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) return;
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket; not touching it");
    if (someone_listens(path))
        throw std::runtime_error("another pcmonitord is already listening on " + path);
    if (::unlink(path.c_str()) != 0) throw failure("cannot remove stale socket " + path, errno);
    log(Priority::notice, "replaced stale socket %s (nothing answered on it)", path.c_str());
}

std::string error_line(std::string_view code, std::string_view message) {
    json j = {{"ok", false}, {"code", code}, {"error", message}};
    return j.dump() + '\n';
}

constexpr std::string_view help_text[] = {
    "PING", "HELP", "GET <cpu|memory|disk|filesystem|all>", "WAIT <group> [timeout_ms]",
    "SUBSCRIBE <group> [every_ms]", "UNSUBSCRIBE", "HISTORY <group> <seconds>", "METRICS", "STATS", "CONFIG", "RELOAD",
};

}  // namespace

struct Server::Connection {
    Connection(Server& s, uv_loop_t* loop) : server(s), reader(stream(), s.monitor_.config().limits.max_line_bytes),
                                            out(stream(), s.monitor_.config().limits.output_queue_bytes) {
        uv_pipe_init(loop, &pipe, 0);
        pipe.data = &reader;  // the reader's callbacks find it here
        uv_timer_init(loop, &idle);
        idle.data = this;
    }
    uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&pipe); }

    /// Sends a reply; a client whose queue is full is dropped.
    void send(std::string_view bytes) {
        if (!out.send(bytes)) abort("output queue full: the client does not read");
    }
    void reply(const json& body) { send(body.dump() + '\n'); }
    void error(std::string_view code, std::string_view message) { send(error_line(code, message)); }

    /// Ends the connection soon: a pending WAIT is canceled and the next read sees the end.
    void abort(const char* why) {
        if (aborted) return;
        aborted = true;
        log(Priority::info, "dropping client: %s", why);
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
            uv_timer_start(&idle, [](uv_timer_t* t) { static_cast<Connection*>(t->data)->abort("idle timeout"); },
                           static_cast<std::uint64_t>(timeout.count()), 0);
        else
            uv_timer_stop(&idle);
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
    }

    Server& server;
    uv_pipe_t pipe{};
    uv_timer_t idle{};
    ConnectionReader reader;
    OutputQueue out;
    std::stop_source stop;
    std::optional<uid_t> peer_uid;
    std::optional<Group> subscribed;
    std::int64_t every_ns = 0, last_push_ns = 0;
    int open_handles = 2;
    bool aborted = false, closing = false, serving = false;
};

Server::Server(uv_loop_t* loop, monitor::Monitor& monitor, Reload reload)
    : loop_(loop), monitor_(monitor), reload_(std::move(reload)), started_ns_(now_ns()) {
    monitor_.on_sample([this](Group g) { on_sample(g); });
}

Server::~Server() { monitor_.on_sample({}); }

void Server::listen(const std::string& path, std::uint32_t mode, const std::string& group) {
    if (path.empty() || path.size() >= sizeof(sockaddr_un::sun_path))
        throw std::runtime_error("socket path empty or too long (" + std::to_string(path.size()) + " bytes): " + path);
    prepare_directory(path);
    replace_stale_socket(path);
    listener_ = uv::Handle<uv_pipe_t>(uv_pipe_init, loop_, 0);
    if (int rc = uv_pipe_bind(listener_.get(), path.c_str()); rc != 0)
        throw std::runtime_error("cannot bind " + path + ": " + uv_strerror(rc));
    socket_path_ = path;
    socket_mode_ = mode;
    socket_group_ = group;
    if (::chmod(path.c_str(), mode) != 0) throw failure("cannot chmod " + path, errno);
    if (!group.empty()) {
        struct group* g = ::getgrnam(group.c_str());
        if (g == nullptr) throw std::runtime_error("socket group '" + group + "' does not exist");
        if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0)
            throw failure("cannot give " + path + " to group " + group, errno);
    }
    start_listening();
    log(Priority::info, "listening on %s", path.c_str());
}

void Server::check_socket() {
    socket_checked_ns_ = now_ns();
    if (socket_path_.empty() || stopping_) return;
    struct stat st{};
    if (::lstat(socket_path_.c_str(), &st) == 0) return;
    log(Priority::warning, "socket %s disappeared; binding it again", socket_path_.c_str());
    std::string path = socket_path_;
    socket_path_.clear();
    try {
        listen(path, socket_mode_, socket_group_);  // existing connections carry on meanwhile
    } catch (const std::exception& e) {
        socket_path_ = path;  // try again at the next check
        log(Priority::error, "cannot bind %s again: %s", path.c_str(), e.what());
    }
}

void Server::adopt(int fd) {
    listener_ = uv::Handle<uv_pipe_t>(uv_pipe_init, loop_, 0);
    if (int rc = uv_pipe_open(listener_.get(), fd); rc != 0)
        throw std::runtime_error(std::string("cannot use the passed socket: ") + uv_strerror(rc));
    start_listening();
    log(Priority::info, "listening on the socket passed by the service manager (fd %d)", fd);
}

void Server::start_listening() {
    listener_.get()->data = this;
    if (int rc = uv_listen(reinterpret_cast<uv_stream_t*>(listener_.get()), 128, &Server::on_connection); rc != 0)
        throw std::runtime_error(std::string("cannot listen: ") + uv_strerror(rc));
}

void Server::on_connection(uv_stream_t* listener, int status) {
    auto* self = static_cast<Server*>(listener->data);
    if (status < 0 || self->stopping_) return;
    auto owned = std::make_unique<Connection>(*self, self->loop_);
    Connection& c = *owned;
    self->connections_.push_back(std::move(owned));
    if (uv_accept(listener, c.stream()) != 0) {
        c.close();
        return;
    }
    if (self->connections_.size() > self->monitor_.config().limits.max_clients) {
        ++self->rejected_;
        c.error("too_many_clients", "the daemon serves its maximum number of clients; try again later");
        c.close_when_flushed();
        return;
    }
    uv_os_fd_t fd;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&c.pipe), &fd) == 0 &&
        ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        c.peer_uid = cred.uid;
    c.reader.on_hangup([](void* conn) { static_cast<Connection*>(conn)->stop.request_stop(); }, &c);
    c.reader.start();
    c.serving = true;
    c.touch();
    async::spawn(self->serve(c));
}

async::Task<void> Server::serve(Connection& c) {
    while (!c.aborted) {
        // Replies gather while the requests they answer arrived together (pipelined), and
        // leave in one write once the last of them is answered.
        c.out.hold(c.reader.line_buffered());
        ReadResult read = co_await c.reader.read_line();
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
            co_await monitor_.next(group, std::chrono::milliseconds(request.number), c.stop.get_token());
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
        if (failed_code)
            c.error(*failed_code, failed_message);
        else
            send_reading(c, group);
    }
    c.out.hold(false);
    c.serving = false;
    if (c.aborted)
        c.close();  // a dropped client gets nothing more: pending writes are canceled
    else
        c.close_when_flushed();
}

void Server::answer(Connection& c, const Request& request) {
    switch (request.command) {
        case Command::ping:
            c.reply({{"ok", true}, {"pong", true}});
            return;
        case Command::help:
            c.reply({{"ok", true}, {"commands", help_text}});
            return;
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
            c.every_ns = static_cast<std::int64_t>(request.number) * 1'000'000;
            c.last_push_ns = 0;
            c.touch();  // subscribers are never idle
            c.reply({{"ok", true}, {"subscribed", monitor::name(*request.group)}, {"every_ms", request.number}});
            return;
        case Command::unsubscribe:
            c.subscribed.reset();
            c.touch();
            c.reply({{"ok", true}, {"unsubscribed", true}});
            return;
        case Command::history:
            c.reply({{"ok", true},
                     {"history", history_json(monitor_, *request.group, static_cast<double>(request.number))}});
            return;
        case Command::metrics:
            metrics::render_prometheus(monitor_, figures(), metrics_text_);
            metrics_text_ += "# EOF\n";  // the end of this reply on the line protocol
            c.send(metrics_text_);
            return;
        case Command::stats: {
            json groups = json::object();
            for (Group g : monitor::all_groups) {
                monitor::TickStats::Summary s = monitor_.stats(g);
                groups[std::string(monitor::name(g))] = {
                    {"samples", s.samples},
                    {"errors", s.errors},
                    {"skipped_ticks", monitor_.skipped_ticks(g)},
                    {"waiting", monitor_.waiting(g)},
                    {"last_fan_out",
                     {{"waiters", monitor_.last_fan_out(g).waiters}, {"us", monitor_.last_fan_out(g).ns / 1e3}}},
                    {"cost_us", {{"min", s.cost_ns.min / 1e3}, {"avg", s.cost_ns.avg / 1e3}, {"max", s.cost_ns.max / 1e3}}},
                    {"lateness_us",
                     {{"min", s.lateness_ns.min / 1e3}, {"avg", s.lateness_ns.avg / 1e3},
                      {"p99", s.lateness_ns.p99 / 1e3}, {"max", s.lateness_ns.max / 1e3}}}};
            }
            json& fs = groups[std::string(monitor::name(Group::filesystem))];
            const auto& mounts = monitor_.filesystems().filesystems;
            fs["failing"] = std::count_if(mounts.begin(), mounts.end(), [](const auto& f) { return !f.has_space; });
            fs["statfs_stuck"] = monitor_.statfs_stuck();
            async::PoolCounters pool = monitor_.waiter_pool();
            async::FrameCounters frames = async::frame_counters();
            metrics::ServerFigures f = figures();
            c.reply({{"ok", true},
                     {"stats",
                      {{"uptime_s", f.uptime_s},
                       {"groups", std::move(groups)},
                       {"waiter_pool",
                        {{"created", pool.created}, {"rented", pool.rented}, {"returned", pool.returned},
                         {"dropped", pool.dropped}, {"in_use", pool.rented - pool.returned}}},
                       {"coroutine_frames", {{"allocated", frames.allocated}, {"freed", frames.freed}}},
                       {"clients", f.clients},
                       {"clients_rejected", rejected_},
                       {"requests", f.requests},
                       {"bytes_in", f.bytes_in},
                       {"bytes_out", f.bytes_out}}}});
            return;
        }
        case Command::config:
            c.reply({{"ok", true}, {"config", config::to_json(monitor_.config())}});
            return;
        case Command::reload: {
            bool allowed = c.peer_uid && (*c.peer_uid == 0 || *c.peer_uid == ::geteuid());
            if (!allowed) {
                c.error("forbidden", "RELOAD is allowed only to root and to the daemon's own user");
                return;
            }
            ReloadOutcome outcome = reload_ ? reload_() : ReloadOutcome{false, "reload is not available"};
            if (outcome.ok)
                c.reply({{"ok", true}, {"reloaded", true}});
            else
                c.error("invalid_config", outcome.error);
            return;
        }
        case Command::wait:
            return;  // handled in serve()
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
    c.send(line_);
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
    return f;
}

void Server::closed(Connection& c) {
    bytes_in_ += c.reader.bytes_received();
    bytes_out_ += c.out.bytes_sent();
    std::erase_if(connections_, [&](const auto& owned) { return owned.get() == &c; });
    maybe_closed();
}

void Server::stop(std::function<void()> on_closed) {
    stopping_ = true;
    on_closed_ = std::move(on_closed);
    listener_.close();
    if (!socket_path_.empty()) ::unlink(socket_path_.c_str());
    for (auto& c : connections_) c->abort("the daemon is stopping");
    maybe_closed();
}

void Server::maybe_closed() {
    if (stopping_ && connections_.empty() && on_closed_) std::exchange(on_closed_, {})();
}

}  // namespace pcm::server
