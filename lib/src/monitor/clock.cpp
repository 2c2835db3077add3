#include <pcm/monitor/clock.hpp>
#include <pcm/uv/timer.hpp>

namespace pcm::monitor {
namespace {

class LoopAlarm final : public Alarm {
public:
    explicit LoopAlarm(uv_loop_t* loop) : timer_(loop) {}
    void arm(Instant deadline, std::coroutine_handle<> sleeper) override {
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - LoopClock::hrtime());
        timer_.resume_after(wait.count() > 0 ? static_cast<std::uint64_t>(wait.count()) : 0, sleeper);
    }
    void wake() noexcept override { timer_.wake(); }

private:
    uv::Timer timer_;
};

}  // namespace

std::unique_ptr<Alarm> LoopClock::make_alarm() { return std::make_unique<LoopAlarm>(loop_); }

}  // namespace pcm::monitor
