#pragma once
// Counts every call of the global operator new in a test binary (support/counting_new.cpp
// replaces it). Allocation counts are deterministic, so tests may assert on them.
#include <cstddef>
#include <cstdint>

namespace pcm::test {

struct AllocCounts {
    std::uint64_t calls = 0;
    std::uint64_t bytes = 0;
};

AllocCounts alloc_counts() noexcept;

/// Allocations made between construction and `delta()`.
class AllocProbe {
public:
    AllocProbe() noexcept : start_(alloc_counts()) {}
    AllocCounts delta() const noexcept {
        AllocCounts now = alloc_counts();
        return {now.calls - start_.calls, now.bytes - start_.bytes};
    }

private:
    AllocCounts start_;
};

/// While it lives, every allocation of `from_bytes` or more throws std::bad_alloc: running
/// out of memory on demand, in this binary only.
class FailLargeAllocations {
public:
    explicit FailLargeAllocations(std::size_t from_bytes) noexcept;
    ~FailLargeAllocations();
    FailLargeAllocations(const FailLargeAllocations&) = delete;
    FailLargeAllocations& operator=(const FailLargeAllocations&) = delete;
};

}  // namespace pcm::test
