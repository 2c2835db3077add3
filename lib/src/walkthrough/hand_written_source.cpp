#include <pcm/walkthrough/hand_written_source.hpp>

#include <string>

namespace pcm::walkthrough {

async::ValueTask<CpuSample> HandWrittenSource::start() {
    std::lock_guard lock(mutex_);
    if (state_ != State::idle) throw async::invalid_operation("HandWrittenSource: the previous sample was not taken");
    ++version_;  // every task gets a token of its own
    state_ = State::waiting;
    continuation_ = nullptr;
    return async::ValueTask<CpuSample>(*this, version_);
}

async::Token HandWrittenSource::token() const {
    std::lock_guard lock(mutex_);
    return version_;
}

bool HandWrittenSource::complete(async::Token token, const CpuSample& sample) {
    async::Continuation continuation;
    void* state;
    {
        std::lock_guard lock(mutex_);
        if (state_ != State::waiting || token != version_) return false;
        value_ = sample;
        state_ = State::done;
        continuation = continuation_;
        state = continuation_state_;
    }
    if (continuation != nullptr) continuation(state);  // outside the lock: it will call result()
    return true;
}

bool HandWrittenSource::idle() const {
    std::lock_guard lock(mutex_);
    return state_ == State::idle;
}

void HandWrittenSource::check(async::Token token) const {
    if (token != version_ || state_ == State::idle)
        throw async::invalid_operation("HandWrittenSource: token " + std::to_string(token) +
                                       " is not the current operation (awaited twice, or after reuse)");
}

async::SourceStatus HandWrittenSource::status(async::Token token) const {
    std::lock_guard lock(mutex_);
    trace_.record("status");
    check(token);
    return state_ == State::done ? async::SourceStatus::succeeded : async::SourceStatus::pending;
}

void HandWrittenSource::on_completed(async::Continuation continuation, void* state, async::Token token,
                                     async::CompletionFlags) {
    {
        std::lock_guard lock(mutex_);
        trace_.record("on_completed");
        check(token);
        if (continuation_ != nullptr)
            throw async::invalid_operation("HandWrittenSource: a continuation is already registered");
        if (state_ == State::waiting) {
            continuation_ = continuation;
            continuation_state_ = state;
            return;
        }
        trace_.record("on_completed: already done, continuing now");
    }
    // The sample arrived between status() and now: nobody else will run the continuation.
    continuation(state);
}

CpuSample HandWrittenSource::result(async::Token token) {
    std::lock_guard lock(mutex_);
    trace_.record("result");
    check(token);
    if (state_ != State::done) throw async::invalid_operation("HandWrittenSource: result() before the sample arrived");
    state_ = State::idle;  // taken: the source may serve the next task
    return value_;
}

}  // namespace pcm::walkthrough
