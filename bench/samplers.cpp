// CPU time per sample of each group, and of all together, next to two floors that
// do nothing but get the same bytes: open/read/close of the same files, and pread on
// files kept open (what the samplers do). The filesystem floor adds a plain statvfs
// per reported mount on the calling thread.
#include "harness.hpp"

#include <pcm/sample/cpu_sampler.hpp>
#include <pcm/sample/disk_sampler.hpp>
#include <pcm/sample/filesystem_sampler.hpp>
#include <pcm/sample/kernel_sampler.hpp>
#include <pcm/sample/memory_sampler.hpp>
#include <pcm/sample/network_sampler.hpp>
#include <pcm/uv/loop.hpp>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace bench = pcm::bench;
using namespace pcm::sample;

namespace {

char buffer[1 << 16];

void open_read_close(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        while (::read(fd, buffer, sizeof buffer) > 0) {}
        ::close(fd);
    }
}

struct KeptOpen {
    std::vector<int> fds;
    explicit KeptOpen(const std::vector<std::string>& paths) {
        for (const std::string& path : paths) fds.push_back(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    }
    ~KeptOpen() {
        for (int fd : fds)
            if (fd >= 0) ::close(fd);
    }
    void read_all() const {
        for (int fd : fds) {
            if (fd >= 0) ::pread(fd, buffer, sizeof buffer, 0);  // a short read is the whole file
        }
    }
};

void statvfs_all(const std::vector<std::string>& mount_points) {
    struct statvfs st;
    for (const std::string& m : mount_points) ::statvfs(m.c_str(), &st);
}

struct Group {
    std::string name;
    std::vector<std::string> files;
    bool statvfs = false;
};

std::string ratio(const bench::Row& row, const bench::Row& floor) {
    char text[48];
    std::snprintf(text, sizeof text, "%.2fx the pread floor (cpu)", row.cpu_ns_per_op / floor.cpu_ns_per_op);
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    bench::Options options = bench::parse_options(argc, argv, "[--json] [--repetitions N] [--scale X]");
    pcm::uv::Loop loop;
    CpuSampler cpu;
    MemorySampler memory;
    DiskSampler disk;
    FilesystemSampler filesystems(loop.get());
    NetworkSampler network;
    KernelSampler kernel;

    auto sample_filesystems = [&] {
        pcm::async::ValueTask<void> task = filesystems.sample();
        while (!task.is_completed()) uv_run(loop.get(), UV_RUN_ONCE);
        task.get();
    };
    sample_filesystems();
    std::vector<std::string> mount_points;
    for (const FilesystemEntry& e : filesystems.reading().filesystems) mount_points.push_back(e.mount.mount_point);

    // What a steady network sample reads: /proc/net/dev and each interface's state.
    std::vector<std::string> network_files = {"/proc/net/dev"};
    for (const auto& interface : std::filesystem::directory_iterator("/sys/class/net"))
        for (const char* file : {"operstate", "carrier", "carrier_changes", "statistics/rx_nohandler"})
            network_files.push_back(interface.path().string() + "/" + file);
    const std::vector<Group> groups = {
        {"cpu", {"/proc/stat", "/proc/loadavg", "/proc/uptime", "/proc/pressure/cpu"}},
        {"memory", {"/proc/meminfo", "/proc/vmstat", "/proc/pressure/memory"}},
        {"disk", {"/proc/diskstats", "/proc/pressure/io"}},
        {"filesystem", {"/proc/self/mountinfo"}, true},
        {"network", network_files},
        {"kernel",
         {"/proc/net/snmp", "/proc/net/netstat", "/proc/net/snmp6", "/proc/net/sockstat", "/proc/net/sockstat6",
          "/proc/net/softnet_stat", "/proc/net/arp", "/proc/net/udp", "/proc/net/udp6",
          "/proc/sys/net/netfilter/nf_conntrack_count", "/proc/sys/net/netfilter/nf_conntrack_max",
          "/proc/net/stat/nf_conntrack", "/proc/sys/fs/file-nr", "/proc/sys/kernel/random/entropy_avail",
          "/proc/sys/kernel/random/poolsize", "/sys/devices/system/clocksource/clocksource0/current_clocksource",
          "/sys/devices/system/clocksource/clocksource0/available_clocksource", "/etc/os-release"}},
    };
    auto sample_group = [&](const std::string& name) {
        if (name == "cpu") cpu.sample();
        if (name == "memory") memory.sample();
        if (name == "disk") disk.sample();
        if (name == "filesystem") sample_filesystems();
        if (name == "network") network.sample();
        if (name == "kernel") kernel.sample();
    };

    std::vector<bench::Row> rows;
    const std::uint64_t ops = 20'000;
    std::vector<std::string> all_files;
    for (const Group& g : groups) {
        all_files.insert(all_files.end(), g.files.begin(), g.files.end());
        KeptOpen kept(g.files);
        rows.push_back(bench::measure(options, g.name,
                                      "floor: open/read/close" + std::string(g.statvfs ? " + statvfs" : ""), ops,
                                      [&](std::uint64_t n) {
                                          for (std::uint64_t i = 0; i < n; ++i) {
                                              open_read_close(g.files);
                                              if (g.statvfs) statvfs_all(mount_points);
                                          }
                                      }));
        bench::Row floor =
            bench::measure(options, g.name, "floor: pread, kept open" + std::string(g.statvfs ? " + statvfs" : ""), ops,
                           [&](std::uint64_t n) {
                               for (std::uint64_t i = 0; i < n; ++i) {
                                   kept.read_all();
                                   if (g.statvfs) statvfs_all(mount_points);
                               }
                           });
        rows.push_back(floor);
        bench::Row sampler = bench::measure(options, g.name, "sampler", ops, [&](std::uint64_t n) {
            for (std::uint64_t i = 0; i < n; ++i) sample_group(g.name);
        });
        sampler.note = ratio(sampler, floor);
        rows.push_back(sampler);
    }

    KeptOpen kept(all_files);
    rows.push_back(bench::measure(options, "all groups", "floor: open/read/close + statvfs", ops, [&](std::uint64_t n) {
        for (std::uint64_t i = 0; i < n; ++i) {
            open_read_close(all_files);
            statvfs_all(mount_points);
        }
    }));
    bench::Row floor =
        bench::measure(options, "all groups", "floor: pread, kept open + statvfs", ops, [&](std::uint64_t n) {
            for (std::uint64_t i = 0; i < n; ++i) {
                kept.read_all();
                statvfs_all(mount_points);
            }
        });
    rows.push_back(floor);
    bench::Row all = bench::measure(options, "all groups", "samplers", ops, [&](std::uint64_t n) {
        for (std::uint64_t i = 0; i < n; ++i)
            for (const Group& g : groups) sample_group(g.name);
    });
    all.note = ratio(all, floor);
    rows.push_back(all);
    bench::print(options, rows);
}
