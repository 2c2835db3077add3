#include <pcm/sample/cpu_reading.hpp>

#include <algorithm>

namespace pcm::sample {
namespace {

// A column's advance; a column that stepped back while the whole advanced counts as 0.
double advance(std::uint64_t before, std::uint64_t after) noexcept {
    return after >= before ? static_cast<double>(after - before) : 0.0;
}

}  // namespace

std::optional<CpuShare> cpu_share(const CpuTimes& before, const CpuTimes& after) noexcept {
    if (after.total() <= before.total()) return std::nullopt;
    double user = advance(before.user, after.user) + advance(before.nice, after.nice);
    double system =
        advance(before.system, after.system) + advance(before.irq, after.irq) + advance(before.softirq, after.softirq);
    double iowait = advance(before.iowait, after.iowait);
    double steal = advance(before.steal, after.steal);
    double idle = advance(before.idle, after.idle);
    double whole = user + system + iowait + steal + idle;
    if (whole <= 0) return std::nullopt;
    double scale = 100.0 / whole;
    CpuShare share{user * scale, system * scale, iowait * scale, steal * scale, idle * scale, 0};
    // The three shares can add up to a hair over 100 in floating point on a fully busy CPU.
    share.busy = std::min(100.0, share.user + share.system + share.steal);
    return share;
}

std::optional<double> counter_rate(std::uint64_t before, std::uint64_t after, double seconds) noexcept {
    if (seconds <= 0 || after < before) return std::nullopt;
    return static_cast<double>(after - before) / seconds;
}

void derive_cpu(const ProcStat& before, double seconds, CpuReading& out) {
    const ProcStat& now = out.stat;
    out.total = cpu_share(before.total, now.total);
    out.context_switches_per_s = counter_rate(before.ctxt, now.ctxt, seconds);
    out.interrupts_per_s = counter_rate(before.intr, now.intr, seconds);
    out.forks_per_s = counter_rate(before.processes, now.processes, seconds);

    // Both lists ascend by id: walk them together, matching ids.
    out.cpus.clear();
    auto prev = before.cpus.begin();
    for (const CpuLine& cpu : now.cpus) {
        while (prev != before.cpus.end() && prev->id < cpu.id) ++prev;
        CpuShareEntry entry{cpu.id, std::nullopt};
        if (prev != before.cpus.end() && prev->id == cpu.id) entry.share = cpu_share(prev->times, cpu.times);
        out.cpus.push_back(entry);
    }
}

}  // namespace pcm::sample
