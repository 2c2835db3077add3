#!/usr/bin/env bash
# Installs the Debian packages that a task needs and the machine lacks, and only those
# (no Recommends).
# Usage: scripts/deps.sh TASK...   TASK: run, test, bench, package, fuzz, lint
#
# Installing never starts a service: a policy-rc.d that refuses every start is in place while
# apt runs (prometheus and prometheus-node-exporter would otherwise start theirs), and the
# units of the packages installed here are disabled afterwards, so a reboot does not start
# them either. Units of packages that were already installed are left as they were.
set -euo pipefail

declare -A needs=(
  [run]="g++ make cmake pkg-config libuv1-dev nlohmann-json3-dev libhttp-parser-dev"
  # The suite: doctest; free/df/nproc/mountinfo tools for the cross-checks; systemd-analyze
  # and man for the unit checks; promtool, a Prometheus server and node_exporter for the
  # exposition tests; a booted Debian 12 under systemd-nspawn and the .deb for the
  # real-systemd test.
  [test]="doctest-dev procps coreutils util-linux systemd man-db bash-completion prometheus prometheus-node-exporter
          systemd-container debootstrap jq debhelper dpkg-dev lintian"
  [bench]="doctest-dev collectd-core"
  [package]="debhelper dpkg-dev lintian"
  [fuzz]="clang libclang-rt-14-dev"
  [lint]="clang-format clang-tidy"
)

wanted=(${needs[run]})
for task in "$@"; do
  [[ -v needs[$task] ]] || { echo "deps: unknown task '$task' (run, test, bench, package, fuzz, lint)" >&2; exit 64; }
  wanted+=(${needs[$task]})
done
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0

echo "deps: installing ${missing[*]}" >&2
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# scripts/deps.sh: no service starts while it installs packages.\nexit 101\n' > "$policy"
  chmod 0755 "$policy"
  own_policy=true
fi
trap '$own_policy && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
before=$(dpkg-query -W -f='${Package}\n' | sort)
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
added=$(comm -13 <(echo "$before") <(dpkg-query -W -f='${Package}\n' | sort))
for p in $added; do
  dpkg -L "$p" 2>/dev/null | grep -E '^/(usr/)?lib/systemd/system/[^/@]+\.(service|socket|timer|path)$' || true
done | while read -r unit; do
  name=$(basename "$unit")
  if [[ $(systemctl is-enabled "$name" 2>/dev/null) == enabled ]]; then
    systemctl disable -q "$name" 2>/dev/null || true
    echo "deps: disabled $name (installed for the tests, not to run on this machine)" >&2
  fi
done
