#pragma once
// Exceptions raised by the async core. Each names one failure a caller can act on.
#include <stdexcept>

namespace pcm::async {

/// Misuse of a task or source: a stale or mismatched token (second await, await after
/// reuse), awaiting a consumed or moved-from task, `create_task` on a busy source, or
/// reading a result before completion. The analogue of .NET's InvalidOperationException.
class invalid_operation : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

/// The default outcome of a `CompletionSource` whose timeout elapsed first.
class timeout_error : public std::runtime_error {
public:
    timeout_error() : std::runtime_error("operation timed out") {}
    using std::runtime_error::runtime_error;
};

/// The default outcome of a canceled operation (OperationCanceledException). A source
/// completed with this error reports `SourceStatus::canceled` rather than `faulted`.
class canceled_error : public std::runtime_error {
public:
    canceled_error() : std::runtime_error("operation canceled") {}
    using std::runtime_error::runtime_error;
};

}  // namespace pcm::async
