#!/usr/bin/env python3
"""The distributed controller under failure, on the Fig. 1 testbed (real Open
vSwitch, a real 3-member etcd cluster, members in network namespaces).

Scope heidelberg (dc1, wlan1) has two controllers, a master and a standby;
scope berlin (dc2, wlan2) has one. While client1 pings vm1 every 10 ms and a
sequence-checked TCP session runs between them:
  - the heidelberg master is killed with SIGKILL: the standby becomes MASTER
    of both heidelberg switches (failover time measured from the kill to the
    switches' role change); traffic through the installed flows goes on
    (pings lost in that window reported, and bounded);
  - then client1 roams wlan1 -> wlan2, across scopes: berlin detects it, and
    the new heidelberg master, learning it through etcd, rewrites dc1's side:
    pings come back at ~50 ms, the TCP session survives;
  - each controller holds the flows of its own scope's switches only.
Usage: distributed_failover.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import (Checks, EtcdCluster, Lab, ovs_ensure_running, pinger_results, start_scoped,  # noqa: E402
                     session_survived, tcp_session_result, teardown, wait_until)

CONFIG = os.path.join(ROOT, "config", "fig1.yaml")
PREFIX = f"d{os.getpid() % 1000}"
check = Checks("distributed controller: failover and a cross-scope roam")


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    etcd = EtcdCluster(f"{PREFIX}x", 3, work)
    ctls = {}
    lab = Lab(CONFIG, PREFIX, linkem, "netns")
    try:
        etcd.start()
        start_scoped(ctls, controller_bin, CONFIG, etcd, work,
                     [("h1", "heidelberg", 0), ("h2", "heidelberg", 0), ("b1", "berlin", 0)])
        lab.up(ctls["h1"].port, {"heidelberg": [ctls["h1"].port, ctls["h2"].port], "berlin": ctls["b1"].port})
        master = next(n for n in ("h1", "h2") if lab.master_of("s-dc1") == f"tcp:127.0.0.1:{ctls[n].port}")
        standby = "h2" if master == "h1" else "h1"
        check(lab.master_of("s-wlan1") == f"tcp:127.0.0.1:{ctls[master].port}",
              f"fmc-{master} is MASTER of both heidelberg switches, fmc-{standby} the standby")

        lab.echo_server("vm1", 7)
        duration = 16.0
        session = lab.tcp_session("client1", "10.1.0.10", 7, duration - 1)
        time.sleep(0.5)
        pinger = lab.pinger("client1", "10.1.0.10", duration)
        start = time.time()
        time.sleep(3)  # traffic through the master's flows before the kill

        killed = time.time()
        ctls[master].kill9()
        target = f"tcp:127.0.0.1:{ctls[standby].port}"
        took_over = wait_until(lambda: all(lab.master_of(sw) == target for sw in ("s-dc1", "s-wlan1")), bool, 15)
        failover_s = time.time() - killed
        claimed = ctls[standby].logged('"msg":"master of scope heidelberg')
        check(took_over and claimed, f"kill -9 of fmc-{master}: fmc-{standby} claimed scope heidelberg "
                                     f"{claimed[-1] - killed if claimed else float('nan'):.2f} s later (its log; mastership TTL 3 s); "
                                     f"OVSDB's controller status showed it MASTER of both switches {failover_s:.2f} s after the kill")
        time.sleep(1)  # traffic through the new master's resynced flows before the roam

        roamed = time.time()
        lab.roam("client1", "wlan2")
        timeline = [(t - start, rtt) for t, rtt in pinger_results(pinger, duration + 30)]
        result = tcp_session_result(session)

        lost_failover = sum(1 for t, v in timeline if v is None and killed - start <= t < roamed - start)
        check(lost_failover <= 1, f"pings lost from the kill to the roam (flows kept by the switches, resynced by the "
                                  f"new master): {lost_failover} of {sum(1 for t, _ in timeline if killed - start <= t < roamed - start)}")
        after = [v for t, v in timeline if t > roamed - start + 2 and v is not None]
        far = sorted(after)[len(after) // 2] if after else None
        check(far is not None and 40 <= far <= 90,
              f"after the cross-scope roam client1 reaches vm1 at dc1 through wlan2: median {far} ms "
              f"({len(after)} answers)")
        lost_roam = sum(1 for t, v in timeline if v is None and t >= roamed - start)
        print(f"     pings lost from the roam on: {lost_roam} (the roam's own re-plugging included)")
        check(session_survived(result),
              f"TCP session client1 -> vm1 survived the failover and the roam: {result}")

        moved = ctls[standby].log()
        check('"cause\\":\\"peer' in moved and "client1" in moved,
              f"fmc-{standby} learnt client1's move to wlan2 from berlin's controller through etcd")
        check("spoofed-move" not in moved and "spoofed-move" not in ctls["b1"].log(),
              "no controller took the roam for a spoofing attempt")
    finally:
        teardown(ctls, lab, work, check, etcd)
    check.finish()


if __name__ == "__main__":
    main()
