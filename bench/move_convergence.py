#!/usr/bin/python3
"""Move convergence on the Fig. 1 testbed.

vm1 migrates dc1 <-> dc2 N times (namespace emulator) while client1 pings it
every 10 ms. For every move it reports
  - convergence: from the arrival of the PACKET_IN that revealed the move at
    the new switch (when the controller read it from the switch's connection)
    to the last barrier reply confirming the rewrite flows on every switch, as
    logged by the Packet Manipulator;
  - switch to switch, in the data plane, from packet captures (kernel
    timestamps) of the new switch's ports: vm1's first frame into the new
    switch (its announcement) to the first IPv4 packet of vm1's the new switch
    sends on out of its uplink (a reply to client1's pings: it includes the
    wait for the next ping, up to 10 ms, and the ping's trip to vm1);
  - pings lost beyond what the migration itself explains: the hypervisor-
    reported downtime plus the requests in flight to the old location.
With --distributed, each DC and its WLAN are a network scope with a
controller of its own (config/fig1.yaml's scopes) on a 3-member etcd
cluster, and every move crosses scopes: the controller of the target scope
detects it, the other learns it through etcd. Convergence is then from the
detection (the EndpointMoved event's log time at the detecting controller)
to the last barrier-confirmed flows at either controller (log times: the
same machine's clock, millisecond resolution).
With --flood, the moves are measured four times in the same run: quiet; while
a host on a port of dc2's switch (where every other move arrives) floods it
with table-miss traffic as fast as it can (testbed/flood.py: random source
MACs, each frame a PACKET_IN), with --switch-meters (a meter per port in the
switch, then the controller's token buckets); with the controller's caps only
(the default); and with no caps at all.
Usage: move_convergence.py --controller BIN --linkem BIN [--moves 20] [--distributed | --flood]
"""
import argparse
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import Controller, EtcdCluster, Lab, ovs_ensure_running, pinger_results, sh, wait_until  # noqa: E402

CONFIG = os.path.join(ROOT, "tests", "integration", "testbed.yaml")
SCOPED = os.path.join(ROOT, "config", "fig1.yaml")
CONVERGED = re.compile(r"vm1 at \w+: flows confirmed in (\d+) us")
VM1_MAC = "02:00:00:01:00:10"
FLOOD_MAC = "02:00:00:0f:10:0d"
FLOOD = os.path.join(ROOT, "testbed", "flood.py")


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(math.ceil(p / 100 * len(v))) - 1)]


def log_entries(ctl, skip):
    """The controller's JSON log lines after the first `skip`."""
    out = []
    for line in ctl.log().splitlines()[skip:]:
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def cross_scope_convergence_us(ctls, skips, target):
    """From the move's detection (a non-peer EndpointMoved of vm1 to `target`) to the
    last confirmation of its flows, over every controller's log; None if either is missing."""
    detected, confirmed = [], []
    for ctl, skip in zip(ctls, skips):
        for e in log_entries(ctl, skip):
            msg = e.get("msg", "")
            if msg.startswith("EndpointMoved "):
                moved = json.loads(msg.split(" ", 1)[1])
                if moved["endpoint"] == "vm1" and moved["to"]["site"] == target and moved["cause"] != "peer":
                    detected.append(e["ts"])
            elif CONVERGED.search(msg) and f"vm1 at {target}:" in msg:
                confirmed.append(e["ts"])
    if not detected or len(confirmed) < len(ctls):
        return None
    return int((max(confirmed) - min(detected)) * 1e6)


