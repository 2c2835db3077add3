#include <pcm/client/socket_discovery.hpp>
#include <pcm/config/config.hpp>

#include <arpa/inet.h>

#include <pcm/sample/pattern.hpp>
#include <pcm/sys/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <unordered_set>

namespace pcm::config {
namespace {

using nlohmann::json;

std::string type_name(const json& value) {
    if (value.is_number_integer()) return "integer";
    if (value.is_number_float()) return "number";
    return value.type_name();
}

// Walks the document, remembering where it is, and collects every problem it meets.
class Reader {
public:
    std::vector<std::string> errors;

    void fail(const std::string& path, const std::string& reason) { errors.push_back(path + ": " + reason); }

    /// `value` at `path` must be an object whose keys are all in `keys`.
    bool object(const json& value, const std::string& path, std::initializer_list<std::string_view> keys) {
        if (!value.is_object()) {
            fail(path.empty() ? "/" : path, "must be an object, got " + type_name(value));
            return false;
        }
        for (const auto& [key, member] : value.items()) {
            bool known = false;
            for (std::string_view k : keys) known = known || key == k;
            if (!known) fail(std::string(path).append("/").append(key), "unknown key");
        }
        return true;
    }

    template <class Int>
    void integer(const json& parent, const std::string& path, const char* key, std::int64_t min, std::int64_t max,
                 Int& out) {
        const json* value = find(parent, key);
        if (value == nullptr) return;
        std::string where = path + "/" + key;
        if (!value->is_number_integer()) return fail(where, "must be an integer, got " + type_name(*value));
        // nlohmann keeps non-negative integers as unsigned: compare each kind in its own type.
        bool out_of_range = value->is_number_unsigned()
                                ? value->get<std::uint64_t>() > static_cast<std::uint64_t>(max) ||
                                      (min > 0 && value->get<std::uint64_t>() < static_cast<std::uint64_t>(min))
                                : value->get<std::int64_t>() < min || value->get<std::int64_t>() > max;
        if (out_of_range)
            return fail(where, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                                   value->dump());
        out = static_cast<Int>(value->get<std::int64_t>());
    }

    void duration(const json& parent, const std::string& path, const char* key, std::int64_t min, std::int64_t max,
                  milliseconds& out) {
        std::int64_t ms = out.count();
        integer(parent, path, key, min, max, ms);
        out = milliseconds(ms);
    }

    void boolean(const json& parent, const std::string& path, const char* key, bool& out) {
        const json* value = find(parent, key);
        if (value == nullptr) return;
        if (!value->is_boolean()) return fail(path + "/" + key, "must be true or false, got " + type_name(*value));
        out = value->get<bool>();
    }

    bool string(const json& parent, const std::string& path, const char* key, std::string& out) {
        const json* value = find(parent, key);
        if (value == nullptr) return false;
        if (!value->is_string()) {
            fail(path + "/" + key, "must be a string, got " + type_name(*value));
            return false;
        }
        out = value->get<std::string>();
        return true;
    }

    void pattern(const json& parent, const std::string& path, const char* key, std::string& out) {
        std::string text;
        if (!string(parent, path, key, text)) return;
        if (auto problem = sample::Pattern::problem(text))
            return fail(path + "/" + key, *problem + ": \"" + text + "\"");
        out = std::move(text);
    }

    void file_mode(const json& parent, const std::string& path, const char* key, std::uint32_t& out) {
        std::string text;
        if (!string(parent, path, key, text)) return;
        bool octal = text.size() >= 3 && text.size() <= 4 && text.find_first_not_of("01234567") == std::string::npos;
        if (!octal) return fail(path + "/" + key, "must be an octal mode such as \"0660\", got \"" + text + "\"");
        out = static_cast<std::uint32_t>(std::stoul(text, nullptr, 8));
        if (out > 0777) fail(path + "/" + key, "must not set special bits (at most 0777), got \"" + text + "\"");
    }

