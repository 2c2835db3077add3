// The log throttle: one line per interval for a flood, with the count of what was not logged.
#include <pcm/daemon/log.hpp>

#include <doctest/doctest.h>

using pcm::daemon::LogThrottle;

TEST_CASE("a throttle lets the first event through, then one per interval, counting the rest") {
    LogThrottle throttle(1000);  // nanoseconds: the test drives the clock
    CHECK(throttle.admit(5));
    CHECK(throttle.suppressed() == 0);
    for (int t = 6; t < 1005; ++t) CHECK_FALSE(throttle.admit(t));
    CHECK(throttle.admit(1005));
    CHECK(throttle.suppressed() == 999);
    CHECK_FALSE(throttle.admit(1500));
    CHECK(throttle.admit(100'000));  // a quiet spell: the next event is logged at once
    CHECK(throttle.suppressed() == 1);
    CHECK(throttle.admit(200'000));
    CHECK(throttle.suppressed() == 0);
}
