#include <pcm/sample/filesystem_sampler.hpp>

#include "load.hpp"

#include <pcm/async/errors.hpp>

#include <algorithm>

namespace pcm::sample {

// One statvfs request for one mount point, reused from sample to sample. While the
// thread pool holds it (`in_flight`) nothing here may change it; if the sampler goes
// away meanwhile, the request is orphaned and frees itself when it returns.
struct FilesystemSampler::Probe {
    uv_work_t work{};
    FilesystemSampler* owner = nullptr;
    StatvfsFunction statvfs_function = nullptr;
    std::string path;
    struct statvfs result {};
    int error = 0;
    bool in_flight = false;
    bool used = false;  // asked for, or still in flight, during the current sample
    std::uint64_t generation = 0;
    std::size_t index = 0;
    std::int64_t started_ns = 0;

    static void run(uv_work_t* work) {
        auto* probe = static_cast<Probe*>(work->data);
        probe->error = probe->statvfs_function(probe->path.c_str(), &probe->result) == 0 ? 0 : errno;
    }
    static void returned(uv_work_t* work, int status) {
        auto* probe = static_cast<Probe*>(work->data);
        probe->in_flight = false;
        if (status == UV_ECANCELED) probe->error = ECANCELED;
        if (probe->owner == nullptr) {
            std::unique_ptr<Probe> orphan(probe);
            return;
        }
        probe->owner->answered(*probe);
    }
};

FilesystemSampler::FilesystemSampler(uv_loop_t* loop, FilesystemOptions options, const std::string& proc_root,
                                     StatvfsFunction statvfs_function)
    : loop_(loop),
      options_(std::move(options)),
      fs_types_exclude_(options_.fs_types_exclude),
      mount_points_exclude_(options_.mount_points_exclude),
      statvfs_(statvfs_function),
      mountinfo_(proc_root + "/self/mountinfo"),
      timer_(uv_timer_init, loop) {
    timer_.get()->data = this;
}

FilesystemSampler::~FilesystemSampler() {
    for (auto& probe : probes_) {
        if (!probe->in_flight) continue;
        uv_cancel(reinterpret_cast<uv_req_t*>(&probe->work));  // fails harmlessly once started
        probe->owner = nullptr;
        static_cast<void>(probe.release());  // Probe::returned frees it
    }
}

void FilesystemSampler::reconfigure(FilesystemOptions options, const std::string& proc_root) {
    if (running_) throw async::invalid_operation("FilesystemSampler::reconfigure during a sample");
    Pattern types(options.fs_types_exclude), mounts(options.mount_points_exclude);
    fs_types_exclude_ = std::move(types);
    mount_points_exclude_ = std::move(mounts);
    options_ = std::move(options);
    decisions_.clear();
    mountinfo_ = ProcFile(proc_root + "/self/mountinfo");
}

std::size_t FilesystemSampler::stuck() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(probes_.begin(), probes_.end(), [](const auto& p) { return p->in_flight; }));
}

bool FilesystemSampler::wanted(const MountEntry& mount) {
    for (const auto& [key, verdict] : decisions_)
        if (key.size() == mount.fstype.size() + 1 + mount.mount_point.size() && key.starts_with(mount.fstype) &&
            key[mount.fstype.size()] == ' ' && key.ends_with(mount.mount_point))
            return verdict;
    bool verdict = !fs_types_exclude_.search(mount.fstype) && !mount_points_exclude_.search(mount.mount_point);
    if (decisions_.size() >= 4096) decisions_.clear();  // bounded, like the disk sampler's
    decisions_.emplace_back(mount.fstype + ' ' + mount.mount_point, verdict);
    return verdict;
}

