#include "../async/loop_fixture.hpp"
#include "fixture.hpp"

#include <pcm/async/task.hpp>
#include <pcm/sample/filesystem_sampler.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>

using namespace pcm::sample;
using namespace std::chrono_literals;
using pcm::test::LoopFixture;
using pcm::test::TempDir;

namespace {

// A statvfs stand-in: sizes derived from the path length; one path can be made to hang
// until released, as a dead NFS server makes statvfs hang.
struct FakeStatvfs {
    std::mutex mutex;
    std::condition_variable released;
    std::string hanging_path;
    bool hang = false;
    std::atomic<int> calls{0};
};
FakeStatvfs fake;

int fake_statvfs(const char* path, struct statvfs* out) {
    fake.calls++;
    {
        std::unique_lock lock(fake.mutex);
        fake.released.wait(lock, [&] { return !fake.hang || fake.hanging_path != path; });
    }
    if (std::strcmp(path, "/run/media/usb") == 0) {
        errno = EACCES;
        return -1;
    }
    std::memset(out, 0, sizeof *out);
    out->f_frsize = 4096;
    out->f_blocks = 1000 * std::strlen(path);
    out->f_bfree = 400 * std::strlen(path);
    out->f_bavail = 300 * std::strlen(path);
    out->f_files = 100;
    out->f_ffree = 60;
    return 0;
}

void set_hang(const std::string& path, bool on) {
    {
        std::lock_guard lock(fake.mutex);
        fake.hanging_path = path;
        fake.hang = on;
    }
    fake.released.notify_all();
}

pcm::async::Task<void> await_sample(FilesystemSampler& sampler, bool& done) {
    co_await sampler.sample();
    done = true;
}

const FilesystemEntry* find(const FilesystemReading& r, const std::string& mount_point) {
    for (const FilesystemEntry& e : r.filesystems)
        if (e.mount.mount_point == mount_point) return &e;
    return nullptr;
}

struct Root {
    TempDir dir;
    Root() {
        pcm::test::write_file(dir.path() / "self/mountinfo",
                              pcm::test::read_fixture("edge/mountinfo-escapes-binds-optional"));
    }
};

}  // namespace

TEST_CASE("filesystem sampler: which mounts are reported, and their space") {
    Root root;
    LoopFixture fx;
    FilesystemSampler sampler(fx.loop.get(), {}, root.dir.path().string(), &fake_statvfs);
    bool done = false;
    pcm::async::spawn(await_sample(sampler, done));
    fx.run_until([&] { return done; });

    const FilesystemReading& r = sampler.reading();
    CHECK(r.header.error.view().find("line 9: malformed mountinfo line") != std::string_view::npos);
    REQUIRE(r.filesystems.size() == 4);
    CHECK(find(r, "/") != nullptr);
    CHECK(find(r, "/srv/My Files") != nullptr);  // the device's root mount, not its bind of /data
    CHECK(find(r, "/mnt/tab\there") == nullptr);
    CHECK(find(r, "/mnt/back\\slash") != nullptr);
    CHECK(find(r, "/proc") == nullptr);
    CHECK(find(r, "/run/user/1000") == nullptr);
    CHECK(find(r, "/var/lib/docker/overlay2/abc/merged") == nullptr);

    const FilesystemEntry* srv = find(r, "/srv/My Files");
    REQUIRE(srv->has_space);
    const std::uint64_t n = std::strlen("/srv/My Files");
    CHECK(srv->space.size == 1000 * n * 4096);
    CHECK(srv->space.available == 300 * n * 4096);
    CHECK(srv->space.used_percent == doctest::Approx(100.0 * 600 / 900));
    CHECK(srv->space.files_free == 60);

    const FilesystemEntry* usb = find(r, "/run/media/usb");
    CHECK_FALSE(usb->has_space);
    CHECK(usb->error.view() == "statvfs: Permission denied");
}

TEST_CASE("filesystem sampler: a hung statvfs times out, is not asked again, and recovers") {
    Root root;
    LoopFixture fx;
    FilesystemOptions options;
    options.statfs_timeout = 60ms;
    FilesystemSampler sampler(fx.loop.get(), options, root.dir.path().string(), &fake_statvfs);

    // A 1 ms timer proves the loop keeps turning while a worker is stuck. How often it
    // fires depends on the machine's load (a late loop runs a repeating timer once, not
    // once per missed millisecond), so the test asks only that it ran: the timeout and the
    // ticker both came due while the worker stayed stuck.
    std::uint64_t ticks = 0;
    pcm::uv::Handle<uv_timer_t> ticker(uv_timer_init, fx.loop.get());
    ticker.get()->data = &ticks;
    uv_timer_start(
        ticker.get(), [](uv_timer_t* t) { ++*static_cast<std::uint64_t*>(t->data); }, 1, 1);

    set_hang("/srv/My Files", true);
    bool done = false;
    pcm::async::spawn(await_sample(sampler, done));
    fx.run_until([&] { return done; });
    CHECK(ticks >= 1);
    const FilesystemEntry* srv = find(sampler.reading(), "/srv/My Files");
    CHECK_FALSE(srv->has_space);
    CHECK(srv->error.view() == "statvfs did not answer within 60 ms");
    CHECK(find(sampler.reading(), "/")->has_space);
    CHECK(sampler.stuck() == 1);

    int calls_before = fake.calls;
    done = false;
    pcm::async::spawn(await_sample(sampler, done));
    fx.run_until([&] { return done; });
    srv = find(sampler.reading(), "/srv/My Files");
    CHECK(srv->error.view().find("has not returned") != std::string_view::npos);
    CHECK(fake.calls - calls_before == 3);  // the other three only

    set_hang("", false);
    fx.run_until([&] { return sampler.stuck() == 0; });
    done = false;
    pcm::async::spawn(await_sample(sampler, done));
    fx.run_until([&] { return done; });
    CHECK(find(sampler.reading(), "/srv/My Files")->has_space);
    ticker.close();
}

TEST_CASE("filesystem sampler: a second sample while one runs is refused") {
    Root root;
    LoopFixture fx;
    FilesystemSampler sampler(fx.loop.get(), {}, root.dir.path().string(), &fake_statvfs);
    auto first = sampler.sample();
    CHECK_THROWS_AS((void)sampler.sample(), pcm::async::invalid_operation);
    fx.run_until([&] { return first.is_completed(); });
    first.get();
}
