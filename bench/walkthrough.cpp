// The article's benchmark: what one wait for the next sample costs at each step of the
// walkthrough, with 1 and with 1,000 concurrent waiters, in one process. Consumers are
// coroutines that await the next sample in a loop; the timer is replaced by direct
// publish() calls so that only the handoff is measured. Allocations are counted by the
// replaced operator new; coroutine frames are made before measuring starts.
#include "harness.hpp"

#include "alloc_counter.hpp"

#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/manual_reset_source.hpp>
#include <pcm/async/task.hpp>
#include <pcm/uv/loop.hpp>
#include <pcm/walkthrough/core_source.hpp>
#include <pcm/walkthrough/hand_written_source.hpp>
#include <pcm/walkthrough/pc_monitor.hpp>
#include <pcm/walkthrough/pooled_pc_monitor.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <memory>
#include <vector>

using namespace pcm;
using namespace pcm::walkthrough;
namespace bench = pcm::bench;

namespace {

// The Task-style baseline: a fresh heap-allocated source per wait, like a TaskCompletionSource.
class OneShotMonitor {
public:
    explicit OneShotMonitor(std::size_t waiters) {
        waiting_.reserve(waiters);
        completing_.reserve(waiters);
    }
    async::ValueTask<CpuSample> next_sample() {
        auto source = std::make_shared<async::ManualResetSource<CpuSample>>();
        waiting_.push_back(source);
        return source->task();
    }
    void publish(const CpuSample& sample) {
        completing_.swap(waiting_);
        for (auto& s : completing_) s->core().set_result(sample);
        completing_.clear();  // the last reference goes once its awaiter has its value
    }

private:
    std::vector<std::shared_ptr<async::ManualResetSource<CpuSample>>> waiting_, completing_;
};

template <class Monitor>
async::Task<void> consume(Monitor& m, std::uint64_t rounds, std::uint64_t& total) {
    for (std::uint64_t i = 0; i < rounds; ++i) {
        CpuSample sample = co_await m.next_sample();
        total += sample.sequence;
    }
}

struct Measured {
    double ns_per_wait, cpu_ns_per_wait, allocs_per_wait, bytes_per_wait;
};

double cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

template <class Monitor>
Measured measure_stage(Monitor& monitor, std::size_t waiters, std::uint64_t rounds) {
    std::uint64_t total = 0;
    const std::uint64_t warm = 3;
    for (std::size_t i = 0; i < waiters; ++i) async::spawn(consume(monitor, warm + rounds, total));
    for (std::uint64_t r = 1; r <= warm; ++r) monitor.publish({r, 1});
    test::AllocProbe probe;
    double cpu_start = cpu_ns();
    auto start = std::chrono::steady_clock::now();
    for (std::uint64_t r = warm + 1; r <= warm + rounds; ++r) monitor.publish({r, 1});
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    double cpu = cpu_ns() - cpu_start;
    test::AllocCounts a = probe.delta();
    double waits = static_cast<double>(waiters * rounds);
    if (total == 0) std::abort();
    return {ns / waits, cpu / waits, static_cast<double>(a.calls) / waits, static_cast<double>(a.bytes) / waits};
}

Measured measure_promises(std::size_t waiters, std::uint64_t rounds) {
    std::vector<std::promise<CpuSample>> promises(waiters);
    std::vector<std::future<CpuSample>> futures(waiters);
    std::uint64_t total = 0;
    test::AllocProbe probe;
    double cpu_start = cpu_ns();
    auto start = std::chrono::steady_clock::now();
    for (std::uint64_t r = 1; r <= rounds; ++r) {
        for (std::size_t i = 0; i < waiters; ++i) {
            promises[i] = std::promise<CpuSample>();
            futures[i] = promises[i].get_future();
        }
        for (auto& p : promises) p.set_value({r, 1});
        for (auto& f : futures) total += f.get().sequence;
    }
    double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    double cpu = cpu_ns() - cpu_start;
    test::AllocCounts a = probe.delta();
    double waits = static_cast<double>(waiters * rounds);
    if (total == 0) std::abort();
    return {ns / waits, cpu / waits, static_cast<double>(a.calls) / waits, static_cast<double>(a.bytes) / waits};
}

}  // namespace

int main(int argc, char** argv) {
    bench::Options options = bench::parse_options(argc, argv, "[--json] [--repetitions N] [--scale X]");
    uv::Loop loop;
    std::vector<bench::Row> rows;
    for (std::size_t waiters : {std::size_t{1}, std::size_t{1000}}) {
        auto rounds = static_cast<std::uint64_t>((waiters == 1 ? 200'000 : 300) * options.scale) + 1;
        std::string group = waiters == 1 ? "1 waiter" : "1000 waiters";
        auto add = [&](const char* stage, Measured m) {
            rows.push_back({group, stage, waiters * rounds, m.ns_per_wait, m.cpu_ns_per_wait, m.allocs_per_wait,
                            m.bytes_per_wait, ""});
        };
        {
            OneShotMonitor m(waiters);
            add("one-shot heap state per wait (Task-style)", measure_stage(m, waiters, rounds));
        }
        add("std::promise/std::future", measure_promises(waiters, rounds));
        {
            PcMonitor<HandWrittenSource> m(loop.get(), std::chrono::milliseconds(1000), waiters);
            add("step 3: by hand (mutex state machine)", measure_stage(m, waiters, rounds));
        }
        {
            PcMonitor<CoreSource> m(loop.get(), std::chrono::milliseconds(1000), waiters);
            add("step 4: on ManualResetSourceCore", measure_stage(m, waiters, rounds));
        }
        {
            // Only this step needs a scheduler (its sources are loop-affine); the others run
            // without one, as before, so that their cores capture none.
            async::LoopScheduler scheduler(loop.get());
            PooledPcMonitor m(scheduler, std::chrono::milliseconds(1000), waiters);
            add("step 5: pooled loop-affine source", measure_stage(m, waiters, rounds));
        }
    }
    uv_run(loop.get(), UV_RUN_NOWAIT);
    bench::print(options, rows);
}
