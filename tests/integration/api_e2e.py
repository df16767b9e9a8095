#!/usr/bin/env python3
"""The northbound API against a running controller on the Fig. 1 testbed
(real Open vSwitch, namespaces), with a real HTTP client and a test
receiver for subscription callbacks:
  - without the token, with a wrong one, with malformed or oversized JSON:
    refused (401/400/413) and nothing changes;
  - ETSI MEC 013: the users query finds client1 (DHCP address) at its access
    point; a userTracking subscription is notified when client1 roams
    (Leaving wlan1, Entering wlan2);
  - ETSI MEC 021: an application registered for vm1 and a mobility
    subscription get INTERHOST_MOVEOUT_TRIGGERED and _COMPLETED while vm1
    migrates (ordered through POST /api/v1/migrations); the MEC 013 users
    query answers during the migration; a registration with
    APP_MOBILITY_NOT_ALLOWED vetoes the next migration;
  - a cancelled migration (DELETE) ends "cancelled", notifies _FAILED, and
    vm1 stays reachable where it was;
  - the event stream (server-sent events) carries the migration's steps;
  - /metrics parses as Prometheus text and its counters moved.
Usage: api_e2e.py FMC_CONTROLLER FMC_LINKEM   (as root)
"""
import http.server
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
from api_client import Api, EventStream, self_signed_certificate  # noqa: E402
from harness import TESTBED, Checks, Controller, Lab, ovs_ensure_running, sh, teardown, wait_until  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

CONFIG = os.path.join(HERE, "testbed.yaml")
PREFIX = f"a{os.getpid() % 1000}"
check = Checks("northbound API")


