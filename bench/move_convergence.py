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
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TESTBED = os.path.join(ROOT, "testbed", "fmc_testbed.py")
CONFIG = os.path.join(ROOT, "tests", "integration", "testbed.yaml")
PREFIX = "fmcb"


def sh(*cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True).stdout


def testbed(*args):
    return sh(sys.executable, TESTBED, args[0], CONFIG, *args[1:], "--prefix", PREFIX)


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
    os.environ["FMC_LINKEM"] = os.path.abspath(a.linkem)
    sh("bash", "-c", f"source {ROOT}/scripts/lib/ovs.sh && ovs_ensure_running")
    work = tempfile.mkdtemp()
    log_path, port_file = os.path.join(work, "controller.log"), os.path.join(work, "port")
    ctl = subprocess.Popen([os.path.abspath(a.controller), "--listen", "127.0.0.1", "--port", "0", "--port-file", port_file,
                            "--network", CONFIG, "--db", os.path.join(work, "fmc.db"), "--log-level", "info"],
                           stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
    rows = []
    try:
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        testbed("up", "--controller", f"tcp:127.0.0.1:{open(port_file).read().strip()}")
        for sw in ("s-dc1", "s-dc2", "s-wlan1", "s-wlan2"):
            sh("bash", "-c", f"source {ROOT}/scripts/lib/ovs.sh && ovs_wait_connected {PREFIX}-{sw}")
        sh("ip", "netns", "exec", f"{PREFIX}-client1", "ping", "-c", "3", "-W", "2", "10.1.0.10")
        target = "dc2"
        for i in range(a.moves):
            before = len(re.findall(r"vm1 at \w+: flows confirmed in (\d+) us", open(log_path).read()))
            pinger = subprocess.Popen(["ip", "netns", "exec", f"{PREFIX}-client1", sys.executable,
                                       os.path.join(ROOT, "testbed", "pinger.py"), "10.1.0.10", "--duration", "1.2"],
                                      stdout=subprocess.PIPE, text=True)
            time.sleep(0.3)
            report = json.loads(testbed("migrate", "vm1", target, "--downtime-ms", str(a.downtime_ms)).strip().splitlines()[-1])
            out = pinger.communicate(timeout=30)[0].splitlines()
            rtts = [float(l.split()[2]) for l in out if not l.endswith(" -")]
            lost = sum(1 for l in out if l.endswith(" -"))
            rtt_before = rtts[0] if rtts else 0.0
            explained = math.ceil((report["downtime_ms"] + rtt_before / 2) / 10)
            time.sleep(0.2)
            conv = re.findall(r"vm1 at \w+: flows confirmed in (\d+) us", open(log_path).read())[before:]
            rows.append({"move": i + 1, "to": target, "convergence_us": int(conv[-1]) if conv else None,
                         "downtime_ms": report["downtime_ms"], "lost": lost, "beyond": max(0, lost - explained)})
            print(f"move {i + 1:2d} -> {target}: converged in {rows[-1]['convergence_us']} us, downtime "
                  f"{report['downtime_ms']} ms, {lost} pings lost ({rows[-1]['beyond']} beyond the downtime)", flush=True)
            target = "dc1" if target == "dc2" else "dc2"
    finally:
        ctl.terminate()
        ctl.wait()
        subprocess.run([sys.executable, TESTBED, "down", CONFIG, "--prefix", PREFIX])
    conv = [r["convergence_us"] for r in rows if r["convergence_us"] is not None]
    beyond = [r["beyond"] for r in rows]
    print(f"\nmove convergence over {len(conv)} moves: p50 {pct(conv, 50) / 1000:.2f} ms, p99 {pct(conv, 99) / 1000:.2f} ms, "
          f"max {max(conv) / 1000:.2f} ms")
    print(f"pings lost beyond downtime + in-flight, per migration: mean {statistics.mean(beyond):.2f}, max {max(beyond)} "
          f"(interval 10 ms)")
    sys.exit(0 if len(conv) == len(rows) else 1)


if __name__ == "__main__":
    main()
