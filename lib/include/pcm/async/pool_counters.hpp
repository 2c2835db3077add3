#pragma once
// What a pool of reusable objects has done so far: shared by ObjectPool and LoopPool.
#include <cstdint>

namespace pcm::async {

/// `rented - returned` objects are out right now.
struct PoolCounters {
    std::uint64_t created = 0;
    std::uint64_t rented = 0;
    std::uint64_t returned = 0;
    std::uint64_t dropped = 0;  ///< returned but destroyed: pool full, or refused by the policy
};

}  // namespace pcm::async
