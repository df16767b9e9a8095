#!/bin/bash
# The Debian package (issue 15): built by CPack from the install rules,
# installed with dpkg, its unit checked by systemd-analyze, the installed
# controller started as the unit would start it (user fmc, the options in
# /etc/default, the token fmc-first-start makes) and serving its API, then
# removed (database and token kept) and purged (gone, user too).
# Usage: package_deb.sh BUILD_DIR   (as root; installs into /usr and /etc, then purges)
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d /tmp/fmc-deb-XXXXXX)
pid=""
failures=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  dpkg -P fmc-controller >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if dpkg -s fmc-controller >/dev/null 2>&1; then
  echo "fmc-controller is installed already; this test installs and purges it: remove it first" >&2
  exit 1
fi
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/fmc-controller_*.deb)
ok "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"
check "it depends on the libraries the controller links (dpkg-shlibdeps)" \
  sh -c "dpkg-deb -f '$deb' Depends | grep -q libsqlite3 && dpkg-deb -f '$deb' Depends | grep -q adduser"
check "its /etc files are conffiles" sh -c "dpkg-deb -I '$deb' conffiles | grep -qx /etc/fmc/network.yaml"

dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
ok "dpkg -i installed it"
for f in /usr/bin/fmc-controller /usr/bin/fmcctl /usr/lib/fmc/fmc-first-start /usr/share/bash-completion/completions/fmcctl \
         /etc/default/fmc-controller /etc/fmc/network.yaml /usr/share/doc/fmc-controller/README.md; do
  check "installed $f" test -e "$f"
done
unit=$(dpkg -L fmc-controller | grep 'systemd/system/fmc-controller.service$')
check "the unit is installed ($unit)" test -f "$unit"
check "systemd-analyze verify finds nothing wrong with the unit" \
  sh -c "systemd-analyze verify --man=no '$unit' >'$work/verify.log' 2>&1 && ! grep -v '^$' '$work/verify.log' | grep -q ."
[ -s "$work/verify.log" ] && cat "$work/verify.log"
check "the system user fmc exists, owning /var/lib/fmc (0750)" \
  sh -c "getent passwd fmc >/dev/null && [ \"\$(stat -c '%U %a' /var/lib/fmc)\" = 'fmc 750' ]"
check "fmc-controller --help runs" sh -c "/usr/bin/fmc-controller --help | grep -q -- --network"

/usr/lib/fmc/fmc-first-start >/dev/null
check "the first start made the API token, 0640 root:fmc" \
  sh -c "[ \"\$(stat -c '%a %U %G' /etc/fmc/token)\" = '640 root fmc' ] && [ \$(wc -c </etc/fmc/token) -ge 33 ]"
before=$(cat /etc/fmc/token)
/usr/lib/fmc/fmc-first-start >/dev/null
check "a second start keeps it" test "$before" = "$(cat /etc/fmc/token)"

# As the unit starts it: user fmc, the options from /etc/default (free ports instead of the defaults).
# shellcheck disable=SC1091
. /etc/default/fmc-controller
of_port=$(free_port); api_port=$(free_port)
options=$(echo "$FMC_OPTIONS" | sed "s/--port 6653/--port $of_port/; s/127.0.0.1:8080/127.0.0.1:$api_port/")
# shellcheck disable=SC2086
setpriv --reuid fmc --regid fmc --init-groups /usr/bin/fmc-controller $options >"$work/controller.log" 2>&1 &
pid=$!
token=$(cat /etc/fmc/token)
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$api_port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
check "the installed controller, as user fmc, answers /health" curl -sf "http://127.0.0.1:$api_port/health" -o /dev/null
check "and its API with the token (the Fig. 1 example's endpoints)" \
  sh -c "curl -sf -H 'Authorization: Bearer $token' http://127.0.0.1:$api_port/api/v1/endpoints | grep -q vm1"
check "and serves the dashboard built into it (/dashboard/, its script)" \
  sh -c "curl -sf http://127.0.0.1:$api_port/dashboard/ | grep -q '<title>Follow-Me Cloud</title>' &&
         curl -sf http://127.0.0.1:$api_port/dashboard/app.js | grep -q fmcDashboard"
check "its database is /var/lib/fmc/fmc.db, owned by fmc" sh -c "[ \"\$(stat -c %U /var/lib/fmc/fmc.db)\" = fmc ]"
kill "$pid"; wait "$pid" || true; pid=""

dpkg -r fmc-controller >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
check "dpkg -r removed the programs" test ! -e /usr/bin/fmc-controller
check "and kept the database, the token and the configuration" \
  sh -c "test -e /var/lib/fmc/fmc.db && test -e /etc/fmc/token && test -e /etc/fmc/network.yaml"
dpkg -P fmc-controller >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
check "dpkg -P removed the database, the token, /etc/fmc and the user" \
  sh -c "test ! -e /var/lib/fmc && test ! -e /etc/fmc && ! getent passwd fmc >/dev/null"

if [ "$failures" -gt 0 ]; then
  echo "FAILED: the Debian package ($failures failures)"
  exit 1
fi
echo "PASSED: the Debian package"
