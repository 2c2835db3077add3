#!/usr/bin/env bash
# pcmonitor under a real systemd: boots Debian 12 with systemd 252 as PID 1 under
# systemd-nspawn, installs the Debian package (round 1) and then, in a fresh container, the
# `cmake --install` tree (round 2), and checks each as an administrator would.
#
# Exit 0 when every check passed, 1 when one failed, 77 (CTest: skipped) with a WARN line
# naming the reason when this machine cannot host the container.
# Usage: tests/system/real_systemd.sh SOURCE_DIR BUILD_DIR
# The Debian 12 root filesystem is made once with debootstrap and kept in
# $PCM_CONTAINER_CACHE (default /var/cache/pcmonitor-test); each round boots a copy of it.
# PCM_TEST_DEB=FILE uses that package instead of building one with scripts/package.
set -euo pipefail
src=$(realpath "${1:?source directory}")
build=$(realpath "${2:?build directory}")
cache=${PCM_CONTAINER_CACHE:-/var/cache/pcmonitor-test}
rootfs=$cache/bookworm
work=$(mktemp -d /var/tmp/pcm-real-systemd.XXXXXX)
passed=0 failed=0 nspawn_pid="" ct=""

skip() { echo "WARN: real-systemd test skipped: $*"; exit 77; }
log() { echo "--- $*"; }
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() {  # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# Waits for a condition: until CMD succeeds, at most SECONDS; false if it never did.
wait_for() {
  local seconds=$1
  shift
  local end=$((SECONDS + seconds))
  until "$@" 2>/dev/null; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
}

# A command inside the container, with a clean environment (nothing of the host's).
in_ct() { nsenter -t "$ct" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
as_user() { local user=$1; shift; in_ct setpriv --reuid "$user" --regid "$user" --init-groups "$@"; }
unit_property() { in_ct systemctl show -p "$2" --value "$1"; }
main_pid() { unit_property pcmonitor.service MainPID; }
is_active() { [[ $(in_ct systemctl is-active "$1") == active ]]; }
config_value() { as_user alice pcmonctl --json config | jq -r ".config$1"; }

shutdown_container() {
  [[ -n $nspawn_pid ]] || return 0
  kill -TERM "$nspawn_pid" 2>/dev/null || true  # nspawn asks the container's systemd to power off
  local end=$((SECONDS + 30))
  while kill -0 "$nspawn_pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  kill -KILL "$nspawn_pid" 2>/dev/null || true
  wait "$nspawn_pid" 2>/dev/null || true
  nspawn_pid="" ct=""
}
cleanup() {
  shutdown_container
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "FAIL - unexpected failure at line $LINENO: $BASH_COMMAND"' ERR

# ---- can this machine host the container? --------------------------------------------------
[[ $(id -u) == 0 ]] || skip "needs root (systemd-nspawn, debootstrap)"
for tool in systemd-nspawn debootstrap nsenter dpkg-deb jq; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/test installs it)"
done
if [[ ! -x $rootfs/usr/lib/systemd/systemd ]]; then
  log "making a Debian 12 root filesystem in $rootfs (once; kept for later runs)"
  mirror=$(awk '/^URIs:/ {print $2; exit} /^deb / {print $2; exit}' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
  rm -rf "$rootfs.new"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,procps bookworm "$rootfs.new" \
    "${mirror:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
    || { tail -5 "$work/debootstrap.log"; skip "debootstrap could not make a Debian 12 root filesystem"; }
  mv "$rootfs.new" "$rootfs"
fi

boot() {  # boot DIR: starts the container; sets $ct to its PID 1 (systemd) as seen from here
  local dir=$1
  systemd-nspawn -q -D "$dir" -b --register=no --keep-unit -M "pcm-$$" --console=read-only \
    >"$work/console.log" 2>&1 &
  nspawn_pid=$!
  find_init() {
    local pid
    for pid in $(pgrep -P "$nspawn_pid"); do
      [[ $(cat "/proc/$pid/comm") == systemd ]] && { ct=$pid; return 0; }
    done
    return 1
  }
  wait_for 30 find_init || { tail -20 "$work/console.log"; skip "systemd-nspawn did not start a container's systemd"; }
  local state
  wait_for 90 in_ct systemctl is-system-running --wait >/dev/null || true
  state=$(in_ct systemctl is-system-running 2>/dev/null || true)
  [[ $state == running || $state == degraded ]] \
    || { tail -20 "$work/console.log"; skip "the container did not finish booting (state '$state')"; }
  [[ $state == running ]] || in_ct systemctl --failed --no-legend
  log "container booted: systemd $(in_ct systemctl --version | awk 'NR==1 {print $2}') as PID 1 ($state)"
}

fresh_container() {  # fresh_container NAME: boots a copy of the root filesystem; sets $root
  root=$work/$1
  cp -a "$rootfs" "$root"
  boot "$root"
}

# The journal's position now, as a cursor (none of a timestamp's one-second granularity).
# `--sync` first has journald store every message sent before it, so that a loaded machine's
# backlog is not mistaken for what comes next.
journal_mark() {
  in_ct journalctl --sync
  in_ct journalctl -q -n 1 -o export | sed -n 's/^__CURSOR=//p' | head -1
}
journal_since() {
  in_ct journalctl --sync
  in_ct journalctl -q --no-pager -u pcmonitor.service -u pcmonitor.socket --after-cursor "$1"
}
status_has_line() { in_ct systemctl status pcmonitor.service | grep -q 'Status: "'; }
journal_says() { journal_since "$1" | grep -qE "$2"; }
journal_never_says() {  # prints what it found, so that a failure shows the lines
  local hits
  hits=$(journal_since "$1" | grep -iE "$2") || return 0
  sed 's/^/#   /' <<<"$hits"
  return 1
}
exposure_at_most() { awk -v s="$1" -v max="$2" 'BEGIN { exit !(s != "" && s <= max) }'; }
has_line() { grep -qE "$2" <<<"$1"; }

# ---- the checks both rounds make --------------------------------------------------------------
service_checks() {
  local round=$1 t pid before out rc ours theirs score
  check "$round: pcmonitor.socket is active" is_active pcmonitor.socket
  check "$round: pcmonitor.service is active" is_active pcmonitor.service
  check "$round: systemctl status shows the daemon's Status: line" status_has_line
  check "$round: the socket is 0660 root:pcmonitor in /run/pcmonitor (not moved to /run/private)" \
    test "$(in_ct stat -c '%a %U:%G' /run/pcmonitor/pcmonitor.sock)" == "660 root:pcmonitor"

  in_ct useradd -m -G pcmonitor alice
  in_ct useradd -m mallory
  out=$(as_user alice pcmonctl get all 2>&1) && rc=0 || rc=$?
  check "$round: a member of group pcmonitor gets readings from plain 'pcmonctl get all' (exit $rc)" test "$rc" == 0
  check "$round: ... and they include memory" has_line "$out" '^Memory +total'
  out=$(as_user mallory pcmonctl get all 2>&1) && rc=0 || rc=$?
  check "$round: a user outside the group gets exit code 2 ($rc)" test "$rc" == 2
  check "$round: ... and 'Permission denied'" has_line "$out" 'Permission denied'

  # Readings inside the container against the real tools inside it.
  ours=$(as_user alice pcmonctl --json get memory | jq '.reading.data.total')
  theirs=$(in_ct free -b | awk '/^Mem:/ {print $2}')
  check "$round: memory total equals free -b ($ours, $theirs)" test "$ours" == "$theirs"
  ours=$(as_user alice pcmonctl --json get fs | jq '[.reading.data.filesystems[] | select(.mount_point == "/")][0].size')
  theirs=$(in_ct df -B1 --output=size / | tail -1 | tr -d ' ')
  check "$round: size of / equals df -B1 ($ours, $theirs)" test "$ours" == "$theirs"
  # The unit keeps the machine's network namespace: the network group lists the interfaces
  # the machine has, not only a private loopback.
  ours=$(as_user alice pcmonctl --json get network | jq -r '[.reading.data.interfaces[].interface] | sort | join(" ")')
  theirs=$(in_ct sh -c 'ls /sys/class/net | LC_ALL=C sort | paste -sd " "')
  check "$round: the network group lists the interfaces in /sys/class/net ($ours; $theirs)" test "$ours" == "$theirs"

  # Reload: a changed interval applies in the same process; an invalid file fails the reload.
  pid=$(main_pid)
  cp "$root/etc/pcmonitor/pcmonitor.json" "$work/original.json"
  jq '.sampling.cpu.interval_ms = 500' "$work/original.json" >"$root/etc/pcmonitor/pcmonitor.json"
  check "$round: systemctl reload succeeds on a valid file" in_ct systemctl reload pcmonitor.service
  check "$round: the new interval is running (500 ms)" test "$(config_value .sampling.cpu.interval_ms)" == 500
  check "$round: reload kept the main PID" test "$(main_pid)" == "$pid"
  t=$(journal_mark)
  echo '{"sampling": {"cpu": {"interval_ms": 0}}}' >"$root/etc/pcmonitor/pcmonitor.json"
  in_ct systemctl reload pcmonitor.service 2>/dev/null && rc=0 || rc=$?
  check "$round: systemctl reload fails on an invalid file (exit $rc)" test "$rc" != 0
  check "$round: the journal says why" journal_says "$t" 'interval_ms: must be between'
  check "$round: the old configuration stays (500 ms)" test "$(config_value .sampling.cpu.interval_ms)" == 500
  check "$round: the service stays active, same PID" \
    test "$(in_ct systemctl is-active pcmonitor.service) $(main_pid)" == "active $pid"
  cp "$work/original.json" "$root/etc/pcmonitor/pcmonitor.json"
  in_ct systemctl reload pcmonitor.service

  # The watchdog: a frozen daemon is killed and restarted (WatchdogSec shortened for the test).
  mkdir -p "$root/etc/systemd/system/pcmonitor.service.d"
  printf '[Service]\nWatchdogSec=2s\n' >"$root/etc/systemd/system/pcmonitor.service.d/test-watchdog.conf"
  in_ct systemctl daemon-reload
  in_ct systemctl restart pcmonitor.service
  before=$(unit_property pcmonitor.service NRestarts)
  pid=$(main_pid)
  in_ct kill -STOP "$pid"
  restarted() {
    local now
    now=$(main_pid)
    [[ $(unit_property pcmonitor.service NRestarts) == $((before + 1)) && $now != 0 && $now != "$pid" ]] &&
      is_active pcmonitor.service
  }
  check "$round: SIGSTOP: the watchdog has it killed and restarted (restart counter +1, new PID)" wait_for 60 restarted
  check "$round: ... and it serves again" as_user alice pcmonctl ping >/dev/null
  rm -rf "$root/etc/systemd/system/pcmonitor.service.d"
  in_ct systemctl daemon-reload

  # Socket activation: the service stopped, a client's connection starts it.
  t=$(journal_mark)
  in_ct systemctl stop pcmonitor.service 2>/dev/null  # (its warning: the socket can still activate it)
  check "$round: a stop right after the watchdog's restart needs no SIGKILL" journal_never_says "$t" 'SIGKILL|Killing process'
  check "$round: service stopped, socket still listening" \
    test "$(in_ct systemctl is-active pcmonitor.service) $(in_ct systemctl is-active pcmonitor.socket)" == "inactive active"
  out=$(as_user alice pcmonctl ping 2>&1) && rc=0 || rc=$?
  check "$round: a client's connection starts the service and gets its answer" test "$rc $out" == "0 pong"
  check "$round: the service is active again" is_active pcmonitor.service

  # A clean stop: exit 0, no SIGKILL.
  t=$(journal_mark)
  check "$round: systemctl stop exits 0" in_ct systemctl stop pcmonitor.service 2>/dev/null
  check "$round: the daemon exited by itself with status 0 (Result=success)" \
    test "$(unit_property pcmonitor.service Result) $(unit_property pcmonitor.service ExecMainStatus)" == "success 0"
  check "$round: no SIGKILL was needed" journal_never_says "$t" 'SIGKILL|Killing process'
  in_ct systemctl start pcmonitor.service

  score=$(in_ct systemd-analyze security pcmonitor.service 2>/dev/null | grep -oP 'Overall exposure level for \S+: \K[0-9.]+')
  check "$round: online systemd-analyze security: exposure $score <= 1.0" exposure_at_most "$score" 1.0
}

# After a reboot: started again by the boot, the socket still 0660 root:pcmonitor.
reboot_checks() {
  local round=$1
  shutdown_container
  boot "$root"
  wait_for 30 is_active pcmonitor.socket || true
  check "$round: after a reboot the socket is active and 0660 root:pcmonitor" \
    test "$(in_ct systemctl is-active pcmonitor.socket) $(in_ct stat -c '%a %U:%G' /run/pcmonitor/pcmonitor.sock)" == "active 660 root:pcmonitor"
  check "$round: after a reboot a member of group pcmonitor gets readings" as_user alice pcmonctl get memory >/dev/null
  check "$round: after a reboot the service is active" is_active pcmonitor.service
}

# ---- round 1: the Debian package ---------------------------------------------------------------
if [[ -n ${PCM_TEST_DEB:-} ]]; then  # a package built already (while working on this test)
  mkdir -p "$work/package"
  deb=$PCM_TEST_DEB
else
  log "building the Debian package (scripts/package)"
  nice -n 19 "$src/scripts/package" "$work/package" >"$work/package.log" 2>&1 || { tail -30 "$work/package.log"; exit 1; }
  deb=$(ls "$work"/package/pcmonitor_*.deb)
fi
version=$(dpkg-deb -f "$deb" Version)
# The upgrade: the same package under a higher version.
dpkg-deb -R "$deb" "$work/upgrade"
sed -i "s/^Version: .*/Version: $version+test1/" "$work/upgrade/DEBIAN/control"
dpkg-deb -b -Zxz "$work/upgrade" "$work/package/upgrade.deb" >/dev/null

fresh_container ct-deb
cp "$deb" "$root/root/pcmonitor.deb"
cp "$work/package/upgrade.deb" "$root/root/upgrade.deb"
log "dpkg -i $(basename "$deb")"
in_ct dpkg -i /root/pcmonitor.deb </dev/null >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; not_ok "deb: dpkg -i"; }
check "deb: the package created group pcmonitor" bash -c "$(declare -f in_ct); ct=$ct; in_ct getent group pcmonitor >/dev/null"
check "deb: the socket and the service are enabled" \
  test "$(in_ct systemctl is-enabled pcmonitor.socket) $(in_ct systemctl is-enabled pcmonitor.service)" == "enabled enabled"
wait_for 30 is_active pcmonitor.service || true
service_checks deb
reboot_checks deb
check "deb: the manual pages are installed" in_ct test -f /usr/share/man/man8/pcmonitord.8.gz -a -f /usr/share/man/man1/pcmonctl.1.gz -a -f /usr/share/man/man5/pcmonitor.json.5.gz
check "deb: the configuration is a conffile" has_line "$(in_ct dpkg-query -W -f='${Conffiles}' pcmonitor)" '/etc/pcmonitor/pcmonitor.json'

# Upgrade: the service restarts, the administrator's change to the conffile stays.
jq '.sampling.memory.interval_ms = 700' "$root/etc/pcmonitor/pcmonitor.json" >"$work/mine.json"
cp "$work/mine.json" "$root/etc/pcmonitor/pcmonitor.json"
in_ct systemctl reload pcmonitor.service
pid=$(main_pid)
in_ct dpkg -i /root/upgrade.deb </dev/null >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; not_ok "deb: upgrade"; }
check "deb: upgraded to $version+test1" test "$(in_ct dpkg-query -W -f='${Version}' pcmonitor)" == "$version+test1"
wait_for 30 is_active pcmonitor.service || true
check "deb: the upgrade restarted the service (PID $pid -> $(main_pid))" \
  test "$(main_pid)" != "$pid" -a "$(main_pid)" != 0
check "deb: the changed conffile was kept" cmp -s "$work/mine.json" "$root/etc/pcmonitor/pcmonitor.json"
check "deb: ... and is running (700 ms)" test "$(config_value .sampling.memory.interval_ms)" == 700

# Remove stops it; purge removes the configuration.
in_ct dpkg --remove pcmonitor </dev/null >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; not_ok "deb: remove"; }
check "deb: remove stops the service and the socket" \
  test "$(in_ct systemctl is-active pcmonitor.service) $(in_ct systemctl is-active pcmonitor.socket)" == "inactive inactive"
check "deb: no pcmonitord process is left" bash -c "! pgrep -x pcmonitord --ns $ct --nslist pid >/dev/null"
check "deb: remove keeps the configuration" test -f "$root/etc/pcmonitor/pcmonitor.json"
in_ct dpkg --purge pcmonitor </dev/null >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; not_ok "deb: purge"; }
check "deb: purge removes the configuration" test ! -e "$root/etc/pcmonitor"
check "deb: purge leaves no unit behind" test ! -e "$root/lib/systemd/system/pcmonitor.service"
shutdown_container

# ---- round 2: the cmake --install tree -----------------------------------------------------------
fresh_container ct-install
log "cmake --install $build into the container"
DESTDIR=$root cmake --install "$build" >/dev/null
in_ct systemd-sysusers
in_ct systemctl daemon-reload
in_ct systemctl enable --now pcmonitor.socket pcmonitor.service
service_checks install
reboot_checks install
shutdown_container

echo "real-systemd: $passed passed, $failed failed"
[[ $failed == 0 ]] || exit 1
