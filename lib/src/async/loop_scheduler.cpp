#include <pcm/async/loop_scheduler.hpp>

namespace pcm::async {
LoopScheduler::LoopScheduler(uv_loop_t* loop)
    : loop_(loop),
      loop_thread_(std::this_thread::get_id()),
      enclosing_(detail::thread_scheduler),
      async_(uv_async_init, loop, &LoopScheduler::on_wakeup) {
    async_.get()->data = this;
    detail::thread_scheduler = this;
}

LoopScheduler::~LoopScheduler() {
    drain();  // nothing posted is dropped
    detail::thread_scheduler = enclosing_;
}

void LoopScheduler::post(ScheduledWork& work) noexcept {
    ScheduledWork* head = head_.load(std::memory_order_relaxed);
    do {
        work.next = head;
    } while (!head_.compare_exchange_weak(head, &work, std::memory_order_release, std::memory_order_relaxed));
    if (head == nullptr) {
        wakeups_.fetch_add(1, std::memory_order_relaxed);
        uv_async_send(async_.get());
    }
}

void LoopScheduler::on_wakeup(uv_async_t* handle) { static_cast<LoopScheduler*>(handle->data)->drain(); }

void LoopScheduler::drain() noexcept {
    // Taking the whole stack at once means the next post finds it empty and sends a new
    // wake-up, so nothing pushed after this point can be stranded.
    ScheduledWork* stack = head_.exchange(nullptr, std::memory_order_acquire);
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
        drained_.fetch_add(1, std::memory_order_relaxed);
        run_continuation(continuation, state, flow ? &context : nullptr);
        fifo = next;
    }
}

}  // namespace pcm::async