class SwitchToSwitch:
    """Captures (dumpcap, one pcapng, kernel timestamps) vm1's frames on its port (the
    veth the emulator moves from bridge to bridge) and on the target switch's uplink:
    its announcement at the new switch (the gratuitous ARP the emulator sends once
    attached; vm1 sent frames from its old place on the same port before), and the
    first of its frames the new switch sends on after that."""

    def __init__(self, lab, target, work):
        self.vm_port, self.uplink = f"{lab.prefix}h-vm1", f"{lab.prefix}u-{target}"
        self.path = os.path.join(work, f"move-{target}.pcapng")
        self.proc = None

    def start(self):
        if os.path.exists(self.path):
            os.remove(self.path)
        self.proc = subprocess.Popen(["dumpcap", "-q", "-i", self.vm_port, "-i", self.uplink, "-f", f"ether src {VM1_MAC}",
                                      "-w", self.path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # Capturing once dumpcap has written its file header (both interfaces open).
        wait_until(lambda: os.path.exists(self.path) and os.path.getsize(self.path) > 0, bool, 5)

    def stop_us(self):
        """Microseconds from vm1's first frame into the switch to its first frame out of the uplink, or None."""
        self.proc.send_signal(signal.SIGINT)
        self.proc.communicate(timeout=10)
        out = sh("tshark", "-r", self.path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.interface_name",
                 "-e", "arp.isgratuitous", "-e", "eth.type", check=False)
        frames = [(float(p[0]), p[1], p[2] == "1", p[3]) for p in (line.split("\t") for line in out.splitlines())
                  if len(p) == 4]
        announced = next((t for t, where, garp, _ in frames if where == self.vm_port and garp), None)
        # vm1's own IPv4 traffic: not the announcement of its visiting address the controller makes in its name.
        sent_on = next((t for t, where, _, kind in frames
                        if where == self.uplink and kind == "0x0800" and announced and t > announced), None)
        return int((sent_on - announced) * 1e6) if sent_on else None


def measure_moves(a, ctls, lab, n, target="dc2"):
    """`n` migrations of vm1 between dc1 and dc2: a row per move (printed), and the next target."""
    rows = []
    for i in range(n):
        before = len(CONVERGED.findall(ctls[0].log()))
        skips = [len(c.log().splitlines()) for c in ctls]
        pinger = lab.pinger("client1", "10.1.0.10", 1.2)
        capture = SwitchToSwitch(lab, target, a.work) if not a.distributed else None
        if capture:
            capture.start()
        time.sleep(0.3)
        report = lab.migrate("vm1", target, a.downtime_ms)
        results = pinger_results(pinger, 30)
        rtts = [v for _, v in results if v is not None]
        lost = sum(1 for _, v in results if v is None)
        explained = math.ceil((report["downtime_ms"] + (rtts[0] if rtts else 0.0) / 2) / 10)

        def converged():
            if a.distributed:
                return cross_scope_convergence_us(ctls, skips, target)
            conv = CONVERGED.findall(ctls[0].log())[before:]
            return int(conv[-1]) if conv else None
        rows.append({"move": i + 1, "to": target, "convergence_us": wait_until(converged, lambda v: v is not None),
                     "switch_to_switch_us": capture.stop_us() if capture else None,
                     "downtime_ms": report["downtime_ms"], "lost": lost, "beyond": max(0, lost - explained)})
        s2s = f", switch to switch {rows[-1]['switch_to_switch_us']} us" if capture else ""
        print(f"move {i + 1:2d} -> {target}: converged in {rows[-1]['convergence_us']} us{s2s}, downtime "
              f"{report['downtime_ms']} ms, {lost} pings lost ({rows[-1]['beyond']} beyond the downtime)", flush=True)
        target = "dc1" if target == "dc2" else "dc2"
    return rows, target


def flood_phases(a, ctl, lab):
    """Quiet, flooded with the default caps, flooded without caps: the same moves, the same run."""
    lab.add_guest("flood", "s-dc2", 9, FLOOD_MAC)
    table, target, failed = [], "dc2", False
    try:
        base = list(ctl.extra)
        for phase, extra in (("quiet", None), ("flood, switch meters", ["--switch-meters"]),
                             ("flood, controller caps only", []),
                             ("flood, no caps", ["--packet-in-rate", "0", "--packet-in-port-rate", "0"])):
            if extra is not None:
                ctl.stop()
                ctl.extra = base + extra
                ctl.start()
                lab.wait_connected()
            limited_before = len(ctl.logged("PACKET_INs over the cap"))
            flooder = None
            if phase != "quiet":
                flooder = subprocess.Popen(["ip", "netns", "exec", lab.ns("flood"), sys.executable, FLOOD, "eth0"],
                                           stdout=subprocess.PIPE, text=True)
                time.sleep(1)
            started = time.time()
            rows, target = measure_moves(a, [ctl], lab, a.moves, target)
            sent = None
            if flooder:
                flooder.send_signal(signal.SIGINT)
                sent = int((flooder.communicate(timeout=30)[0] or "0").strip() or 0)
            conv = [r["convergence_us"] for r in rows if r["convergence_us"] is not None]
            failed |= len(conv) < len(rows)
            table.append({"phase": phase, "moves": len(rows), "confirmed": len(conv),
                          "p50_ms": pct(conv, 50) / 1000 if conv else None, "p99_ms": pct(conv, 99) / 1000 if conv else None,
                          "max_ms": max(conv) / 1000 if conv else None,
                          "lost_beyond_mean": statistics.mean(r["beyond"] for r in rows),
                          "lost_beyond_max": max(r["beyond"] for r in rows),
                          "flood_frames_per_s": sent / (time.time() - started + 1) if sent is not None else 0,
                          "cap_warnings": len(ctl.logged("PACKET_INs over the cap")) - limited_before})
            print(json.dumps(table[-1]), flush=True)
    finally:
        lab.remove_guest("flood", "s-dc2")
    print(f"\nmove convergence while one port of dc2 floods table-miss traffic ({a.moves} moves per phase, one controller)")
    print(f"{'phase':30s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'lost beyond':>12s} {'flood frames/s':>15s}")
    for r in table:
        fmt = lambda v: f"{v:8.2f}" if v is not None else "       -"
        print(f"{r['phase']:30s} {fmt(r['p50_ms'])} {fmt(r['p99_ms'])} {fmt(r['max_ms'])} "
              f"{r['lost_beyond_mean']:6.2f}/{r['lost_beyond_max']:<5d} {r['flood_frames_per_s']:15.0f}")
    quiet = table[0]["p99_ms"]
    for r in table[1:]:
        if quiet and r["p99_ms"]:
            print(f"p99 {r['phase']} / quiet: {r['p99_ms'] / quiet:.2f}x")
    if failed:
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--controller", required=True)
    ap.add_argument("--linkem", required=True)
    ap.add_argument("--moves", type=int, default=20)
    ap.add_argument("--downtime-ms", type=int, default=50)
    ap.add_argument("--distributed", action="store_true", help="a controller per scope on etcd; every move crosses scopes")
    ap.add_argument("--flood", action="store_true", help="quiet, then flooded with and without the PACKET_IN caps")
    a = ap.parse_args()
    if a.flood and a.distributed:
        ap.error("--flood measures one controller: drop --distributed")
    ovs_ensure_running()
    work = a.work = tempfile.mkdtemp()
    etcd = EtcdCluster("fmcq", 3, work) if a.distributed else None
    config = SCOPED if a.distributed else CONFIG
    if a.distributed:
        etcd.start()
        ctls = []
        for scope in ("heidelberg", "berlin"):
            os.makedirs(os.path.join(work, scope))
            ctls.append(Controller(a.controller, config, f"etcd://{etcd.endpoints}", os.path.join(work, scope),
                                   ["--controller-id", f"fmc-{scope}", "--scopes", scope]))
    else:
        ctls = [Controller(a.controller, config, os.path.join(work, "fmc.db"), work)]
    ctl = ctls[0]
    lab = Lab(config, "fmcb", a.linkem)
    rows = []
    try:
        for c in ctls:
            c.start()
        lab.up(ctl.port, {"heidelberg": ctls[0].port, "berlin": ctls[1].port} if a.distributed else None)
        sh("ip", "netns", "exec", lab.ns("client1"), "ping", "-c", "3", "-W", "2", "10.1.0.10")
        if a.flood:
            flood_phases(a, ctl, lab)
            return
        rows, _ = measure_moves(a, ctls, lab, a.moves)
    finally:
        for c in ctls:
            c.stop()
        lab.down()
        if etcd:
            etcd.stop()
        sh("rm", "-rf", work)
    conv = [r["convergence_us"] for r in rows if r["convergence_us"] is not None]
    beyond = [r["beyond"] for r in rows]
    print(f"\nmove convergence{' across scopes' if a.distributed else ''} over {len(conv)} moves, from the PACKET_IN's "
          f"arrival: p50 {pct(conv, 50) / 1000:.2f} ms, p99 {pct(conv, 99) / 1000:.2f} ms, max {max(conv) / 1000:.2f} ms")
    s2s = [r["switch_to_switch_us"] for r in rows if r["switch_to_switch_us"] is not None]
    if s2s:
        print(f"switch to switch (vm1's first frame into the new switch to its first frame out of the uplink, packet "
              f"captures) over {len(s2s)} moves: p50 {pct(s2s, 50) / 1000:.2f} ms, p99 {pct(s2s, 99) / 1000:.2f} ms, "
              f"max {max(s2s) / 1000:.2f} ms")
    print(f"pings lost beyond downtime + in-flight, per migration: mean {statistics.mean(beyond):.2f}, max {max(beyond)} "
          f"(interval 10 ms)")
    sys.exit(0 if len(conv) == len(rows) else 1)


if __name__ == "__main__":
    main()
