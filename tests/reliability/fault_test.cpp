// Faults injected under a running pcmonitord: its procfs root is a copy of a fixture
// directory whose files turn to garbage, vanish or get cut short mid-run; its socket
// directory is deleted; it is killed and restarted. Each time it keeps serving, shows
// the fault on the affected group and in STATS, and recovers once the fault goes.
#include "../async/wait.hpp"
#include "fixture.hpp"
#include "process.hpp"
#include "running_daemon.hpp"
#include "unix_client.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using nlohmann::json;
using pcm::test::Process;
using pcm::test::TempDir;
using pcm::test::UnixClient;

namespace {

const std::string daemon_path = PCM_DAEMON;

struct FaultyDaemon : pcm::test::RunningDaemon {
    std::filesystem::path proc = dir.path() / "proc";

    FaultyDaemon() {
        socket = (dir.path() / "run/pcm.sock").string();
        pcm::test::copy_fixture_root("debian12-vm", proc);
        start(R"({"sampling":{"cpu":{"interval_ms":50},"memory":{"interval_ms":50},
            "disk":{"interval_ms":50},"filesystem":{"interval_ms":200,"statfs_timeout_ms":100}},
            "procfs_root":")" +
              proc.string() + R"(","socket":{"path":")" + socket + R"("}})");
    }
    /// The group's error after its next samples (null when healthy).
    json error_of(const std::string& group) {
        ask("WAIT " + group + " 2000");
        return ask("WAIT " + group + " 2000")["reading"]["error"];
    }
    std::uint64_t errors(const std::string& group) { return ask("STATS")["stats"]["groups"][group]["errors"]; }
};

}  // namespace

TEST_CASE("a procfs file turned to garbage, then deleted, then restored") {
    FaultyDaemon d;
    std::string good = pcm::test::read_file(d.proc / "stat");
    CHECK(d.error_of("cpu").is_null());

    pcm::test::write_file(d.proc / "stat", "\x01\x02 this is not /proc/stat\n");
    json garbage = d.error_of("cpu");
    REQUIRE(garbage.is_string());
    CHECK(garbage.get<std::string>().find("/stat line 1: no aggregate cpu line") != std::string::npos);
    CHECK(d.errors("cpu") > 0);
    CHECK(d.error_of("memory").is_null());  // the other groups are unaffected
    CHECK(d.ask("PING")["pong"] == true);

    std::filesystem::remove(d.proc / "meminfo");
    json gone = d.error_of("memory");
    REQUIRE(gone.is_string());
    CHECK(gone.get<std::string>().find("/meminfo: No such file or directory") != std::string::npos);

    pcm::test::write_file(d.proc / "stat", good);
    pcm::test::write_file(d.proc / "meminfo", pcm::test::read_fixture("proc/debian12-vm/meminfo"));
    CHECK(d.error_of("cpu").is_null());
    CHECK(d.error_of("memory").is_null());
    CHECK(d.ask("GET memory")["reading"]["data"]["total"].get<double>() > 0);
}

TEST_CASE("a file cut short mid-line, and every file of the group gone at once") {
    FaultyDaemon d;
    std::string good = pcm::test::read_file(d.proc / "diskstats");
    pcm::test::write_file(d.proc / "diskstats", good.substr(0, good.size() / 2));
    json cut = d.error_of("disk");
    REQUIRE(cut.is_string());
    CHECK(cut.get<std::string>().find("/diskstats line") != std::string::npos);

    std::filesystem::remove_all(d.proc / "pressure");
    std::filesystem::remove(d.proc / "diskstats");
    REQUIRE(d.error_of("disk").is_string());
    CHECK(d.ask("GET disk")["reading"]["data"]["disks"].empty());

    pcm::test::write_file(d.proc / "diskstats", good);
    CHECK(d.error_of("disk").is_null());  // no PSI any more: that is not an error
    CHECK(d.ask("GET disk")["reading"]["data"]["pressure"].is_null());
}

TEST_CASE("the socket directory deleted under the daemon: open connections carry on, the socket comes back") {
    FaultyDaemon d;
    UnixClient kept(d.socket);
    kept.send("PING\n");
    CHECK(kept.line() == std::string(R"({"ok":true,"pong":true})"));
    std::filesystem::remove_all(std::filesystem::path(d.socket).parent_path());
    kept.send("PING\n");
    CHECK(kept.line() == std::string(R"({"ok":true,"pong":true})"));
    CHECK(pcm::test::wait_until([&] { return UnixClient(d.socket).connected(); },
                                [] { std::this_thread::sleep_for(100ms); },
                                "the socket bound again (checked once a second)"));
    CHECK(d.ask("PING")["pong"] == true);
    CHECK(d.process->err().find("disappeared; binding it again") != std::string::npos);
}

