#pragma once
// One client of the socket server: its stream, timers, reader and output queue, and how it
// ends. Private to lib/src/server (server.cpp admits and closes, dispatch.cpp serves).
#include <pcm/daemon/log.hpp>
#include <pcm/server/connection_reader.hpp>
#include <pcm/server/output_queue.hpp>
#include <pcm/server/server.hpp>
#include <pcm/uv/close_group.hpp>

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <cinttypes>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

namespace pcm::server {

namespace detail {

inline std::int64_t now_ns() noexcept { return static_cast<std::int64_t>(uv_hrtime()); }

/// {"ok":false,"code":...,"error":...} and a newline.
inline std::string error_line(std::string_view code, std::string_view message) {
    nlohmann::json j = {{"ok", false}, {"code", code}, {"error", message}};
    return j.dump() + '\n';
}

}  // namespace detail

struct Server::Connection {
    Connection(Server& s, uv_loop_t* loop)
        : server(s), reader(stream(), s.limits_.max_line_bytes), out(stream(), s.limits_.output_queue_bytes) {
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
    void reply(const nlohmann::json& body) { send(body.dump() + '\n'); }
    void error(std::string_view code, std::string_view message) { send(detail::error_line(code, message)); }

    /// Ends the connection soon: a pending WAIT is canceled and the next read sees the end.
    void abort(const char* why) {
        if (aborted) return;
        aborted = true;
        out.discard();  // its queued replies no longer count against the budget
        if (server.drop_log_.admit(detail::now_ns()))
            daemon::log(daemon::Priority::info,
                        "dropping client%s: %s (%" PRIu64 " more clients dropped since the last line)",
                        uid_text().c_str(), why, server.drop_log_.suppressed());
        if (!serving) {  // no coroutine left to notice
            close();
            return;
        }
        stop.request_stop();
        reader.abort();
    }

    void touch() {
        auto timeout = server.limits_.idle_timeout;
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
        closer.close([](void* c) { static_cast<Connection*>(c)->server.closed(*static_cast<Connection*>(c)); }, this,
                     &pipe, &idle, &resume);
    }
    bool closing() const noexcept { return closer.closing(); }

    std::string uid_text() const { return peer_uid ? " (uid " + std::to_string(*peer_uid) + ")" : std::string(); }

    Server& server;
    uv_pipe_t pipe{};
    uv_timer_t idle{};
    uv_timer_t resume{};  // ungates the reader on the next loop turn (see serve)
    ConnectionReader reader;
    OutputQueue out;
    std::stop_source stop;
    std::optional<uid_t> peer_uid;
    std::optional<monitor::Group> subscribed;
    std::int64_t every_ns = 0, last_push_ns = 0;
    std::optional<uid_t> capped_uid;  // counted in Server::per_uid_
    std::uint64_t id = 0;             // finds the connection again after an asynchronous reload
    uv::CloseGroup closer;
    bool aborted = false, serving = false, admitted = false;
};

}  // namespace pcm::server
