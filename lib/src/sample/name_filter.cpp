#include <pcm/sample/name_filter.hpp>

namespace pcm::sample {
namespace {
// Names seen but gone are remembered; past this many the memory starts afresh, so a host
// that creates and destroys devices forever (a container's veth) cannot grow it without bound.
constexpr std::size_t max_remembered_names = 4096;
}  // namespace

bool NameFilter::wanted(const std::string& name) {
    for (const auto& [known, verdict] : decisions_)
        if (known == name) return verdict;
    bool verdict = (include_.empty() || include_.search(name)) && !exclude_.search(name);
    if (decisions_.size() >= max_remembered_names) decisions_.clear();
    decisions_.emplace_back(name, verdict);
    return verdict;
}

}  // namespace pcm::sample
