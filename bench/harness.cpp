#include "harness.hpp"

#include "alloc_counter.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>

namespace pcm::bench {
namespace {
double process_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}
double median(std::vector<double>& values) {
    std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() / 2), values.end());
    return values[values.size() / 2];
}
}  // namespace

Options parse_options(int argc, char** argv, const char* usage) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) {
            options.json = true;
        } else if (std::strcmp(argv[i], "--repetitions") == 0 && i + 1 < argc) {
            options.repetitions = std::max(1, std::atoi(argv[++i]));
        } else if (std::strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            options.scale = std::max(0.001, std::atof(argv[++i]));
        } else {
            std::fprintf(stderr, "usage: %s %s\n", argv[0], usage);
            std::exit(2);
        }
    }
    return options;
}

Row measure(const Options& options, std::string group, std::string name, std::uint64_t ops,
            const std::function<void(std::uint64_t)>& body) {
    ops = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(static_cast<double>(ops) * options.scale));
    body(std::max<std::uint64_t>(1, ops / 10));  // warm-up: pools filled, caches hot
    std::vector<double> ns, cpu_ns;
    test::AllocCounts allocs{};
    const double n = static_cast<double>(ops);
    for (int r = 0; r < options.repetitions; ++r) {
        test::AllocProbe probe;
        double cpu_start = process_cpu_ns();
        auto start = std::chrono::steady_clock::now();
        body(ops);
        auto elapsed = std::chrono::steady_clock::now() - start;
        cpu_ns.push_back((process_cpu_ns() - cpu_start) / n);
        if (r == 0) allocs = probe.delta();
        ns.push_back(std::chrono::duration<double, std::nano>(elapsed).count() / n);
    }
    return {std::move(group),
            std::move(name),
            ops,
            median(ns),
            median(cpu_ns),
            static_cast<double>(allocs.calls) / n,
            static_cast<double>(allocs.bytes) / n,
            ""};
}

void print(const Options& options, const std::vector<Row>& rows) {
    if (options.json) {
        for (const Row& r : rows) {
            nlohmann::json j = {{"group", r.group},
                                {"name", r.name},
                                {"ops", r.ops},
                                {"ns_per_op", r.ns_per_op},
                                {"cpu_ns_per_op", r.cpu_ns_per_op},
                                {"allocs_per_op", r.allocs_per_op},
                                {"bytes_per_op", r.bytes_per_op},
                                {"note", r.note}};
            std::cout << j.dump() << '\n';
        }
        return;
    }
    std::printf("%-14s %-46s %12s %12s %10s %10s  %s\n", "group", "case", "ns/op", "cpu ns/op", "allocs/op", "bytes/op",
                "note");
    for (const Row& r : rows)
        std::printf("%-14s %-46s %12.1f %12.1f %10.2f %10.1f  %s\n", r.group.c_str(), r.name.c_str(), r.ns_per_op,
                    r.cpu_ns_per_op, r.allocs_per_op, r.bytes_per_op, r.note.c_str());
}

}  // namespace pcm::bench
