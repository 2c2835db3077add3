#pragma once
// The daemon's configuration: what it samples and how often, where it listens, and the
// limits it holds clients to.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <pcm/sample/sampler_options.hpp>

namespace pcm::config {

using std::chrono::milliseconds;

struct CpuConfig {
    milliseconds interval{1000};
    bool per_cpu = true;  ///< report every CPU, not only the total
    bool operator==(const CpuConfig&) const = default;
};
struct MemoryConfig {
    milliseconds interval{1000};
    bool operator==(const MemoryConfig&) const = default;
};
struct DiskConfig : sample::DiskOptions {
    milliseconds interval{1000};
    bool operator==(const DiskConfig&) const = default;
};
struct FilesystemConfig : sample::FilesystemOptions {
    milliseconds interval{10000};
    bool operator==(const FilesystemConfig&) const = default;
};
struct NetworkConfig : sample::NetworkOptions {
    milliseconds interval{1000};
    bool operator==(const NetworkConfig&) const = default;
};
struct KernelConfig {
    milliseconds interval{10000};  // kernel tables move slowly and cost the most to read
    bool operator==(const KernelConfig&) const = default;
};
/// node_exporter's textfile collector: the *.prom files of a directory.
struct TextfileConfig {
    milliseconds interval{10000};
    std::string directory;  ///< empty: off
    bool operator==(const TextfileConfig&) const = default;
};
struct SocketConfig {
    std::string path;  ///< empty: the per-user default (see default_socket_path)
    std::uint32_t mode = 0660;
    std::string group;  ///< empty: leave the group as created
    bool operator==(const SocketConfig&) const = default;
};
struct LimitsConfig {
    std::size_t max_clients = 64;
    std::size_t max_line_bytes = 4096;
    milliseconds idle_timeout{300000};
    std::size_t output_queue_bytes = 1 << 20;
    std::size_t max_waiters = 4096;
    /// Connections one unprivileged uid may hold (root and the daemon's uid are not capped).
    std::size_t max_clients_per_uid = 16;
    /// Slots of max_clients only root and the daemon's own uid may take (at most max_clients - 1 apply).
    std::size_t reserved_clients = 4;
    /// Reply bytes queued for all clients together; over it, the clients furthest behind are dropped.
    std::size_t output_budget_bytes = 4 << 20;
    /// A client whose queued replies pass this is not read until they fall under half of it.
    std::size_t read_pause_bytes = 256 << 10;
    bool operator==(const LimitsConfig&) const = default;
};

struct HttpConfig {
    std::string listen;                 ///< "host:port" ("[v6]:port"); empty: no HTTP listener
    std::size_t max_connections = 64;   ///< over it, the oldest connection is dropped
    milliseconds write_timeout{10000};  ///< a reply not taken by the client within it: closed
    bool operator==(const HttpConfig&) const = default;
};

enum class LogLevel { error, warning, notice, info, debug };

struct Config {
    CpuConfig cpu;
    MemoryConfig memory;
    DiskConfig disk;
    FilesystemConfig filesystem;
    NetworkConfig network;
    KernelConfig kernel;
    TextfileConfig textfile;
    std::size_t history_points = 3600;  ///< samples kept per group
    SocketConfig socket;
    LimitsConfig limits;
    HttpConfig http;
    LogLevel log_level = LogLevel::info;
    std::string procfs_root = "/proc";  ///< for tests and fault injection
    std::string sysfs_root = "/sys";    ///< likewise

    bool operator==(const Config&) const = default;
};

/// The outcome of reading a configuration: the config, or every problem found, each as
/// "<JSON pointer>: <reason>".
struct LoadResult {
    std::optional<Config> config;
    std::vector<std::string> errors;
};

/// Parses and validates JSON text. Keys not given keep their defaults; unknown keys,
/// duplicate keys, wrong types, out-of-range values, invalid regular expressions and
/// anything after the JSON value (a NUL byte included) are errors.
LoadResult parse_config(std::string_view json_text);

/// The largest configuration file read (1 MiB).
inline constexpr std::size_t max_config_bytes = 1 << 20;

/// Reads and parses a file; a file that cannot be read, that is not a regular file (a
/// FIFO, a device such as /dev/zero) or that is larger than max_config_bytes is one error
/// naming it. Never blocks on the file's kind (opened with O_NONBLOCK) and reads at most
/// max_config_bytes + 1 bytes.
LoadResult load_config_file(const std::string& path);

/// The configuration as JSON, in the same shape the parser reads (for CONFIG replies).
nlohmann::json to_json(const Config& config);

/// The socket path used when the config names none: /run/pcmonitor/pcmonitor.sock for
/// root, else $XDG_RUNTIME_DIR/pcmonitor/pcmonitor.sock, else /tmp/pcmonitor-$UID/pcmonitor.sock.
std::string default_socket_path();

std::string_view to_string(LogLevel level) noexcept;

/// Splits "127.0.0.1:9101" or "[::1]:9101" into host and port; nothing if malformed
/// (the host must be a numeric IPv4 or IPv6 address, the port 1-65535).
std::optional<std::pair<std::string, int>> parse_listen_address(std::string_view text);

}  // namespace pcm::config
