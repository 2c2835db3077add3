#pragma once
// A finished operation's outcome: a value or an exception.
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace pcm::async {

/// What a source stores for `T`: `T` itself, or an empty placeholder for `void`.
template <class T>
using stored_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

/// A value or an exception, e.g. what `CompletionSource::on_timeout` decides a timed-out
/// task completes with.
template <class T>
class Outcome {
public:
    Outcome(stored_t<T> value) : state_(std::in_place_index<0>, std::move(value)) {}
    Outcome(std::exception_ptr error) : state_(std::in_place_index<1>, std::move(error)) {}

    /// An outcome holding the exception `e`.
    template <class E>
    static Outcome failure(E e) {
        return Outcome(std::make_exception_ptr(std::move(e)));
    }

    bool has_value() const noexcept { return state_.index() == 0; }
    stored_t<T>& value() noexcept { return std::get<0>(state_); }
    const std::exception_ptr& error() const noexcept { return std::get<1>(state_); }

private:
    std::variant<stored_t<T>, std::exception_ptr> state_;
};

}  // namespace pcm::async
