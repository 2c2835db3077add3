#include <pcm/sample/reading.hpp>

#include <ctime>

namespace pcm::sample {
namespace {
std::int64_t read_clock(clockid_t clock) noexcept {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

Timestamp Timestamp::now() noexcept { return {read_clock(CLOCK_MONOTONIC), read_clock(CLOCK_REALTIME)}; }

}  // namespace pcm::sample
