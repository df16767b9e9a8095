#!/usr/bin/python3
"""The paper's experiment (Fig. 5) on the emulated Fig. 1 testbed.

client1 pings vm1 every 10 ms. It starts in wlan1, next to dc1 where vm1
runs (~1 ms), then roams to wlan2, next to dc2 (~50 ms to dc1). With
follow-me, vm1 is then live-migrated to dc2 and the latency drops back to
~1 ms while vm1 keeps its address; without follow-me it stays at ~50 ms.

The controller decides alone: its Path Monitor measures the delays, its
Location Mapper (threshold policy, config/fig1.yaml) orders the migration
once wlan2 has been the better place for the dwell time. vm1 is a real QEMU
guest (Debian's kernel, busybox; TCG without a usable /dev/kvm) live-migrated over
QMP between hypervisors at dc1 and dc2 (--vms netns: the namespace
emulator instead). A TCP session from client1 to the guest's echo server
runs across the roam and the migration and must survive whole.

Writes OUT/timeline.csv, OUT/fig5.svg, OUT/fig5.png and OUT/summary.txt.
Usage: experiment.py --controller BIN --linkem BIN [--out DIR] [--duration S]
"""
import argparse
import json
import math
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile

import yaml
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "testbed"))
import qemu_guest  # noqa: E402
from api_client import Api, EventStream, EventStreams  # noqa: E402
from harness import (TESTBED, Controller, EtcdCluster, Lab, ovs_ensure_running, pinger_results, sh,  # noqa: E402
                     tcp_session_result, wait_until)

CONFIG = os.path.join(ROOT, "config", "fig1.yaml")
with open(CONFIG) as _f:
    SCOPE_OF = {sw["name"]: sw["scope"] for sw in yaml.safe_load(_f)["switches"]}  # switch -> network scope
SCOPES = tuple(dict.fromkeys(SCOPE_OF.values()))  # each DC with its near WLAN


