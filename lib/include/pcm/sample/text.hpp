#pragma once
// Small allocation-free helpers for the procfs parsers: splitting text into lines and
// whitespace-separated fields, and reading numbers.
#include <charconv>
#include <cstdint>
#include <string_view>

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
        std::size_t start = rest_.find_first_not_of(" \t");
        if (start == std::string_view::npos) return false;
        rest_.remove_prefix(start);
        std::size_t end = rest_.find_first_of(" \t");
        field = rest_.substr(0, end);
        rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end);
        return true;
    }
    /// Everything not yet read, leading blanks removed.
    std::string_view rest() const noexcept {
        std::size_t start = rest_.find_first_not_of(" \t");
        return start == std::string_view::npos ? std::string_view{} : rest_.substr(start);
    }

private:
    std::string_view rest_;
};

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
    std::string_view field;
    return fields.next(field) && parse_number(field, out);
}

}  // namespace pcm::sample
