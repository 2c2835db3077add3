#include <pcm/metrics/http_request.hpp>

#include <doctest/doctest.h>

using namespace pcm::metrics;

TEST_CASE("HTTP request heads: complete, incomplete, malformed") {
    ParsedHttpRequest get = parse_http_request(
        "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nACCEPT: application/openmetrics-text;version=1.0.0\r\n\r\n");
    REQUIRE(get.valid);
    CHECK(get.request.method == HttpRequest::Method::get);
    CHECK(get.request.path == "/metrics");
    CHECK(get.request.accept == "application/openmetrics-text;version=1.0.0");

    CHECK(parse_http_request("HEAD /healthz HTTP/1.0\r\n\r\n").request.method == HttpRequest::Method::head);
    CHECK(parse_http_request("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n").request.method == HttpRequest::Method::other);

    ParsedHttpRequest partial = parse_http_request("GET /metr");
    CHECK_FALSE(partial.complete);
    CHECK_FALSE(partial.valid);

    ParsedHttpRequest garbage = parse_http_request("GARBAGE\r\n\r\n");
    CHECK(garbage.complete);
    CHECK_FALSE(garbage.valid);
    CHECK_FALSE(parse_http_request("GET / HTTP/1.1\r\nBad Header\r\n\r\n").valid);
}