    void log_level(const json& parent, const std::string& path, const char* key, LogLevel& out) {
        std::string text;
        if (!string(parent, path, key, text)) return;
        for (LogLevel level : {LogLevel::error, LogLevel::warning, LogLevel::notice, LogLevel::info, LogLevel::debug})
            if (text == to_string(level)) {
                out = level;
                return;
            }
        fail(path + "/" + key, "must be one of error, warning, notice, info, debug, got \"" + text + "\"");
    }

    /// The member `key`, if present and (for objects) well-formed; nullptr otherwise.
    const json* child_object(const json& parent, const std::string& path, const char* key,
                             std::initializer_list<std::string_view> keys) {
        const json* value = find(parent, key);
        if (value == nullptr || !object(*value, path + "/" + key, keys)) return nullptr;
        return value;
    }

private:
    static const json* find(const json& parent, const char* key) {
        auto it = parent.find(key);
        return it == parent.end() ? nullptr : &*it;
    }
};

constexpr std::int64_t min_interval_ms = 10, max_interval_ms = 86'400'000;

void read_sampling(Reader& r, const json& sampling, Config& c) {
    const std::string path = "/sampling";
    if (const json* cpu = r.child_object(sampling, path, "cpu", {"interval_ms", "per_cpu"})) {
        r.duration(*cpu, path + "/cpu", "interval_ms", min_interval_ms, max_interval_ms, c.cpu.interval);
        r.boolean(*cpu, path + "/cpu", "per_cpu", c.cpu.per_cpu);
    }
    if (const json* memory = r.child_object(sampling, path, "memory", {"interval_ms"}))
        r.duration(*memory, path + "/memory", "interval_ms", min_interval_ms, max_interval_ms, c.memory.interval);
    if (const json* disk = r.child_object(sampling, path, "disk", {"interval_ms", "include", "exclude"})) {
        r.duration(*disk, path + "/disk", "interval_ms", min_interval_ms, max_interval_ms, c.disk.interval);
        r.pattern(*disk, path + "/disk", "include", c.disk.include);
        r.pattern(*disk, path + "/disk", "exclude", c.disk.exclude);
    }
    if (const json* fs =
            r.child_object(sampling, path, "filesystem",
                           {"interval_ms", "fs_types_exclude", "mount_points_exclude", "statfs_timeout_ms"})) {
        const std::string where = path + "/filesystem";
        r.duration(*fs, where, "interval_ms", min_interval_ms, max_interval_ms, c.filesystem.interval);
        r.pattern(*fs, where, "fs_types_exclude", c.filesystem.fs_types_exclude);
        r.pattern(*fs, where, "mount_points_exclude", c.filesystem.mount_points_exclude);
        r.duration(*fs, where, "statfs_timeout_ms", 10, 60'000, c.filesystem.statfs_timeout);
    }
    if (const json* network = r.child_object(sampling, path, "network", {"interval_ms", "include", "exclude"})) {
        r.duration(*network, path + "/network", "interval_ms", min_interval_ms, max_interval_ms, c.network.interval);
        r.pattern(*network, path + "/network", "include", c.network.include);
        r.pattern(*network, path + "/network", "exclude", c.network.exclude);
    }
    if (const json* kernel = r.child_object(sampling, path, "kernel", {"interval_ms"}))
        r.duration(*kernel, path + "/kernel", "interval_ms", min_interval_ms, max_interval_ms, c.kernel.interval);
    if (const json* textfile = r.child_object(sampling, path, "textfile", {"interval_ms", "directory"})) {
        r.duration(*textfile, path + "/textfile", "interval_ms", min_interval_ms, max_interval_ms, c.textfile.interval);
        if (r.string(*textfile, path + "/textfile", "directory", c.textfile.directory) &&
            !c.textfile.directory.empty() && c.textfile.directory.front() != '/')
            r.fail(path + "/textfile/directory",
                   "must be empty or an absolute path, got \"" + c.textfile.directory + "\"");
    }
}

void read_document(Reader& r, const json& doc, Config& c) {
    if (!r.object(doc, "", {"sampling", "history", "socket", "limits", "http", "log", "procfs_root", "sysfs_root"}))
        return;
    if (const json* sampling = r.child_object(doc, "", "sampling",
                                              {"cpu", "memory", "disk", "filesystem", "network", "kernel", "textfile"}))
        read_sampling(r, *sampling, c);
    if (const json* history = r.child_object(doc, "", "history", {"points"}))
        r.integer(*history, "/history", "points", 1, 1'000'000, c.history_points);
    if (const json* socket = r.child_object(doc, "", "socket", {"path", "mode", "group"})) {
        r.string(*socket, "/socket", "path", c.socket.path);
        r.file_mode(*socket, "/socket", "mode", c.socket.mode);
        r.string(*socket, "/socket", "group", c.socket.group);
    }
    if (const json* limits =
            r.child_object(doc, "", "limits",
                           {"max_clients", "max_line_bytes", "idle_timeout_ms", "output_queue_bytes", "max_waiters",
                            "max_clients_per_uid", "reserved_clients", "output_budget_bytes", "read_pause_bytes"})) {
        r.integer(*limits, "/limits", "max_clients", 1, 100'000, c.limits.max_clients);
        r.integer(*limits, "/limits", "max_line_bytes", 64, 1 << 20, c.limits.max_line_bytes);
        r.duration(*limits, "/limits", "idle_timeout_ms", 0, max_interval_ms, c.limits.idle_timeout);
        r.integer(*limits, "/limits", "output_queue_bytes", 4096, std::int64_t{1} << 30, c.limits.output_queue_bytes);
        r.integer(*limits, "/limits", "max_waiters", 1, 1'000'000, c.limits.max_waiters);
        r.integer(*limits, "/limits", "max_clients_per_uid", 1, 100'000, c.limits.max_clients_per_uid);
        r.integer(*limits, "/limits", "reserved_clients", 0, 1'000, c.limits.reserved_clients);
        r.integer(*limits, "/limits", "output_budget_bytes", 65536, std::int64_t{1} << 34,
                  c.limits.output_budget_bytes);
        r.integer(*limits, "/limits", "read_pause_bytes", 4096, std::int64_t{1} << 30, c.limits.read_pause_bytes);
    }
    if (const json* http = r.child_object(doc, "", "http", {"listen", "max_connections", "write_timeout_ms"})) {
        r.integer(*http, "/http", "max_connections", 1, 100'000, c.http.max_connections);
        r.duration(*http, "/http", "write_timeout_ms", 100, 600'000, c.http.write_timeout);
        if (r.string(*http, "/http", "listen", c.http.listen) && !c.http.listen.empty() &&
            !parse_listen_address(c.http.listen))
            r.fail("/http/listen",
                   "must be empty or a numeric address and port such as \"127.0.0.1:9101\" or "
                   "\"[::1]:9101\", got \"" +
                       c.http.listen + "\"");
    }
    if (const json* log = r.child_object(doc, "", "log", {"level"})) r.log_level(*log, "/log", "level", c.log_level);
    for (auto [key, root] : {std::pair{"procfs_root", &c.procfs_root}, std::pair{"sysfs_root", &c.sysfs_root}})
        if (r.string(doc, "", key, *root) && (root->empty() || root->front() != '/'))
            r.fail(std::string("/") + key, "must be an absolute path, got \"" + *root + "\"");

    if (c.filesystem.statfs_timeout >= c.filesystem.interval)
        r.fail("/sampling/filesystem/statfs_timeout_ms", "must be less than /sampling/filesystem/interval_ms (" +
                                                             std::to_string(c.filesystem.interval.count()) + "), got " +
                                                             std::to_string(c.filesystem.statfs_timeout.count()));
}

std::string describe_syntax_error(std::string_view text, const nlohmann::json::parse_error& e) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    std::string what = e.what();
    std::size_t detail = what.find("syntax error");
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
           (detail == std::string::npos ? what : what.substr(detail));
}

std::string line_and_column(std::string_view text, std::size_t offset) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Follows the parser through the document to name where a duplicate key is.
class DuplicateKeys {
public:
    std::vector<std::string> errors;

    struct too_deep {};
    static constexpr int max_depth = 64;  // the configuration has 4 levels; this bounds memory for a hostile file

    bool operator()(int depth, json::parse_event_t event, json& parsed) {
        using E = json::parse_event_t;
        switch (event) {
            case E::object_start:
            case E::array_start:
                if (depth >= max_depth) throw too_deep{};
                frames_.push_back(
                    {event == E::array_start, frames_.empty() ? std::string() : child(frames_.back()), {}, {}, 0});
                break;
            case E::key: {
                Frame& f = frames_.back();
                f.key = parsed.get<std::string>();
                if (!f.keys.insert(f.key).second)
                    errors.push_back(child(f) + ": duplicate key (each key may appear once)");
                break;
            }
            case E::object_end:
            case E::array_end: frames_.pop_back(); [[fallthrough]];
            case E::value:
                if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
                break;
        }
        return true;
    }

private:
    struct Frame {
        bool array = false;
        std::string path;
        std::unordered_set<std::string> keys;
        std::string key;
        std::size_t index = 0;
    };
    static std::string child(const Frame& f) { return f.path + "/" + (f.array ? std::to_string(f.index) : f.key); }
    std::vector<Frame> frames_;
};

}  // namespace

LoadResult parse_config(std::string_view json_text) {
    LoadResult result;
    json doc;
    DuplicateKeys duplicates;
    try {
        doc = json::parse(json_text, std::ref(duplicates));
    } catch (const DuplicateKeys::too_deep&) {
        result.errors.push_back("/: nested deeper than " + std::to_string(DuplicateKeys::max_depth) + " levels");
        return result;
    } catch (const json::parse_error& e) {
        std::string described = describe_syntax_error(json_text, e);
        if (described.find("; expected end of input") != std::string::npos)
            described = "/: bytes after the JSON value: " + described;
        result.errors.push_back(std::move(described));
        return result;
    } catch (const json::exception& e) {  // e.g. out_of_range for a number that overflows (found by fuzzing)
        std::string what = e.what();
        std::size_t detail = what.find("] ");
        result.errors.push_back("invalid JSON: " + (detail == std::string::npos ? what : what.substr(detail + 2)));
        return result;
    }
    // nlohmann's lexer takes a NUL byte for the end of input: what follows was ignored.
    if (std::size_t nul = json_text.find('\0'); nul != std::string_view::npos) {
        result.errors.push_back(
            "/: " + line_and_column(json_text, nul) +
            ": a NUL byte (nothing may follow the JSON value, and a NUL byte may not appear in it)");
        return result;
    }
    if (!duplicates.errors.empty()) {
        result.errors = std::move(duplicates.errors);
        return result;
    }
    Reader reader;
    Config config;
    read_document(reader, doc, config);
    if (reader.errors.empty()) result.config = std::move(config);
    else result.errors = std::move(reader.errors);
    return result;
}

namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

}  // namespace

LoadResult load_config_file(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd) return {std::nullopt, {path + ": cannot read: " + std::strerror(errno)}};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return {std::nullopt, {path + ": cannot read: " + std::strerror(errno)}};
    if (!S_ISREG(st.st_mode))
        return {std::nullopt,
                {path + ": not a regular file (" + kind_of(st.st_mode) +
                 "); the configuration must be a regular file of at most 1 MiB"}};
    auto too_large = [&](std::uint64_t size) {
        return LoadResult{
            std::nullopt,
            {path + ": too large (" + std::to_string(size) + " bytes); a configuration file may have at most " +
             std::to_string(max_config_bytes) + " bytes (1 MiB)"}};
    };
    if (static_cast<std::uint64_t>(st.st_size) > max_config_bytes)
        return too_large(static_cast<std::uint64_t>(st.st_size));
    std::string text;
    text.resize(max_config_bytes + 1);  // one more byte tells a file that grew since fstat
    std::size_t filled = 0;
    while (filled < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + filled, text.size() - filled);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {std::nullopt, {path + ": cannot read: " + std::strerror(errno)}};
        if (n == 0) break;
        filled += static_cast<std::size_t>(n);
    }
    if (filled > max_config_bytes) return too_large(filled);
    text.resize(filled);
    LoadResult result = parse_config(text);
    for (std::string& e : result.errors) e.insert(0, path + ": ");
    return result;
}

json to_json(const Config& c) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", c.socket.mode);
    return {
        {"sampling",
         {{"cpu", {{"interval_ms", c.cpu.interval.count()}, {"per_cpu", c.cpu.per_cpu}}},
          {"memory", {{"interval_ms", c.memory.interval.count()}}},
          {"disk",
           {{"interval_ms", c.disk.interval.count()}, {"include", c.disk.include}, {"exclude", c.disk.exclude}}},
          {"filesystem",
           {{"interval_ms", c.filesystem.interval.count()},
            {"fs_types_exclude", c.filesystem.fs_types_exclude},
            {"mount_points_exclude", c.filesystem.mount_points_exclude},
            {"statfs_timeout_ms", c.filesystem.statfs_timeout.count()}}},
          {"network",
           {{"interval_ms", c.network.interval.count()},
            {"include", c.network.include},
            {"exclude", c.network.exclude}}},
          {"kernel", {{"interval_ms", c.kernel.interval.count()}}},
          {"textfile", {{"interval_ms", c.textfile.interval.count()}, {"directory", c.textfile.directory}}}}},
        {"history", {{"points", c.history_points}}},
        {"socket", {{"path", c.socket.path}, {"mode", mode}, {"group", c.socket.group}}},
        {"limits",
         {{"max_clients", c.limits.max_clients},
          {"max_line_bytes", c.limits.max_line_bytes},
          {"idle_timeout_ms", c.limits.idle_timeout.count()},
          {"output_queue_bytes", c.limits.output_queue_bytes},
          {"max_waiters", c.limits.max_waiters},
          {"max_clients_per_uid", c.limits.max_clients_per_uid},
          {"reserved_clients", c.limits.reserved_clients},
          {"output_budget_bytes", c.limits.output_budget_bytes},
          {"read_pause_bytes", c.limits.read_pause_bytes}}},
        {"http",
         {{"listen", c.http.listen},
          {"max_connections", c.http.max_connections},
          {"write_timeout_ms", c.http.write_timeout.count()}}},
        {"log", {{"level", to_string(c.log_level)}}},
        {"procfs_root", c.procfs_root},
        {"sysfs_root", c.sysfs_root},
    };
}

std::string default_socket_path() {
    if (::geteuid() == 0) return std::string(client::system_socket_path);
    if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && runtime[0] == '/')
        return std::string(runtime) + "/pcmonitor/pcmonitor.sock";
    return "/tmp/pcmonitor-" + std::to_string(::geteuid()) + "/pcmonitor.sock";
}

std::optional<std::pair<std::string, int>> parse_listen_address(std::string_view text) {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string host(text.substr(0, colon));
    int port = 0;
    std::string_view port_text = text.substr(colon + 1);
    if (port_text.empty() || port_text.size() > 5 ||
        port_text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) return std::nullopt;
    in_addr v4{};
    in6_addr v6{};
    if (host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        if (::inet_pton(AF_INET6, host.c_str(), &v6) != 1) return std::nullopt;
    } else if (::inet_pton(AF_INET, host.c_str(), &v4) != 1) {
        return std::nullopt;
    }
    return std::pair{host, port};
}

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::error: return "error";
        case LogLevel::warning: return "warning";
        case LogLevel::notice: return "notice";
        case LogLevel::info: return "info";
        case LogLevel::debug: return "debug";
    }
    return "info";
}

}  // namespace pcm::config
