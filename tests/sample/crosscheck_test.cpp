// Readings of this machine against the tools administrators already trust: free, df,
// nproc. Live values move between two reads, so moving ones are retried for an exact
// match and otherwise compared within a small tolerance; fixed ones must match exactly.
#include "../async/loop_fixture.hpp"
#include "fixture.hpp"

#include <pcm/async/task.hpp>
#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/sample/filesystem_sampler.hpp>
#include <pcm/sample/memory_sampler.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>

using namespace pcm::sample;
using pcm::test::run_command;

namespace {

// `free -b`'s Mem: row: total used free shared buff/cache available
std::map<std::string, std::uint64_t> free_bytes() {
    std::istringstream out(run_command("free -b"));
    std::string line;
    std::getline(out, line);
    std::getline(out, line);
    std::istringstream row(line);
    std::string label;
    std::uint64_t total, used, free, shared, cache, available;
    row >> label >> total >> used >> free >> shared >> cache >> available;
    return {{"total", total}, {"available", available}};
}

struct DfRow {
    std::uint64_t size = 0, available = 0;
};

// `df -B1 --output=size,avail,target`, by mount point (mount points may contain spaces).
std::map<std::string, DfRow> df_bytes() {
    std::istringstream out(run_command("df -B1 --output=size,avail,target 2>/dev/null"));
    std::map<std::string, DfRow> rows;
    std::string line;
    std::getline(out, line);  // header
    while (std::getline(out, line)) {
        std::istringstream row(line);
        DfRow r;
        row >> r.size >> r.available;
        std::string target;
        std::getline(row >> std::ws, target);
        rows[target] = r;
    }
    return rows;
}

bool close(std::uint64_t a, std::uint64_t b, double tolerance) {
    return std::fabs(static_cast<double>(a) - static_cast<double>(b)) <=
           tolerance * static_cast<double>(std::max(a, b));
}

pcm::async::Task<void> sample(FilesystemSampler& sampler, bool& done) {
    co_await sampler.sample();
    done = true;
}

}  // namespace

TEST_CASE("memory: MemTotal and MemAvailable agree with free -b") {
    MemorySampler sampler;
    bool exact = false;
    MemorySummary s;
    std::map<std::string, std::uint64_t> free;
    for (int attempt = 0; attempt < 5 && !exact; ++attempt) {
        s = sampler.sample().summary;
        free = free_bytes();
        CHECK(s.total == free["total"]);
        exact = s.available == free["available"];
    }
    if (!exact) CHECK(close(s.available, free["available"], 0.01));
    MESSAGE("MemAvailable ", s.available, " vs free ", free["available"],
            std::string(exact ? " (exact)" : " (within 1%)"));
}

TEST_CASE("filesystems: size and available agree with df -B1 for the same mounts") {
    pcm::test::LoopFixture fx;
    FilesystemSampler sampler(fx.loop.get());
    bool done = false;
    pcm::async::spawn(sample(sampler, done));
    fx.run_until([&] { return done; });
    auto df = df_bytes();
    int compared = 0;
    for (const FilesystemEntry& e : sampler.reading().filesystems) {
        auto row = df.find(e.mount.mount_point);
        if (row == df.end() || !e.has_space) continue;
        INFO("mount point: ", e.mount.mount_point);
        CHECK(e.space.size == row->second.size);
        // Other tests write files meanwhile: available may move by a little.
        CHECK(close(e.space.available, row->second.available, 0.001));
        ++compared;
    }
    CHECK(compared > 0);
    CHECK(df.count("/") == 1);
}

TEST_CASE("cpu: one line per online CPU, as nproc counts them") {
    CpuSampler sampler;
    const CpuReading& r = sampler.sample();
    long online = std::stol(run_command("getconf _NPROCESSORS_ONLN"));
    long installed = std::stol(run_command("nproc --all"));
    CHECK(static_cast<long>(r.stat.cpus.size()) == online);
    CHECK(static_cast<long>(r.stat.cpus.size()) <= installed);
}
