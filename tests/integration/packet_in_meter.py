#!/usr/bin/env python3
"""PACKET_IN meters in a real Open vSwitch (issue 13), on the Fig. 1 testbed:
  - each port of each switch reaches the controller through a meter of its
    own (packets/s with a burst, the --packet-in-port-rate cap) in table 3;
    a port plugged in later gets one too;
  - a host flooding table-miss traffic from a port of dc2 is capped in the
    switch: that port's meter passes no more than its rate and drops the rest;
  - meanwhile vm1 migrates into dc2: its move is detected, its flows are
    confirmed, and client1 reaches it there.
Usage: packet_in_meter.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import Checks, Controller, Lab, ovs_ensure_running, sh, wait_until  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
FLOOD = os.path.join(ROOT, "testbed", "flood.py")
RATE = 500  # per port, packets/s
SECONDS = 4
check = Checks("PACKET_IN meters")


def meters(bridge):
    """{meter id: (packets in, packets dropped by its band)} of `bridge`."""
    out = sh("ovs-ofctl", "-O", "OpenFlow13", "meter-stats", bridge)
    stats = {}
    for m in re.finditer(r"meter:(\d+) flow_count:\d+ packet_in_count:(\d+).*?\n?\s*0: packet_count:(\d+)", out, re.S):
        stats[int(m.group(1))] = (int(m.group(2)), int(m.group(3)))
    return stats


def main():
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    ctl = Controller(sys.argv[1], CONFIG, os.path.join(work, "fmc.db"), work, ["--switch-meters", "--packet-in-port-rate", str(RATE)])
    lab = Lab(CONFIG, f"m{os.getpid() % 1000}", sys.argv[2])
    dc2 = f"{lab.prefix}-s-dc2"
    try:
        ctl.start()
        lab.up(ctl.port)
        sh("ip", "netns", "exec", lab.ns("client1"), "ping", "-c", "2", "-W", "2", "10.1.0.10", check=False)
        # dc2's ports now: the uplink (1) and vm2 (3); vm1's (2) comes with its migration.
        ids = wait_until(lambda: set(meters(dc2)), lambda s: {1, 2, 4} <= s)
        check({1, 2, 4} <= ids and 3 not in ids, f"dc2 has the shared meter (1) and one per port, 1 and 3: {sorted(ids)}")
        gates = sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", dc2, "table=3")
        check(re.search(r"in_port=3 actions=meter:4,CONTROLLER", gates) is not None,
              f"port 3 reaches the controller through meter 4:\n{gates}")

        lab.add_guest("flood", "s-dc2", 9, "02:00:00:0f:10:0d")
        ids = wait_until(lambda: set(meters(dc2)), lambda s: 10 in s)
        check(10 in ids, f"a port plugged in later (9) gets its meter (10): {sorted(ids)}")

        flooder = subprocess.Popen(["ip", "netns", "exec", lab.ns("flood"), sys.executable, FLOOD, "eth0", str(SECONDS)],
                                   stdout=subprocess.PIPE, text=True)
        started = time.monotonic()
        time.sleep(0.5)
        lab.migrate("vm1", "dc2", 50)
        confirmed = wait_until(lambda: ctl.logged("vm1 at dc2: flows confirmed"), lambda v: len(v) > 0, seconds=10)
        check(len(confirmed) > 0, "during the flood, vm1's move to dc2 is detected and its flows confirmed")
        check(3 in meters(dc2), "vm1's port, plugged in at dc2 by its migration, got its meter (3)")
        sent = int(flooder.communicate(timeout=60)[0].strip() or 0)
        elapsed = time.monotonic() - started
        seen, dropped = meters(dc2).get(10, (0, 0))
        passed = seen - dropped
        check(seen > 0 and dropped > seen / 2,
              f"the flooding port's meter drops most of it: {dropped} of {seen} dropped ({sent} frames sent)")
        check(passed <= RATE * (elapsed + 2),
              f"and passes at most its rate: {passed} in {elapsed:.1f} s at {RATE}/s (plus a second's burst)")
        far = wait_until(lambda: lab.rtt("client1", "10.1.0.10"), lambda v: v is not None and 45 <= v <= 90, seconds=10)
        check(far is not None and 45 <= far <= 90, f"client1 reaches vm1 in dc2: {far} ms")
    finally:
        ctl.stop()
        lab.remove_guest("flood", "s-dc2")
        lab.down()
    check.finish()


if __name__ == "__main__":
    main()
