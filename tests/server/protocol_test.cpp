// pcmonitord's local socket, driven through a real Unix socket: every command, pipelining,
// malformed input, the limits, hang-ups mid-WAIT, RELOAD permissions, stale and live
// socket files, and pcmonctl's output.
#include "../async/wait.hpp"
#include "fixture.hpp"
#include "process.hpp"
#include "running_daemon.hpp"
#include "unix_client.hpp"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

using namespace std::chrono_literals;
using nlohmann::json;
using pcm::test::Process;
using pcm::test::TempDir;
using pcm::test::UnixClient;

namespace {

const std::string daemon_path = PCM_DAEMON;
const std::string client_path = PCM_CLIENT;

std::string config_text(const std::string& socket) {
    return R"({"sampling": {"cpu": {"interval_ms": 50}, "memory": {"interval_ms": 20}, "disk": {"interval_ms": 50},
                            "filesystem": {"interval_ms": 2000, "statfs_timeout_ms": 500}},
               "socket": {"path": ")" +
           socket + R"(", "mode": "0666"},
               "limits": {"max_clients": 4, "max_line_bytes": 128, "output_queue_bytes": 8192}})";
}

// A daemon on a socket in its own directory, reachable by `nobody` too.
struct Daemon : pcm::test::RunningDaemon {
    Daemon() {
        ::chmod(dir.path().c_str(), 0755);
        start(config_text(socket));
    }
};

json next_json(UnixClient& c) {
    auto line = c.line();
    REQUIRE(line);
    return json::parse(*line);
}

int run_client(const std::vector<std::string>& args, TempDir& dir, std::string& out, std::string& err,
               const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> argv = prefix;
    argv.push_back(client_path);
    argv.insert(argv.end(), args.begin(), args.end());
    Process p(argv, dir.path());
    int code = p.wait();
    out = p.out();
    err = p.err();
    return code;
}

}  // namespace

TEST_CASE("every command answers with one JSON line (METRICS with Prometheus text ending in # EOF)") {
    Daemon d;
    CHECK(d.ask("PING") == json{{"ok", true}, {"pong", true}});
    CHECK(d.ask("HELP")["commands"].size() == 11);
    for (const char* group : {"cpu", "memory", "disk", "filesystem", "network", "kernel", "textfile"}) {
        json r = d.ask(std::string("GET ") + group);
        CHECK(r["ok"] == true);
        CHECK(r["reading"]["group"] == group);
        CHECK(r["reading"]["sequence"].get<int>() >= 1);
    }
    json all = d.ask("get ALL");
    CHECK(all["readings"].size() == 7);
    CHECK(all["readings"]["memory"]["data"]["total"].get<double>() > 0);

    json before = d.ask("GET cpu");
    json waited = d.ask("WAIT cpu 2000");
    CHECK(waited["reading"]["sequence"].get<int>() > before["reading"]["sequence"].get<int>());

    int seen = waited["reading"]["sequence"].get<int>();
    while (d.ask("WAIT cpu 2000")["reading"]["sequence"].get<int>() < std::max(seen, 3)) {}
    json history = d.ask("HISTORY cpu 10");
    CHECK(history["history"]["points"].size() >= 3);
    CHECK(history["history"]["summary"].contains("busy_percent"));

    while (d.ask("WAIT memory 2000")["reading"]["sequence"].get<int>() < 6) {}  // a sixth memory sample
    json stats = d.ask("STATS")["stats"];
    CHECK(stats["groups"]["memory"]["samples"].get<int>() >= 6);
    CHECK(stats["waiter_pool"]["in_use"] == 0);
    CHECK(stats["groups"]["cpu"]["last_fan_out"]["waiters"] == 1);  // the WAIT above
    CHECK(stats["groups"]["cpu"]["last_fan_out"]["us"].get<double>() > 0);
    CHECK(stats["groups"]["disk"]["last_fan_out"]["waiters"] == 0);
    CHECK(d.ask("CONFIG")["config"]["limits"]["max_clients"] == 4);
    CHECK(d.ask("RELOAD") == json{{"ok", true}, {"reloaded", true}});  // this test runs as the daemon's user

    UnixClient m(d.socket);
    m.send("METRICS\n");
    std::string text, line;
    while (auto l = m.line()) {
        text += *l + "\n";
        if (*l == "# EOF") break;
    }
    CHECK(text.starts_with("# HELP node_cpu_seconds_total"));
    CHECK(text.find("node_memory_MemTotal_bytes ") != std::string::npos);
    CHECK(text.ends_with("# EOF\n"));

    UnixClient s(d.socket);
    s.send("SUBSCRIBE memory\n");
    CHECK(next_json(s)["subscribed"] == "memory");
    json e1 = next_json(s), e2 = next_json(s);
    CHECK(e1["event"] == "sample");
    // Each event carries its sample's history point, as HISTORY writes points.
    REQUIRE(e1["point"].is_array());
    CHECK(e1["point"].size() == 5);  // wall ms, then the four memory figures
    CHECK(e1["point"][0] == e1["reading"]["time_ms"]);
    CHECK(e1["point"][1].get<double>() == doctest::Approx(e1["reading"]["data"]["used_percent"].get<double>()));
    CHECK(e2["reading"]["sequence"].get<int>() > e1["reading"]["sequence"].get<int>());
    s.send("UNSUBSCRIBE\n");
    json reply;
    do reply = next_json(s);
    while (reply.contains("event"));  // samples already on their way
    CHECK(reply["unsubscribed"] == true);
    CHECK_FALSE(s.line(150ms));  // and nothing more
}

