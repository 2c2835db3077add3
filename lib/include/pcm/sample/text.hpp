#pragma once
// Small allocation-free helpers for the procfs parsers: splitting text into lines and
// whitespace-separated fields, and reading numbers.
#include <charconv>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pcm::sample {

/// Why a parse failed and on which line (1-based); a default value means success.
/// The reason is a string literal, so reporting an error never allocates.
struct ParseStatus {
    const char* error = nullptr;
    int line = 0;

    explicit operator bool() const noexcept { return error == nullptr; }
    static ParseStatus fail(const char* why, int line) noexcept { return {why, line}; }
};

/// Walks `text` one line at a time; the last line need not end with '\n'.
class LineReader {
public:
    explicit LineReader(std::string_view text) noexcept : rest_(text) {}

    /// The next line without its '\n'; false at the end.
    bool next(std::string_view& line) noexcept {
        if (rest_.empty()) return false;
        std::size_t end = rest_.find('\n');
        line = rest_.substr(0, end);
        rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end + 1);
        ++number_;
        return true;
    }
    int number() const noexcept { return number_; }
    /// True when the text did not end with '\n' (a read cut short, for instance).
    static bool ends_mid_line(std::string_view text) noexcept { return !text.empty() && text.back() != '\n'; }

private:
    std::string_view rest_;
    int number_ = 0;
};

/// Walks one line's fields separated by spaces or tabs.
class FieldReader {
public:
    explicit FieldReader(std::string_view line) noexcept : rest_(line) {}

    bool next(std::string_view& field) noexcept {
        skip_blanks();
        if (rest_.empty()) return false;
        std::size_t end = 0;
        while (end < rest_.size() && !is_blank(rest_[end])) ++end;
        field = rest_.substr(0, end);
        rest_.remove_prefix(end);
        return true;
    }
    /// Reads the next field as an unsigned number in one pass over its digits; false if
    /// the field is missing, has anything but digits, or overflows.
    template <class Unsigned>
    bool next_unsigned(Unsigned& out) noexcept {
        skip_blanks();
        std::size_t i = 0;
        Unsigned value = 0;
        for (; i < rest_.size() && !is_blank(rest_[i]); ++i) {
            unsigned digit = static_cast<unsigned char>(rest_[i]) - '0';
            if (digit > 9 || __builtin_mul_overflow(value, Unsigned{10}, &value) ||
                __builtin_add_overflow(value, static_cast<Unsigned>(digit), &value))
                return false;
        }
        rest_.remove_prefix(i);
        out = value;
        return i > 0;
    }

    /// Everything not yet read, leading blanks removed.
    std::string_view rest() noexcept {
        skip_blanks();
        return rest_;
    }

private:
    // A character loop: std::string_view::find_first_of calls memchr once per character.
    static bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
    void skip_blanks() noexcept {
        std::size_t start = 0;
        while (start < rest_.size() && is_blank(rest_[start])) ++start;
        rest_.remove_prefix(start);
    }

    std::string_view rest_;
};

/// True if `a` and `b` are equal, ignoring ASCII case.
inline bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

/// True for a line of nothing but blanks.
inline bool is_blank_line(std::string_view line) noexcept { return FieldReader(line).rest().empty(); }

/// Calls `body(line)` for each non-blank line of `text` after the first `header_lines`
/// lines; the first line it refuses (returns false for) is reported as `why`.
template <class Body>
ParseStatus for_each_line(std::string_view text, Body body, const char* why, int header_lines = 0) {
    ParseStatus status;
    LineReader lines(text);
    std::string_view line;
    while (lines.next(line))
        if (lines.number() > header_lines && !is_blank_line(line) && !body(line) && status)
            status = ParseStatus::fail(why, lines.number());
    return status;
}

/// Parses each non-blank line of `text` (after `header_lines`) into an element of `out`
/// with `parse_line(line, element)`, reusing the elements already there (no allocation
/// once the same lines come back). A line it refuses is skipped; the first such line is
/// reported as `why`.
template <class Element, class ParseLine>
ParseStatus parse_lines_into(std::string_view text, std::vector<Element>& out, ParseLine parse_line, const char* why,
                             int header_lines = 0) {
    std::size_t count = 0;
    ParseStatus status = for_each_line(
        text,
        [&](std::string_view line) {
            if (count == out.size()) out.emplace_back();
            if (!parse_line(line, out[count])) return false;
            ++count;
            return true;
        },
        why, header_lines);
    out.resize(count);
    return status;
}

/// Parses the whole of `text` as a number; false on anything else (sign, junk, overflow).
template <class Number>
bool parse_number(std::string_view text, Number& out) noexcept {
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

/// Reads the next field of `fields` as a number.
template <class Number>
bool next_number(FieldReader& fields, Number& out) noexcept {
    if constexpr (std::is_unsigned_v<Number>) return fields.next_unsigned(out);
    std::string_view field;
    return fields.next(field) && parse_number(field, out);
}

}  // namespace pcm::sample
