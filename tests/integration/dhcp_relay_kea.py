#!/usr/bin/env python3
"""Relay mode against a real ISC Kea (kea-dhcp4 from Debian) on the Fig. 1
testbed. Kea runs as host kea1 in DC1; the controller relays every client
DHCP message to it with giaddr = the access network's relay agent address
and option 82 (circuit-id "<switch>:<port>", remote-id = access network):
  - client1 gets an address from Kea's wlan1 subnet (a range the controller
    itself does not serve) and reaches vm1 with it;
  - Kea stored option 82 with the lease (store-extended-info): the
    circuit-id names s-wlan1 port 2;
  - client1 roams to wlan2: Kea gives it a wlan2 address (circuit-id
    s-wlan2:2) and the controller records client1 in wlan2.
Usage: dhcp_relay_kea.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import Checks, Controller, Lab, endpoint_row, ovs_ensure_running, sh, wait_until  # noqa: E402

CONFIG = os.path.join(HERE, "dhcp_relay.yaml")
PREFIX = f"k{os.getpid() % 1000}"
check = Checks("DHCP relay to ISC Kea")


def kea_config(work):
    subnet = lambda n, id_: {  # noqa: E731
        "id": id_, "subnet": f"10.10.{n}.0/24", "pools": [{"pool": f"10.10.{n}.150 - 10.10.{n}.159"}],
        "option-data": [{"name": "routers", "data": f"10.10.{n}.1"}]}
    return {"Dhcp4": {
        "interfaces-config": {"interfaces": ["eth0"], "dhcp-socket-type": "udp"},
        "lease-database": {"type": "memfile", "persist": True, "name": os.path.join(work, "kea-leases4.csv"),
                           "lfc-interval": 0},
        "store-extended-info": True,
        "valid-lifetime": 600,
        "subnet4": [subnet(1, 1), subnet(2, 2)],
        "loggers": [{"name": "kea-dhcp4", "output_options": [{"output": "stdout"}], "severity": "INFO"}],
    }}


def kea_leases(work):
    path = os.path.join(work, "kea-leases4.csv")
    return open(path).read() if os.path.exists(path) else ""


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-kea-")
    db = os.path.join(work, "fmc.db")
    ctl = Controller(controller_bin, CONFIG, db, work)
    lab = Lab(CONFIG, PREFIX, linkem)
    kea = None
    try:
        ctl.start()
        lab.up(ctl.port)
        conf = os.path.join(work, "kea-dhcp4.conf")
        with open(conf, "w") as f:
            json.dump(kea_config(work), f, indent=1)
        env = dict(os.environ, KEA_PIDFILE_DIR=work, KEA_LOCKFILE_DIR=work)
        kea_log = open(os.path.join(work, "kea.log"), "w")
        kea = subprocess.Popen(["ip", "netns", "exec", lab.ns("kea1"), "kea-dhcp4", "-c", conf], env=env,
                               stdout=kea_log, stderr=subprocess.STDOUT)
        time.sleep(1.5)
        check(kea.poll() is None, "kea-dhcp4 is running in DC1")

        sh("ip", "-n", lab.ns("client1"), "addr", "flush", "dev", "eth0")
        lease = lab.dhcp("client1")
        ip1 = lease["ip"] if lease else ""
        check(ip1.startswith("10.10.1.15"), f"client1 gets an address from Kea's wlan1 range: {lease}")
        check(lease is not None and lease["serverid"] == "10.1.0.67", "Kea is the server that answered")
        check(lab.rtt("client1", "10.1.0.10") is not None, "client1 reaches vm1 with Kea's address")
        leases = kea_leases(work)
        circuit = "s-wlan1:2".encode().hex()
        check(ip1 and circuit in leases.replace(":", "").lower(), "Kea saw option 82 with circuit-id s-wlan1:2")

        lab.roam("client1", "wlan2")
        lease2 = lab.dhcp("client1")
        ip2 = lease2["ip"] if lease2 else ""
        check(ip2.startswith("10.10.2.15"), f"in wlan2 Kea gives a wlan2 address: {lease2}")
        check("s-wlan2:2".encode().hex() in kea_leases(work).replace(":", "").lower(), "with circuit-id s-wlan2:2")
        row = wait_until(lambda: endpoint_row(db, "02:00:00:0a:00:64"), lambda r: r and r["current_site"] == "wlan2")
        check(row is not None and row["current_site"] == "wlan2", f"the controller records client1 in wlan2: {row}")
        log = ctl.log()
        check("reply from an unknown server" not in log and "without our circuit-id" not in log,
              "every reply came from Kea with our circuit-id")
    finally:
        if kea is not None and kea.poll() is None:
            kea.terminate()
            kea.wait(timeout=10)
        ctl.stop()
        lab.down()
        if check.failures:
            print(ctl.log()[-3000:])
            print(open(os.path.join(work, "kea.log")).read()[-3000:] if os.path.exists(os.path.join(work, "kea.log")) else "")
        sh("rm", "-rf", work)
    check.finish()


if __name__ == "__main__":
    main()
