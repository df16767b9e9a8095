#!/usr/bin/env python3
"""Real VM live migration on the Fig. 1 testbed: vm1 is a QEMU guest
(Debian's kernel, busybox) on a TAP port of s-dc1; the controller migrates
it through its command driver (testbed/fmc_testbed.py migrate → QMP):
  - a TCP session from client1 to the guest's echo server survives a
    migration dc1 -> dc2 (every line echoed, in order, same connection);
  - QEMU's reported downtime reaches the migration record; QEMU's switchover
    (the guest stopped at dc1 for its last copy) moved the guest's traffic to
    dc2 before the migration completed; the guest answers at dc2;
  - a migration back, slowed down and cancelled halfway through the API,
    ends "cancelled": the guest keeps running at dc2, reachable, one QEMU
    left, and the TCP session still holds.
Run once more if the emulated guest's kernel fails (harness.GuestChecks).
Usage: qemu_migration.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from api_client import Api, EventStream  # noqa: E402
from harness import (TESTBED, Controller, GuestChecks, Lab, ovs_ensure_running, sh,  # noqa: E402
                     session_survived, tcp_session_result, teardown, wait_until)

CONFIG = os.path.join(HERE, "testbed.yaml")
PREFIX = f"q{os.getpid() % 1000}"
check = GuestChecks("QEMU live migration")


def qemu_pids():
    state = json.loads(sh(sys.executable, TESTBED, "status", CONFIG, "--prefix", PREFIX))
    return [p for p in state["pids"] if os.path.exists(f"/proc/{p}") and b"qemu" in open(f"/proc/{p}/cmdline", "rb").read()]


def migrations(controller_bin, linkem):
    """The migration there and the cancelled one back, on a testbed of their own."""
    work = tempfile.mkdtemp(prefix="fmc-qemu-")
    token = secrets.token_urlsafe(24)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(token + "\n")
    # Slow enough (24 MiB/s: seconds for the guest's memory) that the cancel
    # lands while QEMU is copying.
    migrate = (f"env FMC_QEMU_MAX_BANDWIDTH={24 << 20} {sys.executable} {TESTBED} migrate {CONFIG} {{vm}} {{to}} "
               f"--prefix {PREFIX}")
    ctl = Controller(controller_bin, CONFIG, os.path.join(work, "fmc.db"), work,
                     extra=["--api", "127.0.0.1:0", "--api-token-file", os.path.join(work, "token"),
                            "--api-port-file", os.path.join(work, "api-port"), "--migrate-command", migrate])
    lab = Lab(CONFIG, PREFIX, linkem, vms="qemu")
    check.lab = lab
    session = None
    try:
        ctl.start()
        api_port = int(open(os.path.join(work, "api-port")).read())
        api, stream = Api(api_port, token), EventStream(api_port, token)
        t0 = time.time()
        lab.up(ctl.port)
        check(len(qemu_pids()) == 1, f"one QEMU guest booted ({time.time() - t0:.1f} s to bring the testbed up)")
        check(lab.rtt("client1", "10.1.0.10") is not None, "client1 reaches the guest at dc1")
        session = lab.tcp_session("client1", "10.1.0.10", 7, 40)
        time.sleep(1)

        status, m = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc2"})
        check(status == 202, f"migration to dc2 ordered: {status} {m}")
        done = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{m['id']}")[1],
                          lambda r: r.get("state") != "running", 60)
        lines = (done.get("detail") or "").strip().splitlines()
        detail = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
        check(done.get("state") == "completed" and detail.get("hypervisor") == "qemu" and (detail.get("downtime_ms") or 0) > 0,
              f"it completed with QEMU's downtime reported: {done}")
        steps = [d["phase"] for e, d in stream.events if e == "MigrationStep" and d["id"] == m["id"]]
        moved = stream.first("EndpointMoved", lambda d: d["endpoint"] == "vm1" and d["to"]["site"] == "dc2")
        check(steps == ["started", "switchover", "completed"] and moved and moved[1]["cause"] == "migration",
              f"QEMU's switchover (guest stopped at dc1) sent vm1's traffic to dc2 before it completed: {steps}, {moved}")
        _, vm1 = api.call("GET", "/api/v1/endpoints/vm1")
        check(vm1["location"]["site"] == "dc2" and lab.rtt("client1", "10.1.0.10") is not None,
              f"the guest runs at dc2, reachable: {vm1['location']}")
        check(len(qemu_pids()) == 1, "the source QEMU is gone")

        status, back = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc1"})
        copying = wait_until(lambda: len(qemu_pids()), lambda n: n == 2, 20)  # the target QEMU is up
        time.sleep(0.5)
        status_del, _ = api.call("DELETE", f"/api/v1/migrations/{back['id']}")
        end = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{back['id']}")[1],
                         lambda r: r.get("state") != "running", 30)
        check(copying == 2 and status == 202 and status_del == 202 and end.get("state") == "cancelled",
              f"a slowed migration back to dc1, cancelled halfway, ends cancelled: {end}")
        _, vm1 = api.call("GET", "/api/v1/endpoints/vm1")
        check(vm1["location"]["site"] == "dc2" and lab.rtt("client1", "10.1.0.10") is not None and len(qemu_pids()) == 1,
              f"the guest still runs at dc2 (one QEMU), reachable: {vm1['location']}")

        result = tcp_session_result(session, timeout=90)
        session = None
        check(session_survived(result),
              f"the TCP session to the guest survived both: {result}")
    finally:
        if session:
            session.kill()
            session.wait()
        teardown(ctl, lab, work, check)


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    check.run(lambda: migrations(controller_bin, linkem))
    check.finish()


if __name__ == "__main__":
    main()
