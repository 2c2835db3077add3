#pragma once
// The vocabulary shared by every value-task source: status of an operation, the flags
// an awaiter passes when it registers a continuation, and the token type.
#include <cstdint>

namespace pcm::async {

/// Where one operation of a source stands (ValueTaskSourceStatus).
enum class SourceStatus : std::uint8_t { pending, succeeded, faulted, canceled };

/// How a continuation wants to be run (ValueTaskSourceOnCompletedFlags).
/// `use_scheduling_context`: resume on the libuv loop that awaited, even when the
/// operation completes on another thread. `flow_execution_context`: restore the
/// awaiting thread's `ExecutionContext` around the continuation.
enum class CompletionFlags : std::uint8_t {
    none = 0,
    use_scheduling_context = 1,
    flow_execution_context = 2,
};

constexpr CompletionFlags operator|(CompletionFlags a, CompletionFlags b) noexcept {
    return static_cast<CompletionFlags>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}

/// True when every flag of `wanted` is set in `flags`.
constexpr bool has_flag(CompletionFlags flags, CompletionFlags wanted) noexcept {
    return (static_cast<std::uint8_t>(flags) & static_cast<std::uint8_t>(wanted)) == static_cast<std::uint8_t>(wanted);
}

/// Identifies one operation of a reusable source. .NET uses a 16-bit `short`, which
/// wraps after 65,536 resets: a task kept across that many reuses would validate again
/// and read someone else's result. 32 bits wrapped after 2^32 resets, 15 s of a tight
/// loop; so the token is 64 bits wide, of which a source's state word keeps 62 (two go to
/// the phase): at one reset per nanosecond a wrap takes over a century.
using Token = std::uint64_t;

/// A continuation: a plain function and its state (a coroutine handle's address).
/// No std::function, so registering one never allocates.
using Continuation = void (*)(void* state);

}  // namespace pcm::async
