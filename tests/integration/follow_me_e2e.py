#!/usr/bin/env python3
"""End-to-end follow-me test on the Fig. 1 testbed with real Open vSwitch.

The controller runs the Follow-Me Cloud apps. While a long-lived,
sequence-checked TCP stream runs between client1 and vm1:
  - ping is ~1 ms while both are near (wlan1, dc1);
  - vm1 migrates dc1 -> dc2 (namespace emulator): ping ~50 ms, same address;
  - client1 roams wlan1 -> wlan2: ping ~1 ms again, same address;
  - packets for vm1 that still go to its old home dc1 are sent on to dc2;
  - vm1 migrates back to dc1: ~50 ms;
  - a host that was never migrated claims vm1's MAC and address from another
    port, and another claims the gateway's address: no forwarding state
    changes and vm1 stays reachable;
  - the controller is killed with SIGKILL and restarted: locations come back
    from the database and pings through the installed flows never stop;
  - the TCP stream saw no reset and every byte in order.
Usage: follow_me_e2e.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import Checks, Controller, Lab, ovs_ensure_running, pinger_results, sh  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
PREFIX = f"e{os.getpid() % 1000}"
LAB = None  # set in main
check = Checks("follow-me end to end")


def ns(host):
    return LAB.ns(host)


NEAR, FAR = (0, 20), (45, 90)  # ms: 1 ms and 50 ms emulated, plus the software switches


def check_rtt(expected, what):
    """client1 -> vm1 round trip within `expected` (NEAR or FAR)."""
    v = LAB.rtt("client1", "10.1.0.10")
    check(v is not None and expected[0] <= v <= expected[1], f"{what}: {v} ms")


class TcpStream:
    """client1 -> vm1: 4-byte big-endian counters; the server checks order and echoes the last."""

    SERVER = r"""
import socket, struct, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5201)); s.listen(1)
c, _ = s.accept(); expected = 0; buf = b""
while True:
    d = c.recv(65536)
    if not d: break
    buf += d
    while len(buf) >= 4:
        (n,) = struct.unpack(">I", buf[:4]); buf = buf[4:]
        if n != expected:
            print(f"OUT OF ORDER: got {n} expected {expected}", flush=True); sys.exit(3)
        expected += 1
    c.sendall(struct.pack(">I", expected))
print(f"RECEIVED {expected}", flush=True)
"""

    CLIENT = r"""
import socket, struct, sys, time
s = socket.create_connection(("10.1.0.10", 5201), timeout=30)
n = 0; deadline = time.time() + float(sys.argv[1])
try:
    while time.time() < deadline:
        s.sendall(b"".join(struct.pack(">I", n + i) for i in range(64))); n += 64
        ack = s.recv(4)
        if len(ack) != 4: raise ConnectionError("short ack")
        time.sleep(0.01)
    s.shutdown(socket.SHUT_WR)
    print(f"SENT {n}", flush=True)
except Exception as e:
    print(f"CLIENT ERROR {type(e).__name__}: {e}", flush=True); sys.exit(4)
