#!/usr/bin/env python3
"""DHCP served by the controller, with real busybox udhcpc clients in the
Fig. 1 testbed (real Open vSwitch, network namespaces):
  - client1 (configured) gets an address from wlan1's pool, the gateway as
    router, and reaches vm1;
  - a guest the configuration does not know, on another wlan1 port, gets a
    different address, is located by its DHCP and reaches vm1; another
    guest, on wlan2, gets an address from wlan2's pool;
  - DHCP from wlan2 claiming the guest's hardware address moves nothing: the
    guest answers the probe of its old location, and the claim is reported;
  - client1 roams to wlan2 and asks again: it keeps its address (wlan2's
    policy), its recorded location becomes wlan2, vm1 is still reachable
    through the virtual tunnel;
  - the guest is re-plugged into wlan2 without any announcement: its DHCP
    there moves it (cause "dhcp"), it keeps its address and reaches vm1;
  - a starvation attack (DISCOVERs with random chaddr) from the guest's
    port does not stop client1 renewing at its port;
  - the controller is killed with SIGKILL and restarted: the guest gets the
    same address again and the leases are all distinct.
Usage: dhcp_e2e.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import ipaddress
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import Checks, Controller, Lab, endpoint_row, ovs_ensure_running, sh, wait_until  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
PREFIX = f"d{os.getpid() % 1000}"
GUEST_MAC = "02:00:00:0a:99:01"
GUEST2_MAC = "02:00:00:0a:99:02"
check = Checks("DHCP on the testbed")


def in_pool(address, first, last):
    return address is not None and ipaddress.ip_address(first) <= ipaddress.ip_address(address) <= ipaddress.ip_address(last)


def located(db, mac, site):
    """The endpoint row of `mac` once it is recorded at `site` (or the last one seen)."""
    return wait_until(lambda: endpoint_row(db, mac), lambda r: r is not None and r["current_site"] == site)


DISCOVERS = r"""
import random, socket, struct, sys
# N DISCOVERs from eth0, with a random chaddr each (as a starvation tool sends them)
# or, given one, with that hardware address as chaddr and Ethernet source (a claim).
claimed = bytes.fromhex(sys.argv[2].replace(":", "")) if len(sys.argv) > 2 else None
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
src = bytes.fromhex(open("/sys/class/net/eth0/address").read().strip().replace(":", ""))
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
for i in range(int(sys.argv[1])):
    ch = claimed or bytes([2]) + random.randbytes(5)
    dhcp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, random.getrandbits(32), 0, 0x8000, bytes(4), bytes(4),
                       bytes(4), bytes(4), ch + bytes(10), bytes(64), bytes(128)) + bytes([99, 130, 83, 99, 53, 1, 1, 255])
    udp = struct.pack("!HHHH", 68, 67, 8 + len(dhcp), 0) + dhcp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes(4), b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s.send(b"\xff" * 6 + ch + b"\x08\x00" + ip + udp)
