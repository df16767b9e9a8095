#!/usr/bin/python3
"""Move convergence on the Fig. 1 testbed.

vm1 migrates dc1 <-> dc2 N times (namespace emulator) while client1 pings it
every 10 ms. For every move it reports
  - convergence: from the moment the controller accepts the move (inside the
    handler of the PACKET_IN that revealed it at the new switch) to the last
    barrier reply confirming the rewrite flows on every switch, as logged by
    the Packet Manipulator;
  - pings lost beyond what the migration itself explains: the hypervisor-
    reported downtime plus the requests in flight to the old location.
Usage: move_convergence.py --controller BIN --linkem BIN [--moves 20]
"""
import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import Controller, Lab, ovs_ensure_running, pinger_results, sh  # noqa: E402

CONFIG = os.path.join(ROOT, "tests", "integration", "testbed.yaml")
CONVERGED = re.compile(r"vm1 at \w+: flows confirmed in (\d+) us")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(math.ceil(p / 100 * len(v))) - 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--controller", required=True)
    ap.add_argument("--linkem", required=True)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--downtime-ms", type=int, default=50)
    a = ap.parse_args()
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    ctl = Controller(a.controller, CONFIG, os.path.join(work, "fmc.db"), work)
    lab = Lab(CONFIG, "fmcb", a.linkem)
    rows = []
    try:
        ctl.start()
        lab.up(ctl.port)
        sh("ip", "netns", "exec", lab.ns("client1"), "ping", "-c", "3", "-W", "2", "10.1.0.10")
        target = "dc2"
        for i in range(a.moves):
            before = len(CONVERGED.findall(ctl.log()))
            pinger = lab.pinger("client1", "10.1.0.10", 1.2)
            time.sleep(0.3)
            report = lab.migrate("vm1", target, a.downtime_ms)
            results = pinger_results(pinger, 30)
            rtts = [v for _, v in results if v is not None]
            lost = sum(1 for _, v in results if v is None)
            explained = math.ceil((report["downtime_ms"] + (rtts[0] if rtts else 0.0) / 2) / 10)
            time.sleep(0.2)
            conv = CONVERGED.findall(ctl.log())[before:]
            rows.append({"move": i + 1, "to": target, "convergence_us": int(conv[-1]) if conv else None,
                         "downtime_ms": report["downtime_ms"], "lost": lost, "beyond": max(0, lost - explained)})
            print(f"move {i + 1:2d} -> {target}: converged in {rows[-1]['convergence_us']} us, downtime "
                  f"{report['downtime_ms']} ms, {lost} pings lost ({rows[-1]['beyond']} beyond the downtime)", flush=True)
            target = "dc1" if target == "dc2" else "dc2"
    finally:
        ctl.stop()
        lab.down()
    conv = [r["convergence_us"] for r in rows if r["convergence_us"] is not None]
    beyond = [r["beyond"] for r in rows]
    print(f"\nmove convergence over {len(conv)} moves: p50 {pct(conv, 50) / 1000:.2f} ms, p99 {pct(conv, 99) / 1000:.2f} ms, "
          f"max {max(conv) / 1000:.2f} ms")
    print(f"pings lost beyond downtime + in-flight, per migration: mean {statistics.mean(beyond):.2f}, max {max(beyond)} "
          f"(interval 10 ms)")
    sys.exit(0 if len(conv) == len(rows) else 1)


if __name__ == "__main__":
    main()
