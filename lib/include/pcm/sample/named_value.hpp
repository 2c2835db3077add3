#pragma once
// A name and a counter: a vmstat field, the ARP entries of one device.
#include <cstdint>
#include <string>

namespace pcm::sample {

struct NamedValue {
    std::string name;
    std::uint64_t value = 0;
};

}  // namespace pcm::sample
