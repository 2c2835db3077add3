#pragma once
// Which members of a value-task source an awaiter called, in order: the article's
// console output that shows the call path taken.
#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace pcm::walkthrough {

/// Off by default, and then free. When on, keeps the last calls in fixed storage.
class Trace {
public:
    void enable(bool on) noexcept { on_ = on; }
    void clear() noexcept { count_ = 0; }
    void record(std::string_view call) noexcept {
        if (on_ && count_ < calls_.size()) calls_[count_++] = call;
    }
    std::vector<std::string_view> calls() const { return {calls_.begin(), calls_.begin() + static_cast<long>(count_)}; }

private:
    bool on_ = false;
    std::array<std::string_view, 16> calls_{};
    std::size_t count_ = 0;
};

}  // namespace pcm::walkthrough
