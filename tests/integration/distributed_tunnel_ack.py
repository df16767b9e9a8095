#!/usr/bin/env python3
"""A cross-scope roam whose correspondents' controller lags (real Open vSwitch, a
real 3-member etcd cluster, a controller per scope of the Fig. 1 testbed).

client1 holds a sequence-checked TCP session to vm1 (dc1, scope heidelberg) and
roams from wlan1 to wlan2 (scope berlin). Berlin's controller chooses client1's
visiting address; heidelberg's learns it from etcd and makes dc1's switch undo
it. Here heidelberg's controller is frozen (SIGSTOP) for a second the moment
berlin's flows for client1 are in: until heidelberg acknowledges through etcd,
wlan2 must send client1's packets out with their own source (vm1 would take a
packet from the unknown visiting address for a stranger's and reset the session,
as it did before the acknowledgement existed: 3 resets in 3 runs). Then
heidelberg thaws, installs, acknowledges, and wlan2 starts rewriting.
Usage: distributed_tunnel_ack.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import os
import re
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import (Checks, EtcdCluster, Lab, ovs_ensure_running, session_survived, sh, start_scoped,  # noqa: E402
                     tcp_session_result, teardown, wait_until)

CONFIG = os.path.join(ROOT, "config", "fig1.yaml")
PREFIX = f"k{os.getpid() % 1000}"
FREEZE_S = 1.0
check = Checks("distributed controller: a visitor's source waits for its correspondents' acknowledgement")


def source_rewrite(lab_prefix):
    """The visiting address client1's packets get as source at wlan2, or None (sent with their own)."""
    dump = sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", f"{lab_prefix}-s-wlan2", check=False)
    for line in dump.splitlines():
        if "in_port=2" in line and "02:00:00:0a:00:64" in line and "10.10.1.100" in line:
            m = re.search(r"set_field:([\d.]+)->ip_src|mod_nw_src:([\d.]+)", line)
            return (m.group(1) or m.group(2)) if m else None
    return None


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    etcd = EtcdCluster(f"{PREFIX}x", 3, work)
    ctls = {}
    lab = Lab(CONFIG, PREFIX, linkem, "netns")
    frozen = False
    try:
        etcd.start()
        start_scoped(ctls, controller_bin, CONFIG, etcd, work, [("h1", "heidelberg", 0), ("b1", "berlin", 0)])
        lab.up(ctls["h1"].port, {"heidelberg": ctls["h1"].port, "berlin": ctls["b1"].port})
        lab.echo_server("vm1", 7)
        check(lab.cold_ping("client1", "10.1.0.10") is not None, "client1 reaches vm1 from home (wlan1)")
        session = lab.tcp_session("client1", "10.1.0.10", 7, 8)
        check(wait_until(lambda: ctls["h1"].logged("client1 at wlan1: flows confirmed"), bool, 10),
              "heidelberg serves client1 at home")

        roam = threading.Thread(target=lab.roam, args=("client1", "wlan2"))
        roam.start()
        installed = wait_until(lambda: "client1 at wlan2: flows confirmed" in ctls["b1"].log(), bool, 15, interval=0.001)
        os.kill(ctls["h1"].proc.pid, signal.SIGSTOP)
        frozen = True
        froze = time.time()
        check(installed and "client1 at wlan2" not in ctls["h1"].log(),
              "berlin installed client1's flows at wlan2; heidelberg, frozen right then, had not learnt the move")
        pending = source_rewrite(PREFIX)
        check(pending is None, f"while heidelberg has not acknowledged, wlan2 sends client1's packets with their own "
                               f"source (rewritten to: {pending})")
        time.sleep(max(0.0, FREEZE_S - (time.time() - froze)))  # the controller's lag
        os.kill(ctls["h1"].proc.pid, signal.SIGCONT)
        frozen = False
        roam.join()
        visiting = wait_until(lambda: source_rewrite(PREFIX), bool, 4)
        check(visiting is not None and visiting.startswith("10.10.2."),
              f"once heidelberg installed and acknowledged through etcd, wlan2 rewrites client1's source to its "
              f"visiting address {visiting}")
        check("no acknowledgement" not in ctls["b1"].log(), "the acknowledgement came, not berlin's 5 s fallback")
        result = tcp_session_result(session)
        check(session_survived(result), f"TCP session client1 -> vm1 survived the roam: {result}")
    finally:
        if frozen:
            os.kill(ctls["h1"].proc.pid, signal.SIGCONT)
        teardown(ctls, lab, work, check, etcd)
    check.finish()


if __name__ == "__main__":
    main()
