#!/usr/bin/env bash
# Memory and CPU of a running pcmonitord, next to collectd (Debian's collectd-core) with the
# equivalent plugins (cpu, memory, disk, load, df, interface; for the kernel tables
# protocols, conntrack, entropy, fhcount) and unixsock, in the same run:
#  - RSS and anonymous RSS one second after start, and after one hour's worth of ticks
#    (3,600 per group) compressed into 36 s at a 10 ms interval (filesystems: 360 at 100 ms);
#  - CPU time per hour at the default intervals (1 s; filesystems and kernel tables 10 s),
#    from 60 s with both
#    running side by side, scaled by 60 (summed over all threads from
#    /proc/PID/task/*/schedstat, in nanoseconds, where /proc/PID/stat counts 10 ms ticks).
# collectd's rows are left out if /usr/sbin/collectd is not installed.
# Usage: bench/daemon_resources.sh [--json] [PATH/TO/pcmonitord]   (default: build/daemon/pcmonitord)
set -euo pipefail
json=0
[[ ${1:-} == --json ]] && { json=1; shift; }
daemon=${1:-build/daemon/pcmonitord}
collectd=/usr/sbin/collectd
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
cpu_seconds() { cat /proc/"$1"/task/*/schedstat | awk '{ns += $1} END {printf "%.6f", ns / 1e9}'; }
row() {  # who figure value unit how
  if ((json)); then printf '{"who":"%s","name":"%s","value":%s,"unit":"%s","how":"%s"}\n' "$1" "$2" "$3" "$4" "$5"
  else printf '%-11s %-42s %10s %-5s %s\n' "$1" "$2" "$3" "$4" "$5"; fi
}

# Starts pcmonitord (and collectd, if installed) at INTERVAL_S for cpu/memory/disk/network
# and FS_INTERVAL_S for filesystems and the kernel tables; sets $ours and $theirs (empty
# without collectd).
start_both() {  # name interval_s fs_interval_s
  local name=$1 interval_ms fs_ms
  interval_ms=$(awk -v s="$2" 'BEGIN {print s * 1000}')
  fs_ms=$(awk -v s="$3" 'BEGIN {print s * 1000}')
  cat > "$work/$name.json" <<JSON
{"sampling": {"cpu": {"interval_ms": $interval_ms}, "memory": {"interval_ms": $interval_ms},
              "disk": {"interval_ms": $interval_ms}, "network": {"interval_ms": $interval_ms},
              "kernel": {"interval_ms": $fs_ms},
              "filesystem": {"interval_ms": $fs_ms, "statfs_timeout_ms": $((fs_ms / 2))}},
 "socket": {"path": "$work/$name.sock"}}
JSON
  "$daemon" --config "$work/$name.json" 2>"$work/$name.log" & ours=$!
  pids+=("$ours")
  theirs=
  [[ -x $collectd ]] || return 0
  mkdir -p "$work/collectd-$name"
  cat > "$work/collectd-$name/collectd.conf" <<CONF
Hostname "bench"
FQDNLookup false
Interval $2
BaseDir "$work/collectd-$name"
PIDFile "$work/collectd-$name/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin cpu
LoadPlugin memory
LoadPlugin disk
LoadPlugin load
LoadPlugin interface
<LoadPlugin df>
  Interval $3
</LoadPlugin>
<LoadPlugin protocols>
  Interval $3
</LoadPlugin>
<LoadPlugin conntrack>
  Interval $3
</LoadPlugin>
<LoadPlugin entropy>
  Interval $3
</LoadPlugin>
<LoadPlugin fhcount>
  Interval $3
</LoadPlugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$work/collectd-$name/collectd.sock"
</Plugin>
CONF
  "$collectd" -f -C "$work/collectd-$name/collectd.conf" 2>"$work/collectd-$name.log" & theirs=$!
  pids+=("$theirs")
}
stop_both() {
  kill -TERM "$ours" ${theirs:+"$theirs"}
  wait "$ours" ${theirs:+"$theirs"} || true
}
both() {  # figure unit how command-taking-a-pid
  local figure=$1 unit=$2 how=$3; shift 3
  row pcmonitord "$figure" "$("$@" "$ours")" "$unit" "$how"
  [[ -z $theirs ]] || row collectd "$figure" "$("$@" "$theirs")" "$unit" "$how"
}
rss() { kib "$1" VmRSS; }
anon() { kib "$1" RssAnon; }

((json)) || printf '%-11s %-42s %10s %-5s %s\n' "who" "figure" "value" "unit" "how"
[[ -x $collectd ]] || echo "collectd is not installed ($collectd): its rows are left out" >&2

start_both fast 0.01 0.1
sleep 1
both "RSS 1 s after start" KiB "VmRSS, 10 ms intervals" rss
both "anonymous RSS 1 s after start" KiB "RssAnon" anon
sleep 35
both "RSS after 3,600 ticks per group" KiB "VmRSS after 36 s at 10 ms" rss
both "anonymous RSS after 3,600 ticks per group" KiB "RssAnon" anon
stop_both

start_both default 1 10
sleep 2
declare -A start end
for pid in "$ours" $theirs; do start[$pid]=$(cpu_seconds "$pid"); done
sleep 60
for pid in "$ours" $theirs; do end[$pid]=$(cpu_seconds "$pid"); done
per_hour() { awk -v a="${start[$1]}" -v b="${end[$1]}" 'BEGIN {printf "%.2f", (b - a) * 60}'; }
share() { awk -v s="$(per_hour "$1")" 'BEGIN {printf "%.4f", s / 3600 * 100}'; }
both "CPU per hour at default intervals" s "schedstat over 60 s, x 60" per_hour
both "share of one core at default intervals" "%" "same run" share
both "RSS at default intervals" KiB "VmRSS after 62 s" rss
stop_both