"""

    def __init__(self, seconds):
        self.server = subprocess.Popen(["ip", "netns", "exec", ns("vm1"), sys.executable, "-c", self.SERVER],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(0.5)
        self.client = subprocess.Popen(["ip", "netns", "exec", ns("client1"), sys.executable, "-c", self.CLIENT,
                                        str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def result(self):
        c_out = self.client.communicate(timeout=120)[0]
        s_out = self.server.communicate(timeout=30)[0]
        return c_out.strip(), s_out.strip()


def lost(pinger):
    rows = pinger_results(pinger)
    return sum(1 for _, v in rows if v is None) if rows else None


def vm1_tunnel_flows():
    flows = []
    for sw in ("s-dc1", "s-dc2", "s-wlan1", "s-wlan2"):
        out = sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", f"{PREFIX}-{sw}", "--no-stats")
        flows += sorted(l.strip() for l in out.splitlines() if "0x4020000010010" in l or "0x3020000010010" in l)
    return flows


def attacker(name, switch, port, mac, ip, claim):
    """A namespace on `switch` port `port` that announces `claim` with a gratuitous ARP."""
    host_if, inner = f"{PREFIX}x{name}", f"{PREFIX}y{name}"
    sh("ip", "netns", "add", ns(name))
    sh("ip", "link", "add", host_if, "type", "veth", "peer", "name", inner)
    sh("ip", "link", "set", inner, "netns", ns(name))
    sh("ip", "-n", ns(name), "link", "set", inner, "address", mac)
    sh("ip", "-n", ns(name), "addr", "add", f"{ip}/24", "dev", inner)
    sh("ip", "-n", ns(name), "link", "set", inner, "up")
    sh("ip", "link", "set", host_if, "up")
    sh("ovs-vsctl", "add-port", f"{PREFIX}-{switch}", host_if, "--", "set", "interface", host_if, f"ofport_request={port}")
    time.sleep(0.3)
    sh("ip", "netns", "exec", ns(name), "arping", "-U", "-c", "2", "-I", inner, claim, check=False)
    sh("ip", "netns", "exec", ns(name), "ping", "-c", "2", "-W", "1", "10.10.1.100", check=False)
    return host_if


def main():
    global LAB
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    db = os.path.join(work, "fmc.db")
    ctl = Controller(controller_bin, CONFIG, db, work, ["--echo-interval", "1000", "--dead-after", "3000"])
    LAB = Lab(CONFIG, PREFIX, linkem)
    try:
        ctl.start()
        LAB.up(ctl.port)
        sh("ip", "netns", "exec", ns("client1"), "ping", "-c", "2", "-W", "2", "10.1.0.10", check=False)

        check_rtt(NEAR, "client1 (wlan1) -> vm1 (dc1) near")

        stream = TcpStream(seconds=18)
        time.sleep(1)

        pinger = LAB.pinger("client1", "10.1.0.10", 3)
        time.sleep(0.5)
        report = LAB.migrate("vm1", "dc2", 100)
        lost_pings = lost(pinger)
        # Lost: the reported downtime, plus what was in flight to the old location (near: ~1 ms), plus one interval.
        allowed = math.ceil((report["downtime_ms"] + 2) / 10) + 1
        check(lost_pings is not None and lost_pings <= allowed,
              f"pings lost across the migration (reported downtime {report['downtime_ms']} ms) at 10 ms interval: {lost_pings} (bound {allowed})")
        check_rtt(FAR, "vm1 in dc2 keeps 10.1.0.10, client1 in wlan1 (far)")

        LAB.roam("client1", "wlan2")
        time.sleep(0.3)
        check_rtt(NEAR, "client1 roamed to wlan2, keeps its address (near again)")

        # A correspondent without vm1's rewrite (as packets sent before the
        # move are): vm1's home switch sends them back to the router, to dc2.
        sh("ovs-ofctl", "-O", "OpenFlow13", "del-flows", f"{LAB.prefix}-s-wlan2", "table=1,ip,nw_dst=10.1.0.10")
        v = LAB.rtt("client1", "10.1.0.10")
        check(v is not None and 20 <= v <= 45, f"without wlan2's rewrite, packets for vm1 reach it through dc1 (25 ms away): {v} ms")

        LAB.migrate("vm1", "dc1", 50)
        time.sleep(0.3)
        check_rtt(FAR, "vm1 back home in dc1, client1 in wlan2")

        print("--- a cancelled migration", flush=True)
        moving = LAB.start_migrate("vm1", "dc2", 3000)
        time.sleep(0.5)
        moving.terminate()
        out = moving.communicate(timeout=30)[0]
        check(moving.returncode == 3 and '"cancelled": true' in out, f"the emulator reports the cancelled migration: {out.strip()}")
        check_rtt(FAR, "vm1 still runs at the source (dc1) after the cancel")

        c_out, s_out = stream.result()
        sent = re.search(r"SENT (\d+)", c_out)
        got = re.search(r"RECEIVED (\d+)", s_out)
        check(sent is not None and got is not None and sent.group(1) == got.group(1),
              f"TCP stream survived 2 migrations and a roam, in order, no reset: client '{c_out}', server '{s_out}'")

        print("--- spoofing", flush=True)
        before = vm1_tunnel_flows()
        attacker("spoof", "s-dc1", 9, "02:00:00:01:00:10", "10.1.0.10", "10.1.0.10")
        # vm1's own port at dc2 is free again: a host there claiming vm1 while vm1 is live in dc1.
        attacker("hijk", "s-dc2", 2, "02:00:00:01:00:10", "10.1.0.10", "10.1.0.10")
        attacker("gwsp", "s-dc1", 8, "02:66:66:66:66:66", "10.1.0.1", "10.1.0.1")
        time.sleep(0.5)
        log = ctl.log()
        check("a port it is not configured on" in log, "a host claiming vm1 from a port not configured for it is refused and reported")
        check("while its old location is still live" in log,
              "a host claiming vm1 on vm1's dc2 port while vm1 is live in dc1 is refused and reported")
        check("gateway-claim" in log, "a gratuitous ARP claiming the gateway's address is refused and reported")
        check(vm1_tunnel_flows() == before, "forwarding state for vm1 did not change")
        check_rtt(FAR, "vm1 still reachable at its real location")

        print("--- kill -9 and restart", flush=True)
        pinger = LAB.pinger("client1", "10.1.0.10", 2)
        time.sleep(0.3)
        ctl.kill9()
        time.sleep(0.5)
        ctl.start()
        lost_pings = lost(pinger)
        check(lost_pings == 0, f"pings lost while the controller was killed and restarted: {lost_pings}")
        LAB.wait_connected()
        restored = re.findall(r"restored (\d+) endpoint records", ctl.log())
        check(len(restored) == 2 and int(restored[-1]) >= 2, f"restart restored vm1's and client1's records from the database: {restored}")
        time.sleep(0.5)
        check_rtt(FAR, "after restart client1 (still visiting wlan2) reaches vm1")
        rows = sqlite3.connect(db).execute("SELECT current_site FROM endpoints WHERE name='client1'").fetchall()
        check(rows == [("wlan2",)], f"database: client1 recorded in wlan2: {rows}")
    finally:
        ctl.stop()
        for name in ("spoof", "hijk", "gwsp"):
            host_if = f"{PREFIX}x{name}"
            subprocess.run(["ovs-vsctl", "--if-exists", "del-port", host_if], capture_output=True)
            subprocess.run(["ip", "link", "del", host_if], capture_output=True)
            subprocess.run(["ip", "netns", "del", ns(name)], capture_output=True)
        LAB.down()
        if check.failures:
            print("controller log (tail):")
            print("\n".join(ctl.log().splitlines()[-40:]))
    check.finish()


if __name__ == "__main__":
    main()
