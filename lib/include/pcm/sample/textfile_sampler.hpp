#pragma once
// Takes textfile readings: the *.prom files of a directory, as node_exporter's textfile
// collector reads them (metrics that scripts and cron jobs leave for the exporter).
#include <pcm/sample/prometheus_text.hpp>
#include <pcm/sample/reading.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pcm::sample {

struct TextfileEntry {
    std::string file;  ///< its name in the directory
    double mtime_seconds = 0;
    std::int64_t size = 0;
    std::string error;  ///< empty: read and parsed
    std::vector<TextFamily> families;
};

struct TextfileReading {
    ReadingHeader header;
    std::string directory;             ///< empty: the collector is off
    std::vector<TextfileEntry> files;  ///< every *.prom file, by name
    bool scrape_error = false;         ///< a file (or the directory) could not be read or parsed
};

/// Reads every regular *.prom file of `directory` (sorted by name; at most max_files of
/// them, each at most max_file_bytes), each opened without blocking (a FIFO is refused, not
/// waited on). A file whose size and mtime did not change is not read again. A file that
/// cannot be read or parsed is reported (its error, scrape_error) and contributes nothing,
/// as in node_exporter. Use on the loop's thread; keep the directory local (a read blocks).
class TextfileSampler {
public:
    static constexpr std::size_t max_files = 1000;
    static constexpr std::int64_t max_file_bytes = 1 << 20;

    explicit TextfileSampler(std::string directory = {}) : directory_(std::move(directory)) {}

    const TextfileReading& sample();
    const TextfileReading& reading() const noexcept { return reading_; }

    /// Reads another directory (empty: none) from the next sample on.
    void set_directory(std::string directory) { directory_ = std::move(directory); }

private:
    void read_file(int directory_fd, TextfileEntry& entry);

    std::string directory_;
    TextfileReading reading_;
    std::string buffer_;
};

}  // namespace pcm::sample
