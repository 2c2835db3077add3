#pragma once
// A device, filesystem-type or mount-point pattern of the configuration.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pcm::sample {

/// A POSIX extended regular expression (the syntax of `grep -E`), compiled once by the C
/// library's regcomp and searched with regexec. The empty pattern matches nothing.
///
/// The C library's matcher rather than std::regex: it is already mapped in every process,
/// where std::regex and the std::locale machinery it needs add about 300 KiB of resident
/// code to a daemon whose patterns are matched once per new device or mount.
class Pattern {
public:
    Pattern() noexcept;

    /// Compiles `text`. Throws std::invalid_argument carrying `problem(text)` if invalid.
    explicit Pattern(const std::string& text);

    ~Pattern();
    Pattern(Pattern&&) noexcept;
    Pattern& operator=(Pattern&&) noexcept;

    /// Why `text` is not an acceptable pattern, or nothing if it is: a syntax error (the C
    /// library's message), an ECMAScript-only escape such as `\d` (which POSIX would read
    /// as a plain `d`), or repetition counts whose expansion would be huge.
    static std::optional<std::string> problem(const std::string& text);

    bool empty() const noexcept { return compiled_ == nullptr; }

    /// True if `text` contains a match; false for the empty pattern.
    bool search(const std::string& text) const noexcept;

private:
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

}  // namespace pcm::sample
