#pragma once
// Test helper: runs a program with stdout and stderr captured in files, sends it
// signals, and waits for it with a deadline.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace pcm::test {

class Process {
public:
    /// Starts `argv[0]` with `argv`, extra `env` entries ("NAME=value"), output to `dir`.
    Process(const std::vector<std::string>& argv, const std::filesystem::path& dir,
            const std::vector<std::string>& env = {})
        : out_(dir / "stdout"), err_(dir / "stderr") {
        // Created here, before the child exists, so reading them never races its start.
        int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ != 0) {
            ::close(out);
            ::close(err);
        }
        if (pid_ == 0) {
            ::dup2(out, 1);
            ::dup2(err, 2);
            for (const std::string& e : env) ::putenv(const_cast<char*>(e.c_str()));
            std::vector<char*> args;
            for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }
    ~Process() {
        if (pid_ > 0 && !exited_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const noexcept { return pid_; }
    /// Signals the process, unless it has been reaped already (its pid may be reused).
    void signal(int signum) const {
        if (!exited_) ::kill(pid_, signum);
    }

    /// The exit code (kept once reaped), or -1 if it is still running after `limit` (or
    /// died of a signal).
    int wait(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (running()) {
            if (std::chrono::steady_clock::now() >= deadline) return -1;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return code_;
    }

    bool running() {
        int status = 0;
        if (!exited_ && ::waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        return !exited_;
    }

    std::string out() const { return read_file(out_); }
    std::string err() const { return read_file(err_); }

    /// Waits until stderr contains `text`; false after `limit`.
    bool wait_for_err(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < deadline) {
            if (err().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

private:
    std::filesystem::path out_, err_;
    pid_t pid_ = -1;
    bool exited_ = false;
    int code_ = -1;
};

}  // namespace pcm::test
