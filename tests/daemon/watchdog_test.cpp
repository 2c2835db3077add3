// The watchdog's pings, on a manual clock: counted exactly, whatever the machine's load.
#include "manual_clock.hpp"

#include <pcm/daemon/systemd.hpp>
#include <pcm/daemon/watchdog.hpp>

#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

using namespace std::chrono_literals;
using pcm::daemon::Watchdog;

TEST_CASE("the watchdog pings at once, then once per period, and never before a period is over") {
    pcm::test::ManualClock clock;
    int pings = 0;
    Watchdog watchdog(clock, 100ms, [&] { ++pings; });
    watchdog.start();
    CHECK(pings == 1);
    clock.advance(99ms);
    CHECK(pings == 1);
    clock.advance(1ms);
    CHECK(pings == 2);
    clock.advance(1s);
    CHECK(pings == 12);
    CHECK(watchdog.pings() == 12);

    bool stopped = false;
    watchdog.stop([&] { stopped = true; });
    CHECK_FALSE(stopped);  // never inline: the coroutine ends on its next resumption
    clock.run_due();
    CHECK(stopped);
    clock.advance(1s);
    CHECK(pings == 12);
    CHECK(clock.sleepers() == 0);
}

TEST_CASE("after a stalled loop the watchdog pings once, not once per missed period, and keeps its period from then") {
    pcm::test::ManualClock clock;
    int pings = 0;
    Watchdog watchdog(clock, 100ms, [&] { ++pings; });
    watchdog.start();
    clock.stall(550ms);  // the loop was blocked: five pings were missed
    CHECK(pings == 2);
    clock.advance(99ms);
    CHECK(pings == 2);
    clock.advance(1ms);
    CHECK(pings == 3);

    bool stopped = false;
    watchdog.stop([&] { stopped = true; });
    clock.run_due();
    CHECK(stopped);
}

TEST_CASE("a watchdog stopped before it started reports at once") {
    pcm::test::ManualClock clock;
    int pings = 0;
    Watchdog watchdog(clock, 100ms, [&] { ++pings; });
    bool stopped = false;
    watchdog.stop([&] { stopped = true; });
    CHECK(stopped);
    watchdog.start();  // too late: stopped for good
    clock.advance(1s);
    CHECK(pings == 0);
}

TEST_CASE("the ping period is half of WATCHDOG_USEC, and none when it is meant for another process") {
    ::setenv("WATCHDOG_USEC", "200000", 1);
    ::unsetenv("WATCHDOG_PID");
    CHECK(pcm::daemon::Notifier::watchdog_period() == 100ms);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    CHECK(pcm::daemon::Notifier::watchdog_period() == 100ms);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
    CHECK(pcm::daemon::Notifier::watchdog_period().count() == 0);
    ::unsetenv("WATCHDOG_PID");
    ::setenv("WATCHDOG_USEC", "nonsense", 1);
    CHECK(pcm::daemon::Notifier::watchdog_period().count() == 0);
    ::unsetenv("WATCHDOG_USEC");
    CHECK(pcm::daemon::Notifier::watchdog_period().count() == 0);
}