def progress(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def data_packet_ins(apis):
    """PACKET_INs that carried data traffic (not ARP, DHCP or path probes) so far, at every controller."""
    total = 0.0
    for api in apis:
        _, text = api.call("GET", "/metrics")
        m = re.search(r'^fmc_packet_ins_by_type_total\{type="ipv4"\} (\S+)$', text, re.M)
        total += float(m.group(1)) if m else math.nan
    return total


def flows_per_scope(prefix):
    """{scope: flows on its switches' bridges}."""
    out = {}
    for switch, scope in SCOPE_OF.items():
        dump = sh("ovs-ofctl", "-O", "OpenFlow13", "dump-flows", f"{prefix}-{switch}", check=False)
        out[scope] = out.get(scope, 0) + sum(1 for line in dump.splitlines() if "cookie=" in line)
    return out


def start_controllers(name, follow_me, args, work, distributed):
    """The run's controllers: one on SQLite, or (distributed) one per network scope
    of fig1.yaml, sharing a 3-member etcd cluster. Returns ({scope: Controller}, the
    etcd cluster or None, the token)."""
    token = secrets.token_urlsafe(24)
    token_file = os.path.join(work, f"{name}.token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    etcd = None
    if distributed:
        etcd_dir = os.path.join(work, f"{name}-etcd")  # a fresh cluster per run (a repeated one too)
        os.makedirs(etcd_dir)
        etcd = EtcdCluster("fmce", 3, etcd_dir)
        etcd.start()
    ctls = {}
    for scope in (SCOPES if distributed else (None,)):
        home = os.path.join(work, f"{name}-{scope or 'all'}")
        os.makedirs(home)
        extra = ["--api", "127.0.0.1:0", "--api-token-file", token_file, "--api-port-file", os.path.join(home, "api-port")]
        if follow_me:
            extra += ["--migrate-command", f"{sys.executable} {TESTBED} migrate {CONFIG} {{vm}} {{to}} --prefix fmcx "
                                           f"--downtime-ms {args.downtime_ms}",
                      "--transfer-command", f"{sys.executable} {TESTBED} transfer {CONFIG} {{vm}} {{to}} --prefix fmcx"]
        if distributed:
            extra += ["--controller-id", f"fmc-{scope}", "--scopes", scope]
        extra += args.controller_arg
        db = f"etcd://{etcd.endpoints}" if distributed else os.path.join(home, "fmc.db")
        ctls[scope] = Controller(args.controller, CONFIG, db, home, extra)
    return ctls, etcd, token


def run_scenario(name, follow_me, args, work, distributed=False):
    """Returns [(t_seconds, rtt_ms or None)] and the events' times.

    With follow-me the controller may migrate VMs (--migrate-command, the
    testbed's migration emulator): the Location Mapper decides when, from the
    delays its Path Monitor measures. Without, it only keeps the network going.
    Distributed: one controller per network scope on a shared etcd; the roam
    and the migration both cross from one scope to the other."""
    ctls, etcd, token = start_controllers(name, follow_me, args, work, distributed)
    lab = Lab(CONFIG, "fmcx", args.linkem, args.vms)
    stream = None
    try:
        for ctl in ctls.values():
            ctl.start()
        ports = [int(open(os.path.join(ctl.work, "api-port")).read()) for ctl in ctls.values()]
        stream = EventStreams([EventStream(port, token) for port in ports])
        token_file = os.path.join(work, f"{name}.token")
        progress(f"{name}: watch it live at " + ", ".join(f"http://127.0.0.1:{p}/dashboard/" for p in ports) +
                 f" (token in {token_file})")
        apis = [Api(port, token) for port in ports]
        api = apis[0]
        progress(f"{name}: bringing up the testbed ({'QEMU guest' if args.vms == 'qemu' else 'namespace'} vm1)")
        lab.up(next(iter(ctls.values())).port, {scope: c.port for scope, c in ctls.items()} if distributed else None)
        if args.vms == "netns":
            lab.echo_server("vm1", 7)
        # Cold, as in the paper: client1's ARP cache empty, nothing sent to vm1 yet in this run.
        cold_home = lab.cold_ping("client1", "10.1.0.10")
        before = data_packet_ins(apis)
        # New flows' first packets, each against its own flow's next pings (see FIRST_PACKET_FLOWS).
        first_flows = [pinger_results(lab.pinger("client1", "10.1.0.10", FIRST_PACKET_PINGS * 0.01), 30)
                       for _ in range(FIRST_PACKET_FLOWS)]
        session = lab.tcp_session("client1", "10.1.0.10", 7, args.duration - 1)
        time.sleep(0.5)  # its process started: the pinger's first packet does not share the CPU with that
        pinger = lab.pinger("client1", "10.1.0.10", args.duration)
        start = time.time()
        events = {"cold_home": cold_home, "first_flows": first_flows}
        progress(f"{name}: pinging vm1 from client1 every 10 ms for {args.duration:.0f} s")
        time.sleep(args.duration * 0.2)
        # Home rules are proactive: starting the sessions should cost the controller nothing.
        events["data_packet_ins_at_start"] = data_packet_ins(apis) - before
        events["roam"] = time.time() - start
        lab.roam("client1", "wlan2")
        progress(f"{name}: client1 roamed wlan1 -> wlan2 at {events['roam']:.1f} s")
        if follow_me:
            # Every moment on the timeline is the controllers' own: the stamp each event carries
            # (when the controller's apps saw it), not when this script happened to read it.
            ended = lambda d: d["vm"] == "vm1" and d["phase"] not in ("started", "switchover")
            done = wait_until(lambda: stream.first("MigrationStep", ended), lambda v: v is not None, args.duration * 0.6)
            started = stream.first("MigrationStep", lambda d: d["vm"] == "vm1" and d["phase"] == "started")
            decided = stream.first("PlacementDecision", lambda d: d["vm"] == "vm1" and d["action"] == "migrate")
            if not (done and started and decided):
                raise RuntimeError(f"the Location Mapper did not migrate vm1: {stream.events}")
            events["decision"] = decided[0] - start
            events["decision_scores"] = decided[1]["scores"]
            events["migration_start"] = started[0] - start
            events["migration_end"] = done[0] - start
            events["reported_downtime_ms"] = done[1]["downtime_ms"]
            # When the controller sent vm1's traffic to dc2: at QEMU's switchover (the
            # guest stopped at dc1), or else when the guest announced itself at dc2.
            moved = stream.first("EndpointMoved", lambda d: d["endpoint"] == "vm1" and d["to"]["site"] == "dc2")
            events["vm_seen_at_dc2"] = moved[0] - start if moved else None
            events["moved_by"] = moved[1]["cause"] if moved else None
            progress(f"{name}: Location Mapper decided at {events['decision']:.1f} s (scores {decided[1]['scores']}); "
                     f"vm1 migrated dc1 -> dc2 by {events['migration_end']:.1f} s, {done[1]['phase']} "
                     f"(downtime {events['reported_downtime_ms']:.0f} ms reported)")
        # The service's other parts, each placed on its own.
        _, services = api.call("GET", "/api/v1/services")
        events["parts"] = {p["name"]: (p["data_center"], p["follows"], p["size_mib"])
                           for s in services["services"] for p in s["parts"]}
        copied = stream.first("MigrationStep", lambda d: d["vm"] == "video/profile" and d["phase"] == "completed")
        events["profile_moved_at"] = copied[0] - start if copied else None
        paths = [d for k, d in stream.events if k == "PathMeasured"]
        events["paths"] = {f"{d['access']}-{d['dc']}": d["delay_ms"] for d in paths}
        timeline = [(when - start, rtt) for when, rtt in pinger_results(pinger, args.duration + 30)]
        if timeline and all(v is None for _, v in timeline[-100:]):
            show_data_plane(name, work, lab)
        if args.vms == "qemu":
            events["guest_crash"] = lab.guest_kernel_errors()
        answered = sum(1 for _, v in timeline if v is not None)
        progress(f"{name}: {answered} of {len(timeline)} pings answered")
        events["tcp"] = tcp_session_result(session)
        progress(f"{name}: TCP session {events['tcp']}")
        # Cold again, client1 at wlan2: to vm1 visiting dc2 (with follow-me) or at home, far (without).
        events["cold_after"] = lab.cold_ping("client1", "10.1.0.10")
        events["flows"] = flows_per_scope("fmcx")
        if follow_me and not distributed and args.vms == "qemu":
            events["wan"] = wan_migrations(lab, api, name)
        if etcd:
            events["etcd_keys"] = etcd.key_counts()
        if follow_me and not distributed:
            hold(name, args)
        return timeline, events
    finally:
        if stream:
            stream.close()
        for ctl in ctls.values():
            ctl.stop()
        lab.down()
        if etcd:
            etcd.stop()


# The paths the migration stream takes, one migration of vm1 each: the hypervisors on
# one host, then an emulated WAN between the data centers (the far round trip of
# fig1.yaml, 50 ms) capped at 1 Gbit/s and at 100 Mbit/s.
STREAM_PATHS = [("loopback", -1, 0, "dc1"), ("WAN 25 ms each way, 1 Gbit/s", 25, 1000, "dc2"),
                ("WAN 25 ms each way, 100 Mbit/s", 25, 100, "dc1")]


def wan_migrations(lab, api, name):
    """vm1 migrated once over each of STREAM_PATHS, ordered through the API with the
    Location Mapper off; QEMU's figures from each record's detail."""
    status, _ = api.call("PUT", "/api/v1/policy", {"policy": "off"})
    if status != 200:
        raise RuntimeError(f"could not turn the Location Mapper off: {status}")
    out = []
    try:
        for label, one_way, rate, to in STREAM_PATHS:
            lab.migration_link(one_way, rate)
            status, m = api.call("POST", "/api/v1/migrations", {"vm": "vm1", "to": to})
            if status != 202:
                raise RuntimeError(f"migration of vm1 to {to} over {label} refused: {status} {m}")
            done = wait_until(lambda: api.call("GET", f"/api/v1/migrations/{m['id']}")[1],
                              lambda v: isinstance(v, dict) and v.get("state") != "running", 120)
            report = next((json.loads(line) for line in reversed(done.get("detail", "").splitlines())
                           if line.startswith("{") and "total_ms" in line), {})
            out.append({"path": label, "cap_mbit": rate, "to": to, "state": done.get("state"), "total_ms": report.get("total_ms"),
                        "downtime_ms": report.get("downtime_ms"), "mib": report.get("transferred_mib")})
            progress(f"{name}: vm1 migrated to {to} over {label}: {done.get('state')}, "
                     f"{report.get('total_ms')} ms, downtime {report.get('downtime_ms')} ms")
    finally:
        lab.migration_link(-1)
    return out


def wan_line(ev):
    """The migrations over each stream path (QEMU's figures)."""
    parts = []
    for w in ev["wan"]:
        carried = w["mib"] * 8 * 1.048576 / (w["total_ms"] / 1000) if w["mib"] and w["total_ms"] else None
        rate = f", {carried:.0f} Mbit/s carried" if carried else ""
        if carried and w["cap_mbit"] and carried < 0.8 * w["cap_mbit"]:
            rate += ": this testbed's own limit (link emulator, nc), below the cap"
        parts.append(f"{w['path']}: {w['state']}, {fmt(w['total_ms'])} ms, downtime {fmt(w['downtime_ms'])} ms "
                     f"({fmt(w['mib'])} MiB{rate})")
    return ("  migration stream paths        " + "; ".join(parts) + " — QEMU's figures (the downtime is the source's "
            "view: the guest resumes one one-way delay later on the WAN)")


def show_data_plane(name, work, lab):
    """vm1 unreachable at the end of a run: what the switches, their ports and the router
    hold, kept in the work folder and printed with the guests' logs, before the testbed goes."""
    out = []
    for switch in Lab.SWITCHES:
        bridge = f"{lab.prefix}-{switch}"
        for what in ("dump-flows", "dump-ports-desc", "dump-ports"):
            out.append(f"--- {what} {bridge}\n" + sh("ovs-ofctl", "-O", "OpenFlow13", what, bridge, check=False))
    out.append("--- router's neighbours\n" + sh("ip", "-n", lab.ns("r1"), "neigh", check=False))
    lab.show_logs(40)
    text = "\n".join(out)
    with open(os.path.join(work, f"{name}-data-plane.txt"), "w") as f:
        f.write(text)
    progress(f"{name}: vm1 unreachable at the end; the data plane then:\n{text}")


def run_once_more_if_the_guest_crashed(name, follow_me, args, work, distributed=False):
    """run_scenario; repeated once if the emulated guest's kernel reported an error on
    its console (a TCG guest occasionally breaks just after its live migration: "BUG:
    scheduling while atomic", "virtio_net virtio0: output.0:id 0 is not a head!"). The
    repetition is said on the console and in the summary."""
    timeline, events = run_scenario(name, follow_me, args, work, distributed)
    if events.get("guest_crash"):
        crash = events["guest_crash"][0]
        progress(f"{name}: the guest's kernel failed ({crash}): that run says nothing about the network; once more")
        timeline, events = run_scenario(f"{name}-again", follow_me, args, work, distributed)
        events["repeated_after"] = crash
    return timeline, events


def hold(name, args):
    """Keeps the run's controller and testbed up a while (--hold seconds), or until
    Enter (--hold-until-enter), so a person can look at the dashboard."""
    if args.hold_until_enter:
        progress(f"{name}: holding the controller and testbed up; press Enter to go on")
        try:
            sys.stdin.readline()
        except KeyboardInterrupt:
            pass
    elif args.hold > 0:
        progress(f"{name}: holding the controller and testbed up for {args.hold:.0f} s")
        time.sleep(args.hold)


# First-packet latency: FIRST_PACKET_FLOWS new ping flows one after another (a fresh pinger each, its own
# ICMP identifier), FIRST_PACKET_PINGS pings 10 ms apart; each flow's first ping against the median of its
# next pings. The bar holds the median of those penalties: one sample is at the mercy of this machine's
# scheduling (a CI run saw a single first ping 7.6 ms slow with no packet at the controller), while a
# controller that set flows up for first packets would make most of them slow.
FIRST_PACKET_FLOWS = 5
FIRST_PACKET_PINGS = 20
FIRST_PACKET_BAR_MS = 5.0


def first_packet_penalties(flows):
    """Each flow's first ping's round trip above the median of its next answered pings, in
    ms; infinite if the first ping was lost or nothing after it was answered."""
    penalties = []
    for rows in flows:
        rest = [v for _, v in rows[1:] if v is not None]
        first = rows[0][1] if rows else None
        penalties.append(math.inf if first is None or not rest else first - statistics.median(rest))
    return penalties


def svg_plot(series, path, duration):
    w, h, left, bottom, top, right = 900, 420, 60, 50, 20, 20
    ymax = 80.0
    def x(t): return left + (w - left - right) * t / duration
    def y(v): return top + (h - top - bottom) * (1 - min(v, ymax) / ymax)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>']
    for v in range(0, int(ymax) + 1, 10):
        parts.append(f'<text x="{left - 8}" y="{y(v) + 4}" text-anchor="end">{v}</text>')
        parts.append(f'<line x1="{left}" y1="{y(v)}" x2="{w - right}" y2="{y(v)}" stroke="#eee"/>')
    for t in range(0, int(duration) + 1, max(1, int(duration) // 10)):
        parts.append(f'<text x="{x(t)}" y="{h - bottom + 18}" text-anchor="middle">{t}</text>')
    parts.append(f'<text x="{(w + left) / 2}" y="{h - 10}" text-anchor="middle">time (s)</text>')
    parts.append(f'<text x="15" y="{(h - bottom) / 2}" transform="rotate(-90 15 {(h - bottom) / 2})" text-anchor="middle">ping latency (ms)</text>')
    clipped = 0
    for i, (label, colour, timeline) in enumerate(series):
        pts = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in timeline if v is not None)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{pts}"/>')
        parts.append(f'<text x="{w - right - 200}" y="{top + 20 + 16 * i}" fill="{colour}">{label}</text>')
        # Above the axis: drawn on its top edge and marked, not silently cut.
        for t, v in timeline:
            if v is not None and v > ymax:
                clipped += 1
                parts.append(f'<path d="M{x(t) - 3:.1f},{top + 6} L{x(t):.1f},{top} L{x(t) + 3:.1f},{top + 6} Z" fill="{colour}"/>')
        # Lost pings: a tick just above the time axis, a row per series.
        for t, v in timeline:
            if v is None:
                parts.append(f'<line x1="{x(t):.1f}" y1="{h - bottom - 2 - 4 * i}" x2="{x(t):.1f}" y2="{h - bottom - 5 - 4 * i}" stroke="{colour}"/>')
    if clipped:
        parts.append(f'<text x="{left + 8}" y="{top + 20}" fill="#555">▲ {clipped} ping(s) above {ymax:.0f} ms, drawn at the top edge</text>')
    parts.append(f'<text x="{left + 8}" y="{top + 36}" fill="#555">ticks on the time axis: lost pings</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts))


def tcp_ok(r):
    return not r["error"] and r["in_order"] and r["sent"] > 0 and r["echoed"] == r["sent"]


def summarise(timeline, events):
    answered = [(t, v) for t, v in timeline if v is not None]
    roam = events["roam"]
    before = [v for t, v in answered if t < roam - 0.2]
    penalties = first_packet_penalties(events["first_flows"])
    firsts = [rows[0][1] for rows in events["first_flows"] if rows and rows[0][1] is not None]
    lines = {"near_before_roam_ms": statistics.median(before) if before else None,
             "first_packet_ms": statistics.median(firsts) if firsts else None,
             "first_packet_penalty_ms": statistics.median(penalties), "first_packet_penalties_ms": penalties}
    if "migration_start" in events:
        far = [v for t, v in answered if roam + 0.5 < t < events["migration_start"] - 0.2]
        after = [v for t, v in answered if t > events["migration_end"] + 0.5]
        window = [v for t, v in timeline if events["migration_start"] - 0.5 <= t <= events["migration_end"] + 1.0]
        lost = sum(1 for v in window if v is None)
        seen = events.get("vm_seen_at_dc2")
        # Pings sent once the controller knew where the VM went: what the network itself lost.
        lost_after_seen = sum(1 for t, v in timeline if v is None and seen is not None and seen <= t <= events["migration_end"] + 1.0)
        first_lost = next((t for t, v in timeline if v is None and t >= events["migration_start"] - 0.5), None)
        drop = next((t for t, v in answered if t > events["migration_start"] and v < 10), None)
        reported = events["reported_downtime_ms"]
        far_ms = statistics.median(far) if far else 0.0
        lines.update(far_ms=far_ms or None, after_ms=statistics.median(after) if after else None,
                     lost_during_migration=lost, reported_downtime_ms=reported,
                     strict_loss=math.ceil(reported / 10) + 2, latency_dropped_at_s=drop,
                     lost_after_seen=lost_after_seen if seen is not None else None,
                     blackout_ms=(seen - first_lost) * 1000 if seen is not None and first_lost is not None else None)
    else:
        far = [v for t, v in answered if t > roam + 0.5]
        lines.update(far_ms=statistics.median(far) if far else None)
    lines["lost_total"] = sum(1 for _, v in timeline if v is None)
    lines["lost_by_phase"] = lost_by_phase(timeline, events)
    return lines


def lost_by_phase(timeline, events):
    """Every lost ping of the run, by the phase it was sent in: {phase: count}, in run order."""
    bounds = [("before the roam", events["roam"])]
    if "migration_start" in events:
        bounds += [("after the roam", events["migration_start"] - 0.5),
                   ("around the migration", events["migration_end"] + 1.0)]
        last = "after the migration"
    else:
        last = "after the roam"
    counts = {name: 0 for name, _ in bounds}
    counts[last] = 0
    for t, v in timeline:
        if v is None:
            counts[next((name for name, end in bounds if t < end), last)] += 1
    return counts


def losses_line(s):
    phases = ", ".join(f"{name} {n}" for name, n in s["lost_by_phase"].items())
    return f"  pings lost, whole run          {s['lost_total']} ({phases})"


def fmt(v):
    return "n/a" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))


def cold_line(ev, after):
    def ms(v):
        return "LOST" if v is None else f"{v:.2f} ms"
    return (f"  cold first ping               {ms(ev['cold_home'])} to vm1 at home (dc1) from wlan1; {ms(ev['cold_after'])} "
            f"to vm1 {after} from wlan2 (client1's ARP cache emptied first, no traffic before it; its ARP answered "
            f"by the controller; no flow is set up for it: paper ~150 ms from reactive rules)")


def repeated_line(ev):
    """Says that a run was repeated because the emulated guest failed in the first."""
    return ([f"  repeated once                 the emulated guest's kernel failed in the first run "
             f"({ev['repeated_after']}); these are the second run's figures"] if ev.get("repeated_after") else [])


def follow_me_lines(s, ev, args):
    """The summary of one run with follow-me."""
    blackout = s["blackout_ms"]
    switched = (("no ping lost" if blackout is None else f"{blackout:.0f} ms after the first lost ping") + ", at " +
                ("QEMU's switchover" if ev.get("moved_by") == "migration" else "the guest's announcement at dc2"))
    return [
        *repeated_line(ev),
        f"  first-packet latency          {fmt(s['first_packet_ms'])} ms, {fmt(s['first_packet_penalty_ms'])} ms above "
        f"the next pings' (medians over {len(s['first_packet_penalties_ms'])} new flows of {FIRST_PACKET_PINGS} pings, "
        f"each {', '.join('lost' if math.isinf(p) else f'{p:.1f}' for p in s['first_packet_penalties_ms'])} ms above; "
        f"bar < {FIRST_PACKET_BAR_MS:.0f} ms, checked); data packets that reached the controller "
        f"as the sessions started: {ev['data_packet_ins_at_start']:.0f} (home rules are proactive)",
        cold_line(ev, "visiting dc2"),
        f"  near, before the roam         {fmt(s['near_before_roam_ms'])} ms   (paper: 1 ms)",
        f"  far, after roam, before move  {fmt(s['far_ms'])} ms   (paper: 50 ms)",
        f"  after the VM followed         {fmt(s['after_ms'])} ms   (paper: 1 ms; the network path wlan2-dc2 alone, "
        f"as the Path Monitor measures it: {fmt(ev['paths'].get('wlan2-dc2'))} ms — the rest is the "
        f"{args.vm_accel.split(',')[0] + ' guest' if args.vms == 'qemu' else 'namespace VM'} answering)",
        f"  Location Mapper decided       at {ev['decision']:.1f} s, {ev['decision'] - ev['roam']:.1f} s after the roam (scores {ev['decision_scores']})",
        f"  latency dropped below 10 ms   at {fmt(s['latency_dropped_at_s'])} s (migration started at {ev['migration_start']:.1f} s)",
        f"  hypervisor-reported downtime  {s['reported_downtime_ms']} ms, migration took {ev['migration_end'] - ev['migration_start']:.2f} s",
        f"  pings lost around migration   {s['lost_during_migration']} (bar: downtime / 10 ms + 2 = {s['strict_loss']}: the pings sent in the pause, one across "
        f"each of its ends and the switchover's own moment; checked; "
        f"paper: 'few')",
        f"  vm1's traffic sent to dc2     {switched}; "
        f"pings lost after that: {fmt(s['lost_after_seen'])} (bound 1)",
        losses_line(s),
        f"  TCP session client1 -> vm1:7  {'survived' if tcp_ok(ev['tcp']) else 'BROKE'}: {ev['tcp']['echoed']} of "
        f"{ev['tcp']['sent']} lines echoed in order, longest silence {ev['tcp'].get('max_gap_ms', 0):.0f} ms "
        f"{ev['tcp']['error']}",
        f"  the service's other parts     " + "; ".join(
            f"{n} ({mib:.0f} MiB, {'follows' if follows else 'pinned'}) in {dc}" for n, (dc, follows, mib) in ev["parts"].items())
        + (f"; profile copied to dc2 by {ev['profile_moved_at']:.1f} s" if ev.get("profile_moved_at") else ""),
        f"  paths measured (round trip)   {', '.join(f'{k} {v:.1f} ms' for k, v in sorted(ev['paths'].items()))}",
    ]


def followed(s, ev):
    """The bars a run with follow-me must meet: every one its summary prints."""
    return (s["after_ms"] is not None and s["after_ms"] < 10 and s["far_ms"] is not None and s["far_ms"] > 40
            and s["lost_after_seen"] is not None and s["lost_after_seen"] <= 1 and tcp_ok(ev["tcp"])
            and s["first_packet_penalty_ms"] < FIRST_PACKET_BAR_MS
            and s["lost_during_migration"] <= s["strict_loss"]
            and ev["cold_home"] is not None and ev["cold_after"] is not None
            and all(w["state"] == "completed" for w in ev.get("wan", []))
            and ev["data_packet_ins_at_start"] == 0
            and ev["parts"].get("profile", ("",))[0] == "dc2" and ev["parts"].get("library", ("",))[0] == "dc1")


def show_logs(work, lines=60):
    """The end of every controller's log of the run: what a missed bar is read against."""
    for root, _, files in sorted(os.walk(work)):
        if "controller.log" in files:
            with open(os.path.join(root, "controller.log")) as f:
                tail = f.read().splitlines()[-lines:]
            print(f"--- {os.path.relpath(root, work)}/controller.log (last {len(tail)} lines)\n" + "\n".join(tail))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--controller", required=True)
    ap.add_argument("--linkem", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "experiment"))
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--downtime-ms", type=int, default=100, help="the namespace emulator's pause (--vms netns)")
    ap.add_argument("--vms", choices=["qemu", "netns"], default="qemu")
    ap.add_argument("--only-distributed", action="store_true",
                    help="only the distributed run (a controller per scope on etcd), checked against the same bars")
    ap.add_argument("--controller-arg", action="append", default=[], metavar="ARG",
                    help="one more option for every controller (repeatable), e.g. --controller-arg=--switch-meters")
    ap.add_argument("--keep", action="store_true", help="keep the controllers' work folders (logs, databases)")
    ap.add_argument("--hold", type=float, default=0, metavar="S",
                    help="keep the follow-me run's controller and testbed up S seconds at its end (to watch the dashboard)")
    ap.add_argument("--hold-until-enter", action="store_true", help="... or until Enter is pressed")
    args = ap.parse_args()
    args.vm_accel = "KVM" if qemu_guest.accelerator() == "kvm" else "TCG, no usable KVM here"
    os.makedirs(args.out, exist_ok=True)
    ovs_ensure_running()
    work = tempfile.mkdtemp()
    if args.only_distributed:
        distributed, ev_dist = run_once_more_if_the_guest_crashed("distributed", True, args, work, distributed=True)
        s_dist = summarise(distributed, ev_dist)
        print("\n".join(["with follow-me, distributed:", *follow_me_lines(s_dist, ev_dist, args),
                          f"  flows on each scope's switches at the end: {ev_dist['flows']}",
                          f"  keys in etcd at the end: {ev_dist['etcd_keys']}"]))
        ok = followed(s_dist, ev_dist)
        if not ok:
            show_logs(work)
        if not args.keep:
            shutil.rmtree(work)
        sys.exit(0 if ok else 1)
    with_fmc, ev_fmc = run_once_more_if_the_guest_crashed("with-follow-me", True, args, work)
    without, ev_none = run_once_more_if_the_guest_crashed("without-follow-me", False, args, work)
    distributed, ev_dist = run_once_more_if_the_guest_crashed("distributed", True, args, work, distributed=True)

    with open(os.path.join(args.out, "timeline.csv"), "w") as f:
        f.write("time_s,with_follow_me_rtt_ms,without_follow_me_rtt_ms,distributed_rtt_ms\n")
        for (t, a), (_, b), (_, c) in zip(with_fmc, without, distributed):
            f.write(f"{t:.2f},{'' if a is None else a},{'' if b is None else b},{'' if c is None else c}\n")
    svg = os.path.join(args.out, "fig5.svg")
    svg_plot([("with follow-me", "#c0392b", with_fmc), ("without follow-me", "#2c3e50", without),
              ("with follow-me, distributed", "#27ae60", distributed)], svg, args.duration)
    sh("rsvg-convert", "-w", "900", svg, "-o", os.path.join(args.out, "fig5.png"))

    s_fmc, s_none, s_dist = summarise(with_fmc, ev_fmc), summarise(without, ev_none), summarise(distributed, ev_dist)
    report = [
        "Follow-Me Cloud experiment (paper Fig. 5), emulated testbed",
        f"  duration {args.duration:.0f} s, ping every 10 ms, client1 roams wlan1 -> wlan2 at {ev_fmc['roam']:.1f} s",
        (f"  VM: QEMU guest ({args.vm_accel}), Debian kernel + busybox, 128 MiB, live-migrated over QMP"
         if args.vms == "qemu" else f"  VM: network-namespace emulator, pause {args.downtime_ms} ms"),
        "",
        "with follow-me (one controller, SQLite):",
        *follow_me_lines(s_fmc, ev_fmc, args),
        *([wan_line(ev_fmc)] if ev_fmc.get("wan") else []),
        "with follow-me, distributed (a controller per network scope — heidelberg: dc1, wlan1; berlin: dc2, wlan2 —",
        "  on a 3-member etcd cluster; the roam and the migration cross from one scope to the other):",
        *follow_me_lines(s_dist, ev_dist, args),
        f"  flows on each scope's switches at the end: {', '.join(f'{k} {v}' for k, v in ev_dist['flows'].items())} "
        f"(one controller: {', '.join(f'{k} {v}' for k, v in ev_fmc['flows'].items())})",
        f"  keys in etcd at the end: {', '.join(f'{k} {v}' for k, v in sorted(ev_dist['etcd_keys'].items()))}",
        "without follow-me:",
        *repeated_line(ev_none),
        f"  after the roam                {fmt(s_none['far_ms'])} ms   (paper: stays at 50 ms)",
        cold_line(ev_none, "at home (dc1)"),
        losses_line(s_none),
        "",
        f"files: {args.out}/timeline.csv, {args.out}/fig5.svg, {args.out}/fig5.png",
    ]
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    print("\n".join(report))
    ok = followed(s_fmc, ev_fmc) and followed(s_dist, ev_dist) and tcp_ok(ev_none["tcp"])
    if not ok:
        print("\nA bar was missed; the controllers' logs end so:")
        show_logs(work)
    if args.keep:
        print(f"work folders kept in {work}")
    else:
        shutil.rmtree(work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
