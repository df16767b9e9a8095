#!/usr/bin/env python3
"""Faults in the middle of a live migration (issue 13), with the real QEMU
guest on the Fig. 1 testbed; client1 stays at wlan1 (vm1 at dc1 answers in
~1 ms, at dc2 in ~50 ms). For each fault, the VM ends in exactly one place
(one QEMU), client1's traffic reaches it there, the migration's record says
what happened, and a retry works:
  - the target QEMU killed (-9) mid-migration: failed, the guest runs on at
    its source;
  - the source QEMU killed (-9) mid-migration: failed, the guest is booted
    again at its source (as a hypervisor's HA restart would) and the record
    says so;
  - the migration hangs (a stream too slow to ever finish) with
    --migration-timeout 3: cancelled at 3 s, failed "timed out";
  - the target hypervisor unreachable (its migration port refuses): failed;
  - the controller killed (-9) mid-migration and restarted: the migration
    finishes without it; the restarted controller looks for vm1 at both ends,
    finds it at the target and records the migration completed.
Run once more if the emulated guest's kernel fails (harness.GuestChecks).
Usage: qemu_faults.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import json
import os
import secrets
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from api_client import Api  # noqa: E402
from harness import TESTBED, Controller, GuestChecks, Lab, ovs_ensure_running, sh, teardown, wait_until  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
PREFIX = f"f{os.getpid() % 1000}"
check = GuestChecks("faults in the middle of a QEMU live migration")


def testbed_state():
    return json.loads(sh(sys.executable, TESTBED, "status", CONFIG, "--prefix", PREFIX))


def qemu_pids():
    return [p for p in testbed_state()["pids"]
            if os.path.exists(f"/proc/{p}") and b"qemu" in open(f"/proc/{p}/cmdline", "rb").read()]


def guest():
    """(site, QEMU pid) of vm1 as the testbed has it."""
    host = testbed_state()["hosts"]["vm1"]
    return host["site"], host["pid"]


class Run:
    """The controller, restarted with another migration command (or options) as a scenario needs."""

    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.token = secrets.token_urlsafe(24)
        with open(os.path.join(work, "token"), "w") as f:
            f.write(self.token + "\n")
        self.ctl, self.api, self.port = None, None, None

    def start(self, env="", extra=()):
        migrate = f"env {env} {sys.executable} {TESTBED} migrate {CONFIG} {{vm}} {{to}} --prefix {PREFIX}"
        self.ctl = Controller(self.binary, CONFIG, os.path.join(self.work, "fmc.db"), self.work,
                              extra=["--api", "127.0.0.1:0", "--api-token-file", os.path.join(self.work, "token"),
                                     "--api-port-file", os.path.join(self.work, "api-port"), "--migrate-command", migrate,
                                     *extra])
        self.ctl.port = self.port  # the switches know this port
        self.ctl.start()
        self.port = self.ctl.port
        self.api = Api(int(open(os.path.join(self.work, "api-port")).read()), self.token)

    def stop(self):
        if self.ctl:
            self.ctl.stop()

    def order(self, to):
        status, m = self.api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": to})
        if status != 202:
            raise RuntimeError(f"migration to {to} refused: {status} {m}")
        return m["id"]

    def record(self, mid):
        return self.api.call("GET", f"/api/v1/migrations/{mid}")[1]

    def ended(self, mid, seconds=90):
        return wait_until(lambda: self.record(mid), lambda r: r.get("state") not in (None, "running"), seconds)

    def located(self, site):
        return wait_until(lambda: self.api.call("GET", "/api/v1/endpoints/vm1")[1],
                          lambda e: (e.get("location") or {}).get("site") == site, 15)


def reaches(lab, site):
    """client1 (at wlan1) reaches vm1 at `site`: ~1 ms at dc1, ~50 ms at dc2."""
    ok = (lambda v: v is not None and v < 20) if site == "dc1" else (lambda v: v is not None and 40 <= v <= 90)
    return wait_until(lambda: lab.rtt("client1", "10.1.0.10", count=3), ok, 20)


def one_place(lab, site, what):
    where, _ = guest()
    n = len(qemu_pids())
    rtt = reaches(lab, site)
    check(where == site and n == 1 and rtt is not None,
          f"{what}: vm1 runs in one place, {site} ({n} QEMU), and client1 reaches it there ({rtt} ms)")


def retry(run, lab, to, what):
    mid = run.order(to)
    r = run.ended(mid)
    where = guest()[0]
    rtt = reaches(lab, to) if where == to else None
    check(r.get("state") == "completed" and where == to and rtt is not None,
          f"{what}: a retry to {to} completes and vm1 answers there ({r.get('state')}, vm1 at {where}, {rtt} ms)")


def two_qemus():
    return wait_until(lambda: len(qemu_pids()), lambda n: n == 2, 30) == 2


def scenarios(controller_bin, linkem):
    """Every fault in turn on one testbed."""
    work = tempfile.mkdtemp(prefix="fmc-qemu-faults-")
    run = Run(controller_bin, work)
    lab = Lab(CONFIG, PREFIX, linkem, vms="qemu")
    check.lab = lab
    slow = f"FMC_QEMU_MAX_BANDWIDTH={8 << 20}"  # seconds of copying: time to strike
    try:
        run.start(env=slow)
        lab.up(run.port)
        one_place(lab, "dc1", "at start")

        # 1. The target QEMU killed.
        mid = run.order("dc2")
        check(two_qemus(), "target killed: the target QEMU is up, the copy under way")
        _, source_pid = guest()
        target = [p for p in qemu_pids() if p != source_pid][0]
        os.kill(target, signal.SIGKILL)
        r = run.ended(mid)
        check(r.get("state") == "failed", f"target killed: the migration failed: {r.get('detail', '')[-160:]}")
        one_place(lab, "dc1", "target killed")
        retry(run, lab, "dc2", "target killed")

        # 2. The source QEMU killed (vm1 at dc2 now).
        mid = run.order("dc1")
        check(two_qemus(), "source killed: the copy is under way")
        _, source_pid = guest()
        os.kill(source_pid, signal.SIGKILL)
        r = run.ended(mid, 120)
        check(r.get("state") == "failed" and "died during the migration" in r.get("detail", "")
              and "booted again at dc2" in r.get("detail", ""),
              f"source killed: the migration failed, the record says the guest was booted again at dc2: "
              f"{r.get('detail', '')[-200:]}")
        one_place(lab, "dc2", "source killed")
        retry(run, lab, "dc1", "source killed")

        # 3. The migration hangs.
        run.stop()
        run.start(env=f"FMC_QEMU_MAX_BANDWIDTH={64 << 10}", extra=["--migration-timeout", "3"])
        started = time.time()
        mid = run.order("dc2")
        r = run.ended(mid, 30)
        took = time.time() - started
        check(r.get("state") == "failed" and "timed out after 3 s and was cancelled" in r.get("detail", "") and 3 <= took < 15,
              f"hang: cancelled at its 3 s timeout, failed after {took:.1f} s: {r.get('detail', '')[:120]}")
        one_place(lab, "dc1", "hang")

        # 4. The target hypervisor unreachable.
        run.stop()
        run.start(env="FMC_QEMU_MIGRATE_TO=127.0.0.1:1")
        mid = run.order("dc2")
        r = run.ended(mid, 30)
        check(r.get("state") == "failed", f"unreachable: the migration failed: {r.get('detail', '')[-160:]}")
        one_place(lab, "dc1", "unreachable")
        run.stop()
        run.start(env=slow)
        retry(run, lab, "dc2", "hang and unreachable")

        # 5. The controller killed mid-migration and restarted.
        mid = run.order("dc1")
        check(two_qemus(), "controller killed: the copy is under way")
        run.ctl.kill9()
        finished = wait_until(lambda: (guest()[0], len(qemu_pids())), lambda g: g == ("dc1", 1), 90)
        check(finished == ("dc1", 1), f"controller killed: the migration finished without it (vm1 at {finished[0]})")
        run.start()
        r = run.ended(mid, 45)
        check(r.get("state") == "completed" and "vm1 answered at dc1" in r.get("detail", ""),
              f"restarted: it looked for vm1, found it at dc1 and recorded the migration completed: {r.get('detail', '')}")
        check(run.located("dc1") is not None, "restarted: vm1's location is dc1")
        one_place(lab, "dc1", "controller killed")
        retry(run, lab, "dc2", "controller killed")
    finally:
        teardown(run.ctl, lab, work, check)


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    check.run(lambda: scenarios(controller_bin, linkem))
    check.finish()


if __name__ == "__main__":
    main()
