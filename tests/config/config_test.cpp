#include "fixture.hpp"

#include <pcm/config/config.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <string>

using namespace pcm::config;
using nlohmann::json;

namespace {
std::filesystem::path source_config() { return pcm::test::fixtures().parent_path().parent_path() / "config"; }

std::vector<std::string> errors_of(const std::string& text) {
    LoadResult r = parse_config(text);
    CHECK_FALSE(r.config);
    return r.errors;
}
std::string only_error(const std::string& text) {
    auto errors = errors_of(text);
    REQUIRE(errors.size() == 1);
    return errors[0];
}
bool mentions(const std::vector<std::string>& errors, const std::string& prefix) {
    return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) { return e.starts_with(prefix); });
}
}  // namespace

TEST_CASE("an empty document is the default configuration") {
    LoadResult r = parse_config("{}");
    REQUIRE(r.config);
    CHECK(*r.config == Config{});
    CHECK(r.config->cpu.interval == std::chrono::milliseconds(1000));
    CHECK(r.config->filesystem.interval == std::chrono::milliseconds(10000));
    CHECK(r.config->socket.mode == 0660);
}

TEST_CASE("the shipped example states exactly the defaults, and CONFIG's JSON reads back the same") {
    LoadResult example = load_config_file((source_config() / "pcmonitor.json").string());
    INFO((example.errors.empty() ? std::string() : example.errors[0]));
    REQUIRE(example.config);
    CHECK(*example.config == Config{});

    Config custom;
    custom.cpu.interval = std::chrono::milliseconds(250);
    custom.disk.include = "^nvme";
    custom.socket.mode = 0600;
    custom.log_level = LogLevel::debug;
    LoadResult round = parse_config(to_json(custom).dump());
    REQUIRE(round.config);
    CHECK(*round.config == custom);
}

