// Serving one connection: reading its requests, answering each from the command table's
// parse, pushing subscriptions' events. The listener and the connections' admission and
// end are in server.cpp.
#include <pcm/server/server.hpp>

#include "connection.hpp"

#include <pcm/async/errors.hpp>
#include <pcm/server/render.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string_view>

namespace pcm::server {

using detail::now_ns;
using monitor::Group;
using nlohmann::json;

namespace {

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
    const std::size_t pause_at = limits_.read_pause_bytes;
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
                    if (!self->closing()) self->reader.ungate();
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
        case Command::config: c.send(config_reply_); return;
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
                if (it == connections_.end() || (*it)->aborted || (*it)->closing()) return;  // gone meanwhile
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

const std::string& Server::event_line(Group group) {
    Rendered& r = rendered_[static_cast<std::size_t>(group)];
    const std::string& reading = reading_text(group);
    if (r.event.empty() || r.event_sequence != r.sequence) {
        r.event = R"({"ok":true,"event":"sample","reading":)";
        r.event += reading;
        // The sample's history point, as HISTORY gives it: clients need not re-derive it.
        r.event += R"(,"point":)";
        append_history_point(r.event, monitor_.point(group));
        r.event += "}\n";
        r.event_sequence = r.sequence;
    }
    return r.event;
}

void Server::send_reading(Connection& c, Group group) {
    line_ = R"({"ok":true,"reading":)";
    line_ += reading_text(group);
    line_ += "}\n";
    c.send(line_);
}

void Server::on_sample(Group group) {
    std::int64_t now = now_ns();
    for (auto& owned : connections_) {
        Connection& c = *owned;
        if (c.subscribed != group || c.aborted || c.closing() || now - c.last_push_ns < c.every_ns) continue;
        c.last_push_ns = now;
        c.push(event_line(group));  // rendered once per sample, whatever the number of subscribers
    }
}

}  // namespace pcm::server