TEST_CASE("pipelined requests are answered in order; malformed lines get errors and the connection stays") {
    Daemon d;
    UnixClient c(d.socket);
    c.send("PING\nGET disk\nFROB\n\nGET gpu\nWAIT cpu abc\n\x01\x02garbage\nPING\n");
    CHECK(next_json(c)["pong"] == true);
    CHECK(next_json(c)["reading"]["group"] == "disk");
    CHECK(next_json(c)["code"] == "unknown_command");
    CHECK(next_json(c)["code"] == "empty");
    CHECK(next_json(c)["code"] == "bad_argument");
    CHECK(next_json(c)["code"] == "bad_argument");
    CHECK(next_json(c)["code"] == "binary");
    CHECK(next_json(c)["pong"] == true);
}

TEST_CASE("an oversized line closes that connection only; max_clients + 1 is turned away") {
    Daemon d;
    UnixClient big(d.socket);
    big.send(std::string(300, 'A') + "\n");
    CHECK(next_json(big)["code"] == "line_too_long");
    CHECK(big.closed_by_peer());
    CHECK(d.ask("PING")["pong"] == true);

    std::vector<std::unique_ptr<UnixClient>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<UnixClient>(d.socket));
        clients.back()->send("PING\n");
        CHECK(next_json(*clients.back())["pong"] == true);
    }
    UnixClient extra(d.socket);
    CHECK(next_json(extra)["code"] == "too_many_clients");
    CHECK(extra.closed_by_peer());
    clients.pop_back();
    // The slot is free once the daemon has seen the hang-up.
    pcm::test::wait_until(
        [&] {
            UnixClient again(d.socket);
            again.send("PING\n");
            return next_json(again).value("pong", false);
        },
        [] { std::this_thread::sleep_for(std::chrono::milliseconds(5)); }, "a slot to free up after a client hung up");
}

TEST_CASE("a subscriber that does not read is dropped; the others keep receiving") {
    Daemon d;
    UnixClient slow(d.socket), reader(d.socket);
    slow.send("SUBSCRIBE memory\n");
    reader.send("SUBSCRIBE memory\n");
    CHECK(next_json(reader)["subscribed"] == "memory");
    // The slow one never reads: the socket buffers fill, then the 8 KiB queue, then it is dropped.
    bool dropped = false;
    for (int i = 0; i < 600 && !dropped; ++i) {
        CHECK(reader.line(2s));
        if (i % 20 == 0)
            dropped = pcm::test::read_file(d.dir.path() / "stderr").find("output queue full") != std::string::npos;
    }
    CHECK(dropped);
    for (int i = 0; i < 3; ++i) CHECK(next_json(reader)["event"] == "sample");
    CHECK(d.ask("STATS")["stats"]["clients"] == 2);  // the reader and this STATS client
}

