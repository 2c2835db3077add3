#include <pcm/monitor/sample_waiters.hpp>

namespace pcm::monitor {

Waiter::Waiter(async::LoopScheduler& scheduler, Pool& pool) : LoopSource(scheduler), pool_(&pool) {}

void Waiter::after_consumed() noexcept {
    if (list_ != nullptr) list_->unlink(*this);
    reset();
    pool_->give_back(this);
}

void WaiterList::push_back(Waiter& w) noexcept {
    w.list_ = this;
    w.prev_ = tail_;
    w.next_ = nullptr;
    (tail_ ? tail_->next_ : head_) = &w;
    tail_ = &w;
    ++size_;
}

void WaiterList::unlink(Waiter& w) noexcept {
    (w.prev_ ? w.prev_->next_ : head_) = w.next_;
    (w.next_ ? w.next_->prev_ : tail_) = w.prev_;
    w.prev_ = w.next_ = nullptr;
    w.list_ = nullptr;
    --size_;
}

Waiter* WaiterList::pop_front() noexcept {
    Waiter* w = head_;
    if (w != nullptr) unlink(*w);
    return w;
}

void WaiterList::splice(WaiterList& other) noexcept {
    while (Waiter* w = other.pop_front()) push_back(*w);
}

void WaiterList::clear() noexcept {
    while (pop_front() != nullptr) {}
}

WaiterPool::WaiterPool(async::LoopScheduler& scheduler, std::size_t capacity) : pool_(scheduler, capacity) {}

async::ValueTask<std::uint64_t> WaiterPool::wait(WaiterList& list, std::size_t limit, std::chrono::milliseconds timeout,
                                                 std::stop_token stop) {
    if (outstanding() >= limit) throw too_many_waiters();
    Waiter* waiter = pool_.rent();
    try {
        async::ValueTask<std::uint64_t> task = waiter->create_task(timeout, std::move(stop));
        list.push_back(*waiter);
        return task;
    } catch (...) {
        pool_.give_back(waiter);
        throw;
    }
}

void WaiterPool::complete_all(WaiterList& list, std::uint64_t sequence) noexcept {
    WaiterList now;
    now.splice(list);
    while (Waiter* w = now.pop_front()) w->try_set_result(w->current_version(), sequence);
}

void WaiterPool::fail_all(WaiterList& list, const std::exception_ptr& error) noexcept {
    WaiterList now;
    now.splice(list);
    while (Waiter* w = now.pop_front()) w->try_set_exception(w->current_version(), error);
}

}  // namespace pcm::monitor
