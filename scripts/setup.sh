#!/usr/bin/env bash
# Installs what TASK needs (scripts/deps.sh), then configures and builds BUILD_DIR.
# Usage: scripts/setup.sh TASK BUILD_DIR [extra cmake arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
task=$1 build_dir=$2
shift 2
scripts/deps.sh "$task"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
