#pragma once
// /proc/diskstats: per block device I/O counters.
#include <pcm/sample/text.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// The kernel's counters for one device, in the order of Documentation/admin-guide/iostats.
/// Kernels before 4.18 print 11 of them, 4.18 adds 4 discard counters, 5.5 adds 2 flush
/// counters; absent ones stay 0 and `count` says how many came. Sectors are 512 bytes.
struct DiskCounters {
    enum Field : std::size_t {
        reads,
        reads_merged,
        sectors_read,
        read_ms,
        writes,
        writes_merged,
        sectors_written,
        write_ms,
        in_flight,
        io_ms,
        weighted_io_ms,
        discards,
        discards_merged,
        sectors_discarded,
        discard_ms,
        flushes,
        flush_ms,
    };
    static constexpr std::size_t max_fields = 17;
    std::array<std::uint64_t, max_fields> values{};
    std::size_t count = 0;

    std::uint64_t operator[](Field f) const noexcept { return values[f]; }
};

struct DiskLine {
    unsigned major = 0, minor = 0;
    std::string name;
    DiskCounters counters;
};

/// Parses /proc/diskstats into `out`, reusing its storage (no allocation once the same
/// devices come back). A line whose field count is not 14, 18 or 20 (or whose numbers are
/// not numbers) is skipped and reported in the returned status; the other devices are kept.
ParseStatus parse_diskstats(std::string_view text, std::vector<DiskLine>& out);

}  // namespace pcm::sample
