// A loop-affine source used from a foreign thread aborts when the affinity check is on
// (debug builds; forced on for this binary). Runs the misuse in a forked child.
#define PCM_CHECK_LOOP_AFFINITY 1
#include <pcm/async/loop_source.hpp>
#include <pcm/uv/loop.hpp>

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <thread>

using namespace pcm::async;

TEST_CASE("a loop-affine source completed from another thread trips the affinity check") {
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        pcm::uv::Loop loop;
        LoopScheduler scheduler(loop.get());
        LoopSource<short> source(scheduler);
        ValueTask<short> task = source.create_task();
        std::thread foreign([&] { source.try_set_result(1); });
        foreign.join();
        _exit(0);  // not reached when the check works
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status)) CHECK(WTERMSIG(status) == SIGABRT);
}
