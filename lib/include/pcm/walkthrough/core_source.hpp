#pragma once
// Step 4 of the walkthrough: the same source on the reusable core.
#include <pcm/async/manual_reset_source_core.hpp>
#include <pcm/async/value_task.hpp>
#include <pcm/walkthrough/cpu_sample.hpp>
#include <pcm/walkthrough/trace.hpp>

namespace pcm::walkthrough {

/// What is left of HandWrittenSource once ManualResetSourceCore does the work: the three
/// members forward to the core, the state machine and its lock are gone, and the
/// complete-versus-register race is settled by the core's compare-exchange. Start and
/// complete on one thread (the monitor's loop); the awaiter may be anywhere.
class CoreSource final : public async::ValueTaskSource<CpuSample> {
public:
    async::ValueTask<CpuSample> start() {
        if (!idle_) throw async::invalid_operation("CoreSource: the previous sample was not taken");
        idle_ = false;
        core_.reset();
        return async::ValueTask<CpuSample>(*this, core_.version());
    }
    bool complete(async::Token token, const CpuSample& sample) noexcept {
        return !idle_ && token == core_.version() && core_.set_result(sample);
    }
    async::Token token() const noexcept { return core_.version(); }
    bool idle() const noexcept { return idle_; }
    Trace& trace() noexcept { return trace_; }

    async::SourceStatus status(async::Token token) const override {
        trace_.record("status");
        return core_.status(token);
    }
    void on_completed(async::Continuation c, void* state, async::Token token, async::CompletionFlags flags) override {
        trace_.record("on_completed");
        core_.on_completed(c, state, token, flags);
    }
    CpuSample result(async::Token token) override {
        trace_.record("result");
        CpuSample sample = core_.result(token);
        idle_ = true;
        return sample;
    }

private:
    async::ManualResetSourceCore<CpuSample> core_;
    mutable Trace trace_;
    bool idle_ = true;
};

}  // namespace pcm::walkthrough
