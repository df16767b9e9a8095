#!/usr/bin/env python3
"""A switch whose flow table is full (issue 13), on the Fig. 1 testbed with
real Open vSwitch: dc2's tables are capped at the flows they hold
(flow_limit, overflow_policy=refuse) and vm1 migrates into dc2.
  - dc2 refuses the move's flows (OFPFMFC_TABLE_FULL): the controller reports
    it (a FlowsRefused event, a warning), never logs the move's flows as
    confirmed, and stays up;
  - what it could serve keeps working: client1 still reaches vm2, at home in dc2;
  - once the cap is lifted, the controller's retry installs the flows and
    client1 reaches vm1 in dc2, at the far round trip.
Usage: flow_table_full.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "testbed"))
from harness import Checks, Controller, Lab, ovs_ensure_running, sh, wait_until  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
check = Checks("flow table full")
TABLES = (0, 1, 2)  # the pipeline's tables (src/fmc/pipeline/declaration.hpp)


def flows_in(bridge, table):
    out = sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", bridge, f"table={table}")
    return len([line for line in out.splitlines() if "cookie=" in line])


def main():
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    ctl = Controller(sys.argv[1], CONFIG, os.path.join(work, "fmc.db"), work)
    lab = Lab(CONFIG, f"t{os.getpid() % 1000}", sys.argv[2])
    dc2 = f"{lab.prefix}-s-dc2"
    try:
        ctl.start()
        lab.up(ctl.port)
        sh("ip", "netns", "exec", lab.ns("client1"), "ping", "-c", "2", "-W", "2", "10.1.0.10", check=False)
        check((lab.rtt("client1", "10.1.0.10") or 99) < 20, "client1 reaches vm1 at home in dc1")

        # Every table of dc2 full at what it holds now.
        args = ["ovs-vsctl", "--timeout=5"]
        for t in TABLES:
            args += ["--", f"--id=@t{t}", "create", "Flow_Table", f"flow_limit={flows_in(dc2, t)}", "overflow_policy=refuse"]
        args += ["--", "set", "bridge", dc2] + [f"flow_tables:{t}=@t{t}" for t in TABLES]
        sh(*args)

        lab.migrate("vm1", "dc2", 100)
        refused = wait_until(lambda: ctl.logged("FlowsRefused"), lambda lines: len(lines) > 0, seconds=10)
        check(len(refused) > 0, "the refused flows are reported as a FlowsRefused event")
        log = ctl.log()
        check(re.search(r'FlowsRefused .*vm1.*dc2.*\\"table_full\\":true', log) is not None,
              "the event names vm1, dc2 and a full table")
        check("flow-mods refused (flow table full)" in log, "and the controller logs a warning")
        check(re.search(r"vm1 at dc2: flows confirmed", log) is None, "vm1's move to dc2 is not reported done")
        check(ctl.proc.poll() is None, "the controller is still running")
        check(lab.rtt("client1", "10.2.0.20") is not None, "client1 still reaches vm2, at home in dc2")

        sh("ovs-vsctl", "--timeout=5", "clear", "bridge", dc2, "flow_tables")
        confirmed = wait_until(lambda: ctl.logged("vm1 at dc2: flows confirmed"), lambda lines: len(lines) > 0, seconds=40)
        check(len(confirmed) > 0 and "(attempt " in ctl.log(), "once there is room, a retry installs vm1's flows at dc2")
        far = wait_until(lambda: lab.rtt("client1", "10.1.0.10"), lambda v: v is not None and 45 <= v <= 90, seconds=10)
        check(far is not None and 45 <= far <= 90, f"client1 reaches vm1 in dc2: {far} ms")
    finally:
        ctl.stop()
        lab.down()
    check.finish()


if __name__ == "__main__":
    main()
