#!/usr/bin/env python3
"""A real libvirt live migration, driven by the controller's libvirt driver
(--migrate-libvirt) on the Fig. 1 testbed: each data center's hypervisor is a
libvirt daemon of its own (libvirtd + QEMU driver, its own host UUID,
testbed/libvirt_hypervisors.py), vm1 a domain of dc1's, on a TAP port of s-dc1:
  - the controller migrates vm1 dc1 -> dc2 peer to peer; a TCP session from
    client1 to the guest's echo server survives it (every line echoed, in order,
    same connection);
  - the migration record carries the downtime as the target's libvirt reports
    it (the source's domain is gone by then) and its figures; libvirt's
    switchover (the source suspended the guest for its last copy) is a step
    before "completed";
  - the guest answers at dc2 through its new port; dc2's daemon runs it, dc1's
    no longer has it;
  - a migration back, slowed down (libvirt's migrate-setspeed) and cancelled
    halfway through the API, ends "cancelled": the guest keeps running at dc2,
    reachable, and the TCP session still holds.
Usage: libvirt_migration.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import secrets
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
import libvirt_hypervisors as hv  # noqa: E402
from api_client import Api, EventStream  # noqa: E402
from fmc_testbed import STATE_DIR  # noqa: E402
from harness import (Checks, Controller, Lab, ovs_ensure_running, session_survived, sh,  # noqa: E402
                     tcp_session_result, teardown, wait_until)

PREFIX = f"v{os.getpid() % 1000}"
check = Checks("libvirt live migration")


def domains(site):
    """The domains `site`'s hypervisor runs."""
    return hv.virsh(hv.uri(STATE_DIR, PREFIX, site), "list", "--name").split()


def copied_mib(site, vm="vm1"):
    """How much of `vm`'s memory its outgoing migration at `site` has copied so far."""
    for line in hv.virsh(hv.uri(STATE_DIR, PREFIX, site), "domjobinfo", vm, check=False).splitlines():
        if line.startswith("Memory processed:"):
            value, unit = line.split(":", 1)[1].split()
            return float(value) * {"B": 2 ** -20, "KiB": 2 ** -10, "MiB": 1, "GiB": 2 ** 10}.get(unit, 0)
    return 0.0


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-libvirt-")
    token = secrets.token_urlsafe(24)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(token + "\n")
    # The Fig. 1 testbed's configuration, each data center with its hypervisor's URI.
    # (Added as text: a YAML round trip would turn the file's `off`s into booleans.)
    with open(os.path.join(HERE, "testbed.yaml")) as f:
        text = f.read()
    for dc in ("dc1", "dc2"):
        text = text.replace(f"  - name: {dc}\n", f"  - name: {dc}\n    libvirt_uri: \"{hv.uri(STATE_DIR, PREFIX, dc)}\"\n", 1)
    config = os.path.join(work, "testbed.yaml")
    with open(config, "w") as f:
        f.write(text)
    ctl = Controller(controller_bin, config, os.path.join(work, "fmc.db"), work,
                     extra=["--api", "127.0.0.1:0", "--api-token-file", os.path.join(work, "token"),
                            "--api-port-file", os.path.join(work, "api-port"), "--migrate-libvirt"])
    lab = Lab(config, PREFIX, linkem, vms="libvirt")
    session = None
    try:
        ctl.start()
        api_port = int(open(os.path.join(work, "api-port")).read())
        api, stream = Api(api_port, token), EventStream(api_port, token)
        t0 = time.time()
        lab.up(ctl.port)
        check(domains("dc1") == ["vm1"] and domains("dc2") == [],
              f"vm1 is a running domain of dc1's libvirtd, none at dc2's ({time.time() - t0:.1f} s to bring the testbed up)")
        check(lab.rtt("client1", "10.1.0.10") is not None, "client1 reaches the guest at dc1")
        session = lab.tcp_session("client1", "10.1.0.10", 7, 40)
        wait_until(lambda: sh("ip", "netns", "exec", lab.ns("client1"), "ss", "-Htn", "state", "established",
                              "dst", "10.1.0.10:7", check=False).strip(), bool, 10)  # the session is up

        status, m = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc2"})
        check(status == 202, f"migration to dc2 ordered: {status} {m}")
        done = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{m['id']}")[1],
                          lambda r: r.get("state") != "running", 90)
        steps = [d for e, d in stream.events if e == "MigrationStep" and d["id"] == m["id"]]
        check(done.get("state") == "completed" and steps and steps[-1]["downtime_ms"] > 0 and
              f"downtime {steps[-1]['downtime_ms']:.0f} ms" in done.get("detail", "") and "MiB" in done.get("detail", ""),
              f"it completed with the target's figures and downtime: {done}")
        steps = [d["phase"] for d in steps]
        check(steps == ["started", "switchover", "completed"],
              f"libvirt's switchover (the guest suspended at dc1 for its last copy) came before completion: {steps}")
        moved = wait_until(lambda: api.call("GET", "/api/v1/endpoints/vm1")[1],
                           lambda r: r.get("location", {}).get("site") == "dc2", 10)
        check(moved.get("location", {}).get("site") == "dc2" and lab.rtt("client1", "10.1.0.10") is not None,
              f"the guest runs at dc2, reachable: {moved.get('location')}")
        check(domains("dc2") == ["vm1"] and domains("dc1") == [],
              f"dc2's libvirtd runs vm1, dc1's has none: {domains('dc2')}, {domains('dc1')}")

        # Slowed to 2 MiB/s: the guest's ~70 MiB take long enough to cancel on the way.
        hv.virsh(hv.uri(STATE_DIR, PREFIX, "dc2"), "migrate-setspeed", "vm1", "2")
        status, back = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc1"})
        arrived = wait_until(lambda: domains("dc1"), lambda d: d == ["vm1"], 30)  # the incoming domain at dc1
        copying = wait_until(lambda: copied_mib("dc2"), lambda mib: mib >= 1, 30)
        status_del, _ = api.call("DELETE", f"/api/v1/migrations/{back['id']}")
        end = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{back['id']}")[1],
                         lambda r: r.get("state") != "running", 30)
        check(arrived == ["vm1"] and status == 202 and status_del == 202 and end.get("state") == "cancelled",
              f"a slowed migration back to dc1, cancelled halfway ({copying:.1f} MiB copied), ends cancelled: {end}")
        gone = wait_until(lambda: domains("dc1"), lambda d: d == [], 10)
        _, vm1 = api.call("GET", "/api/v1/endpoints/vm1")
        check(vm1["location"]["site"] == "dc2" and domains("dc2") == ["vm1"] and gone == [] and
              lab.rtt("client1", "10.1.0.10") is not None,
              f"the guest still runs at dc2 only, reachable: {vm1['location']}")

        result = tcp_session_result(session, timeout=90)
        session = None
        check(session_survived(result),
              f"the TCP session to the guest survived both: {result}")
        errors = lab.guest_kernel_errors()
        check(not errors, f"the guest's kernel reported no error: {errors[:3]}")
    finally:
        if session:
            session.kill()
            session.wait()
        teardown(ctl, lab, work, check)
    check.finish()


if __name__ == "__main__":
    main()
