#pragma once
// What a sampler can be told: which devices, mounts and interfaces to report. The
// configuration holds these structs as they are, so each default is written here once.
#include <chrono>
#include <string>

namespace pcm::sample {

/// Which devices to report. A device is reported when it matches `include` and does
/// not match `exclude`; an empty pattern does not filter. The default `exclude` is
/// node_exporter 1.5's: RAM, loop and floppy devices, and partitions of sd/hd/vd/xvd and
/// NVMe disks (zram and other devices are reported).
struct DiskOptions {
    std::string include;
    std::string exclude = R"(^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme[0-9]+n[0-9]+p)[0-9]+$)";
    bool operator==(const DiskOptions&) const = default;
};

/// Which mounts to report (an empty pattern excludes nothing); the defaults leave out pseudo and container filesystems
/// as node_exporter does, plus the per-user and lock tmpfs mounts under /run.
struct FilesystemOptions {
    std::string fs_types_exclude =
        "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|"
        "nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$";
    std::string mount_points_exclude =
        "^/(dev|proc|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)|^/run/(lock|user|credentials)($|/)";
    std::chrono::milliseconds statfs_timeout{1000};
    bool operator==(const FilesystemOptions&) const = default;
};

/// Which network interfaces to report: as for disks, those matching `include` and not
/// `exclude`. By default every interface, loopback included, as node_exporter does.
struct NetworkOptions {
    std::string include;
    std::string exclude;
    bool operator==(const NetworkOptions&) const = default;
};

}  // namespace pcm::sample
