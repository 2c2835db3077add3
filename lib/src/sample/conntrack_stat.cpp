#include <pcm/sample/conntrack_stat.hpp>

#include <charconv>

namespace pcm::sample {
namespace {

constexpr std::size_t max_columns = 32;
constexpr std::size_t unused = max_columns;

bool parse_hex(std::string_view field, std::uint64_t& out) noexcept {
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out, 16);
    return ec == std::errc() && end == field.data() + field.size();
}

}  // namespace

ParseStatus parse_conntrack_stat(std::string_view text, ConntrackStat& out) noexcept {
    out = {};
    LineReader lines(text);
    std::string_view header;
    if (!lines.next(header)) return ParseStatus::fail("no header line", 1);

    // Which of our fields each column is (unused: none).
    std::array<std::size_t, max_columns> field_of{};
    std::size_t columns = 0;
    FieldReader names(header);
    for (std::string_view name; names.next(name);) {
        if (columns == max_columns) return ParseStatus::fail("more columns than any kernel prints", 1);
        field_of[columns] = unused;
        for (std::size_t f = 0; f < conntrack_stat_fields.size(); ++f)
            if (name == conntrack_stat_fields[f]) field_of[columns] = f;
        ++columns;
    }
    if (columns == 0) return ParseStatus::fail("no header line", 1);

    ConntrackStat sums;
    for (std::size_t c = 0; c < columns; ++c)
        if (field_of[c] != unused) sums.sums[field_of[c]] = 0;
    ParseStatus status;
    for (std::string_view line; lines.next(line);) {
        if (is_blank_line(line)) continue;
        std::array<std::uint64_t, max_columns> values{};
        FieldReader fields(line);
        std::size_t count = 0;
        bool good = true;
        for (std::string_view field; good && fields.next(field); ++count)
            good = count < columns && parse_hex(field, values[count]);
        if (!good || count != columns) {
            if (status) status = ParseStatus::fail("expected one hexadecimal number per header column", lines.number());
            continue;
        }
        for (std::size_t c = 0; c < columns; ++c)
            if (field_of[c] != unused) *sums.sums[field_of[c]] += values[c];
    }
    out = sums;
    return status;
}

}  // namespace pcm::sample
