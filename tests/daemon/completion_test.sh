#!/usr/bin/env bash
# pcmonctl's bash completion, under Debian's bash-completion: commands, then groups.
# Usage: tests/daemon/completion_test.sh SOURCE_DIR
set -euo pipefail
source /usr/share/bash-completion/bash_completion
source "$1/daemon/pcmonctl.bash"
failed=0
expect() {  # expect "WORDS..." "COMPLETIONS"
  read -ra COMP_WORDS <<<"$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$1 COMP_POINT=${#1}
  COMPREPLY=()
  _pcmonctl
  local got="${COMPREPLY[*]}"
  if [[ $got == "$2" ]]; then echo "ok - '$1' -> '$got'"; else echo "FAIL - '$1' -> '$got', expected '$2'"; failed=1; fi
}
expect "pcmonctl g" "get"
expect "pcmonctl w" "wait watch"
expect "pcmonctl get " "cpu memory disk fs network kernel textfile all"
expect "pcmonctl get m" "memory"
expect "pcmonctl --json watch d" "disk"
expect "pcmonctl --socket /tmp/x.sock h" "history"
expect "pcmonctl --" "--socket --json --help"
expect "pcmonctl ping " ""
exit $failed