TEST_CASE("SIGKILL, then a restart on the stale socket") {
    TempDir dir;
    std::string socket = (dir.path() / "pcm.sock").string();
    {
        Process first({daemon_path, "--socket", socket}, dir.path());
        REQUIRE(first.wait_for_err("ready"));
        first.signal(SIGKILL);
        CHECK(first.wait() == -1);
    }
    TempDir other;
    Process second({daemon_path, "--socket", socket}, other.path());
    REQUIRE(second.wait_for_err("ready"));
    CHECK(second.err().find("replaced stale socket") != std::string::npos);
    UnixClient c(socket);
    c.send("PING\n");
    CHECK(c.line() == std::string(R"({"ok":true,"pong":true})"));
    second.signal(SIGTERM);
    CHECK(second.wait() == 0);
}

namespace {

// A FUSE filesystem whose statfs hangs (tests/support/hung_fuse.cpp), mounted in a
// private mount namespace that the daemon joins through nsenter: nothing else on the
// machine sees the hang.
struct HungMount {
    TempDir dir;
    std::string mount_point = (dir.path() / "hung").string();
    std::unique_ptr<Process> server;
    std::string unavailable;  // why this machine cannot mount it; empty if mounted

    HungMount() {
        std::filesystem::create_directory(mount_point);
        server = std::make_unique<Process>(std::vector<std::string>{PCM_HUNG_FUSE, mount_point}, dir.path());
        auto deadline = std::chrono::steady_clock::now() + 5s;
        while (server->out().find("mounted") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            if (!server->running()) {
                unavailable = server->err();
                return;
            }
            std::this_thread::sleep_for(10ms);
        }
        REQUIRE(server->out().find("mounted") != std::string::npos);
    }
    ~HungMount() {
        server->signal(SIGTERM);  // unmounts; the kernel fails whatever still waits on it
        server->wait();
    }
    std::vector<std::string> enter() const {
        return {"/usr/bin/nsenter", "--mount=/proc/" + std::to_string(server->pid()) + "/ns/mnt", "--"};
    }
};

}  // namespace

TEST_CASE(
    "a real hung mount (FUSE): the loop keeps ticking, the mount reports the hang, and recovers when it answers") {
    pcm::test::RunningDaemon d;  // declared first, so that on failure the mount goes first and lets it exit
    HungMount hung;
    if (!hung.unavailable.empty()) {
        WARN_MESSAGE(false, "skipped: this machine cannot mount FUSE here: " << hung.unavailable);
        return;
    }
    d.start(R"({"sampling":{"cpu":{"interval_ms":50},"memory":{"interval_ms":50},"disk":{"interval_ms":50},
        "filesystem":{"interval_ms":200,"statfs_timeout_ms":100}},"socket":{"path":")" +
                d.socket + R"("}})",
            hung.enter());
    auto entry = [&] {
        json reply = d.ask("WAIT filesystem 2000");
        for (const json& f : reply["reading"]["data"]["filesystems"])
            if (f["mount_point"] == hung.mount_point) return f;
        return json();
    };
    auto filesystem_stats = [&] { return d.ask("STATS")["stats"]["groups"]["filesystem"]; };

    json stuck = entry();
    REQUIRE(stuck.is_object());
    CHECK(stuck["fstype"] == "fuse.pcmhang");
    REQUIRE(stuck["error"].is_string());
    std::string error = stuck["error"];
    CHECK((error.find("did not answer within 100 ms") != std::string::npos ||
           error.find("has not returned for") != std::string::npos));
    CHECK(filesystem_stats()["statfs_stuck"] == 1);  // asked once, not again while stuck
    CHECK(filesystem_stats()["failing"].get<int>() >= 1);

    // Meanwhile the loop ticks on: 50 ms samples keep coming (five more, waited for),
    // other requests are answered.
    std::uint64_t before = d.ask("STATS")["stats"]["groups"]["cpu"]["samples"];
    std::uint64_t after = before;
    for (int i = 0; i < 5; ++i) after = d.ask("WAIT cpu 5000")["reading"]["sequence"];
    CHECK(after - before >= 5);
    CHECK(d.ask("WAIT cpu 1000")["ok"] == true);
    CHECK(entry()["error"].get<std::string>().find("has not returned for") != std::string::npos);

    // The mount answers again: its figures come back by themselves (1,000 blocks of 4 KiB).
    hung.server->signal(SIGUSR1);
    json healthy;
    for (int i = 0; i < 20 && !(healthy = entry())["error"].is_null(); ++i) {}
    CHECK(healthy["error"].is_null());
    CHECK(healthy["size"] == 4'096'000);
    CHECK(healthy["available"] == 1'638'400);
    CHECK(filesystem_stats()["statfs_stuck"] == 0);

    // Hung again, then told to stop: the daemon does not wait for the stuck thread, and its
    // exit completes once the kernel lets that thread go (here: when the mount goes away).
    hung.server->signal(SIGUSR2);
    for (int i = 0; i < 20 && filesystem_stats()["statfs_stuck"] != 1; ++i) entry();
    REQUIRE(filesystem_stats()["statfs_stuck"] == 1);
    d.process->signal(SIGTERM);
    CHECK(d.process->wait_for_err("exiting with work still stuck in the thread pool"));
    hung.server->signal(SIGTERM);
    CHECK(d.process->wait() == 0);
}
