// The manual pages and the README against the programs: every configuration key of the
// schema, every protocol command the daemon lists in HELP, every pcmonctl command and every
// pcmonitord option appears where a user would look for it.
#include "fixture.hpp"
#include "running_daemon.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
using pcm::test::read_file;
using pcm::test::run_command;

std::filesystem::path source_dir() { return pcm::test::fixtures().parent_path().parent_path(); }

// A manual page as a reader sees its words: roff escapes such as "\-" dropped.
std::string man_text(const std::string& page) {
    std::string text = read_file(source_dir() / "man" / page);
    std::erase(text, '\\');
    return text;
}

std::string readme() { return read_file(source_dir() / "README.md"); }

void leaf_keys(const json& schema, const std::string& prefix, std::vector<std::string>& out) {
    if (schema.contains("properties")) {
        for (const auto& [key, child] : schema["properties"].items())
            leaf_keys(child, prefix.empty() ? key : prefix + "." + key, out);
        return;
    }
    out.push_back(prefix);
}

// Words of `text` matching the first group of `pattern`, once each.
std::vector<std::string> matches(const std::string& text, const std::string& pattern) {
    std::vector<std::string> out;
    std::regex re(pattern, std::regex::multiline);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
        if (std::find(out.begin(), out.end(), (*it)[1].str()) == out.end()) out.push_back((*it)[1].str());
    return out;
}

// Whether a manual page has an item (a bold line) for `word`.
bool has_item(const std::string& man, const std::string& word) {
    return std::regex_search(man, std::regex("^\\.B[IR]? " + word + "\\b", std::regex::multiline));
}

}  // namespace

TEST_CASE("every configuration key of the schema is in pcmonitor.json(5) and the README") {
    std::vector<std::string> keys;
    leaf_keys(json::parse(read_file(source_dir() / "config" / "pcmonitor.schema.json")), "", keys);
    REQUIRE(keys.size() > 10);
    const std::string man = man_text("pcmonitor.json.5"), guide = readme();
    for (const std::string& key : keys) {
        CAPTURE(key);
        CHECK(man.find(".B " + key + "\n") != std::string::npos);
        CHECK(guide.find("`" + key + "`") != std::string::npos);
    }
}

TEST_CASE("every command the daemon lists in HELP is in pcmonitord(8) and the README") {
    pcm::test::RunningDaemon d;
    d.start(R"({"socket": {"path": ")" + d.socket + R"("}})");
    json help = d.ask("HELP");
    REQUIRE(help["commands"].size() > 5);
    const std::string man = man_text("pcmonitord.8"), guide = readme();
    for (const json& usage : help["commands"]) {
        std::string command = usage.get<std::string>().substr(0, usage.get<std::string>().find(' '));
        CAPTURE(command);
        CHECK(has_item(man, command));
        CHECK(guide.find("`" + command) != std::string::npos);
    }
}

TEST_CASE("every pcmonctl command in its --help is in pcmonctl(1) and the README") {
    std::vector<std::string> commands = matches(run_command(std::string(PCM_CLIENT) + " --help"), R"(^  ([a-z]+)[ |])");
    REQUIRE(commands.size() >= 9);
    const std::string man = man_text("pcmonctl.1"), guide = readme();
    for (const std::string& command : commands) {
        CAPTURE(command);
        CHECK(has_item(man, command));
        CHECK(guide.find("pcmonctl " + command) != std::string::npos);
    }
}

TEST_CASE("every pcmonitord option in its --help is in pcmonitord(8)") {
    std::vector<std::string> options = matches(run_command(std::string(PCM_DAEMON) + " --help"), R"((--[a-z-]+))");
    REQUIRE(options.size() >= 5);
    const std::string man = man_text("pcmonitord.8");
    for (const std::string& option : options) {
        CAPTURE(option);
        CHECK(man.find(option) != std::string::npos);
    }
}
