#!/usr/bin/env bash
# Checks what `cmake --install` ships for systemd: every file lands where the README says,
# `systemd-analyze verify` accepts the units (their manual pages included), and the service's exposure score
# (`systemd-analyze security --offline=yes`) is at most 1.0.
# Usage: scripts/check-systemd.sh BUILD_DIR
set -euo pipefail
build=${1:?build directory}
dest=$(mktemp -d)
units=$(mktemp -d)
trap 'rm -rf "$dest" "$units"' EXIT

DESTDIR=$dest cmake --install "$build" >/dev/null
for file in usr/bin/pcmonitord usr/bin/pcmonctl \
            lib/systemd/system/pcmonitor.service lib/systemd/system/pcmonitor.socket \
            usr/lib/sysusers.d/pcmonitor.conf etc/pcmonitor/pcmonitor.json \
            usr/share/pcmonitor/pcmonitor.schema.json usr/share/man/man8/pcmonitord.8 \
            usr/share/man/man1/pcmonctl.1 usr/share/man/man5/pcmonitor.json.5 \
            usr/share/bash-completion/completions/pcmonctl; do
  [[ -f $dest/$file ]] || { echo "check-systemd: not installed: /$file" >&2; exit 1; }
done
bash -n "$dest/usr/share/bash-completion/completions/pcmonctl"
grep -qx 'ExecStart=/usr/bin/pcmonitord' "$dest/lib/systemd/system/pcmonitor.service" \
  || { echo "check-systemd: ExecStart is not /usr/bin/pcmonitord" >&2; exit 1; }

# This host has no /usr/bin/pcmonitord: verify a copy that runs the installed binaries.
sed "s|/usr/bin/pcmon|$dest/usr/bin/pcmon|" "$dest/lib/systemd/system/pcmonitor.service" \
  > "$units/pcmonitor.service"
cp "$dest/lib/systemd/system/pcmonitor.socket" "$units/"
# Documentation= must name pages that exist: verify looks them up in the installed tree.
MANPATH=$dest/usr/share/man systemd-analyze verify "$units/pcmonitor.service" "$units/pcmonitor.socket"

score=$(systemd-analyze security --offline=yes "$units/pcmonitor.service" 2>/dev/null \
        | awk '/Overall exposure level/ {print $(NF-2)}')
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 1.0) }' \
  || { echo "check-systemd: exposure level '$score' is above 1.0" >&2; exit 1; }
echo "check-systemd: files installed, units verified, exposure level $score"
