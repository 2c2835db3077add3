#pragma once
// Takes filesystem readings: the mount table from procfs, sizes from statvfs run off the
// loop thread with a timeout.
#include <pcm/async/manual_reset_source.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/sample/filesystem_reading.hpp>
#include <pcm/sample/proc_file.hpp>
#include <pcm/sample/sampler_options.hpp>
#include <pcm/uv/handle.hpp>

#include <chrono>
#include <memory>
#include <pcm/sample/pattern.hpp>
#include <string>
#include <utility>
#include <vector>

namespace pcm::sample {

/// The statvfs call, replaceable so that tests can make it hang.
using StatvfsFunction = int (*)(const char* path, struct statvfs* out);

/// Samples filesystems on a libuv loop. Each sample reads /proc/self/mountinfo (under
/// `proc_root`), keeps the mounts the options let through (one per path: the topmost;
/// one per device: the one mounted at the filesystem's root, else the shortest path; as
/// df does), and asks
/// statvfs for each on libuv's thread pool. Whatever has not answered when the timeout
/// passes is reported as an error for that filesystem; a mount whose statvfs is still
/// stuck from an earlier sample is not asked again until it returns, so a hung network
/// mount holds at most one worker thread and never stalls the loop.
///
/// Use on the loop's thread only.
class FilesystemSampler {
public:
    /// Throws std::invalid_argument for an invalid pattern.
    FilesystemSampler(uv_loop_t* loop, FilesystemOptions options = {}, const std::string& proc_root = "/proc",
                      StatvfsFunction statvfs_function = &::statvfs);
    ~FilesystemSampler();
    FilesystemSampler(const FilesystemSampler&) = delete;
    FilesystemSampler& operator=(const FilesystemSampler&) = delete;

    /// Starts a sample; the task completes when every filesystem answered or timed out.
    /// Throws async::invalid_operation while the previous sample is still running.
    async::ValueTask<void> sample();

    const FilesystemReading& reading() const noexcept { return reading_; }

    /// New options and procfs root from the next sample on. Throws std::invalid_argument for
    /// an invalid pattern, and async::invalid_operation during a sample (changing nothing).
    void reconfigure(FilesystemOptions options, const std::string& proc_root);

    /// statvfs calls that have not returned yet (hung, or just slow).
    std::size_t stuck() const noexcept;

private:
    struct Probe;

    bool wanted(const MountEntry& mount);
    void select_mounts();
    void ask(FilesystemEntry& entry, std::size_t index);
    void answered(Probe& probe);
    void finish();
    static void on_timeout(uv_timer_t* timer);

    uv_loop_t* loop_;
    FilesystemOptions options_;
    Pattern fs_types_exclude_, mount_points_exclude_;
    StatvfsFunction statvfs_;
    ProcFile mountinfo_;
    std::vector<MountEntry> mounts_;
    std::vector<std::pair<std::string, bool>> decisions_;  // "fstype mountpoint" -> wanted
    std::vector<std::unique_ptr<Probe>> probes_;
    FilesystemReading reading_;
    std::uint64_t generation_ = 0;
    std::size_t waiting_ = 0;
    bool running_ = false;
    uv::Handle<uv_timer_t> timer_;
    async::ManualResetSource<void> done_;
};

}  // namespace pcm::sample
