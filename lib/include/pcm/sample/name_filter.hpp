#pragma once
// Which devices or interfaces a sampler reports, by name.
#include <pcm/sample/pattern.hpp>

#include <string>
#include <utility>
#include <vector>

namespace pcm::sample {

/// A name is wanted when it matches `include` (empty: any) and not `exclude` (empty:
/// none). Each name is decided once and remembered, so a stable set of names costs no
/// pattern work and no allocation per sample.
class NameFilter {
public:
    /// Throws std::invalid_argument for an invalid pattern.
    NameFilter(const std::string& include, const std::string& exclude) : include_(include), exclude_(exclude) {}

    bool wanted(const std::string& name);

private:
    Pattern include_, exclude_;
    std::vector<std::pair<std::string, bool>> decisions_;
};

/// The element of `previous` (a snapshot of named lines) named `name`: looked for at
/// `hint` first, where it is when the set of names did not change.
template <class Line>
const Line* find_named(const std::vector<Line>& previous, const std::string& name, std::size_t hint) noexcept {
    if (hint < previous.size() && previous[hint].name == name) return &previous[hint];
    for (const Line& line : previous)
        if (line.name == name) return &line;
    return nullptr;
}

}  // namespace pcm::sample
