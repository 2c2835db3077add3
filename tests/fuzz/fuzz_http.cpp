// libFuzzer target: any bytes as what an HTTP client sent to /metrics, in every split.
#include <pcm/metrics/http_request.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    pcm::metrics::ParsedHttpRequest whole = pcm::metrics::parse_http_request(bytes);
    if (whole.valid && !whole.complete) __builtin_trap();
    // The server parses again as more bytes arrive: a prefix never claims more than the whole.
    pcm::metrics::ParsedHttpRequest half = pcm::metrics::parse_http_request(bytes.substr(0, size / 2));
    if (half.valid && half.request.path.size() > size) __builtin_trap();
    return 0;
}
