#pragma once
// What a group's share of the exposition text is written with: a writer of families and
// samples that stops at a step boundary, and the coroutine type (`Walk`) that pauses there.
#include <pcm/metrics/format.hpp>

#include <charconv>
#include <cmath>
#include <coroutine>
#include <cstddef>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <limits>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcm::metrics {

/// Escapes a label value: backslash, double quote and newline.
void append_label_value(std::string& out, std::string_view value);

using Label = std::pair<std::string_view, std::string_view>;

// Frames of the coroutines that walk the families, one at a time, in a fixed buffer: a
// steady scrape allocates nothing. A frame too large for it goes to the heap.
class FrameArena {
public:
    void* allocate(std::size_t size) {
        std::size_t total = header + (size + header - 1) / header * header;
        std::byte* base;
        Header owner{this};
        if (used_ + total <= sizeof buffer_) {
            base = buffer_ + used_;
            used_ += total;
            ++live_;
        } else {
            base = static_cast<std::byte*>(::operator new(header + size));
            owner.arena = nullptr;
        }
        std::memcpy(base, &owner, sizeof(Header));
        return base + header;
    }
    static void deallocate(void* frame) noexcept {
        std::byte* base = static_cast<std::byte*>(frame) - header;
        Header owner{};
        std::memcpy(&owner, base, sizeof(Header));
        if (owner.arena == nullptr) {
            ::operator delete(base);
        } else if (--owner.arena->live_ == 0) {
            owner.arena->used_ = 0;
        }
    }

private:
    struct Header {
        FrameArena* arena;  // null: the frame came from the heap
    };
    static constexpr std::size_t header = alignof(std::max_align_t);
    alignas(std::max_align_t) std::byte buffer_[4096];
    std::size_t used_ = 0, live_ = 0;
};

class Writer {
public:
    void set_format(Format format) noexcept { format_ = format; }
    Format format() const noexcept { return format_; }

    /// Writes to `out` from here on; the step is full once `step_bytes` more were written.
    void begin_step(std::string& out, std::size_t step_bytes) noexcept {
        out_ = &out;
        step_end_ = step_bytes > std::numeric_limits<std::size_t>::max() - out.size()
                        ? std::numeric_limits<std::size_t>::max()
                        : out.size() + step_bytes;
    }
    bool step_full() const noexcept { return out_->size() >= step_end_; }

    void family(std::string_view name, std::string_view type, std::string_view help) {
        // OpenMetrics names a counter family without the "_total" its samples carry, and
        // calls the text format's "untyped" "unknown".
        if (format_ == Format::openmetrics && type == "counter" && name.ends_with("_total")) name.remove_suffix(6);
        if (format_ == Format::openmetrics && type == "untyped") type = "unknown";
        std::string& out = *out_;
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    }

    void sample(std::string_view name, std::initializer_list<Label> labels, double value) {
        sample(name, std::span<const Label>(labels.begin(), labels.size()), value);
    }

    void sample(std::string_view name, std::span<const Label> labels, double value) {
        std::string& out = *out_;
        out += name;
        if (!labels.empty()) {
            out += '{';
            bool first = true;
            for (const auto& [key, label] : labels) {
                if (!first) out += ',';
                first = false;
                out += key;
                out += "=\"";
                append_label_value(out, label);
                out += '"';
            }
            out += '}';
        }
        out += ' ';
        number(value);
        out += '\n';
    }

    void text(std::string_view line) { *out_ += line; }

    FrameArena arena;
    std::string name;           // meminfo and vmstat family names, built in place
    std::string help;           // and vmstat HELP texts
    std::vector<Label> labels;  // a sample's labels when they are not known at compile time

    void single(std::string_view name, std::string_view type, std::string_view help, double value) {
        family(name, type, help);
        sample(name, {}, value);
    }

private:
    void number(double value) {
        if (std::isnan(value)) {
            *out_ += "NaN";
            return;
        }
        if (std::isinf(value)) {
            *out_ += value > 0 ? "+Inf" : "-Inf";
            return;
        }
        char digits[32];
        auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
        out_->append(digits, end);
    }

    std::string* out_ = nullptr;
    std::size_t step_end_ = 0;
    Format format_ = Format::prometheus_text;
};

/// A coroutine that writes a section's families, pausing (`co_yield pause`) where the
/// writer's step is full; `PrometheusRender::step` resumes it. Its first parameter is the
/// Writer, whose arena holds its frame.
struct Pause {};
inline constexpr Pause pause{};

class Walk {
public:
    struct promise_type {
        std::exception_ptr error;

        Walk get_return_object() noexcept { return Walk(Handle::from_promise(*this)); }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        std::suspend_always yield_value(Pause) noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { error = std::current_exception(); }

        /// A walk's frame lives in its writer's arena: its first parameter is the writer.
        template <class... Rest>
        static void* operator new(std::size_t size, Writer& w, const Rest&...) {
            return w.arena.allocate(size);
        }
        static void operator delete(void* frame) noexcept { FrameArena::deallocate(frame); }
    };
    using Handle = std::coroutine_handle<promise_type>;

    Walk(Walk&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Walk& operator=(Walk&& other) noexcept {
        std::swap(handle_, other.handle_);
        return *this;
    }
    ~Walk() {
        if (handle_) handle_.destroy();
    }

    /// Runs to the next pause or to the end; true at the end. Rethrows what the walk threw.
    bool resume() {
        handle_.resume();
        if (handle_.promise().error) std::rethrow_exception(std::exchange(handle_.promise().error, nullptr));
        return handle_.done();
    }
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }

private:
    explicit Walk(Handle handle) noexcept : handle_(handle) {}
    Handle handle_;
};

}  // namespace pcm::metrics