class Receiver:
    """Collects JSON POSTed to http://127.0.0.1:PORT/<anything>."""

    def __init__(self):
        self.got = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.got.append((self.path, json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait(self, pred, seconds=10):
        return wait_until(lambda: [b for p, b in self.got if pred(p, b)], lambda v: len(v) > 0, seconds)

    def close(self):
        self.server.shutdown()


def metrics(api):
    status, text = api.call("GET", "/metrics")
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return status, samples


def metric(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def main():
    controller_bin, linkem = sys.argv[1], sys.argv[2]
    ovs_ensure_running()
    work = tempfile.mkdtemp(prefix="fmc-api-")
    token = secrets.token_urlsafe(24)
    with open(os.path.join(work, "token"), "w") as f:
        f.write(token + "\n")
    migrate = f"{sys.executable} {TESTBED} migrate {CONFIG} {{vm}} {{to}} --prefix {PREFIX} --downtime-ms 100"
    cert, key = self_signed_certificate(work)  # the whole test talks HTTPS
    ctl = Controller(controller_bin, CONFIG, os.path.join(work, "fmc.db"), work,
                     extra=["--api", "127.0.0.1:0", "--api-token-file", os.path.join(work, "token"),
                            "--api-port-file", os.path.join(work, "api-port"), "--migrate-command", migrate,
                            "--api-tls-cert", cert, "--api-tls-key", key])
    lab = Lab(CONFIG, PREFIX, linkem)
    receiver, stream = Receiver(), None
    try:
        ctl.start()
        api_port = int(open(os.path.join(work, "api-port")).read())
        api = Api(api_port, token, ca_file=cert)
        lab.up(ctl.port)
        check(api.call("GET", "/health", token=False)[0] == 200, f"the API answers over TLS at {api.base}")
        plain = Api(api_port, token)
        try:
            plain_status = plain.call("GET", "/api/v1/endpoints")[0]
        except OSError as e:
            plain_status = type(e).__name__
        check(plain_status != 200, f"plain HTTP to the TLS port gets nothing: {plain_status}")

        # -- refusals change nothing
        check(api.call("GET", "/api/v1/endpoints", token=False)[0] == 401, "no token: 401")
        check(api.call("GET", "/api/v1/endpoints", token="x" * 32)[0] == 401, "wrong token: 401")
        check(api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc2"}, token=False)[0] == 401,
              "a write without the token: 401")
        check(api.call("POST", "/api/v1/migrations", raw=b'{"vm": "vm1", "to": ')[0] == 400, "malformed JSON: 400")
        check(api.call("POST", "/api/v1/migrations", raw=b"x" * (2 << 20))[0] == 413, "a 2 MiB body: 413")
        check(api.call("POST", "/api/v1/migrations", {"vm": "vm9", "to": "dc2"})[0] == 409, "an unknown VM: 409")
        status, body = api.call("GET", "/api/v1/migrations")
        check(status == 200 and body["migrations"] == [], "and no migration was started by any of them")

        # -- MEC 013 with a DHCP client
        sh("ip", "-n", lab.ns("client1"), "addr", "flush", "dev", "eth0")
        lease = lab.dhcp("client1")
        address = f"acr:{lease['ip']}" if lease else "acr:?"
        status, body = api.call("GET", f"/location/v2/queries/users?address={address}")
        users = body.get("userList", {}).get("user", []) if status == 200 else []
        check(len(users) == 1 and users[0]["zoneId"] == "wlan1" and users[0]["accessPointId"] == "s-wlan1:2",
              f"MEC 013 users query: {address} in wlan1 at s-wlan1:2 ({status} {users})")
        status, body = api.call("POST", "/location/v2/subscriptions/userTracking", {"userTrackingSubscription": {
            "callbackReference": {"notifyURL": receiver.url + "/mec013", "callbackData": "t1"}, "address": address,
            "userEventCriteria": ["Entering", "Leaving"]}})
        check(status == 201, f"MEC 013 userTracking subscription: {status}")
        lab.roam("client1", "wlan2")
        lab.dhcp("client1", requested=lease["ip"] if lease else None)
        entering = receiver.wait(lambda p, b: p == "/mec013" and b["zonalPresenceNotification"]["userEventType"] == "Entering"
                                 and b["zonalPresenceNotification"]["zoneId"] == "wlan2")
        leaving = receiver.wait(lambda p, b: p == "/mec013" and b["zonalPresenceNotification"]["userEventType"] == "Leaving")
        check(bool(entering) and bool(leaving), "client1's roam is notified: Leaving wlan1, Entering wlan2")

        # -- MEC 021 during a migration ordered through the API
        status, reg = api.call("POST", "/amsi/v1/app_mobility_services", {
            "serviceConsumerId": {"appInstanceId": "vm1"},
            "deviceInformation": [{"associateId": {"type": "UE_IPv4_ADDRESS", "value": lease["ip"]},
                                   "appMobilityServiceLevel": "APP_MOBILITY_WITHOUT_CONFIRMATION"}]})
        check(status == 201 and reg.get("appMobilityServiceId"), f"MEC 021 registration: {status}")
        status, _ = api.call("POST", "/amsi/v1/subscriptions", {
            "subscriptionType": "MobilityProcedureSubscription", "callbackReference": receiver.url + "/mec021",
            "filterCriteria": {"appInstanceId": "vm1"}})
        check(status == 201, f"MEC 021 mobility subscription: {status}")
        stream = EventStream(api_port, token, ca_file=cert)
        fmcctl = [sys.executable, os.path.join(ROOT, "tools", "fmcctl"), "--api", api.base, "--ca-file", cert,
                  "--token-file", os.path.join(work, "token")]
        watch = subprocess.Popen(fmcctl + ["watch"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        opened = watch.stdout.readline()  # its first line once the stream is open
        _, before = metrics(api)
        status, m = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc2"})
        check(status == 202 and m["state"] == "running", f"migration ordered: {status} {m}")
        status, body = api.call("GET", "/location/v2/queries/users")
        check(status == 200 and len(body["userList"]["user"]) == 1, "MEC 013 answers during the migration")
        done = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{m.get('id')}")[1],
                          lambda v: isinstance(v, dict) and v.get("state") != "running", 20)
        check(isinstance(done, dict) and done.get("state") == "completed", f"the migration completed: {done}")
        got = receiver.wait(lambda p, b: p == "/mec021" and b["mobilityStatus"] == "INTERHOST_MOVEOUT_COMPLETED")
        statuses = [b["mobilityStatus"] for p, b in receiver.got if p == "/mec021"]
        check(bool(got) and statuses[:2] == ["INTERHOST_MOVEOUT_TRIGGERED", "INTERHOST_MOVEOUT_COMPLETED"],
              f"MEC 021 notifications: {statuses}")
        check(bool(got) and got[0]["associateId"][0]["value"] == lease["ip"] and got[0]["targetAppInfo"]["appInstanceId"] == "vm1@dc2",
              "naming the registered device and the target instance")
        steps = wait_until(lambda: [d["phase"] for e, d in stream.events if e == "MigrationStep"], lambda v: "completed" in v)
        check(steps[:2] == ["started", "completed"], f"event stream: migration steps {steps}")
        watch.terminate()
        watched = watch.communicate(timeout=10)[0]
        stamp = r"^\d\d:\d\d:\d\d\.\d{3}  "
        check(opened.startswith("# events from") and all(re.search(stamp + line, watched, re.M) for line in (
                  r"migration \d+ of vm1 dc1 -> dc2: started", r"vm1 .*dc2:2 \(migration\)",
                  r"migration \d+ of vm1 dc1 -> dc2: completed")),
              f"fmcctl watch: a line per event with its time:\n{opened}{watched}")
        status, after = metrics(api)
        check(status == 200 and after, "/metrics parses as Prometheus text")
        moved = (metric(after, "fmc_moves_total", outcome="accepted") or 0) - (metric(before, "fmc_moves_total", outcome="accepted") or 0)
        pins = (metric(after, "fmc_packet_ins_total") or 0) - (metric(before, "fmc_packet_ins_total") or 0)
        flows = (metric(after, "fmc_flow_mods_total") or 0) - (metric(before, "fmc_flow_mods_total") or 0)
        converged = metric(after, "fmc_move_convergence_seconds_count") or 0
        check(moved >= 1 and pins >= 1 and flows >= 1 and converged >= 1,
              f"counters moved during the migration: moves +{moved}, packet-ins +{pins}, flow-mods +{flows}, "
              f"converged moves {converged}")
        check(metric(after, "fmc_migrations", state="completed") == 1 and metric(after, "fmc_switch_connected", switch="s-dc2", dpid="210") == 1,
              "migrations by state and switch connection state are exported")

        # -- cancel: vm1 stays in dc2
        status, m2 = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc1"})
        status_del, _ = api.call("DELETE", f"/api/v1/migrations/{m2.get('id')}")
        check(status == 202 and status_del == 202, f"a migration back to dc1 is cancelled: {status} {status_del}")
        end = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{m2.get('id')}")[1],
                         lambda v: isinstance(v, dict) and v.get("state") != "running", 20)
        check(isinstance(end, dict) and end.get("state") == "cancelled", f"it ends cancelled: {end}")
        failed = receiver.wait(lambda p, b: p == "/mec021" and b["mobilityStatus"] == "INTERHOST_MOVEOUT_FAILED")
        check(bool(failed), "MEC 021 notifies INTERHOST_MOVEOUT_FAILED")
        status, vm1 = api.call("GET", "/api/v1/endpoints/vm1")
        check(vm1["location"]["site"] == "dc2" and lab.rtt("client1", "10.1.0.10") is not None,
              f"vm1 is still at dc2 and reachable: {vm1['location']}")

        # -- fmcctl, the command line over the same API
        out = subprocess.run(fmcctl + ["endpoints"], capture_output=True, text=True)
        vm_line = [l for l in out.stdout.splitlines() if l.startswith("vm1 ")]
        check(out.returncode == 0 and out.stdout.startswith("NAME") and vm_line and "dc2 (0xd2 port 2)" in vm_line[0],
              f"fmcctl endpoints: a table with vm1 at dc2: {vm_line}")
        out = subprocess.run(fmcctl + ["--json", "migrations"], capture_output=True, text=True)
        states = [m["state"] for m in json.loads(out.stdout)["migrations"]] if out.returncode == 0 else out.stderr
        check(states == ["completed", "cancelled"], f"fmcctl --json migrations: {states}")
        out = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "fmcctl"), "--api", api.base, "--ca-file", cert,
                              "endpoints"],
                             capture_output=True, text=True, env={"PATH": os.environ.get("PATH", "")})
        check(out.returncode == 1 and "401" in out.stderr, f"fmcctl without a token: exit 1, {out.stderr.strip()}")

        # -- measured paths, services, the placement policy at run time
        paths = wait_until(lambda: api.call("GET", "/api/v1/paths")[1]["paths"],
                           lambda ps: all(p["rtt_ms"] is not None for p in ps), 10)
        rtt = {(p["access"], p["dc"]): p["rtt_ms"] for p in paths}
        check(len(rtt) == 4 and all(v is not None for v in rtt.values()) and
              rtt[("wlan1", "dc2")] > 35 and rtt[("wlan2", "dc1")] > 35 and
              rtt[("wlan1", "dc1")] < 20 and rtt[("wlan2", "dc2")] < 20,
              f"the Path Monitor measured every path, far ones ~50 ms and near ones well below: {rtt}")
        out = subprocess.run(fmcctl + ["paths"], capture_output=True, text=True)
        check(out.returncode == 0 and "wlan2" in out.stdout and "CONFIGURED-MS" in out.stdout, f"fmcctl paths:\n{out.stdout}")
        status, body = api.call("GET", "/api/v1/services")
        check(status == 200 and body["services"][0]["data_center"] == "dc2" and
              body["services"][0]["users"][0]["site"] == "wlan2", f"services: video runs in dc2, client1 in wlan2: {body}")
        status, _ = api.call("PUT", "/api/v1/policy", {"policy": "mdp", "discount": 1.5})
        status2, policy = api.call("GET", "/api/v1/policy")
        check(status == 400 and policy["policy"] == "off", f"an invalid policy change is refused whole: {status} {policy}")
        out = subprocess.run(fmcctl + ["policy", "dwell_s=7", "weights.delay=2"], capture_output=True, text=True)
        status, policy = api.call("GET", "/api/v1/policy")
        check(out.returncode == 0 and policy["dwell_s"] == 7 and policy["weights"]["delay"] == 2 and policy["policy"] == "off",
              f"fmcctl policy changes it at run time: {policy}")

        # -- a registration that does not allow mobility vetoes migrations
        status, _ = api.call("PUT", f"/amsi/v1/app_mobility_services/{reg['appMobilityServiceId']}", {
            "serviceConsumerId": {"appInstanceId": "vm1"},
            "deviceInformation": [{"associateId": {"type": "UE_IPv4_ADDRESS", "value": lease["ip"]},
                                   "appMobilityServiceLevel": "APP_MOBILITY_NOT_ALLOWED"}]})
        status2, body = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": "dc1"})
        check(status == 200 and status2 == 409 and "does not allow" in body.get("detail", ""),
              f"APP_MOBILITY_NOT_ALLOWED vetoes the migration: {status2} {body}")
    finally:
        if stream:
            stream.close()
        receiver.close()
        teardown(ctl, lab, work, check)
    check.finish()


if __name__ == "__main__":
    main()
