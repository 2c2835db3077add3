#pragma once
// One request line of the local protocol, parsed.
#include <pcm/monitor/group.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pcm::server {

enum class Command { ping, help, get, wait, subscribe, unsubscribe, history, metrics, stats, config, reload };

struct Request {
    Command command = Command::ping;
    std::optional<monitor::Group> group;  ///< GET without a group (ALL) leaves it empty
    std::chrono::milliseconds timeout{};  ///< WAIT: give up after this; zero: never
    std::chrono::milliseconds every{};    ///< SUBSCRIBE: at most one event per this; zero: every sample
    std::chrono::seconds span{};          ///< HISTORY: how far back
};

/// A request that could not be parsed: a stable code for programs, a sentence for people.
struct RequestError {
    std::string_view code;     ///< "empty", "unknown_command", "bad_argument", "binary"
    std::string_view message;  ///< a string literal
};

struct ParsedRequest {
    std::optional<Request> request;
    RequestError error{};
};

/// Parses one line (without its newline). Commands are case-insensitive; arguments are
/// separated by blanks. Never allocates, never throws.
///   PING | HELP | GET <group|all> | WAIT <group> [timeout_ms] | SUBSCRIBE <group> [every_ms]
///   UNSUBSCRIBE | HISTORY <group> <seconds> | METRICS | STATS | CONFIG | RELOAD
ParsedRequest parse_request(std::string_view line) noexcept;

}  // namespace pcm::server
