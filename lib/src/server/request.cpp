#include <pcm/server/request.hpp>

#include <pcm/sample/text.hpp>

#include <array>

namespace pcm::server {
namespace {

struct Spec {
    std::string_view name;
    Command command;
    enum Takes { no_group, group_or_all, one_group } group;
    enum Number { none, optional, required } number;
    std::uint64_t max;                       // the number's largest value, in its unit
    void (*store)(Request&, std::uint64_t);  // puts the number where it belongs, typed
};

void timeout_ms(Request& r, std::uint64_t n) { r.timeout = std::chrono::milliseconds(n); }
void every_ms(Request& r, std::uint64_t n) { r.every = std::chrono::milliseconds(n); }
void span_s(Request& r, std::uint64_t n) { r.span = std::chrono::seconds(n); }

constexpr std::array<Spec, 11> specs{{
    {"PING", Command::ping, Spec::no_group, Spec::none, 0, nullptr},
    {"HELP", Command::help, Spec::no_group, Spec::none, 0, nullptr},
    {"GET", Command::get, Spec::group_or_all, Spec::none, 0, nullptr},
    {"WAIT", Command::wait, Spec::one_group, Spec::optional, 86'400'000, timeout_ms},
    {"SUBSCRIBE", Command::subscribe, Spec::one_group, Spec::optional, 86'400'000, every_ms},
    {"UNSUBSCRIBE", Command::unsubscribe, Spec::no_group, Spec::none, 0, nullptr},
    {"HISTORY", Command::history, Spec::one_group, Spec::required, std::uint64_t{31} * 86'400, span_s},
    {"METRICS", Command::metrics, Spec::no_group, Spec::none, 0, nullptr},
    {"STATS", Command::stats, Spec::no_group, Spec::none, 0, nullptr},
    {"CONFIG", Command::config, Spec::no_group, Spec::none, 0, nullptr},
    {"RELOAD", Command::reload, Spec::no_group, Spec::none, 0, nullptr},
}};

ParsedRequest fail(std::string_view code, std::string_view message) noexcept { return {std::nullopt, {code, message}}; }

}  // namespace

ParsedRequest parse_request(std::string_view line) noexcept {
    for (char c : line)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
            return fail("binary", "control characters are not allowed in a request");
    sample::FieldReader fields(line);
    std::string_view word;
    if (!fields.next(word)) return fail("empty", "empty request; try HELP");

    const Spec* spec = nullptr;
    for (const Spec& s : specs)
        if (sample::equals_ignoring_case(word, s.name)) spec = &s;
    if (spec == nullptr) return fail("unknown_command", "unknown command; try HELP");

    Request request{spec->command, std::nullopt, {}, {}, {}};
    if (spec->group != Spec::no_group) {
        std::string_view name;
        if (!fields.next(name))
            return fail("bad_argument", "missing group: cpu, memory, disk, filesystem (or all for GET)");
        if (spec->group == Spec::group_or_all && sample::equals_ignoring_case(name, "ALL")) {
            // no group: all of them
        } else if (auto group = monitor::parse_group(name)) {
            request.group = group;
        } else {
            return fail("bad_argument", "unknown group: use cpu, memory, disk, filesystem");
        }
    }
    if (spec->number != Spec::none) {
        std::string_view text;
        std::uint64_t number = 0;
        if (!fields.next(text)) {
            if (spec->number == Spec::required) return fail("bad_argument", "missing number of seconds");
        } else if (!sample::parse_number(text, number) || number > spec->max ||
                   (spec->number == Spec::required && number == 0)) {
            return fail("bad_argument", "the number is not a whole number in range");
        }
        spec->store(request, number);
    }
    if (!fields.rest().empty()) return fail("bad_argument", "too many arguments");
    return {request, {}};
}

}  // namespace pcm::server
