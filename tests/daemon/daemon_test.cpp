// The real pcmonitord binary, driven as an administrator would: command line, signals, logs.
#include "fixture.hpp"
#include "process.hpp"
#include "unix_client.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <sstream>
#include <string>

using namespace std::chrono_literals;
using pcm::test::Process;
using pcm::test::TempDir;

namespace {
const std::string daemon_path = PCM_DAEMON;

int run_to_end(const std::vector<std::string>& args, TempDir& dir, std::string* err = nullptr,
               std::string* out = nullptr) {
    std::vector<std::string> argv{daemon_path};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p(argv, dir.path());
    int code = p.wait();
    if (err) *err = p.err();
    if (out) *out = p.out();
    return code;
}

std::string config_with_interval(int cpu_ms, const TempDir& dir) {
    return R"({"sampling":{"cpu":{"interval_ms":)" + std::to_string(cpu_ms) + R"(}},"socket":{"path":")" +
           (dir.path() / "pcm.sock").string() + R"("}})";
}
}  // namespace

TEST_CASE("command line: --version, --help, --check-config, bad arguments") {
    TempDir dir;
    std::string out, err;
    CHECK(run_to_end({"--version"}, dir, &err, &out) == 0);
    CHECK(out.starts_with("pcmonitord "));
    CHECK(run_to_end({"--help"}, dir, &err, &out) == 0);
    CHECK(out.find("--check-config FILE") != std::string::npos);

    CHECK(run_to_end({"--check-config", (pcm::test::fixtures() / "../../config/pcmonitor.json").string()}, dir, &err,
                     &out) == 0);
    CHECK(out.find("valid") != std::string::npos);

    pcm::test::write_file(dir.path() / "bad.json", R"({"sampling":{"cpu":{"interval_ms":0}},"extra":true})");
    CHECK(run_to_end({"--check-config", (dir.path() / "bad.json").string()}, dir, &err) == 1);
    CHECK(err.find("bad.json: /sampling/cpu/interval_ms: must be between 10 and 86400000, got 0") != std::string::npos);
    CHECK(err.find("bad.json: /extra: unknown key") != std::string::npos);

    CHECK(run_to_end({"--config", (dir.path() / "bad.json").string()}, dir, &err) == 1);
    CHECK(err.find("/sampling/cpu/interval_ms") != std::string::npos);
    CHECK(run_to_end({"--config", (dir.path() / "missing.json").string()}, dir, &err) == 1);
    CHECK(err.find("missing.json: cannot read: No such file or directory") != std::string::npos);
    CHECK(run_to_end({"--frobnicate"}, dir, &err) == 2);
    CHECK(err.find("unknown or incomplete argument '--frobnicate'") != std::string::npos);
}

TEST_CASE("SIGHUP: an invalid file is refused and the daemon keeps running; a valid one is applied; SIGTERM exits 0") {
    TempDir dir;
    auto config = dir.path() / "pcmonitor.json";
    pcm::test::write_file(config, config_with_interval(500, dir));
    Process daemon({daemon_path, "--config", config.string()}, dir.path());
    REQUIRE(daemon.wait_for_err("started: configuration"));

    pcm::test::write_file(config, R"({"sampling":{"cpu":{"interval_ms":"fast"}}})");
    daemon.signal(SIGHUP);
    REQUIRE(daemon.wait_for_err("keeping the running configuration"));
    CHECK(daemon.err().find("reload refused: " + config.string() +
                            ": /sampling/cpu/interval_ms: must be an integer, got string") != std::string::npos);
    CHECK(daemon.running());

    pcm::test::write_file(config, config_with_interval(100, dir));
    daemon.signal(SIGHUP);
    CHECK(daemon.wait_for_err("reloaded " + config.string()));
    for (int i = 0; i < 5; ++i) daemon.signal(SIGHUP);  // a storm of reloads changes nothing
    {
        // Still serving after the storm (pending SIGHUPs may merge: the count is the kernel's).
        pcm::test::UnixClient c((dir.path() / "pcm.sock").string());
        REQUIRE(c.connected());
        c.send("PING\n");
        CHECK(c.line() == std::string(R"({"ok":true,"pong":true})"));
    }
    CHECK(daemon.running());

    daemon.signal(SIGTERM);
    CHECK(daemon.wait() == 0);
    CHECK(daemon.err().find("stopped") != std::string::npos);
}

TEST_CASE("a bad file as the configuration fails at once: /dev/zero, a FIFO, over 1 MiB; on SIGHUP it is refused") {
    TempDir dir;
    std::string err;
    // Before: /dev/zero grew the daemon without end and a FIFO blocked it forever.
    CHECK(run_to_end({"--check-config", "/dev/zero"}, dir, &err) == 1);
    CHECK(err.find("/dev/zero: not a regular file (a character device)") != std::string::npos);
    CHECK(run_to_end({"--config", "/dev/zero"}, dir, &err) == 1);
    CHECK(err.find("/dev/zero: not a regular file (a character device)") != std::string::npos);
    auto fifo = dir.path() / "fifo.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(run_to_end({"--check-config", fifo.string()}, dir, &err) == 1);
    CHECK(err.find(fifo.string() + ": not a regular file (a FIFO)") != std::string::npos);
    CHECK(run_to_end({"--config", fifo.string()}, dir, &err) == 1);
    CHECK(err.find(fifo.string() + ": not a regular file (a FIFO)") != std::string::npos);
    auto big = dir.path() / "big.json";
    pcm::test::write_file(big, "{}" + std::string(2 << 20, ' '));
    CHECK(run_to_end({"--check-config", big.string()}, dir, &err) == 1);
    CHECK(err.find("too large (2097154 bytes); a configuration file may have at most 1048576 bytes (1 MiB)") !=
          std::string::npos);

    // SIGHUP with the file swapped for a FIFO: refused at once, the daemon serves on.
    auto config = dir.path() / "pcmonitor.json";
    pcm::test::write_file(config, config_with_interval(100, dir));
    Process daemon({daemon_path, "--config", config.string()}, dir.path());
    REQUIRE(daemon.wait_for_err("started: configuration"));
    std::filesystem::remove(config);
    REQUIRE(::mkfifo(config.c_str(), 0600) == 0);
    daemon.signal(SIGHUP);
    REQUIRE(daemon.wait_for_err("keeping the running configuration"));
    CHECK(daemon.err().find(config.string() + ": not a regular file (a FIFO)") != std::string::npos);
    CHECK(daemon.running());
    daemon.signal(SIGTERM);
    CHECK(daemon.wait() == 0);
}

TEST_CASE("SIGINT stops it too; with stderr on the journal, lines carry <N> priorities") {
    TempDir dir;
    // Point JOURNAL_STREAM at the file that will be the child's stderr, as systemd does.
    Process probe({"/bin/true"}, dir.path());
    probe.wait();
    struct stat st {};
    REQUIRE(::stat((dir.path() / "stderr").c_str(), &st) == 0);
    // The child re-creates stderr with O_TRUNC: same inode, so the identity still holds.
    std::string stream = "JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    Process daemon({daemon_path, "--socket", (dir.path() / "pcm.sock").string()}, dir.path(), {stream});
    REQUIRE(daemon.wait_for_err("started"));
    daemon.signal(SIGINT);
    CHECK(daemon.wait() == 0);
    std::string err = daemon.err();
    CHECK(err.find("<6>started: built-in default configuration\n") != std::string::npos);
    CHECK(err.find("<6>received SIGINT\n") != std::string::npos);
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) CHECK_MESSAGE(line.starts_with("<"), line);
}
