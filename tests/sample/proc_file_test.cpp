#include "alloc_counter.hpp"
#include "fixture.hpp"

#include <pcm/sample/proc_file.hpp>

#include <doctest/doctest.h>

#include <cerrno>
#include <string>

using pcm::sample::ProcFile;

TEST_CASE("ProcFile reads whole files of any size, again and again, and reports errors") {
    pcm::test::TempDir dir;
    auto path = dir.path() / "big";
    std::string big;
    for (int i = 0; big.size() < 10'000; ++i) big += "line " + std::to_string(i) + "\n";
    pcm::test::write_file(path, big);

    ProcFile file(path.string());
    std::string_view text;
    REQUIRE(file.read(text) == 0);
    CHECK(text == big);  // past the first 4 KiB buffer: grown and read to the end

    pcm::test::write_file(path, "short\n");  // rewritten in place, as a fixture changes between samples
    REQUIRE(file.read(text) == 0);
    CHECK(text == "short\n");

    pcm::test::write_file(path, big);
    pcm::test::AllocProbe probe;
    for (int i = 0; i < 10; ++i) REQUIRE(file.read(text) == 0);
    CHECK(text == big);
    CHECK(probe.delta().calls == 0);  // the buffer only grows, once

    ProcFile missing((dir.path() / "missing").string());
    CHECK(missing.read(text) == ENOENT);
    pcm::test::write_file(dir.path() / "missing", "now here\n");
    REQUIRE(missing.read(text) == 0);  // retried on every read until it can be opened
    CHECK(text == "now here\n");
}
