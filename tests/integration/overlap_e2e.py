#!/usr/bin/env python3
"""Follow-me with overlapping data-center ranges (paper §IV.B.5).

dc2's range 10.1.0.128/25 overlaps dc1's 10.1.0.0/24. vm1 (10.1.0.10, home
dc1) migrates into dc2, where its own address is not routable to dc2; the
virtual tunnel carries it on a visiting address from dc2's range; pings from
client1 keep working across the migration (losses bounded by the reported
downtime), as do pings to vm2 (10.1.0.150), dc2's own VM.
Usage: overlap_e2e.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import ipaddress
import os
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "testbed"))
from harness import Checks, Controller, Lab, ovs_ensure_running, pinger_results, sh  # noqa: E402

CONFIG = os.path.join(HERE, "overlap.yaml")
check = Checks("overlapping ranges")


def main():
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    ctl = Controller(sys.argv[1], CONFIG, os.path.join(work, "fmc.db"), work)
    lab = Lab(CONFIG, f"o{os.getpid() % 1000}", sys.argv[2])

    def rtt(dst):
        return lab.rtt("client1", dst)

    try:
        ctl.start()
        lab.up(ctl.port)
        sh("ip", "netns", "exec", lab.ns("client1"), "ping", "-c", "2", "-W", "2", "10.1.0.10", check=False)
        check((rtt("10.1.0.10") or 99) < 20, "client1 reaches vm1 (10.1.0.10) at home in dc1")
        far = rtt("10.1.0.150")
        check(far is not None and 45 <= far <= 90, f"client1 reaches vm2 (10.1.0.150) in the overlapping dc2: {far} ms")
        pinger = lab.pinger("client1", "10.1.0.10", 6)
        time.sleep(0.5)
        report = lab.migrate("vm1", "dc2", 100)
        time.sleep(1)
        moved = rtt("10.1.0.10")
        check(moved is not None and 45 <= moved <= 90, f"vm1 migrated into dc2 keeps 10.1.0.10: {moved} ms")
        rows = pinger_results(pinger)
        lost = sum(1 for _, v in rows if v is None)
        check(rows and lost <= report["downtime_ms"] / 10 + 3,
              f"pings across the migration: {lost} lost of {len(rows)} (reported downtime {report['downtime_ms']} ms)")
        row = sqlite3.connect(ctl.db).execute("SELECT current_site, visiting_ip FROM endpoints WHERE name='vm1'").fetchone()
        check(row is not None and row[0] == "dc2" and ipaddress.ip_address(row[1]) in ipaddress.ip_network("10.1.0.128/25"),
              f"vm1 recorded visiting dc2 with an address from dc2's range: {row}")
        vm2 = rtt("10.1.0.150")
        check(vm2 is not None and 45 <= vm2 <= 90, f"dc2's own vm2 is still reachable: {vm2} ms")
    finally:
        ctl.stop()
        lab.down()
    check.finish()


if __name__ == "__main__":
    main()
