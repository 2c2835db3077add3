#include <pcm/metrics/http_request.hpp>

#include <pcm/sample/text.hpp>

#include <http_parser.h>

namespace pcm::metrics {
namespace {

struct State {
    std::string url, field;
    HttpRequest request;
    bool in_value = false, value_is_accept = false, complete = false;
};

const http_parser_settings& settings() {
    static const http_parser_settings s = [] {
        http_parser_settings s{};
        s.on_url = [](http_parser* p, const char* at, std::size_t len) {
            static_cast<State*>(p->data)->url.append(at, len);
            return 0;
        };
        // Names and values may come in pieces: a name piece after a value starts a new header.
        s.on_header_field = [](http_parser* p, const char* at, std::size_t len) {
            auto* st = static_cast<State*>(p->data);
            if (st->in_value) st->field.clear();
            st->in_value = false;
            st->field.append(at, len);
            return 0;
        };
        s.on_header_value = [](http_parser* p, const char* at, std::size_t len) {
            auto* st = static_cast<State*>(p->data);
            if (!st->in_value) st->value_is_accept = sample::equals_ignoring_case(st->field, "accept");
            st->in_value = true;
            if (st->value_is_accept) st->request.accept.append(at, len);
            return 0;
        };
        s.on_message_complete = [](http_parser* p) {
            static_cast<State*>(p->data)->complete = true;
            return 1;  // one request: stop here
        };
        return s;
    }();
    return s;
}

}  // namespace

ParsedHttpRequest parse_http_request(std::string_view bytes) {
    State state;
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &state;
    http_parser_execute(&parser, &settings(), bytes.data(), bytes.size());
    ParsedHttpRequest out;
    if (HTTP_PARSER_ERRNO(&parser) != HPE_OK && !state.complete) {
        out.complete = true;  // malformed: nothing more will make it right
        return out;
    }
    if (!state.complete) return out;
    out.complete = out.valid = true;
    out.request = std::move(state.request);
    out.request.method = parser.method == HTTP_GET    ? HttpRequest::Method::get
                         : parser.method == HTTP_HEAD ? HttpRequest::Method::head
                                                      : HttpRequest::Method::other;
    out.request.version_major = parser.http_major;
    out.request.version_minor = parser.http_minor;
    std::string_view url = state.url;
    // Absolute form (RFC 9112 §3.2.2), which a server must accept: "http://host[:port]/path".
    if (std::size_t scheme = url.find("://"); scheme != std::string_view::npos && url.find('/') > scheme) {
        url.remove_prefix(scheme + 3);
        std::size_t slash = url.find('/');
        url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
    }
    out.request.path = std::string(url.substr(0, url.find('?')));
    return out;
}

}  // namespace pcm::metrics