TEST_CASE("a client hanging up mid-WAIT cancels it and its pooled source goes back") {
    Daemon d;
    {
        UnixClient c(d.socket);
        c.send("WAIT filesystem\n");  // the next filesystem sample is up to 2 s away
        pcm::test::wait_until([&] { return d.ask("STATS")["stats"]["waiter_pool"]["in_use"] == 1; },
                              "the daemon to take the WAIT");
    }
    pcm::test::wait_until([&] { return d.ask("STATS")["stats"]["waiter_pool"]["in_use"] == 0; },
                          "the hang-up to cancel the WAIT");
    json after = d.ask("STATS")["stats"]["waiter_pool"];
    CHECK(after["in_use"] == 0);
    CHECK(after["rented"] == after["returned"]);
    CHECK(d.process->err().find("canceled") == std::string::npos);  // not an error worth logging
}

TEST_CASE("RELOAD: an invalid file is refused; another uid is forbidden") {
    Daemon d;
    pcm::test::write_file(d.config, R"({"limits":{"max_clients":0}})");
    json refused = d.ask("RELOAD");
    CHECK(refused["code"] == "invalid_config");
    CHECK(refused["error"].get<std::string>().find("/limits/max_clients: must be between 1 and 100000, got 0") !=
          std::string::npos);
    CHECK(d.ask("PING")["pong"] == true);

    if (::geteuid() != 0) {
        MESSAGE("not root: the other-uid check needs setpriv as root; skipped");
        return;
    }
    std::string out, err;
    int code = run_client({"--socket", d.socket, "reload"}, d.dir, out, err,
                          {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"});
    CHECK(code == 1);
    CHECK(err.find("(forbidden)") != std::string::npos);
}

TEST_CASE("a stale socket file is replaced; a live one makes a second daemon refuse to start") {
    TempDir dir;
    std::string path = (dir.path() / "pcm.sock").string();
    {  // a socket file nobody listens on, as a crash leaves it
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        ::close(fd);
    }
    Process first({daemon_path, "--socket", path}, dir.path());
    REQUIRE(first.wait_for_err("started"));
    CHECK(first.err().find("replaced stale socket") != std::string::npos);

    TempDir other;
    Process second({daemon_path, "--socket", path}, other.path());
    CHECK(second.wait() == 1);
    CHECK(second.err().find("another pcmonitord is already listening on " + path) != std::string::npos);

    first.signal(SIGTERM);
    CHECK(first.wait() == 0);
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);  // removed on clean exit
}

TEST_CASE("pcmonctl finds the daemon through $PCMONITOR_SOCKET, and names every path it tried") {
    Daemon d;
    std::string out, err;
    CHECK(run_client({"ping"}, d.dir, out, err, {"/usr/bin/env", "PCMONITOR_SOCKET=" + d.socket}) == 0);
    CHECK(out == "pong\n");
    // --socket wins over the environment.
    CHECK(run_client({"--socket", d.socket, "ping"}, d.dir, out, err,
                     {"/usr/bin/env", "PCMONITOR_SOCKET=/nonexistent/x.sock"}) == 0);
    // Neither given: the user's own daemon's socket, then the system service's; both named.
    std::string runtime = "/nonexistent-runtime";
    CHECK(run_client({"ping"}, d.dir, out, err,
                     {"/usr/bin/env", "-u", "PCMONITOR_SOCKET", "XDG_RUNTIME_DIR=" + runtime, "/usr/bin/setpriv",
                      "--reuid=nobody", "--regid=nogroup", "--clear-groups"}) == 2);
    CHECK(err.find(runtime + "/pcmonitor/pcmonitor.sock: absent") != std::string::npos);
    CHECK(err.find("/run/pcmonitor/pcmonitor.sock: ") != std::string::npos);
}

TEST_CASE("pcmonctl: every subcommand, human output, --json and exit codes") {
    Daemon d;
    std::string out, err;
    auto ctl = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--socket", d.socket});
        return run_client(args, d.dir, out, err);
    };
    CHECK(ctl({"ping"}) == 0);
    CHECK(out == "pong\n");
    CHECK(ctl({"get", "cpu"}) == 0);
    CHECK(out.starts_with("CPU     busy"));
    CHECK(ctl({"get", "memory"}) == 0);
    CHECK(out.find("Memory  total") != std::string::npos);
    CHECK(ctl({"get", "disk"}) == 0);
    CHECK(out.starts_with("device"));
    CHECK(ctl({"get", "fs"}) == 0);
    CHECK(out.starts_with("mounted on"));
    CHECK(ctl({"get", "net"}) == 0);
    CHECK(out.starts_with("interface"));
    CHECK(out.find("\nlo ") != std::string::npos);  // loopback is listed, as node_exporter lists it
    CHECK(ctl({"wait", "network", "2000"}) == 0);   // a second network sample: rates
    CHECK(out.find("MB/s") != std::string::npos);
    CHECK(ctl({"history", "network", "60"}) == 0);
    CHECK(out.find("receive_bytes_per_s") != std::string::npos);
    CHECK(ctl({"get", "kernel"}) == 0);
    CHECK(out.find("TCP connections established") != std::string::npos);
    CHECK(ctl({"get", "textfile"}) == 0);
    CHECK(out.find("textfile collector off") != std::string::npos);
    CHECK(ctl({"get", "all"}) == 0);
    CHECK(out.find("Swap") != std::string::npos);
    CHECK(ctl({"wait", "cpu", "2000"}) == 0);
    CHECK(out.starts_with("CPU"));
    CHECK(ctl({"wait", "memory", "2000"}) == 0);  // a fresh memory point for the history
    CHECK(ctl({"history", "memory", "10"}) == 0);
    CHECK(out.find("used_percent") != std::string::npos);
    CHECK(ctl({"metrics"}) == 0);
    CHECK(out.ends_with("# EOF\n"));
    CHECK(ctl({"stats"}) == 0);
    CHECK(out.find("\"waiter_pool\"") != std::string::npos);
    CHECK(ctl({"reload"}) == 0);
    CHECK(out == "reloaded\n");
    CHECK(ctl({"--json", "get", "cpu"}) == 0);
    CHECK(json::parse(out)["reading"]["group"] == "cpu");
    CHECK(ctl({"get", "gpu"}) == 1);
    CHECK(err.find("unknown group") != std::string::npos);
    CHECK(ctl({"frobnicate"}) == 64);

    CHECK(run_client({"--socket", "/nonexistent/pcm.sock", "ping"}, d.dir, out, err) == 2);
    CHECK(
        err ==
        "pcmonctl: cannot connect to pcmonitord; tried:\n  /nonexistent/pcm.sock: absent (no daemon has created it)\n");

    // The sparkline follows the daemon's history figure (for disk: read bytes/s, as HISTORY
    // gives it; it once re-derived read + write), named on screen.
    for (auto [group, figure] : {std::pair{"memory", "used_percent"}, std::pair{"disk", "read_bytes_per_s"},
                                 std::pair{"net", "receive_bytes_per_s"}}) {
        std::string expected = std::string("last minute of ") + figure + ": ";
        Process watch({client_path, "--socket", d.socket, "watch", group}, d.dir.path());
        pcm::test::wait_until([&] { return watch.out().find(expected) != std::string::npos; },
                              "pcmonctl watch to draw");
        watch.signal(SIGTERM);
        watch.wait();
        CHECK(watch.out().find(expected) != std::string::npos);
    }
}
