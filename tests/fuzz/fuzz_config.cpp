// libFuzzer target: any bytes as a configuration file.
#include <pcm/config/config.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pcm::config::LoadResult r = pcm::config::parse_config(std::string_view(reinterpret_cast<const char*>(data), size));
    if (r.config.has_value() == !r.errors.empty()) __builtin_trap();  // a config, or reasons, never both
    if (r.config) {
        // What CONFIG prints must read back to the same configuration.
        pcm::config::LoadResult again = pcm::config::parse_config(pcm::config::to_json(*r.config).dump());
        if (!again.config || !(*again.config == *r.config)) __builtin_trap();
    }
    return 0;
}
