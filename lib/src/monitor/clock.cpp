#include <pcm/monitor/clock.hpp>
#include <pcm/uv/timer.hpp>

namespace pcm::monitor {
namespace {

class LoopAlarm final : public Alarm {
public:
    explicit LoopAlarm(uv_loop_t* loop) : timer_(loop) {}
    void arm(std::int64_t deadline_ns, std::coroutine_handle<> sleeper) override {
        std::int64_t wait = deadline_ns - static_cast<std::int64_t>(uv_hrtime());
        timer_.resume_after(wait > 0 ? static_cast<std::uint64_t>((wait + 999'999) / 1'000'000) : 0, sleeper);
    }
    void wake() noexcept override { timer_.wake(); }

private:
    uv::Timer timer_;
};

}  // namespace

std::unique_ptr<Alarm> LoopClock::make_alarm() { return std::make_unique<LoopAlarm>(loop_); }

}  // namespace pcm::monitor
