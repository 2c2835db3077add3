#include <pcm/async/loop_scheduler.hpp>
#include <pcm/async/task.hpp>

#include <condition_variable>

namespace pcm::async {

LoopScheduler::LoopScheduler(uv_loop_t* loop)
    : loop_(loop),
      enclosing_(detail::thread_scheduler),
      queue_(std::make_shared<detail::SchedulerQueue>(std::this_thread::get_id())),
      async_(uv_async_init, loop, &LoopScheduler::on_wakeup) {
    async_.get()->data = queue_.get();
    queue_->async_ = async_.get();
    detail::thread_scheduler = this;
}

LoopScheduler::~LoopScheduler() {
    queue_->drain_and_close();
    {
        // A sender that pushed before the close may still be about to signal: after this,
        // it finds no handle and skips the send (its work already ran in the drain).
        std::lock_guard lock(queue_->wake_mutex_);
        queue_->async_ = nullptr;
    }
    // Unlink from the thread's chain wherever this scheduler sits in it: destruction need
    // not be LIFO, and `current()` must never return a destroyed scheduler.
    if (detail::thread_scheduler == this) {
        detail::thread_scheduler = enclosing_;
    } else {
        for (LoopScheduler* s = detail::thread_scheduler; s != nullptr; s = s->enclosing_) {
            if (s->enclosing_ == this) {
                s->enclosing_ = enclosing_;
                break;
            }
        }
    }
}

void LoopScheduler::on_wakeup(uv_async_t* handle) { static_cast<detail::SchedulerQueue*>(handle->data)->drain(); }

namespace detail {

bool SchedulerQueue::post(ScheduledWork& work) noexcept {
    ScheduledWork* head = head_.load(std::memory_order_relaxed);
    do {
        if (head == closed_mark()) {
            refused.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        work.next = head;
    } while (!head_.compare_exchange_weak(head, &work, std::memory_order_release, std::memory_order_relaxed));
    if (head == nullptr) {
        wakeups.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(wake_mutex_);
        if (async_ != nullptr) uv_async_send(async_);
    }
    return true;
}

void SchedulerQueue::drain() noexcept {
    // Taking the whole stack at once means the next post finds it empty and sends a new
    // wake-up, so nothing pushed after this point can be stranded.
    ScheduledWork* stack = head_.load(std::memory_order_relaxed);
    while (stack != nullptr && stack != closed_mark() &&
           !head_.compare_exchange_weak(stack, nullptr, std::memory_order_acquire, std::memory_order_relaxed)) {}
    if (stack == closed_mark()) return;
    run(stack);
}

void SchedulerQueue::drain_and_close() noexcept {
    for (;;) {
        ScheduledWork* expected = nullptr;
        if (head_.compare_exchange_strong(expected, closed_mark(), std::memory_order_acq_rel)) return;
        run(head_.exchange(nullptr, std::memory_order_acquire));
    }
}

void SchedulerQueue::run(ScheduledWork* stack) noexcept {
    ScheduledWork* fifo = nullptr;
    while (stack != nullptr) {
        ScheduledWork* next = stack->next;
        stack->next = fifo;
        fifo = stack;
        stack = next;
    }
    while (fifo != nullptr) {
        // Copy everything out first: the continuation may complete and re-post this node.
        ScheduledWork* next = fifo->next;
        Continuation continuation = fifo->continuation;
        void* state = fifo->state;
        ExecutionContext context = fifo->context;
        bool flow = fifo->flow_context;
        drained.fetch_add(1, std::memory_order_relaxed);
        run_continuation(continuation, state, flow ? &context : nullptr);
        fifo = next;
    }
}

namespace {
/// One thread for continuations that asked to run asynchronously but were awaited on a
/// thread without a loop. Started on first use; joined at exit.
class FallbackThread {
public:
    ~FallbackThread() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) thread_.join();
    }
    void post(ScheduledWork& work) noexcept {
        std::unique_lock lock(mutex_);
        if (!thread_.joinable()) {
            try {
                thread_ = std::thread([this] { run(); });
            } catch (...) {
                lock.unlock();
                report_refused_post();
                return;
            }
        }
        work.next = nullptr;
        (tail_ != nullptr ? tail_->next : head_) = &work;
        tail_ = &work;
        lock.unlock();
        wake_.notify_one();
    }

private:
    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return head_ != nullptr || stopping_; });
            if (head_ == nullptr) return;
            ScheduledWork* work = head_;
            head_ = work->next;
            if (head_ == nullptr) tail_ = nullptr;
            Continuation continuation = work->continuation;
            void* state = work->state;
            ExecutionContext context = work->context;
            bool flow = work->flow_context;
            lock.unlock();
            run_continuation(continuation, state, flow ? &context : nullptr);
            lock.lock();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    ScheduledWork* head_ = nullptr;
    ScheduledWork* tail_ = nullptr;
    bool stopping_ = false;
    std::thread thread_;
};
}  // namespace

void post_to_fallback(ScheduledWork& work) noexcept {
    static FallbackThread fallback;
    fallback.post(work);
}

void report_refused_post() noexcept {
    try {
        report_unhandled(std::make_exception_ptr(scheduler_closed()));
    } catch (...) {}
}

}  // namespace detail
}  // namespace pcm::async