"""


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-dhcp-e2e-")
    db = os.path.join(work, "fmc.db")
    ctl = Controller(controller_bin, CONFIG, db, work)
    lab = Lab(CONFIG, PREFIX, linkem)
    guests = []  # (name, bridge) to remove at the end
    try:
        ctl.start()
        lab.up(ctl.port)
        sh("ip", "-n", lab.ns("client1"), "addr", "flush", "dev", "eth0")

        lease = lab.dhcp("client1")
        check(lease is not None and in_pool(lease["ip"], "10.10.1.100", "10.10.1.199"),
              f"client1 gets an address from wlan1's pool: {lease}")
        check(lease is not None and lease["router"] == "10.10.1.1" and lease["mask"] == "24",
              "with the gateway as router and a /24")
        client_ip = lease["ip"] if lease else None
        check(lab.rtt("client1", "10.1.0.10") is not None, "client1 reaches vm1 with its DHCP address")

        lab.add_guest("guest", "s-wlan1", 5, GUEST_MAC)
        guests.append(("guest", "s-wlan1"))
        glease = lab.dhcp("guest")
        guest_ip = glease["ip"] if glease else None
        check(in_pool(guest_ip, "10.10.1.100", "10.10.1.199") and guest_ip != client_ip,
              f"an unknown guest gets a different address: {guest_ip}")
        row = located(db, GUEST_MAC, "wlan1")
        check(row is not None and row["current_site"] == "wlan1" and row["port"] == 5, f"the guest is located by its DHCP: {row}")
        check(lab.rtt("guest", "10.1.0.10") is not None, "the guest reaches vm1")

        lab.add_guest("guest2", "s-wlan2", 6, GUEST2_MAC)
        guests.append(("guest2", "s-wlan2"))
        g2 = lab.dhcp("guest2")
        check(g2 is not None and in_pool(g2["ip"], "10.10.2.100", "10.10.2.199") and g2["router"] == "10.10.2.1",
              f"a guest on wlan2 gets an address from wlan2's pool: {g2}")
        check(lab.rtt("guest2", "10.2.0.20") is not None, "and reaches vm2 in dc2")

        # guest2 claims the guest's hardware address by DHCP from wlan2 (issue 13: three such
        # DISCOVERs used to move it). The guest, still on wlan1, answers the controller's probe
        # there: nothing moves, and the attempt is reported.
        subprocess.run(["ip", "netns", "exec", lab.ns("guest2"), sys.executable, "-c", DISCOVERS, "3", GUEST_MAC], check=True)
        disproved = wait_until(lambda: ctl.logged("was claimed by DHCP at wlan2 port 6 but answered at wlan1 port 5"),
                               lambda t: len(t) > 0)
        check(len(disproved) > 0, "a DHCP claim of the guest from wlan2 is disproved by the guest answering on wlan1")
        row = endpoint_row(db, GUEST_MAC)
        check(row is not None and row["current_site"] == "wlan1" and row["port"] == 5,
              f"the guest stays located on wlan1 port 5: {row}")
        check(lab.rtt("guest", "10.1.0.10") is not None, "and still reaches vm1")

        lab.roam("client1", "wlan2")
        lease2 = lab.dhcp("client1", requested=client_ip)
        check(lease2 is not None and lease2["ip"] == client_ip, f"after roaming to wlan2 client1 keeps {client_ip}: {lease2}")
        row = located(db, "02:00:00:0a:00:64", "wlan2")
        check(row is not None and row["current_site"] == "wlan2", f"client1's recorded location is wlan2: {row}")
        check(lab.rtt("client1", "10.1.0.10") is not None, "client1 still reaches vm1 from wlan2")

        lab.move_guest("guest", "s-wlan1", "s-wlan2", 5)
        guests[0] = ("guest", "s-wlan2")
        glease_roam = lab.dhcp("guest", requested=guest_ip)
        check(glease_roam is not None and glease_roam["ip"] == guest_ip, f"the guest keeps {guest_ip} in wlan2: {glease_roam}")
        row = located(db, GUEST_MAC, "wlan2")
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        causes = [r[0] for r in con.execute(
            "SELECT cause FROM location_history WHERE endpoint=? AND to_site='wlan2'", (row["name"] if row else "",))]
        con.close()
        check(row is not None and row["current_site"] == "wlan2" and causes == ["dhcp"],
              f"its move to wlan2 is learned from DHCP: {row} {causes}")
        check(lab.rtt("guest", "10.1.0.10") is not None, "the guest reaches vm1 from wlan2")

        # Starvation from the guest's port: the guard caps it; client1 is still served.
        subprocess.run(["ip", "netns", "exec", lab.ns("guest"), sys.executable, "-c", DISCOVERS, "400"], check=True)
        lease3 = lab.dhcp("client1", requested=client_ip)
        check(lease3 is not None and lease3["ip"] == client_ip, "client1 is served during a starvation attack on another port")
        log = ctl.log()
        check("too many clients on port" in log or "rate limit on port" in log, "the attack is dropped and logged")

        ctl.kill9()
        ctl.start()
        lab.wait_connected()
        glease2 = lab.dhcp("guest", requested=guest_ip)
        check(glease2 is not None and glease2["ip"] == guest_ip, f"after kill -9 and restart the guest keeps {guest_ip}: {glease2}")
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        bound = [r[0] for r in con.execute("SELECT ip FROM leases WHERE state='bound'")]
        con.close()
        check(len(bound) == len(set(bound)) and client_ip in bound and guest_ip in bound,
              f"stored leases are distinct and include both clients: {bound}")
    finally:
        ctl.stop()
        for name, bridge in guests:
            lab.remove_guest(name, bridge)
        lab.down()
        if check.failures:
            print(ctl.log()[-4000:])
        sh("rm", "-rf", work)
    check.finish()


if __name__ == "__main__":
    main()
