#pragma once
// What the group files share: their rows of the group table, and JSON pieces more than
// one of them writes.
#include <pcm/metrics/group_exposition.hpp>
#include <pcm/monitor/group_sampler.hpp>
#include <pcm/sample/pressure.hpp>

#include <limits>
#include <optional>

namespace pcm::groups {

extern const monitor::GroupKind cpu_kind;
extern const monitor::GroupKind memory_kind;
extern const monitor::GroupKind disk_kind;
extern const monitor::GroupKind filesystem_kind;
extern const monitor::GroupKind network_kind;
extern const monitor::GroupKind kernel_kind;
extern const monitor::GroupKind textfile_kind;

/// A figure a reading does not have (yet).
inline constexpr double none = std::numeric_limits<double>::quiet_NaN();

template <class T>
nlohmann::json optional_json(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

/// {"some": {...}, "full": {...}}, or null where the kernel has no pressure file.
nlohmann::json pressure_json(const sample::Pressure& pressure);

/// Makes a group of type `G` from the configuration (the loop is for groups that need it).
template <class G>
std::unique_ptr<monitor::GroupSampler> make(uv_loop_t* loop, const config::Config& config) {
    if constexpr (std::is_constructible_v<G, uv_loop_t*, const config::Config&>)
        return std::make_unique<G>(loop, config);
    else return std::make_unique<G>(config);
}

}  // namespace pcm::groups
