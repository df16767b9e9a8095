#!/usr/bin/env python3
"""The dashboard in a real browser (Debian's headless Chromium, driven by
web/dashboard/test/browser_check.mjs) on the Fig. 1 testbed with real Open
vSwitch, while the controller's Location Mapper has vm1 follow client1:
  - without a token, then with a wrong one: a clear message and no data;
  - with the token: four sites with their switches connected, vm1 at home in
    dc1, client1 in wlan1, the event stream live;
  - client1 roams to wlan2 (this script, once the page is ready): the page shows
    client1 visiting wlan2, the migration completed on the timeline (started ...
    completed), vm1's marker in dc2 marked visiting with its tunnel from dc1,
    the service in dc2, and the latency chart's new points far (client1 at
    wlan2, video at dc1) then near again;
  - a screenshot (OUT/dashboard.png) is kept as the test's artefact.
Usage: dashboard_browser.py FMC_CONTROLLER FMC_LINKEM OUT_DIR   (as root)
"""
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from harness import TESTBED, Checks, Controller, Lab, ovs_ensure_running, teardown  # noqa: E402

CONFIG = os.path.join(ROOT, "config", "fig1.yaml")  # its placement policy lets vm1 follow
PREFIX = f"w{os.getpid() % 1000}"
CHECK = os.path.join(ROOT, "web", "dashboard", "test", "browser_check.mjs")
check = Checks("dashboard in a browser")


def main():
    controller_bin, linkem, out = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-dash-")
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(secrets.token_urlsafe(24) + "\n")
    migrate = f"{sys.executable} {TESTBED} migrate {CONFIG} {{vm}} {{to}} --prefix {PREFIX} --downtime-ms 20"
    ctl = Controller(controller_bin, CONFIG, os.path.join(work, "fmc.db"), work,
                     extra=["--api", "127.0.0.1:0", "--api-token-file", token_file,
                            "--api-port-file", os.path.join(work, "api-port"), "--migrate-command", migrate])
    lab = Lab(CONFIG, PREFIX, linkem)
    browser = None
    try:
        ctl.start()
        url = f"http://127.0.0.1:{int(open(os.path.join(work, 'api-port')).read())}/"
        lab.up(ctl.port)
        # client1 talks to vm1 (the controller learns where both are), as before the paper's roam.
        check(lab.rtt("client1", "10.1.0.10", 3) is not None, "client1 reaches vm1 at home")
        browser = subprocess.Popen(["node", CHECK, url, token_file, out], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        # The whole run is bounded: a browser that hangs is killed, and fails the test.
        watchdog = threading.Timer(240, browser.kill)
        watchdog.start()
        result = None
        for line in browser.stdout:
            try:
                said = json.loads(line)
            except ValueError:
                print("  browser: " + line.rstrip())
                continue
            if "step" in said:
                check(True, said["step"])
            elif said.get("ready"):
                lab.roam("client1", "wlan2")
                print(f"  client1 roamed to wlan2 (chart at {said['points']} points)", flush=True)
            elif "failed" in said:
                check(False, f"{said['failed']} {said.get('problems') or ''}")
            elif said.get("done"):
                result = said
        watchdog.cancel()
        code = browser.wait()
        check(code == 0 and result is not None, f"the browser check ended cleanly (exit {code})")
        if result:
            print(f"  chart points: {result['points']}; client1 -> video round trips (ms): {result['latency_ms']}")
        shot = os.path.join(out, "dashboard.png")
        check(os.path.exists(shot) and os.path.getsize(shot) > 10_000, f"screenshot kept: {shot}")
    finally:
        if browser and browser.poll() is None:
            browser.kill()
            browser.wait()
        teardown(ctl, lab, work, check)
    check.finish()


if __name__ == "__main__":
    main()
