// node_exporter's textfile format: the parser on good and bad texts, and the sampler on a
// directory of *.prom files that change, break, block and vanish.
#include "fixture.hpp"

#include <pcm/sample/prometheus_text.hpp>
#include <pcm/sample/textfile_sampler.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <string>

using namespace pcm::sample;
using pcm::test::TempDir;
using pcm::test::write_file;

TEST_CASE("prometheus text: help, type, labels with escapes, histograms, special values") {
    std::vector<TextFamily> families;
    REQUIRE(
        parse_prometheus_text("# a comment\n"
                              "# HELP backup_runs_total Backups run, \\\\ by kind.\n"
                              "# TYPE backup_runs_total counter\n"
                              "backup_runs_total{kind=\"full\",path=\"C:\\\\ \\\"x\\\"\\n\"} 3\n"
                              "backup_runs_total{kind=\"incremental\",} 1e3\n"
                              "\n"
                              "# TYPE request_seconds histogram\n"
                              "request_seconds_bucket{le=\"0.5\"} 7\n"
                              "request_seconds_bucket{le=\"+Inf\"} 9\n"
                              "request_seconds_sum 3.25\n"
                              "request_seconds_count 9\n"
                              "temperature -Inf\n"
                              "ratio NaN\n"
                              "up_since\t+1.5e9\r\n",
                              families));
    REQUIRE(families.size() == 5);
    CHECK(families[0].name == "backup_runs_total");
    CHECK(families[0].help == "Backups run, \\ by kind.");
    CHECK(families[0].type == "counter");
    REQUIRE(families[0].samples.size() == 2);
    CHECK(families[0].samples[0].labels[1].second == "C:\\ \"x\"\n");
    CHECK(families[0].samples[1].value == 1000);
    CHECK(families[1].type == "histogram");
    CHECK(families[1].samples.size() == 4);
    CHECK(families[2].name == "temperature");
    CHECK(families[2].type == "untyped");
    CHECK(std::isinf(families[2].samples[0].value));
    CHECK(std::isnan(families[3].samples[0].value));
    CHECK(families[4].samples[0].value == 1.5e9);
}

TEST_CASE("prometheus text: what node_exporter refuses is refused, the line named, nothing kept") {
    struct Bad {
        const char* text;
        int line;
    };
    for (Bad bad : {Bad{"ok 1\nbad line here\n", 2}, Bad{"9lives 1\n", 1}, Bad{"m{9x=\"a\"} 1\n", 1},
                    Bad{"m{a=\"unclosed} 1\n", 1}, Bad{"m{a=b} 1\n", 1}, Bad{"m one\n", 1},
                    Bad{"m 1 1700000000000\n", 1}, Bad{"# TYPE m gauge\n# TYPE m gauge\nm 1\n", 2},
                    Bad{"# TYPE m sometimes\n", 1}, Bad{"a 1\nb 2\na 3\n", 3}, Bad{"m{a=\"1\"} 1\nm{a=\"1\"} 2\n", 2},
                    Bad{"m{a=\"1\",a=\"2\"} 1\n", 1}, Bad{"m 1\n# TYPE m gauge\n", 2}, Bad{"m{a=\"\\q\"} 1\n", 1}}) {
        INFO(bad.text);
        std::vector<TextFamily> families;
        ParseStatus status = parse_prometheus_text(bad.text, families);
        CHECK_FALSE(status);
        CHECK(status.line == bad.line);
        CHECK(families.empty());
    }
}

TEST_CASE("textfile sampler: *.prom files read, a bad one reported, a FIFO refused, a big one refused") {
    TempDir dir;
    write_file(dir.path() / "a.prom", "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 3\n");
    write_file(dir.path() / "b.prom", "bad line here\n");
    write_file(dir.path() / "notes.txt", "not a textfile\n");
    REQUIRE(::mkfifo((dir.path() / "c.prom").c_str(), 0600) == 0);
    write_file(dir.path() / "d.prom", std::string(TextfileSampler::max_file_bytes + 1, '#'));
    TextfileSampler sampler(dir.path().string());
    const TextfileReading& r = sampler.sample();  // returns: the FIFO is not waited on
    CHECK(r.header.error.empty());
    CHECK(r.scrape_error);
    REQUIRE(r.files.size() == 4);
    CHECK(r.files[0].file == "a.prom");
    CHECK(r.files[0].error.empty());
    CHECK(r.files[0].families.at(0).samples.at(0).value == 3);
    CHECK(r.files[0].mtime_seconds > 0);
    CHECK(r.files[1].error == "line 1: the value is not a number");
    CHECK(r.files[2].error == "not a regular file");
    CHECK(r.files[3].error.find("larger than") != std::string::npos);

    std::filesystem::remove(dir.path() / "b.prom");
    std::filesystem::remove(dir.path() / "c.prom");
    std::filesystem::remove(dir.path() / "d.prom");
    CHECK_FALSE(sampler.sample().scrape_error);
    CHECK(sampler.reading().files.size() == 1);
}

TEST_CASE("textfile sampler: a file is parsed again only when its size or mtime changed") {
    TempDir dir;
    auto path = dir.path() / "a.prom";
    write_file(path, "jobs 1\n");
    TextfileSampler sampler(dir.path().string());
    sampler.sample();
    struct stat before {};
    REQUIRE(::stat(path.c_str(), &before) == 0);

    write_file(path, "jobs 2\n");  // same size; the old mtime put back
    timespec times[2] = {before.st_atim, before.st_mtim};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
    CHECK(sampler.sample().files.at(0).families.at(0).samples.at(0).value == 1);  // not read again

    write_file(path, "jobs 30\n");
    CHECK(sampler.sample().files.at(0).families.at(0).samples.at(0).value == 30);
}

TEST_CASE("textfile sampler: off without a directory; a missing directory is an error") {
    TextfileSampler off;
    const TextfileReading& r = off.sample();
    CHECK(r.header.error.empty());
    CHECK_FALSE(r.scrape_error);
    CHECK(r.files.empty());

    TempDir dir;
    TextfileSampler missing((dir.path() / "nowhere").string());
    CHECK(missing.sample().scrape_error);
    CHECK(missing.reading().header.error.view().find("nowhere") != std::string_view::npos);
}