TEST_CASE("every rejection names the JSON path and the reason") {
    CHECK(only_error(R"({"sampling":{"cpu":{"interval_ms":0}}})") ==
          "/sampling/cpu/interval_ms: must be between 10 and 86400000, got 0");
    CHECK(only_error(R"({"sampling":{"cpu":{"interval_ms":-5}}})") ==
          "/sampling/cpu/interval_ms: must be between 10 and 86400000, got -5");
    CHECK(only_error(R"({"sampling":{"cpu":{"intervall_ms":100}}})") == "/sampling/cpu/intervall_ms: unknown key");
    CHECK(only_error(R"({"sampling":{"cpu":{"interval_ms":"1s"}}})") ==
          "/sampling/cpu/interval_ms: must be an integer, got string");
    CHECK(only_error(R"({"sampling":{"cpu":{"interval_ms":1000.5}}})") ==
          "/sampling/cpu/interval_ms: must be an integer, got number");
    CHECK(only_error(R"({"sampling":{"cpu":{"per_cpu":"yes"}}})") ==
          "/sampling/cpu/per_cpu: must be true or false, got string");
    CHECK(only_error(R"({"sampling":3})") == "/sampling: must be an object, got integer");
    CHECK(only_error("[1,2]") == "/: must be an object, got array");
    CHECK(only_error(R"({"history":{"points":0}})") == "/history/points: must be between 1 and 1000000, got 0");
    CHECK(only_error(R"({"socket":{"mode":"rw-rw----"}})") ==
          "/socket/mode: must be an octal mode such as \"0660\", got \"rw-rw----\"");
    CHECK(only_error(R"({"socket":{"mode":"4755"}})") ==
          "/socket/mode: must not set special bits (at most 0777), got \"4755\"");
    CHECK(only_error(R"({"log":{"level":"loud"}})") ==
          "/log/level: must be one of error, warning, notice, info, debug, got \"loud\"");
    CHECK(only_error(R"({"procfs_root":"proc"})") == "/procfs_root: must be an absolute path, got \"proc\"");
    CHECK(only_error(R"({"limits":{"max_clients":18446744073709551615}})") ==
          "/limits/max_clients: must be between 1 and 100000, got 18446744073709551615");
    CHECK(only_error(R"({"sampling":{"filesystem":{"statfs_timeout_ms":20000}}})") ==
          "/sampling/filesystem/statfs_timeout_ms: must be less than /sampling/filesystem/interval_ms (10000), got "
          "20000");
    CHECK(only_error(R"({"sampling":{"disk":{"include":"(nvme"}}})")
              .starts_with("/sampling/disk/include: is not a valid regular expression: "));
}

TEST_CASE("syntax errors give line and column; several problems are all reported") {
    std::string syntax = only_error("{\n  \"history\": {\"points\": 10,}\n}");
    CHECK(syntax ==
          "line 2, column 28: syntax error while parsing object key - unexpected '}'; expected string literal");
    CHECK(only_error("").starts_with("line 1, column 1: syntax error"));

    auto errors = errors_of(R"({"sampling":{"cpu":{"interval_ms":0},"memory":{"interval_ms":"x"}},"bogus":1})");
    CHECK(errors.size() == 3);
    CHECK(mentions(errors, "/bogus: unknown key"));
    CHECK(mentions(errors, "/sampling/cpu/interval_ms:"));
    CHECK(mentions(errors, "/sampling/memory/interval_ms:"));
}

TEST_CASE("regression (found by fuzz_config): a number too large for a double is an error, not a crash") {
    CHECK(only_error(R"({"sampling":9E99999999999999999999999999999999999})") ==
          "invalid JSON: number overflow parsing '9E99999999999999999999999999999999999'");
    CHECK(only_error(
              pcm::test::read_file(pcm::test::fixtures().parent_path() / "fuzz/corpus/config/crash-number-overflow"))
              .starts_with("invalid JSON: number overflow"));
}

TEST_CASE("patterns are POSIX extended regular expressions; ECMAScript escapes and huge expansions are refused") {
    CHECK(only_error(R"({"sampling":{"disk":{"include":"^nvme\\d+n1$"}}})") ==
          "/sampling/disk/include: \\d is ECMAScript, not POSIX: write [0-9] (or [^0-9]): \"^nvme\\d+n1$\"");
    CHECK(parse_config(R"({"sampling":{"disk":{"include":"^nvme[0-9]+n1$"}}})").config);
    CHECK(parse_config(R"({"sampling":{"disk":{"include":"^(sd|vd)[a-z]\\\\d$"}}})")
              .config);  // an escaped backslash, then d
    CHECK(only_error(R"({"sampling":{"disk":{"include":"a{1111111111111111111}"}}})") ==
          "/sampling/disk/include: repetition counts above 1000 are not supported: \"a{1111111111111111111}\"");
    CHECK(only_error(R"({"sampling":{"disk":{"exclude":"x{2,5000}"}}})")
              .starts_with("/sampling/disk/exclude: repetition"));
    CHECK(parse_config(R"({"sampling":{"disk":{"include":"^sd[a-z]{1,1000}$"}}})").config);
    // Nested counts multiply: the C library would build a million nodes for this one.
    CHECK(only_error(R"({"sampling":{"disk":{"include":"((a{100}){100}){100}"}}})")
              .starts_with("/sampling/disk/include: repetition counts multiplying past 10000 are not supported"));
    CHECK(parse_config(R"({"sampling":{"disk":{"include":"(a{100}){100}"}}})").config);
    // POSIX back-references are one digit: \1 followed by the digits 1111.
    CHECK(parse_config(R"({"sampling":{"disk":{"include":"(a)\\11111"}}})").config);
}

TEST_CASE("regression (found by fuzz_config): a pattern that crashed std::regex is refused with its reason") {
    auto errors = errors_of(
        pcm::test::read_file(pcm::test::fixtures().parent_path() / "fuzz/corpus/config/crash-regex-repetition"));
    CHECK(std::any_of(errors.begin(), errors.end(), [](const std::string& e) {
        return e.starts_with("/sampling/disk/exclude: \\d is ECMAScript, not POSIX");
    }));
}

TEST_CASE("a file that cannot be read is one error that names it") {
    LoadResult r = load_config_file("/nonexistent/pcmonitor.json");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "/nonexistent/pcmonitor.json: cannot read: No such file or directory");
}

