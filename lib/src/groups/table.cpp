#include "groups.hpp"

#include <pcm/sample/pressure.hpp>

namespace pcm::groups {
namespace {

// The group table: one row per group, in the order of monitor::Group.
constexpr const monitor::GroupKind* table[] = {&cpu_kind,     &memory_kind, &disk_kind,    &filesystem_kind,
                                               &network_kind, &kernel_kind, &textfile_kind};
static_assert(std::size(table) == monitor::all_groups.size(), "every group has one row");

}  // namespace

nlohmann::json pressure_json(const sample::Pressure& p) {
    if (!p.available) return nullptr;
    auto line = [](const sample::PressureLine& l) -> nlohmann::json {
        if (!l.present) return nullptr;
        return {{"avg10", l.avg10}, {"avg60", l.avg60}, {"avg300", l.avg300}, {"total_us", l.total_us}};
    };
    return {{"some", line(p.some)}, {"full", line(p.full)}};
}

}  // namespace pcm::groups

namespace pcm::monitor {

const GroupKind& kind(Group group) noexcept { return *groups::table[static_cast<std::size_t>(group)]; }

}  // namespace pcm::monitor