void FilesystemSampler::select_mounts() {
    auto& chosen = reading_.filesystems;
    std::size_t count = 0;
    for (const MountEntry& mount : mounts_) {
        if (!wanted(mount)) continue;
        // A mount stacked on the same path hides the one below it: keep the later one.
        auto same_path = std::find_if(chosen.begin(), chosen.begin() + static_cast<long>(count),
                                      [&](const auto& e) { return e.mount.mount_point == mount.mount_point; });
        if (same_path != chosen.begin() + static_cast<long>(count)) {
            same_path->mount = mount;
            continue;
        }
        auto same_device = std::find_if(chosen.begin(), chosen.begin() + static_cast<long>(count), [&](const auto& e) {
            return e.mount.major == mount.major && e.mount.minor == mount.minor;
        });
        if (same_device != chosen.begin() + static_cast<long>(count)) {
            const MountEntry& kept = same_device->mount;
            bool mount_is_root = mount.root == "/", kept_is_root = kept.root == "/";
            if ((mount_is_root && !kept_is_root) ||
                (mount_is_root == kept_is_root && mount.mount_point.size() < kept.mount_point.size()))
                same_device->mount = mount;
            continue;
        }
        if (count == chosen.size()) chosen.emplace_back();
        chosen[count++].mount = mount;
    }
    chosen.resize(count);
}

async::ValueTask<void> FilesystemSampler::sample() {
    if (running_) throw async::invalid_operation("FilesystemSampler::sample: the previous sample is still running");
    running_ = true;
    ++generation_;
    detail::begin(reading_.header);
    done_.core().reset();
    for (auto& probe : probes_) probe->used = probe->in_flight;

    if (detail::load(mountinfo_, &parse_mountinfo, mounts_, reading_.header.error) == detail::Loaded::unreadable)
        mounts_.clear();
    select_mounts();

    waiting_ = 0;
    for (std::size_t i = 0; i < reading_.filesystems.size(); ++i) ask(reading_.filesystems[i], i);
    if (waiting_ == 0) finish();
    else uv_timer_start(timer_.get(), &on_timeout, static_cast<std::uint64_t>(options_.statfs_timeout.count()), 0);
    return done_.task();
}

void FilesystemSampler::ask(FilesystemEntry& entry, std::size_t index) {
    entry.has_space = false;
    entry.error.clear();
    auto found =
        std::find_if(probes_.begin(), probes_.end(), [&](const auto& p) { return p->path == entry.mount.mount_point; });
    Probe* probe = found != probes_.end() ? found->get() : nullptr;
    if (probe != nullptr && probe->in_flight) {
        entry.error.set("statvfs has not returned for %.1f s (hung mount?)",
                        static_cast<double>(reading_.header.taken.mono_ns - probe->started_ns) / 1e9);
        return;
    }
    if (probe == nullptr) {
        probe = probes_.emplace_back(std::make_unique<Probe>()).get();
        probe->owner = this;
        probe->statvfs_function = statvfs_;
        probe->work.data = probe;
        probe->path = entry.mount.mount_point;
    }
    probe->used = true;
    probe->generation = generation_;
    probe->index = index;
    probe->started_ns = reading_.header.taken.mono_ns;
    probe->in_flight = true;
    if (int rc = uv_queue_work(loop_, &probe->work, &Probe::run, &Probe::returned); rc != 0) {
        probe->in_flight = false;
        entry.error.set("cannot queue statvfs: %s", uv_strerror(rc));
        return;
    }
    ++waiting_;
}

void FilesystemSampler::answered(Probe& probe) {
    if (!running_ || probe.generation != generation_) return;  // late: its entry already timed out
    FilesystemEntry& entry = reading_.filesystems[probe.index];
    if (probe.error != 0) {
        entry.error.set("statvfs: %s", std::strerror(probe.error));
    } else {
        entry.space = space_from(probe.result);
        entry.has_space = true;
    }
    if (--waiting_ == 0) finish();
}

void FilesystemSampler::on_timeout(uv_timer_t* timer) {
    auto* self = static_cast<FilesystemSampler*>(timer->data);
    for (FilesystemEntry& entry : self->reading_.filesystems)
        if (!entry.has_space && entry.error.empty())
            entry.error.set("statvfs did not answer within %lld ms",
                            static_cast<long long>(self->options_.statfs_timeout.count()));
    self->finish();
}

void FilesystemSampler::finish() {
    uv_timer_stop(timer_.get());
    running_ = false;
    waiting_ = 0;
    std::erase_if(probes_, [](const auto& p) { return !p->used; });  // mounts that went away
    done_.core().set_result({});
}

}  // namespace pcm::sample
