#pragma once
// Private to the samplers: read a procfs file, parse it, and report a failure once.
#include <pcm/sample/pressure.hpp>
#include <pcm/sample/proc_file.hpp>
#include <pcm/sample/reading.hpp>
#include <pcm/sample/text.hpp>

#include <cerrno>
#include <cstring>

namespace pcm::sample::detail {

enum class Loaded { ok, unreadable, malformed };

/// Parses `text` read from `file` into `out`; records a failure as `load` does.
template <class Out>
Loaded parse_into(const ProcFile& file, std::string_view text, ParseStatus (*parse)(std::string_view, Out&), Out& out,
                  ErrorText& error) {
    if (ParseStatus status = parse(text, out); !status) {
        if (error.empty()) error.set("%s line %d: %s", file.path().c_str(), status.line, status.error);
        return Loaded::malformed;
    }
    return Loaded::ok;
}

/// Reads `file` and parses it into `out`. On failure, records the first error of the
/// sample in `error` (later ones are dropped: the first usually explains the rest).
/// `malformed` may still have left usable data in `out` (parsers skip bad lines).
template <class Out>
Loaded load(ProcFile& file, ParseStatus (*parse)(std::string_view, Out&), Out& out, ErrorText& error) {
    std::string_view text;
    if (int code = file.read(text)) {
        if (error.empty()) error.set("%s: %s", file.path().c_str(), std::strerror(code));
        return Loaded::unreadable;
    }
    return parse_into(file, text, parse, out, error);
}

/// As `load`, for a file some kernels lack: its absence is not an error (`unreadable`
/// is still returned, with `error` untouched).
template <class Out>
Loaded load_optional(ProcFile& file, ParseStatus (*parse)(std::string_view, Out&), Out& out, ErrorText& error) {
    std::string_view text;
    if (int code = file.read(text)) {
        bool absent = code == ENOENT || code == EOPNOTSUPP;
        if (!absent && error.empty()) error.set("%s: %s", file.path().c_str(), std::strerror(code));
        return Loaded::unreadable;
    }
    return parse_into(file, text, parse, out, error);
}

/// As `load`, for a pressure file: its absence (no PSI in this kernel) is not an error.
inline void load_pressure(ProcFile& file, Pressure& out, ErrorText& error) {
    if (load_optional(file, &parse_pressure, out, error) != Loaded::ok) out = Pressure{};
}

/// Starts a reading: next sequence number, both clocks, no error.
inline void begin(ReadingHeader& header) noexcept {
    ++header.sequence;
    header.taken = Timestamp::now();
    header.error.clear();
    header.interval_s = 0;
}

}  // namespace pcm::sample::detail
