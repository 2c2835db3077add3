#pragma once
// What every reading carries besides its figures: when it was taken, which one it is,
// the interval its rates cover, and what went wrong, if anything.
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace pcm::sample {

/// Both clocks, read together. Monotonic for intervals, wall-clock for people.
struct Timestamp {
    std::int64_t mono_ns = 0;
    std::int64_t wall_ns = 0;
    static Timestamp now() noexcept;
};

/// An error message in fixed storage, so that a group failing on every tick never
/// allocates. Longer messages are cut.
class ErrorText {
public:
    bool empty() const noexcept { return text_[0] == '\0'; }
    const char* c_str() const noexcept { return text_; }
    std::string_view view() const noexcept { return text_; }
    void clear() noexcept { text_[0] = '\0'; }
    /// Replaces the message (printf-style).
    [[gnu::format(printf, 2, 3)]] void set(const char* format, ...) noexcept {
        va_list args;
        va_start(args, format);
        std::vsnprintf(text_, sizeof text_, format, args);
        va_end(args);
    }

private:
    char text_[192] = {};
};

struct ReadingHeader {
    std::uint64_t sequence = 0;  ///< 1 for the group's first sample, then +1 per sample
    Timestamp taken;
    double interval_s = 0;  ///< measured time since the snapshot the rates compare to; 0: no rates
    ErrorText error;        ///< empty when the sample went well
};

}  // namespace pcm::sample
