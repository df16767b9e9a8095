#!/usr/bin/env python3
"""Storage faults (issue 13), on the Fig. 1 testbed with real Open vSwitch and
the controller's SQLite database on a small tmpfs of its own:
  - the file system fills up: a new guest's DHCP gets no ACK (its lease could
    not be stored), client1's roam to wlan2 is served (traffic follows) but
    not reported on the event stream, the controller says why (log, /metrics,
    /health) and stays up;
  - room is made: the held writes are stored (client1's record says wlan2,
    the move appears on the stream), and the guest gets its lease on retry;
  - the file system is read-only at start: exit code 3, saying so; writable
    again, the controller starts with everything the outage had held;
  - started on a damaged database, the controller exits with code 3 and says
    which file and what to do, at once (no crash, nothing to restart into);
    moved aside, it starts with an empty one.
Usage: storage_faults.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "testbed"))
from api_client import EventStream  # noqa: E402
from harness import Checks, Controller, Lab, endpoint_row, ovs_ensure_running, sh, wait_until  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
CLIENT1_MAC = "02:00:00:0a:00:64"
GUEST_MAC = "02:00:00:0a:98:01"
check = Checks("storage faults")


def metric(api_port, name):
    text = urllib.request.urlopen(f"http://127.0.0.1:{api_port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.split()[-1])
    return None


def health(api_port):
    return urllib.request.urlopen(f"http://127.0.0.1:{api_port}/health", timeout=5).read().decode()


def fill(directory):
    """Fills the file system of `directory`; returns the filler's path."""
    filler = os.path.join(directory, "filler")
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return filler


def moves_of(stream, site):
    return [d for k, d in list(stream.events) if k == "EndpointMoved" and d["endpoint"] == "client1"
            and (d.get("to") or {}).get("site") == site]


def lease_state(db, mac):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT state FROM leases WHERE mac=?", (mac,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def start_fails(ctl, db):
    """Starts the controller on `db` expecting it to refuse; returns what it said."""
    ctl.proc = subprocess.Popen([ctl.binary, "--listen", "127.0.0.1", "--port", "0", "--network", CONFIG, "--db", db],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return ctl.proc.communicate(timeout=30)[0]


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-storage-")
    disk = os.path.join(work, "disk")
    os.makedirs(disk)
    sh("mount", "-t", "tmpfs", "-o", "size=8m", "fmc-storage-test", disk)
    db = os.path.join(disk, "fmc.db")
    token = secrets.token_urlsafe(24)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(token + "\n")
    ctl = Controller(controller_bin, CONFIG, db, work,
                     extra=["--api", "127.0.0.1:0", "--api-token-file", os.path.join(work, "token"), "--api-open-reads",
                            "--api-port-file", os.path.join(work, "api-port")])
    lab = Lab(CONFIG, f"s{os.getpid() % 1000}", linkem)
    stream = None
    try:
        ctl.start()
        api = int(open(os.path.join(work, "api-port")).read())
        stream = EventStream(api, token)
        lab.up(ctl.port)
        sh("ip", "netns", "exec", lab.ns("client1"), "ping", "-c", "2", "-W", "2", "10.1.0.10", check=False)
        located = wait_until(lambda: endpoint_row(db, CLIENT1_MAC), lambda r: r is not None and r["current_site"] == "wlan1")
        check(located is not None and metric(api, "fmc_store_writable") == 1, "client1 is stored at wlan1; the store is writable")

        # 1. The file system fills up.
        filler = fill(disk)
        lab.add_guest("guest", "s-wlan1", 30, GUEST_MAC)
        lease = lab.dhcp("guest", tries=3)
        check(lease is None, f"disk full: the guest gets no DHCP ACK, its lease could not be stored ({lease})")
        lab.roam("client1", "wlan2")
        far = wait_until(lambda: lab.rtt("client1", "10.1.0.10"), lambda v: v is not None and 40 <= v <= 90, seconds=10)
        check(far is not None and 40 <= far <= 90, f"disk full: client1's roam to wlan2 is served, vm1 answers in {far} ms")
        out = wait_until(lambda: metric(api, "fmc_store_writable"), lambda v: v == 0, seconds=10)
        held = metric(api, "fmc_store_writes_held")
        check(out == 0 and held and held > 0 and '"degraded"' in health(api),
              f"disk full: /metrics says the store is out ({held:.0f} writes held), /health says degraded")
        check("the store cannot take writes" in ctl.log() and "database or disk is full" in ctl.log(),
              "disk full: the controller logs why")
        check(not moves_of(stream, "wlan2") and endpoint_row(db, CLIENT1_MAC)["current_site"] == "wlan1",
              "disk full: client1's move is neither stored nor reported on the event stream")
        check(ctl.proc.poll() is None, "disk full: the controller is still running")

        os.remove(filler)
        stored = wait_until(lambda: endpoint_row(db, CLIENT1_MAC), lambda r: r["current_site"] == "wlan2", seconds=15)
        check(stored["current_site"] == "wlan2" and wait_until(lambda: moves_of(stream, "wlan2"), bool, 5),
              "room again: client1's record says wlan2 and the move is on the event stream")
        check("the store takes writes again" in ctl.log() and metric(api, "fmc_store_writes_held") == 0
              and metric(api, "fmc_store_writes_lost_total") == 0, "room again: every held write stored, none lost")
        lease = lab.dhcp("guest", tries=6)
        check(lease is not None and lease["ip"].startswith("10.10.1."), f"room again: the guest gets its lease ({lease})")

        ctl.stop()
        check(ctl.proc.returncode == 0, "the controller stops cleanly")

        # 2. Read-only (remounted while the controller is stopped: Linux refuses it under an open writer).
        sh("mount", "-o", "remount,ro", disk)
        said = start_fails(ctl, db)
        check(ctl.proc.returncode == 3 and f"the database {db} is on a read-only file system" in said,
              f"read-only: the controller exits with code 3 and says why: {said.strip()[:160]}")
        sh("mount", "-o", "remount,rw", disk)
        ctl.start()
        check(ctl.proc.poll() is None and endpoint_row(db, CLIENT1_MAC)["current_site"] == "wlan2"
              and lease_state(db, GUEST_MAC) == "bound",
              "writable again: it starts, with what the outage held stored (client1 at wlan2, the guest's lease)")
        ctl.stop()

        # 3. Damaged at start.
        size = os.path.getsize(db)
        with open(db, "r+b") as f:
            f.seek(size // 2)
            f.write(b"\xff" * min(20000, size // 3))
        said = start_fails(ctl, db)
        check(ctl.proc.returncode == 3 and f"the database {db} is damaged" in said and f"mv {db}" in said,
              f"damaged: the controller exits with code 3 and says what to do: {said.strip()[:200]}")
        shutil.move(db, db + ".damaged")
        for side in ("-wal", "-shm"):
            if os.path.exists(db + side):
                os.remove(db + side)
        ctl.start()
        check(ctl.proc.poll() is None, "moved aside: the controller starts with an empty database")
    finally:
        if stream:
            stream.close()
        ctl.stop()
        lab.remove_guest("guest", "s-wlan1")
        lab.down()
        subprocess.run(["umount", disk])
        shutil.rmtree(work, ignore_errors=True)
    check.finish()


if __name__ == "__main__":
    main()
