#!/usr/bin/env bash
# Memory and CPU of a running pcmonitord, from /proc/PID/{status,stat}.
#  - RSS and anonymous RSS one second after start, and after one hour's worth of ticks
#    (3,600 per group) compressed into 36 s at a 10 ms interval (filesystems: 360 at 100 ms);
#  - CPU time per hour at the default intervals, from a 30 s run, scaled by 120
#    (summed over all threads from /proc/PID/task/*/schedstat, in nanoseconds).
# Usage: bench/daemon_resources.sh [--json] [PATH/TO/pcmonitord]   (default: build/daemon/pcmonitord)
set -euo pipefail
json=0
[[ ${1:-} == --json ]] && { json=1; shift; }
daemon=${1:-build/daemon/pcmonitord}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT

kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
# Nanosecond CPU time of every thread (schedstat), where /proc/PID/stat counts 10 ms ticks.
cpu_seconds() { cat /proc/"$1"/task/*/schedstat | awk '{ns += $1} END {printf "%.6f", ns / 1e9}'; }
row() {  # name value unit how
  if ((json)); then printf '{"name":"%s","value":%s,"unit":"%s","how":"%s"}\n' "$1" "$2" "$3" "$4"
  else printf '%-44s %12s %-8s %s\n' "$1" "$2" "$3" "$4"; fi
}

cat > "$work/fast.json" <<'JSON'
{"sampling": {"cpu": {"interval_ms": 10}, "memory": {"interval_ms": 10}, "disk": {"interval_ms": 10},
              "filesystem": {"interval_ms": 100, "statfs_timeout_ms": 50}},
 "socket": {"path": "WORK/fast.sock"}}
JSON
sed -i "s|WORK|$work|" "$work/fast.json"

((json)) || printf '%-44s %12s %-8s %s\n' "figure" "value" "unit" "how"
"$daemon" --config "$work/fast.json" 2>"$work/fast.log" & pid=$!
sleep 1
row "RSS 1 s after start" "$(kib $pid VmRSS)" KiB "VmRSS, 10 ms intervals"
row "anonymous RSS 1 s after start" "$(kib $pid RssAnon)" KiB "RssAnon"
sleep 35
row "RSS after 3,600 ticks per group" "$(kib $pid VmRSS)" KiB "VmRSS after 36 s at 10 ms"
row "anonymous RSS after 3,600 ticks per group" "$(kib $pid RssAnon)" KiB "RssAnon"
kill -TERM $pid; wait $pid

"$daemon" --socket "$work/default.sock" 2>"$work/default.log" & pid=$!
sleep 1
start=$(cpu_seconds $pid)
sleep 30
end=$(cpu_seconds $pid)
row "CPU per hour at default intervals" "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.2f", (b - a) * 120}')" s \
    "schedstat, 30 s x 120"
row "share of one core at default intervals" "$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.4f", (b - a) / 30 * 100}')" "%" \
    "same run"
kill -TERM $pid; wait $pid
