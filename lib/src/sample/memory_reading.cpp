#include <pcm/sample/memory_reading.hpp>

namespace pcm::sample {
namespace {
double percent(std::uint64_t part, std::uint64_t whole) noexcept {
    return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}
}  // namespace

MemorySummary summarize(const Meminfo& m) noexcept {
    MemorySummary s;
    s.total = m.get("MemTotal").value_or(0);
    s.free = m.get("MemFree").value_or(0);
    s.buffers = m.get("Buffers").value_or(0);
    s.cached = m.get("Cached").value_or(0);
    s.shmem = m.get("Shmem").value_or(0);
    s.sreclaimable = m.get("SReclaimable").value_or(0);
    s.dirty = m.get("Dirty").value_or(0);
    s.swap_total = m.get("SwapTotal").value_or(0);
    s.swap_free = m.get("SwapFree").value_or(0);
    s.available = m.get("MemAvailable").value_or(s.free + s.buffers + s.cached);
    if (s.available > s.total) s.available = s.total;
    s.used = s.total - s.available;
    s.swap_used = s.swap_total > s.swap_free ? s.swap_total - s.swap_free : 0;
    s.used_percent = percent(s.used, s.total);
    s.swap_used_percent = percent(s.swap_used, s.swap_total);
    return s;
}

}  // namespace pcm::sample
