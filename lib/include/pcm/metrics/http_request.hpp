#pragma once
// An HTTP request head, parsed: the little the /metrics listener needs to know.
#include <string>
#include <string_view>

namespace pcm::metrics {

struct HttpRequest {
    enum class Method { get, head, other } method = Method::other;
    std::string path;                          ///< without the query string (nor scheme and host, in absolute form)
    std::string accept;                        ///< the Accept header, or empty
    int version_major = 1, version_minor = 1;  ///< HTTP/major.minor; 0.9 for a request line without a version
};

struct ParsedHttpRequest {
    bool complete = false;  ///< false: more bytes are needed (no error yet)
    bool valid = false;     ///< complete and well-formed
    HttpRequest request;
};

/// Parses the bytes received so far (with Debian's http_parser). Pure: no I/O, no state
/// kept between calls.
ParsedHttpRequest parse_http_request(std::string_view bytes);

}  // namespace pcm::metrics
