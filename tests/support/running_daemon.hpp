#pragma once
// Test helper: the real pcmonitord (PCM_DAEMON, defined by the test target) on a
// configuration file in its own temporary directory, stopped with SIGTERM at scope exit,
// where it must exit 0.
#include "fixture.hpp"
#include "process.hpp"
#include "unix_client.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace pcm::test {

struct RunningDaemon {
    TempDir dir;
    std::string socket = (dir.path() / "pcm.sock").string();
    std::string config = (dir.path() / "pcmonitor.json").string();
    std::unique_ptr<Process> process;

    /// Writes `config_text` and starts the daemon on it; returns once it logged "ready"
    /// (every group has its first sample). `prefix` runs it through another program that
    /// execs it (e.g. nsenter), so that the process is still the daemon.
    void start(const std::string& config_text, std::vector<std::string> prefix = {}) {
        write_file(config, config_text);
        prefix.insert(prefix.end(), {PCM_DAEMON, "--config", config});
        process = std::make_unique<Process>(prefix, dir.path());
        // A deadline, not a timing claim: a sanitized daemon on a fixture of thousands of CPUs
        // and disks takes well over 10 s to its first samples.
        REQUIRE(process->wait_for_err("ready", std::chrono::seconds(90)));
    }

    ~RunningDaemon() {
        if (!process) return;
        process->signal(SIGTERM);
        CHECK(process->wait() == 0);
    }

    /// One request on a fresh connection; its one-line JSON reply.
    nlohmann::json ask(const std::string& request) const {
        UnixClient c(socket);
        REQUIRE(c.connected());
        c.send(request + "\n");
        auto line = c.line();
        REQUIRE(line);
        return nlohmann::json::parse(*line);
    }
};

}  // namespace pcm::test
