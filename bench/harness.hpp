#pragma once
// A tiny benchmark harness: runs a case several times, keeps the median time per
// operation and the allocations per operation, and prints a table, or with --json one
// JSON object per row so that runs can be compared line by line.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pcm::bench {

struct Row {
    std::string group;     ///< e.g. "same-thread"
    std::string name;      ///< the case
    std::uint64_t ops;     ///< operations per repetition
    double ns_per_op;      ///< wall time, median over repetitions
    double cpu_ns_per_op;  ///< process CPU time (all threads), median over repetitions
    double allocs_per_op;
    double bytes_per_op;
    std::string note;  ///< free text, e.g. a ratio to the floor
};

struct Options {
    bool json = false;
    int repetitions = 5;
    double scale = 1.0;  ///< multiplies every case's operation count (--scale)
};

/// Parses --json, --repetitions N and --scale X; exits with a usage line on anything else.
Options parse_options(int argc, char** argv, const char* usage);

/// Runs `body(ops)` `repetitions` times (after one warm-up) and measures it.
Row measure(const Options& options, std::string group, std::string name, std::uint64_t ops,
            const std::function<void(std::uint64_t)>& body);

/// Prints the rows as a table or as JSON lines.
void print(const Options& options, const std::vector<Row>& rows);

}  // namespace pcm::bench
