#!/usr/bin/env bash
# fmcctl's bash completion: what it offers after what has been typed.
set -euo pipefail
source "$(dirname "$0")/../../tools/fmcctl.bash"
offers() {  # offers WORD... : the completions for the last word
  COMP_WORDS=(fmcctl "$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  _fmcctl
  echo "${COMPREPLY[*]:-}"
}
expect() {  # expect WANT WORD...
  local want=$1; shift
  local got; got=$(offers "$@")
  [ "$got" = "$want" ] || { echo "FAIL: fmcctl $* <TAB>: want '$want', got '$got'"; exit 1; }
}
expect "migrations migrate metrics" "m"
expect "watch" "w"
expect "--json" "--j"
expect "events" "--json" "ev"
expect "switches sites services" "--api" "http://x" "s"
expect "http://127.0.0.1:8080" "--api" "http:"
expect "policy=off policy=nearest policy=threshold policy=mdp" "policy" "policy="
expect "dwell_s=" "policy" "dw"
expect "" "endpoints" "x"
dir=$(mktemp -d); touch "$dir/token"
expect "$dir/token" "--token-file" "$dir/to"
rm -rf "$dir"
echo "fmcctl completion OK"