TEST_CASE("duplicate keys and anything after the JSON value are refused, with the JSON path") {
    CHECK(only_error(R"({"limits":{"max_clients":8,"max_clients":9}})") ==
          "/limits/max_clients: duplicate key (each key may appear once)");
    CHECK(only_error(R"({"log":{"level":"info"},"log":{"level":"debug"}})") ==
          "/log: duplicate key (each key may appear once)");
    CHECK(only_error("{\"a\":[{\"x\":1},{\"x\":2,\"x\":3}]}") == "/a/1/x: duplicate key (each key may appear once)");
    // Bytes after the value: as text, and hidden behind a NUL byte (which the JSON lexer takes for the end).
    std::string trailing = only_error("{}\n{\"log\":{}}");
    CHECK(trailing.starts_with("/: bytes after the JSON value: line 2, column 1"));
    std::string nul = only_error(std::string("{}\n\0{\"limits\":{\"max_clients\":0}}", 32));
    CHECK(nul.starts_with("/: line 2, column 1: a NUL byte"));
    CHECK(only_error(std::string(100'000, '[') + std::string(100'000, ']')) == "/: nested deeper than 64 levels");
    CHECK(errors_of(std::string("{\"log\":{\"level\":\"info\0\"}}", 25)).size() == 1);  // inside a string: refused too
}

TEST_CASE(
    "only a regular file of at most 1 MiB is read: /dev/zero, a FIFO, a directory and a large file fail at once") {
    pcm::test::TempDir dir;
    auto one_error = [](const std::string& path) {
        LoadResult r = load_config_file(path);
        CHECK_FALSE(r.config);
        REQUIRE(r.errors.size() == 1);
        return r.errors[0];
    };
    CHECK(one_error("/dev/zero") ==
          "/dev/zero: not a regular file (a character device); the configuration must be a "
          "regular file of at most 1 MiB");
    std::string fifo = (dir.path() / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(one_error(fifo) ==
          fifo + ": not a regular file (a FIFO); the configuration must be a regular file of at most 1 MiB");
    CHECK(one_error(dir.path().string()).find("not a regular file (a directory)") != std::string::npos);

    std::string big = (dir.path() / "big.json").string();
    std::string text = "{\"log\":{\"level\":\"info\"}}" + std::string(max_config_bytes, ' ');
    pcm::test::write_file(big, text);
    CHECK(one_error(big) == big + ": too large (" + std::to_string(text.size()) +
                                " bytes); a configuration file may have at most 1048576 bytes (1 MiB)");
    text.resize(max_config_bytes);  // exactly 1 MiB: read
    pcm::test::write_file(big, text);
    CHECK(load_config_file(big).config);
}

TEST_CASE("the JSON Schema describes exactly what the parser accepts") {
    json schema = json::parse(pcm::test::read_file(source_config() / "pcmonitor.schema.json"));
    json defaults = to_json(Config{});

    // Same keys everywhere, no more, no less.
    std::function<void(const json&, const json&, const std::string&)> same_keys = [&](const json& s, const json& d,
                                                                                      const std::string& path) {
        if (!d.is_object()) return;
        CHECK_MESSAGE(s.value("additionalProperties", true) == false, path);
        for (const auto& [key, value] : d.items()) {
            INFO((path + "/" + key));
            REQUIRE(s["properties"].contains(key));
            same_keys(s["properties"][key], value, path + "/" + key);
        }
        CHECK_MESSAGE(s["properties"].size() == d.size(), path);
    };
    same_keys(schema, defaults, "");

    // Every integer bound in the schema is accepted, and one step past it is refused, at that path.
    int bounds = 0;
    std::function<void(const json&, const json::json_pointer&)> walk = [&](const json& s,
                                                                           const json::json_pointer& at) {
        if (s.contains("properties")) {
            for (const auto& [key, sub] : s["properties"].items()) walk(sub, at / key);
            return;
        }
        if (s.value("type", "") != "integer") return;
        for (auto [bound, step] : {std::pair{"minimum", -1}, std::pair{"maximum", 1}}) {
            std::int64_t edge = s.at(bound).get<std::int64_t>();
            json doc = json::object();
            doc[at] = edge;
            LoadResult inside = parse_config(doc.dump());
            // (Only the range is at stake here: the statfs-vs-interval rule may still speak.)
            CHECK_MESSAGE(!mentions(inside.errors, at.to_string() + ": must be between"), at.to_string(), " at ", edge);
            doc[at] = edge + step;
            CHECK_MESSAGE(mentions(parse_config(doc.dump()).errors, at.to_string() + ": must be between"),
                          at.to_string(), " at ", edge + step);
            ++bounds;
        }
    };
    walk(schema, json::json_pointer());
    CHECK(bounds == 2 * 20);  // the twenty integer keys
}
