#include <pcm/metrics/exposition_cache.hpp>

#include <algorithm>
#include <limits>
#include <new>

namespace pcm::metrics {

ExpositionCache::ExpositionCache(uv_loop_t* loop, const monitor::Monitor& monitor, Format format,
                                 std::string_view trailer, std::size_t step_bytes)
    : monitor_(monitor),
      format_(format),
      trailer_(trailer),
      step_bytes_(std::max<std::size_t>(step_bytes, 1)),
      turn_(uv_timer_init, loop) {
    turn_.get()->data = this;
}

ExpositionCache::Key ExpositionCache::key() const noexcept {
    Key k{};
    for (std::size_t g = 0; g < k.size(); ++g) k[g] = monitor_.header(monitor::all_groups[g]).sequence;
    return k;
}

std::shared_ptr<const std::string> ExpositionCache::current(const ServerFigures& figures) {
    if (rendering_) return nullptr;
    Key now = key();
    if (has_text_ && now == key_) return text_;
    // Connections still writing the previous text keep it; otherwise its buffer is reused.
    if (!next_ || next_.use_count() > 1) next_ = std::make_shared<std::string>();
    next_->clear();
    rendering_ = true;
    rendering_key_ = now;
    ++renders_;
    try {
        render_.start(monitor_, figures, format_);
    } catch (const std::bad_alloc&) {
        give_up();
        return text_;
    }
    if (step(step_bytes_)) return text_;
    uv_timer_start(turn_.get(), &ExpositionCache::on_turn, 0, 0);
    return nullptr;
}

void ExpositionCache::when_ready(Ready ready, void* waiter) { waiters_.emplace_back(ready, waiter); }

void ExpositionCache::forget(void* waiter) noexcept {
    for (auto* list : {&waiters_, &calling_})
        for (auto& w : *list)
            if (w.second == waiter) w.first = nullptr;
}

void ExpositionCache::finish_now() {
    if (!rendering_) return;
    uv_timer_stop(turn_.get());
    step(std::numeric_limits<std::size_t>::max());
}

bool ExpositionCache::step(std::size_t bytes) {
    ++steps_;
    try {
        if (!render_.step(*next_, bytes)) return false;
        *next_ += trailer_;
    } catch (const std::bad_alloc&) {
        give_up();
        return true;
    }
    rendering_ = false;
    std::swap(text_, next_);
    key_ = rendering_key_;
    has_text_ = true;
    call_waiters();
    return true;
}

void ExpositionCache::give_up() {
    // Out of memory: the waiters get the last complete text (true of an earlier sample)
    // rather than waiting for good; the next request tries again.
    ++failures_;
    rendering_ = false;
    call_waiters();
}

void ExpositionCache::call_waiters() {
    // Waiters may ask again (and so start and even complete another render), or forget
    // others, while they are called: the outermost call goes on with whoever is left.
    if (calling_now_) return;
    calling_now_ = true;
    while (!rendering_ && !waiters_.empty()) {
        calling_.swap(waiters_);
        for (auto& [ready, waiter] : calling_)
            if (ready != nullptr) std::exchange(ready, nullptr)(waiter);
        calling_.clear();
    }
    calling_now_ = false;
}

void ExpositionCache::on_turn(uv_timer_t* timer) {
    auto* self = static_cast<ExpositionCache*>(timer->data);
    if (!self->rendering_) return;
    if (!self->step(self->step_bytes_)) uv_timer_start(timer, &ExpositionCache::on_turn, 0, 0);
}

}  // namespace pcm::metrics
