#include <pcm/async/task.hpp>

#include <cstdio>
#include <new>

namespace pcm::async {
namespace {
std::atomic<std::uint64_t> frames_allocated{0};
std::atomic<std::uint64_t> frames_freed{0};
std::atomic<UnhandledHandler> unhandled_handler{nullptr};
}  // namespace

FrameCounters frame_counters() noexcept {
    return {frames_allocated.load(std::memory_order_relaxed), frames_freed.load(std::memory_order_relaxed)};
}

void set_unhandled_handler(UnhandledHandler handler) noexcept { unhandled_handler.store(handler); }

namespace detail {

void* allocate_frame(std::size_t size) {
    frames_allocated.fetch_add(1, std::memory_order_relaxed);
    return ::operator new(size);
}

void free_frame(void* frame, std::size_t) noexcept {
    frames_freed.fetch_add(1, std::memory_order_relaxed);
    ::operator delete(frame);  // unsized: clang 14 leaves sized deallocation off by default
}

void report_unhandled(const std::exception_ptr& error) noexcept {
    if (UnhandledHandler handler = unhandled_handler.load()) {
        handler(error);
        return;
    }
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pcm: unhandled exception in a spawned task: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "pcm: unhandled non-standard exception in a spawned task\n");
    }
}

}  // namespace detail
}  // namespace pcm::async
