# Starting fmc-controller from test scripts (sourced, not run).

# controller_start BINARY WORKDIR [OPTION...]: starts the controller on a free
# loopback port, logging to WORKDIR/controller.log (replaced). Sets ctl_pid and port;
# returns 1 if it did not come up within 5 s.
controller_start() {
  local binary=$1 work=$2
  shift 2
  rm -f "$work/port"
  "$binary" --listen 127.0.0.1 --port 0 --port-file "$work/port" "$@" >"$work/controller.log" 2>&1 &
  ctl_pid=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || return 1
  port=$(cat "$work/port")
}
