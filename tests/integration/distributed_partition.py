#!/usr/bin/env python3
"""A controller cut off from etcd, on the Fig. 1 testbed (real Open vSwitch,
a real 3-member etcd cluster, members in network namespaces).

Scope heidelberg has two controllers, each reaching etcd over a network of
its own; berlin has one. While client1 pings vm1 every 10 ms, the network of
heidelberg's master is cut (its Linux bridge down: no packet to or from
etcd, the etcd cluster itself intact). The master must step down before its
lease can expire elsewhere, the standby must take over only after that (never
two masters), the switches keep forwarding, and once the network is back the
old master stays a standby.
Usage: distributed_partition.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import (Checks, EtcdCluster, Lab, ovs_ensure_running, pinger_results, start_scoped, teardown,  # noqa: E402
                     wait_until)

CONFIG = os.path.join(ROOT, "config", "fig1.yaml")
PREFIX = f"p{os.getpid() % 1000}"
TTL = 3
check = Checks("distributed controller: a master cut off from etcd")


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    etcd = EtcdCluster(f"{PREFIX}x", 3, work, planes=3)  # 0: etcd's own and berlin's; 1, 2: heidelberg's two
    ctls, planes = {}, {"h1": 1, "h2": 2, "b1": 0}
    lab = Lab(CONFIG, PREFIX, linkem, "netns")
    cut = None
    try:
        etcd.start()
        start_scoped(ctls, controller_bin, CONFIG, etcd, work,
                     [("h1", "heidelberg", planes["h1"]), ("h2", "heidelberg", planes["h2"]), ("b1", "berlin", planes["b1"])],
                     TTL)
        lab.up(ctls["h1"].port, {"heidelberg": [ctls["h1"].port, ctls["h2"].port], "berlin": ctls["b1"].port})
        master = next(n for n in ("h1", "h2") if lab.master_of("s-dc1") == f"tcp:127.0.0.1:{ctls[n].port}")
        standby = "h2" if master == "h1" else "h1"
        check(lab.master_of("s-wlan1") == f"tcp:127.0.0.1:{ctls[master].port}",
              f"fmc-{master} is MASTER of both heidelberg switches (etcd over network {planes[master]}), fmc-{standby} "
              f"the standby (network {planes[standby]})")

        duration = 14.0
        pinger = lab.pinger("client1", "10.1.0.10", duration)
        start = time.time()
        time.sleep(2)  # traffic through the master's flows before the cut
        cut = planes[master]
        cut_at = time.time()
        etcd.partition(cut)
        down = wait_until(lambda: ctls[master].logged("no longer master of scope heidelberg"), bool, 3 * TTL)
        claimed = wait_until(lambda: ctls[standby].logged('"msg":"master of scope heidelberg'), bool, 3 * TTL)
        target = f"tcp:127.0.0.1:{ctls[standby].port}"
        switched = wait_until(lambda: all(lab.master_of(sw) == target for sw in ("s-dc1", "s-wlan1")), bool, 15)
        check(bool(down) and down[0] - cut_at < TTL,
              f"cut off, fmc-{master} stepped down {down[0] - cut_at if down else float('nan'):.2f} s later "
              f"(before its {TTL} s lease could expire)")
        check(bool(down) and bool(claimed) and claimed[-1] > down[0],
              f"fmc-{standby} claimed the scope {claimed[-1] - cut_at if claimed else float('nan'):.2f} s after the cut, "
              f"after the old master had let go: never two masters")
        check(switched, f"both heidelberg switches took fmc-{standby} as MASTER")

        etcd.partition(cut, cut=False)
        cut = None
        time.sleep(2 * TTL)  # long enough for a re-claim to show: it must not come
        check(lab.master_of("s-dc1") == target and not ctls[master].logged('"msg":"master of scope heidelberg')[1:],
              f"network back: fmc-{master} stayed a standby, fmc-{standby} kept the scope")
        refused = sum(1 for line in ctls[master].log().splitlines() if "switch reported error type 1 code 10 " in line)
        check(refused == 0, f"the old master sent nothing the switches had to refuse as stale ({refused})")

        timeline = [(t - start, rtt) for t, rtt in pinger_results(pinger, duration + 30)]
        lost = sum(1 for _, v in timeline if v is None)
        check(lost <= 1, f"client1 -> vm1 through the switches' flows all along: {lost} of {len(timeline)} pings lost")
    finally:
        if cut is not None:
            etcd.partition(cut, cut=False)
        teardown(ctls, lab, work, check, etcd)
    check.finish()


if __name__ == "__main__":
    main()
