#pragma once
// /proc/meminfo: every field the kernel prints, by name.
#include <pcm/sample/text.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pcm::sample {

/// One line. Values printed in kB are converted to bytes; unitless ones (HugePages_Total,
/// ...) are counts and kept as printed.
struct MemField {
    std::string name;
    std::uint64_t value = 0;
    bool bytes = false;  ///< true when the kernel printed "kB"
};

struct Meminfo {
    std::vector<MemField> fields;  ///< in the kernel's order

    /// The value of `name`, if the kernel printed it.
    std::optional<std::uint64_t> get(std::string_view name) const noexcept;
};

/// Parses /proc/meminfo text into `out`. Storage is reused: once the kernel prints the
/// same fields as last time, parsing allocates nothing. Fails on a line without ':', a
/// value that is not a number, a unit other than kB, or a file with no MemTotal.
ParseStatus parse_meminfo(std::string_view text, Meminfo& out);

}  // namespace pcm::sample
