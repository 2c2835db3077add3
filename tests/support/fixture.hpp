#pragma once
// Test helpers: committed fixture files, scratch directories, and running a command.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace pcm::test {

/// The tests/fixtures directory of the source tree.
inline std::filesystem::path fixtures() { return PCM_FIXTURES; }

/// The whole content of `path`.
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::string read_fixture(const std::string& relative) { return read_file(fixtures() / relative); }

inline void write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// A fresh directory, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pcm-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// A copy of a committed procfs fixture root, for tests that change files in it.
inline void copy_fixture_root(const std::string& name, const std::filesystem::path& to) {
    std::filesystem::copy(fixtures() / "proc" / name, to, std::filesystem::copy_options::recursive);
}

/// A procfs copy of a big machine: `cpus` CPUs and `disks` disks (an exposition text of
/// megabytes), each CPU with `user_ticks` in user mode.
inline void make_big_procfs(const std::filesystem::path& to, int cpus, int disks, int user_ticks = 13197) {
    if (!std::filesystem::exists(to)) copy_fixture_root("debian12-vm", to);
    std::string stat = read_file(fixtures() / "proc/debian12-vm/stat"), out;
    std::istringstream in(stat);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("cpu") && !line.starts_with("cpu ")) continue;
        out += line + "\n";
        if (line.starts_with("cpu "))
            for (int i = 0; i < cpus; ++i)
                out += "cpu" + std::to_string(i) + " " + std::to_string(user_ticks) + " 0 4938 101689 22 0 190 0 0 0\n";
    }
    write_file(to / "stat", out);
    std::string diskstats;
    for (int i = 0; i < disks; ++i)
        diskstats +=
            "259 " + std::to_string(i) + " nvme" + std::to_string(i) + "n1 1 2 3 4 5 6 7 8 0 10 11 0 0 0 0 0 0\n";
    write_file(to / "diskstats", diskstats);
}

/// Standard output of a shell command; throws if it fails.
inline std::string run_command(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
    std::string out;
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    if (::pclose(pipe) != 0) throw std::runtime_error("command failed: " + command);
    return out;
}

}  // namespace pcm::test
