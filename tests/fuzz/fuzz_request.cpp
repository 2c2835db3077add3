// libFuzzer target: any bytes as a request line. Must never crash, hang or leak.
#include <pcm/server/request.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pcm::server::ParsedRequest parsed =
        pcm::server::parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!parsed.request && parsed.error.code.empty()) __builtin_trap();  // every refusal has a code
    return 0;
}
