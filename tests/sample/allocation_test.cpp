// A steady-state sample of all four groups on this machine's /proc allocates nothing
// (counted by the replaced operator new; libuv's own C allocations are not in it, and
// uv_queue_work makes none).
#include "../async/loop_fixture.hpp"
#include "alloc_counter.hpp"

#include <pcm/async/task.hpp>
#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/sample/disk_sampler.hpp>
#include <pcm/sample/filesystem_sampler.hpp>
#include <pcm/sample/memory_sampler.hpp>

#include <doctest/doctest.h>

using namespace pcm::sample;

namespace {
pcm::async::Task<void> sample_filesystems(FilesystemSampler& sampler, bool& done) {
    co_await sampler.sample();
    done = true;
}
}  // namespace

TEST_CASE("steady-state samples of cpu, memory, disk and filesystems make zero heap allocations") {
    pcm::test::LoopFixture fx;
    CpuSampler cpu;
    MemorySampler memory;
    DiskSampler disk;
    FilesystemSampler filesystems(fx.loop.get());
    auto sample_all = [&] {
        cpu.sample();
        memory.sample();
        disk.sample();
        bool done = false;
        pcm::async::spawn(sample_filesystems(filesystems, done));
        fx.run_until([&] { return done; });
    };
    for (int i = 0; i < 3; ++i) sample_all();  // buffers sized, device and mount sets learnt

    pcm::async::FrameCounters frames_before = pcm::async::frame_counters();
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 50; ++i) {
        cpu.sample();
        memory.sample();
        disk.sample();
    }
    CHECK(probe.delta().calls == 0);

    // The filesystem group is awaited from a coroutine here, whose frame is the one
    // allocation: subtract the frames counted separately.
    pcm::test::AllocProbe fs_probe;
    for (int i = 0; i < 20; ++i) sample_all();
    std::uint64_t frames = pcm::async::frame_counters().allocated - frames_before.allocated;
    CHECK(frames == 40);  // the test's coroutine and its detached runner, per sample
    CHECK(fs_probe.delta().calls - frames == 0);
    CHECK(cpu.reading().header.error.empty());
    CHECK(memory.reading().header.error.empty());
    CHECK(filesystems.reading().filesystems.size() > 0);
}
