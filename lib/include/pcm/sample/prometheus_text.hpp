#pragma once
// The Prometheus text exposition format (0.0.4), as node_exporter's textfile collector
// reads it from *.prom files: families with their help, type and samples.
#include <pcm/sample/text.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcm::sample {

struct TextSample {
    std::string name;                                         ///< the family's name, or it with _bucket, _sum or _count
    std::vector<std::pair<std::string, std::string>> labels;  ///< in the order written, unescaped
    double value = 0;
};

struct TextFamily {
    std::string name, help;
    std::string type = "untyped";  ///< counter, gauge, histogram, summary or untyped
    std::vector<TextSample> samples;
};

/// Parses `text` into `out`, replacing its content. Refused as a whole (an error status
/// naming the first bad line, `out` left empty), as node_exporter refuses a textfile: a line
/// that is not a comment, HELP, TYPE or sample; an invalid metric or label name; a value
/// that is not a number; a timestamp (client-side timestamps are not allowed in
/// textfiles); an unknown type; a second HELP or TYPE for a family, or a family whose lines
/// are not together; the same series twice.
ParseStatus parse_prometheus_text(std::string_view text, std::vector<TextFamily>& out);

}  // namespace pcm::sample
