// libFuzzer target: any bytes through every parser of files the daemon reads (procfs,
// sysfs, udev, os-release, textfiles), into structs reused across runs
// (as the samplers reuse them), and through the derivations that follow parsing.
#include <pcm/sample/conntrack_stat.hpp>
#include <pcm/sample/cpu_reading.hpp>
#include <pcm/sample/disk_reading.hpp>
#include <pcm/sample/diskstats.hpp>
#include <pcm/sample/file_nr.hpp>
#include <pcm/sample/loadavg.hpp>
#include <pcm/sample/memory_reading.hpp>
#include <pcm/sample/mountinfo.hpp>
#include <pcm/sample/net_class.hpp>
#include <pcm/sample/net_dev.hpp>
#include <pcm/sample/net_snmp.hpp>
#include <pcm/sample/net_tables.hpp>
#include <pcm/sample/network_reading.hpp>
#include <pcm/sample/os_release.hpp>
#include <pcm/sample/pressure.hpp>
#include <pcm/sample/proc_stat.hpp>
#include <pcm/sample/process_stat.hpp>
#include <pcm/sample/prometheus_text.hpp>
#include <pcm/sample/softnet_stat.hpp>
#include <pcm/sample/udev_properties.hpp>
#include <pcm/sample/uptime.hpp>
#include <pcm/sample/vmstat.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

using namespace pcm::sample;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static ProcStat previous, stat;
    static Meminfo meminfo;
    static std::vector<DiskLine> disks, previous_disks;
    static std::vector<MountEntry> mounts;
    static std::vector<NetDevLine> interfaces, previous_interfaces;
    static std::vector<ProtocolValue> protocol_values;
    static std::vector<NamedValue> named_values;
    static std::vector<SoftnetLine> softnet;
    FileNr file_nr;
    UdpQueues udp;
    static std::vector<NamedValue> arp;
    LoadAvg load;
    Uptime up;
    Pressure pressure;
    ProcessStat process;
    static ConntrackStat conntrack;
    static OsRelease os;
    static UdevProperties udev;
    static std::vector<TextFamily> textfile;

    if (parse_proc_stat(text, stat)) {
        CpuReading reading;
        reading.stat = stat;
        derive_cpu(previous, 1.0, reading);
        if (reading.total && !(reading.total->busy >= 0 && reading.total->busy <= 100.0001)) __builtin_trap();
        previous = stat;
    }
    if (parse_meminfo(text, meminfo)) {
        MemorySummary s = summarize(meminfo);
        if (s.used > s.total) __builtin_trap();
    }
    parse_diskstats(text, disks);
    for (std::size_t i = 0; i < disks.size() && i < previous_disks.size(); ++i)
        if (auto r = disk_rates(previous_disks[i].counters, disks[i].counters, 1.0))
            if (r->utilization_percent < 0 || r->utilization_percent > 100 || r->read_bytes_per_s < 0) __builtin_trap();
    previous_disks = disks;
    parse_mountinfo(text, mounts);
    parse_net_dev(text, interfaces);
    for (std::size_t i = 0; i < interfaces.size() && i < previous_interfaces.size(); ++i)
        if (auto r = network_rates(previous_interfaces[i].counters, interfaces[i].counters, 1.0))
            if (r->receive_bytes_per_s < 0 || r->errors_per_s < 0 || r->drops_per_s < 0) __builtin_trap();
    previous_interfaces = interfaces;
    if (auto value = parse_sysfs_integer(text); value && sysfs_text(text).empty()) __builtin_trap();
    parse_net_snmp(text, protocol_values);
    parse_net_snmp6(text, protocol_values);
    parse_sockstat(text, protocol_values);
    parse_vmstat(text, named_values);
    parse_softnet_stat(text, softnet);
    parse_file_nr(text, file_nr);
    parse_arp(text, arp);
    parse_udp_queues(text, udp);
    parse_loadavg(text, load);
    parse_uptime(text, up);
    parse_pressure(text, pressure);
    parse_process_stat(text, process);
    parse_conntrack_stat(text, conntrack);
    parse_os_release(text, os);
    if (os_version_number(os.value("VERSION_ID")) < 0) __builtin_trap();
    parse_udev_properties(text, udev);
    if (!parse_prometheus_text(text, textfile) && !textfile.empty()) __builtin_trap();  // refused as a whole
    return 0;
}
