#!/usr/bin/env python3
"""Server utilisation measured, not configured, on the Fig. 1 testbed (real
Open vSwitch): the controller runs the testbed's `utilisation` command every
second (--utilisation-command; CPU time of each data center's servers), and the
Location Mapper weighs it (weights.utilisation 2 per %, set through the API):
  - a busy server in dc2 (`load dc2 on`, one core spinning): the event stream
    reports dc2's utilisation and /api/v1/sites shows it measured;
  - client1 roams to wlan2: vm1 stays in dc1, the decision's scores putting
    the busy dc2 behind dc1 despite its 1 ms, and no migration starts;
  - the load stops: dc2's utilisation drops, and the same Location Mapper now
    migrates vm1 to dc2 — a decision that changed because a DC got busy and
    then free;
  - every reading of the real command was taken (none refused in the log).
Usage: utilisation.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import secrets
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from api_client import Api, EventStream  # noqa: E402
from harness import TESTBED, Checks, Controller, Lab, ovs_ensure_running, teardown, wait_until  # noqa: E402

CONFIG = os.path.join(ROOT, "config", "fig1.yaml")  # threshold policy, 2 s dwell
PREFIX = f"u{os.getpid() % 1000}"
check = Checks("utilisation measured")


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-util-")
    token = secrets.token_urlsafe(24)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(token + "\n")
    testbed = f"{sys.executable} {TESTBED}"
    ctl = Controller(controller_bin, CONFIG, os.path.join(work, "fmc.db"), work, extra=[
        "--api", "127.0.0.1:0", "--api-token-file", os.path.join(work, "token"),
        "--api-port-file", os.path.join(work, "api-port"),
        "--migrate-command", f"{testbed} migrate {CONFIG} {{vm}} {{to}} --prefix {PREFIX} --downtime-ms 20",
        "--utilisation-command", f"{testbed} utilisation {CONFIG} --prefix {PREFIX}", "--utilisation-interval", "1"])
    lab = Lab(CONFIG, PREFIX, linkem)
    stream = None
    try:
        ctl.start()
        api_port = int(open(os.path.join(work, "api-port")).read())
        api = Api(api_port, token)
        stream = EventStream(api_port, token)
        lab.up(ctl.port)
        check(lab.rtt("client1", "10.1.0.10", 3) is not None, "client1 reaches vm1 at home")
        status, _ = api.call("PUT", "/api/v1/policy", {"weights": {"utilisation": 2}})
        check(status == 200, f"the utilisation's weight set through the API: {status}")

        lab.load("dc2", True)
        busy = wait_until(lambda: stream.first("UtilisationMeasured", lambda d: d["dc"] == "dc2" and d["utilisation"] >= 0.3),
                          lambda v: v is not None, 15)
        check(busy is not None, f"dc2 busy, measured: {busy[1] if busy else stream.events[-5:]}")
        sites = {s["name"]: s for s in api.call("GET", "/api/v1/sites")[1]["sites"]}
        measured = sites["dc2"]["utilisation"]["measured"]
        check(measured is not None and measured >= 0.3 and sites["dc2"]["utilisation"]["configured"] == 0,
              f"/api/v1/sites: dc2 measured {measured}, configured 0")

        lab.roam("client1", "wlan2")
        lab.rtt("client1", "10.1.0.10", 2)

        def judged():  # the Location Mapper's last judgement of video once client1 is at wlan2
            video = next(s for s in api.call("GET", "/api/v1/services")[1]["services"] if s["name"] == "video")
            d = video["last_decision"]
            at_wlan2 = video["users"][0]["site"] == "wlan2"
            return d if at_wlan2 and d and d["scores"].get("dc1", 0) > 40 else None
        stay = wait_until(judged, lambda d: d is not None, 15)
        check(stay is not None and stay["action"] == "stay" and stay["scores"]["dc2"] > stay["scores"]["dc1"],
              f"client1 at wlan2, vm1 stays in dc1: the busy dc2 scored behind it ({stay})")
        # It holds: past the dwell time, still no migration while dc2 is busy.
        started = wait_until(lambda: stream.first("MigrationStep", lambda d: d["vm"] == "vm1"), lambda v: v is not None, 4)
        check(started is None, "no migration of vm1 while dc2 is busy (4 s, twice the dwell time)")

        lab.load("dc2", False)
        free = wait_until(lambda: stream.first("UtilisationMeasured", lambda d: d["dc"] == "dc2" and d["utilisation"] < 0.1,
                                               since=time.time() - 0.5), lambda v: v is not None, 15)
        check(free is not None, f"dc2 free again, measured: {free[1] if free else None}")
        done = wait_until(lambda: stream.first("MigrationStep", lambda d: d["vm"] == "vm1" and d["phase"] == "completed"),
                          lambda v: v is not None, 30)
        decided = stream.first("PlacementDecision", lambda d: d["vm"] == "vm1" and d["action"] == "migrate")
        check(done is not None and done[1]["to"] == "dc2" and decided is not None
              and decided[1]["scores"]["dc2"] < decided[1]["scores"]["dc1"],
              f"then vm1 migrates to dc2 ({decided[1]['scores'] if decided else None})")
        check(not ctl.logged("reading refused"), "every reading of the testbed's command was taken")
    finally:
        if stream:
            stream.close()
        teardown(ctl, lab, work, check)
    check.finish()


if __name__ == "__main__":
    main()
