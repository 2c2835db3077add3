#include <pcm/async/execution_context.hpp>

namespace pcm::async {

ExecutionContext& ExecutionContext::current() noexcept {
    thread_local ExecutionContext context;
    return context;
}

}  // namespace pcm::async
