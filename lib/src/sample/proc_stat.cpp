#include <pcm/sample/proc_stat.hpp>

namespace pcm::sample {
namespace {

ParseStatus parse_cpu_times(FieldReader& fields, CpuTimes& out, int line) {
    std::uint64_t* slots[] = {&out.user, &out.nice,    &out.system, &out.idle,  &out.iowait,
                              &out.irq,  &out.softirq, &out.steal,  &out.guest, &out.guest_nice};
    out = CpuTimes{};
    while (!fields.rest().empty()) {
        if (out.columns == 10) return ParseStatus::fail("cpu line has more than 10 columns", line);
        if (!next_number(fields, *slots[out.columns])) return ParseStatus::fail("cpu time is not a number", line);
        ++out.columns;
    }
    if (out.columns < 4) return ParseStatus::fail("cpu line has fewer than 4 columns", line);
    return {};
}

// Keys whose value is one number; `intr` and `softirq` carry a total and then a breakdown.
struct Counter {
    std::string_view key;
    std::uint64_t ProcStat::*field;
};
constexpr Counter counters[] = {
    {"ctxt", &ProcStat::ctxt},
    {"intr", &ProcStat::intr},
    {"processes", &ProcStat::processes},
    {"procs_running", &ProcStat::procs_running},
    {"procs_blocked", &ProcStat::procs_blocked},
    {"btime", &ProcStat::btime},
};

}  // namespace

ParseStatus parse_proc_stat(std::string_view text, ProcStat& out) {
    out.cpus.clear();
    out.ctxt = out.intr = out.processes = out.procs_running = out.procs_blocked = out.btime = 0;
    bool have_total = false;
    LineReader lines(text);
    std::string_view line;
    while (lines.next(line)) {
        FieldReader fields(line);
        std::string_view key;
        if (!fields.next(key)) continue;
        if (key == "cpu") {
            if (ParseStatus s = parse_cpu_times(fields, out.total, lines.number()); !s) return s;
            have_total = true;
        } else if (key.starts_with("cpu")) {
            CpuLine cpu;
            if (!parse_number(key.substr(3), cpu.id)) return ParseStatus::fail("bad cpu number", lines.number());
            if (ParseStatus s = parse_cpu_times(fields, cpu.times, lines.number()); !s) return s;
            out.cpus.push_back(cpu);
        } else {
            for (const Counter& c : counters)
                if (key == c.key && !next_number(fields, out.*c.field))
                    return ParseStatus::fail("counter is not a number", lines.number());
        }
    }
    if (!have_total) return ParseStatus::fail("no aggregate cpu line", lines.number());
    return {};
}

}  // namespace pcm::sample
