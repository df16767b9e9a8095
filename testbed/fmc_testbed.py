#!/usr/bin/python3
"""fmc-testbed: builds the paper's Fig. 1 from the same YAML the controller reads.

  fmc_testbed.py up      CONFIG --controller tcp:127.0.0.1:6653 [--prefix fmc] [--vms netns|qemu|libvirt]
                         [--scope-controller SCOPE=TARGET[,TARGET...]]...
  fmc_testbed.py down    CONFIG [--prefix fmc]
  fmc_testbed.py migrate CONFIG VM TO_DC [--downtime-ms 100]
  fmc_testbed.py roam    CONFIG CLIENT TO_NETWORK
  fmc_testbed.py transfer CONFIG SERVICE/PART TO_DC
  fmc_testbed.py exec    CONFIG HOST -- COMMAND...
  fmc_testbed.py status  CONFIG
  fmc_testbed.py migration-link CONFIG ONE_WAY_MS [RATE_MBIT]   (ONE_WAY_MS -1: loopback)
  fmc_testbed.py utilisation CONFIG            {"dc1": 0.12, ...}: CPU of its servers
  fmc_testbed.py load    CONFIG DC on|off      a busy server in DC
  fmc_testbed.py libvirt-hook CONFIG DC GUEST OP SUBOP EXTRA   (DC's libvirtd runs it)

Per site one Open vSwitch bridge (userspace datapath, the DPID and port
numbers from the YAML); a Linux router namespace holding every site's
gateway address and MAC; every client in its own network namespace, every
VM too or, with --vms qemu, VMs whose hypervisor is "qemu:..." as real QEMU
guests on a TAP port (migrated live over QMP, qemu_guest.py), or with --vms
libvirt as domains of each data center's own libvirt daemon, which the
controller's libvirt driver migrates (libvirt_hypervisors.py); WAN delays by
fmc-linkem on each access network's uplink (one way is half the configured
round-trip delay). Services' parts (disk images, user data) are files in
each data center's storage directory; `transfer` copies one to another data
center (checked, then removed at the source; SIGTERM cancels, exit 3).
Everything it creates is recorded in a state file and removed by `down`,
also after a failed `up`.
"""
import argparse
import hashlib
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import yaml

import libvirt_hypervisors
import qemu_guest

STATE_DIR = "/run/fmc-testbed"
HERE = os.path.dirname(os.path.abspath(__file__))


class TestbedError(Exception):
    pass


def run(*cmd, check=True, quiet=False):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise TestbedError(f"{' '.join(cmd)}: {r.stderr.strip() or r.stdout.strip()}")
    if not quiet and r.returncode != 0:
        print(f"warning: {' '.join(cmd)}: {r.stderr.strip()}", file=sys.stderr)
    return r.stdout


def say(obj):
    """One JSON line on stdout, for whoever ran this command; if nobody reads any
    more (it was killed), the work goes on without telling anyone."""
    try:
        print(json.dumps(obj), flush=True)
    except (BrokenPipeError, OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def vsctl(*args, check=True):
    return run("ovs-vsctl", "--timeout=10", *args, check=check)


class State:
    """What `up` created, so that `down` removes exactly that."""

    def __init__(self, path):
        self.path = path
        self.data = {"namespaces": [], "bridges": [], "links": [], "pids": [], "hosts": {}}
        if os.path.exists(path):
            with open(path) as f:
                self.data = json.load(f)

    def add(self, kind, value):
        self.data[kind].append(value)
        self.save()

    def save(self):
        """Whole or not at all: written aside, then renamed over the old one. Commands of
        one testbed run at once (a VM's migration and its service's part's transfer), and
        one reading the file while another rewrote it in place found it half written."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        partial = f"{self.path}.{os.getpid()}.partial"
        with open(partial, "w") as f:
            json.dump(self.data, f, indent=1)
        os.replace(partial, self.path)


class Testbed:
    def __init__(self, config_path, prefix):
        self.config_path = os.path.abspath(config_path)
        with open(config_path) as f:
            self.cfg = yaml.safe_load(f)
        self.prefix = prefix
        name = os.path.splitext(os.path.basename(config_path))[0]
        self.state = State(os.path.join(STATE_DIR, f"{prefix}-{name}.json"))
        self.sites = {s["name"]: dict(s, kind="dc") for s in self.cfg["data_centers"]}
        self.sites.update({s["name"]: dict(s, kind="access") for s in self.cfg["access_networks"]})
        self.switches = {s["name"]: s for s in self.cfg["switches"]}
        self.router_ns = f"{prefix}-{self.cfg['router']['name']}"

    # -- naming (interface names must stay within 15 characters) --
    def bridge(self, site):
        return f"{self.prefix}-{self.sites[site]['switch']}"

    def ns(self, host):
        return f"{self.prefix}-{host}"

    def host_port(self, host):
        return f"{self.prefix}h-{host}"

    def site_switch(self, site):
        return self.switches[self.sites[site]["switch"]]

    # -- building blocks --
    def veth(self, a, b):
        run("ip", "link", "add", a, "type", "veth", "peer", "name", b)
        self.state.add("links", a)
        for end in (a, b):
            run("ethtool", "-K", end, "tx", "off", "rx", "off", quiet=True, check=False)

    def into_ns(self, ifname, ns, new_name=None):
        run("ip", "link", "set", ifname, "netns", ns)
        if new_name:
            run("ip", "-n", ns, "link", "set", ifname, "name", new_name)
        run("ip", "-n", ns, "link", "set", new_name or ifname, "up")

    def add_ns(self, ns):
        run("ip", "netns", "add", ns)
        self.state.add("namespaces", ns)
        run("ip", "-n", ns, "link", "set", "lo", "up")

    def add_port(self, site, ifname, port_no):
        vsctl("add-port", self.bridge(site), ifname, "--", "set", "interface", ifname, f"ofport_request={port_no}")
        run("ip", "link", "set", ifname, "up")

    def delay_rules(self, access_site):
        rules = []
        for d in self.cfg.get("wan_delays_ms", []):
            if d["from"] == access_site and self.sites[d["to"]]["kind"] == "dc":
                rules.append((self.sites[d["to"]]["subnet"], float(d["delay"]) / 2))
        return rules

    # -- commands --
    def up(self, controller, protocols, vms="netns", scope_controllers=None):
        """Every bridge connects to `controller`, or, if its switch has a scope
        in `scope_controllers` ({scope: [target, ...]}), to all of that scope's."""
        self.add_ns(self.router_ns)
        run("ip", "netns", "exec", self.router_ns, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        # Loose reverse-path filtering (as Debian ships): a home switch sends a
        # migrated VM's stragglers back in through its DC's interface, with the
        # client's address as source; a strict filter would drop them.
        run("ip", "netns", "exec", self.router_ns, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=2")
        for site_name, site in self.sites.items():
            sw = self.switches[site["switch"]]
            br = self.bridge(site_name)
            vsctl("add-br", br, "--", "set", "bridge", br, "datapath_type=netdev", f"protocols={protocols}",
                  "fail_mode=secure", f"other-config:datapath-id={int(str(sw['dpid']), 0):016x}",
                  "--", "set-controller", br, *(scope_controllers or {}).get(sw.get("scope"), [controller]))
            self.state.add("bridges", br)
            self.build_uplink(site_name, site, sw)
        guests = []
        if vms == "libvirt":
            self.start_hypervisors()
        for vm in self.cfg.get("vms", []):
            if vms == "qemu" and str(vm.get("hypervisor", "")).startswith("qemu:"):
                guests.append(self.add_guest(vm["name"], vm["mac"], vm["ip"], vm["home"], vm.get("memory_mib", 128)))
            elif vms == "libvirt" and str(vm.get("hypervisor", "")).startswith("qemu:"):
                guests.append(self.add_domain(vm["name"], vm["mac"], vm["ip"], vm["home"], vm.get("memory_mib", 128)))
            else:
                self.add_host(vm["name"], vm["mac"], vm["ip"], vm["home"])
        for client in self.cfg.get("clients", []):
            home = self.sites[client["home"]]
            # A static start address (tests that use DHCP flush it): the pool's
            # first, or (relay mode, no pool here) the subnet's 100th.
            pool = home.get("dhcp_pool")
            address = pool["first"] if pool else str(ipaddress.ip_network(home["subnet"])[100])
            self.add_host(client["name"], client["mac"], address, client["home"])
        for proc, console in guests:  # they boot in parallel
            qemu_guest.wait_ready(console, proc)
        self.add_parts()

    # -- services' parts: files in each data center's storage --
    def storage(self, dc=None, unit=None):
        path = os.path.join(STATE_DIR, f"{self.prefix}-storage")
        if not dc:
            return path
        names = unit.split("/")
        if len(names) != 2 or any(n in ("", ".", "..") for n in names):
            raise TestbedError(f"'{unit}' is not SERVICE/PART")
        return os.path.join(path, dc, *names)

    def add_parts(self):
        self.state.data["storage"] = self.storage()
        self.state.save()
        for service in self.cfg.get("services", []):
            for part in service.get("parts", []):
                path = self.storage(part["at"], f"{service['name']}/{part['name']}")
                os.makedirs(os.path.dirname(path), exist_ok=True)
                size = int(float(part["size_mib"]) * 2 ** 20)
                with open(path, "wb") as f:  # real bytes up front, the rest sparse
                    f.write(os.urandom(min(size, 2 ** 20)))
                    f.truncate(size)

    def part_site(self, unit):
        held = [dc for dc, s in self.sites.items() if s["kind"] == "dc" and os.path.exists(self.storage(dc, unit))]
        if len(held) != 1:
            raise TestbedError(f"{unit} is in {held or 'no data center'} (is the testbed up?)")
        return held[0]

    def transfer(self, unit, to_site):
        """Copies a service's part to `to_site`'s storage, checks it, then
        removes it at the source. SIGTERM cancels: the part stays (exit 3)."""
        if self.sites.get(to_site, {}).get("kind") != "dc":
            raise TestbedError(f"{to_site} is not a data center")
        source = self.part_site(unit)
        if source == to_site:
            raise TestbedError(f"{unit} is already in {to_site}")
        cancelled = []
        signal.signal(signal.SIGTERM, lambda *_: cancelled.append(True))
        src, dst = self.storage(source, unit), self.storage(to_site, unit)
        partial = dst + ".partial"
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        began = time.monotonic()
        digest_in, digest_out = hashlib.sha256(), hashlib.sha256()
        with open(src, "rb") as fin, open(partial, "wb") as fout:
            while not cancelled and (chunk := fin.read(2 ** 20)):
                digest_in.update(chunk)
                if chunk.count(0) == len(chunk):
                    fout.seek(len(chunk), os.SEEK_CUR)  # keep it sparse
                else:
                    fout.write(chunk)
            fout.truncate()
        if not cancelled:
            with open(partial, "rb") as f:
                while chunk := f.read(2 ** 20):
                    digest_out.update(chunk)
        if cancelled or digest_in.digest() != digest_out.digest():
            os.remove(partial)
            print(json.dumps({"part": unit, "to": source, "cancelled": bool(cancelled)}))
            sys.exit(3 if cancelled else 1)
        os.rename(partial, dst)
        os.remove(src)
        print(json.dumps({"part": unit, "to": to_site, "mib": round(os.path.getsize(dst) / 2 ** 20, 1),
                          "copy_ms": round((time.monotonic() - began) * 1000, 1)}))

    def build_uplink(self, site_name, site, sw):
        net = ipaddress.ip_network(site["subnet"])
        gw = f"{site['gateway']['ip']}/{net.prefixlen}"
        router_if = f"{self.prefix}r-{site_name}"
        switch_if = f"{self.prefix}u-{site_name}"
        port_no = sw["ports"][site["uplink_port"]]
        rules = self.delay_rules(site_name) if site["kind"] == "access" else []
        if rules:
            emu_ns = f"{self.prefix}-w-{site_name}"
            self.add_ns(emu_ns)
            self.veth(router_if, f"{self.prefix}a-{site_name}")
            self.veth(f"{self.prefix}b-{site_name}", switch_if)
            self.into_ns(f"{self.prefix}a-{site_name}", emu_ns)
            self.into_ns(f"{self.prefix}b-{site_name}", emu_ns)
            cmd = ["ip", "netns", "exec", emu_ns, os.environ.get("FMC_LINKEM", "fmc-linkem"),
                   "--a", f"{self.prefix}a-{site_name}", "--b", f"{self.prefix}b-{site_name}"]
            for subnet, one_way in rules:
                cmd += ["--delay", f"{subnet}={one_way}"]
            log = open(f"{STATE_DIR}/{emu_ns}.log", "w")
            proc = subprocess.Popen(cmd, stdout=log, stderr=log)
            self.state.add("pids", proc.pid)
        else:
            self.veth(router_if, switch_if)
        self.into_ns(router_if, self.router_ns)
        run("ip", "-n", self.router_ns, "link", "set", router_if, "address", site["gateway"]["mac"])
        run("ip", "-n", self.router_ns, "addr", "add", gw, "dev", router_if)
        self.add_port(site_name, switch_if, port_no)

    def add_host(self, name, mac, address, site_name):
        site = self.sites[site_name]
        prefixlen = ipaddress.ip_network(site["subnet"]).prefixlen
        ns = self.ns(name)
        self.add_ns(ns)
        port = self.host_port(name)
        inner = f"{self.prefix}i-{name}"
        self.veth(port, inner)
        self.into_ns(inner, ns, "eth0")
        run("ip", "-n", ns, "link", "set", "eth0", "address", mac)
        run("ip", "-n", ns, "addr", "add", f"{address}/{prefixlen}", "dev", "eth0")
        run("ip", "-n", ns, "route", "add", "default", "via", site["gateway"]["ip"])
        self.add_port(site_name, port, self.site_switch(site_name)["ports"][name])
        self.state.data["hosts"][name] = {"site": site_name, "ip": address}
        self.state.save()

    def guest_tap(self, name, incarnation):
        return f"{self.prefix}q{incarnation % 2}-{name}"

    def add_tap(self, tap, site, port_no):
        run("ip", "tuntap", "add", "dev", tap, "mode", "tap")
        self.state.add("links", tap)
        self.add_port(site, tap, port_no)

    def remove_tap(self, tap, site):
        vsctl("--if-exists", "del-port", self.bridge(site), tap, check=False)
        run("ip", "link", "del", tap, check=False, quiet=True)
        self.state.data["links"] = [l for l in self.state.data["links"] if l != tap]
        self.state.save()

    def forget_pid(self, pid):
        self.state.data["pids"] = [p for p in self.state.data["pids"] if p != pid]
        self.state.save()

    def start_qemu(self, name, host, tap, incoming=None):
        site = self.sites[host.get("home", host["site"])]  # its address and gateway are its home's wherever it runs
        prefixlen = ipaddress.ip_network(site["subnet"]).prefixlen
        proc, qmp, console = qemu_guest.start(name, tap, host["mac"], f"{host['ip']}/{prefixlen}", site["gateway"]["ip"],
                                              STATE_DIR, incoming, host["memory_mib"])
        self.state.add("pids", proc.pid)
        self.state.data.setdefault("files", []).extend([qmp, console, console[:-len(".console")] + ".log"])
        self.state.save()
        return proc, qmp, console

    def add_guest(self, name, mac, address, site_name, memory_mib):
        """A QEMU guest on a TAP port of its home switch; returns (proc, console) to wait for."""
        tap = self.guest_tap(name, 0)
        self.add_tap(tap, site_name, self.site_switch(site_name)["ports"][name])
        host = {"site": site_name, "home": site_name, "ip": address, "mac": mac, "kind": "qemu", "memory_mib": memory_mib,
                "tap": tap, "incarnation": 0}
        proc, qmp, console = self.start_qemu(name, host, tap)
        host.update(pid=proc.pid, qmp=qmp)
        self.state.data["hosts"][name] = host
        self.state.save()
        return proc, console

    # -- libvirt: each data center's hypervisor a libvirt daemon; the controller migrates --
    def data_centers(self):
        return [s["name"] for s in self.cfg["data_centers"]]

    def domain_tap(self, name, site):
        """The TAP device of guest `name` while it runs at data center `site`."""
        return f"{self.prefix}l{self.data_centers().index(site)}-{name}"

    def start_hypervisors(self):
        hook = [sys.executable, os.path.abspath(__file__), "--prefix", self.prefix, "libvirt-hook", self.config_path]
        started = {dc: libvirt_hypervisors.start(STATE_DIR, self.prefix, dc, hook + [dc]) for dc in self.data_centers()}
        self.state.data["libvirt"] = {dc: proc.pid for dc, proc in started.items()}
        self.state.save()
        for dc, proc in started.items():  # they probe QEMU in parallel
            libvirt_hypervisors.wait_ready(STATE_DIR, self.prefix, dc, proc)

    def add_domain(self, name, mac, address, site_name, memory_mib):
        """A libvirt domain at its home data center's hypervisor; returns (None, console) to wait for."""
        site = self.sites[site_name]
        console = os.path.join(STATE_DIR, f"{self.prefix}-{name}.libvirt.console")
        self.state.data.setdefault("files", []).append(console)
        self.state.data["hosts"][name] = {"home": site_name, "ip": address, "mac": mac, "kind": "libvirt"}
        self.state.save()
        prefixlen = ipaddress.ip_network(site["subnet"]).prefixlen
        libvirt_hypervisors.create(STATE_DIR, self.prefix, site_name, libvirt_hypervisors.domain_xml(
            name, mac, f"{address}/{prefixlen}", site["gateway"]["ip"], self.domain_tap(name, site_name), console,
            memory_mib))
        return None, console

    def libvirt_hook(self, site, guest, op, sub):
        """Data center `site`'s libvirtd calls this with the domain's XML on stdin.
        (It changes no state file: down removes the devices by their names.)"""
        xml = sys.stdin.read()
        if op == "migrate" and sub == "begin":  # arriving: its device here (the XML printed replaces libvirt's)
            print(libvirt_hypervisors.with_tap(xml, self.domain_tap(guest, site)))
        elif op == "prepare" and sub == "begin":  # about to start here: its device on the switch
            tap = libvirt_hypervisors.tap_of(xml)
            run("ip", "tuntap", "add", "dev", tap, "mode", "tap")
            self.add_port(site, tap, self.site_switch(site)["ports"][guest])
        elif op == "release" and sub == "end":  # gone from here (migrated away, stopped, or a failed arrival)
            tap = libvirt_hypervisors.tap_of(xml)
            vsctl("--if-exists", "del-port", self.bridge(site), tap, check=False)
            run("ip", "link", "del", tap, check=False, quiet=True)

    def migrate_guest(self, name, host, to_site):
        """Real live migration: a QEMU waiting at the target's switch, QMP migrate
        from the source; the source stops once the guest runs at the target.
        SIGTERM cancels: the guest keeps running at the source (exit 3). A failed
        migration leaves the guest at the source too (exit 1); if the source QEMU
        died meanwhile, the guest is booted again there, as a hypervisor's HA
        restart would. The migration is the hypervisors' business: it goes on if
        whoever ordered it stops listening (say)."""
        cancelled = []
        signal.signal(signal.SIGTERM, lambda *_: cancelled.append(True))
        source, inc = host["site"], host["incarnation"] + 1
        tap = self.guest_tap(name, inc)
        self.add_tap(tap, to_site, self.site_switch(to_site)["ports"][name])
        port = qemu_guest.free_tcp_port()
        link = self.state.data.get("migration_link")
        if link:  # across the emulated WAN (migration_link)
            incoming = f"exec:ip netns exec {link['target']} busybox nc -l -p {port}"
            outgoing = f"exec:ip netns exec {link['source']} busybox nc {self.MIGRATION_TARGET} {port}"
        else:  # loopback; FMC_QEMU_MIGRATE_TO (host:port) sends it elsewhere (tests make the target unreachable)
            incoming = f"tcp:127.0.0.1:{port}"
            outgoing = f"tcp:{os.environ.get('FMC_QEMU_MIGRATE_TO', f'127.0.0.1:{port}')}"
        proc, qmp, _ = self.start_qemu(name, dict(host, site=to_site), tap, incoming=incoming)
        try:
            qemu_guest.prepare_target(qmp)
            if link:
                wait_listening(link["target"], port)
            info = {"status": "cancelled"} if cancelled else qemu_guest.migrate(
                host["qmp"], outgoing, lambda: bool(cancelled), lambda: say({"step": "switchover"}))
        except (qemu_guest.QmpError, OSError) as e:
            info = {"status": "failed", "error-desc": str(e)}
        status = info.get("status")
        if status != "completed":
            qemu_guest.stop(qmp, proc.pid)
            self.forget_pid(proc.pid)
            self.remove_tap(tap, to_site)
            error = info.get("error-desc", "")
            if not qemu_guest.alive(host["pid"]):
                error = f"the source QEMU (pid {host['pid']}) died during the migration ({error}); " \
                        f"the guest was booted again at {source}"
                self.forget_pid(host["pid"])
                restarted, qmp_again, console = self.start_qemu(name, host, host["tap"])
                qemu_guest.wait_ready(console, restarted)
                host.update(pid=restarted.pid, qmp=qmp_again)
                self.state.save()
            say({"host": name, "to": source, "cancelled": status == "cancelled", "status": status, "error": error})
            sys.exit(3 if status == "cancelled" else 1)
        qemu_guest.stop(host["qmp"], host["pid"])
        self.forget_pid(host["pid"])
        self.remove_tap(host["tap"], source)
        host.update(site=to_site, tap=tap, incarnation=inc, pid=proc.pid, qmp=qmp)
        self.state.save()
        # QEMU's own account: downtime is the guest's pause, total the whole migration.
        say({"host": name, "to": to_site, "downtime_ms": info.get("downtime"), "total_ms": info.get("total-time"),
             "transferred_mib": round(info.get("ram", {}).get("transferred", 0) / 2 ** 20, 1),
             "hypervisor": "qemu", "stream": f"WAN {link['one_way_ms']} ms each way, {link['rate_mbit'] or 'no'} Mbit/s cap"
             if link else "loopback"})

    def move_host(self, name, to_site, downtime_ms):
        host = self.state.data["hosts"].get(name)
        if host is None:
            raise TestbedError(f"no host {name} in this testbed (is it up?)")
        if to_site not in self.sites:
            raise TestbedError(f"no site {to_site} in the configuration")
        if name not in self.site_switch(to_site)["ports"]:
            raise TestbedError(f"switch of {to_site} has no port for {name} in the configuration")
        if host.get("kind") == "qemu":
            return self.migrate_guest(name, host, to_site)
        if host.get("kind") == "libvirt":
            raise TestbedError(f"{name} is a libvirt domain: the controller migrates it (--migrate-libvirt)")
        port = self.host_port(name)
        source = host["site"]
        cancelled = []
        signal.signal(signal.SIGTERM, lambda *_: cancelled.append(True))
        detached = time.monotonic()
        vsctl("del-port", self.bridge(source), port)
        resume_at = time.monotonic() + downtime_ms / 1000.0
        while time.monotonic() < resume_at and not cancelled:
            time.sleep(0.005)
        if cancelled:
            # A cancelled migration leaves the VM running at the source.
            self.add_port(source, port, self.site_switch(source)["ports"][name])
            downtime = time.monotonic() - detached
            run("ip", "netns", "exec", self.ns(name), "arping", "-U", "-c", "1", "-w", "1", "-I", "eth0", host["ip"],
                check=False, quiet=True)
            print(json.dumps({"host": name, "to": source, "cancelled": True, "downtime_ms": round(downtime * 1000, 1)}))
            sys.exit(3)
        self.add_port(to_site, port, self.site_switch(to_site)["ports"][name])
        # Announce the new attachment point, as a hypervisor does after live migration.
        announce = subprocess.Popen(["ip", "netns", "exec", self.ns(name), "arping", "-U", "-c", "1", "-w", "1",
                                     "-I", "eth0", host["ip"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        attached = time.monotonic()
        host["site"] = to_site
        self.state.save()
        announce.wait()
        # What a hypervisor reports as downtime: detached until attached and announced.
        print(json.dumps({"host": name, "to": to_site, "downtime_ms": round((attached - detached) * 1000, 1)}))

    # -- the data centers' servers: how busy they are --
    def load(self, dc, on):
        """A busy server in data center `dc` (a process spinning on one core), or none."""
        if dc not in self.sites or self.sites[dc]["kind"] == "access":
            raise TestbedError(f"no data center {dc} in the configuration")
        loads = self.state.data.setdefault("loads", {})
        for pid in loads.pop(dc, []):
            try:
                os.kill(pid, 15)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.state.data["pids"] = [p for p in self.state.data["pids"] if p != pid]
        if on:
            # Nothing inherited: whoever ran this command reads its output to the end.
            proc = subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            loads[dc] = [proc.pid]
            self.state.add("pids", proc.pid)
        self.state.save()

    def utilisation(self, sample_s=0.5):
        """{dc: 0..1}: the CPU time its servers (QEMU guests running there, loads) used
        over `sample_s`, as a share of this host's cores."""
        servers = {name: [] for name, s in self.sites.items() if s["kind"] != "access"}
        for h in self.state.data["hosts"].values():
            if h.get("kind") == "qemu" and h["site"] in servers:
                servers[h["site"]].append(h["pid"])
        for dc, pids in self.state.data.get("loads", {}).items():
            servers[dc].extend(pids)
        for dc in self.state.data.get("libvirt", {}):
            servers[dc].extend(libvirt_hypervisors.guests(STATE_DIR, self.prefix, dc).values())

        def ticks(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                return int(fields[11]) + int(fields[12])  # utime + stime
            except (OSError, IndexError, ValueError):
                return 0
        before = {dc: sum(ticks(p) for p in pids) for dc, pids in servers.items()}
        began = time.monotonic()
        time.sleep(sample_s)
        elapsed = time.monotonic() - began
        capacity = elapsed * os.sysconf("SC_CLK_TCK") * os.cpu_count()
        return {dc: round(min(1.0, max(0.0, (sum(ticks(p) for p in pids) - before[dc]) / capacity)), 3)
                for dc, pids in servers.items()}

    # -- the hypervisors' own link: where QEMU's migration stream goes --
    MIGRATION_SOURCE, MIGRATION_TARGET = "10.99.0.1", "10.99.0.2"

    def migration_link(self, one_way_ms, rate_mbit):
        """From now on QEMU's migration streams cross an emulated WAN link (the link
        emulator: `one_way_ms` each way, `rate_mbit` if > 0) between two namespaces
        of their own, instead of loopback: the source QEMU writes the stream into
        `nc` in one, the target reads it from `nc -l` in the other (QEMU's exec:
        transport; both QEMUs stay where their TAP devices are). Replaces a link
        made before; `one_way_ms` < 0 goes back to loopback."""
        self.migration_link_down()
        if one_way_ms < 0:
            return
        src, dst, emu = f"{self.prefix}-ms", f"{self.prefix}-mt", f"{self.prefix}-mw"
        for ns in (src, dst, emu):
            self.add_ns(ns)
        self.veth(f"{self.prefix}m0", f"{self.prefix}m1")
        self.veth(f"{self.prefix}m2", f"{self.prefix}m3")
        self.into_ns(f"{self.prefix}m0", src, "eth0")
        self.into_ns(f"{self.prefix}m1", emu)
        self.into_ns(f"{self.prefix}m2", emu)
        self.into_ns(f"{self.prefix}m3", dst, "eth0")
        run("ip", "-n", src, "addr", "add", f"{self.MIGRATION_SOURCE}/24", "dev", "eth0")
        run("ip", "-n", dst, "addr", "add", f"{self.MIGRATION_TARGET}/24", "dev", "eth0")
        cmd = ["ip", "netns", "exec", emu, os.environ.get("FMC_LINKEM", "fmc-linkem"), "--a", f"{self.prefix}m1",
               "--b", f"{self.prefix}m2", "--default-delay", str(one_way_ms)]
        if rate_mbit > 0:
            cmd += ["--rate-mbit", str(rate_mbit)]
        log = open(f"{STATE_DIR}/{emu}.log", "w")
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        self.state.add("pids", proc.pid)
        self.state.data["migration_link"] = {"source": src, "target": dst, "emulator": emu, "pid": proc.pid,
                                             "one_way_ms": one_way_ms, "rate_mbit": rate_mbit}
        self.state.save()

    def migration_link_down(self):
        link = self.state.data.pop("migration_link", None)
        if not link:
            return
        try:
            os.kill(link["pid"], 15)
        except ProcessLookupError:
            pass
        for ns in (link["source"], link["target"], link["emulator"]):
            run("ip", "netns", "del", ns, check=False, quiet=True)
        if os.path.exists(f"{STATE_DIR}/{link['emulator']}.log"):
            os.remove(f"{STATE_DIR}/{link['emulator']}.log")
        d = self.state.data
        d["pids"] = [p for p in d["pids"] if p != link["pid"]]
        d["namespaces"] = [n for n in d["namespaces"] if n not in (link["source"], link["target"], link["emulator"])]
        d["links"] = [l for l in d["links"] if l not in (f"{self.prefix}m0", f"{self.prefix}m2")]
        self.state.save()

    def down(self):
        d = self.state.data
        for dc, pid in d.get("libvirt", {}).items():
            libvirt_hypervisors.stop(STATE_DIR, self.prefix, dc, pid)
            for name, host in d["hosts"].items():
                if host.get("kind") == "libvirt":
                    run("ip", "link", "del", self.domain_tap(name, dc), check=False, quiet=True)
        for pid in d["pids"]:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
        for br in d["bridges"]:
            vsctl("--if-exists", "del-br", br, check=False)
            run("ip", "link", "del", br, check=False, quiet=True)  # the netdev tap, if vswitchd was gone
        for link in d["links"]:
            run("ip", "link", "del", link, check=False, quiet=True)
        for ns in reversed(d["namespaces"]):
            run("ip", "netns", "del", ns, check=False, quiet=True)
            log = os.path.join(STATE_DIR, f"{ns}.log")  # link emulator output
            if os.path.exists(log):
                os.remove(log)
        for f in d.get("files", []):
            if os.path.exists(f):
                os.remove(f)
        if d.get("storage") and os.path.isdir(d["storage"]):
            shutil.rmtree(d["storage"])
        if os.path.exists(self.state.path):
            os.remove(self.state.path)


def wait_listening(ns, port, seconds=5):
    """Until something listens on TCP `port` in namespace `ns`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
        if out.stdout.strip():
            return
        time.sleep(0.02)
    raise TestbedError(f"nothing listens on port {port} in {ns}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["up", "down", "migrate", "roam", "transfer", "exec", "status", "migration-link",
                                        "utilisation", "load", "libvirt-hook"])
    ap.add_argument("config")
    ap.add_argument("args", nargs="*")
    ap.add_argument("--prefix", default="fmc", help="name prefix of everything created (max 4 characters)")
    ap.add_argument("--controller", default="tcp:127.0.0.1:6653")
    ap.add_argument("--scope-controller", action="append", default=[], metavar="SCOPE=TARGET[,TARGET...]",
                    help="the controllers of one network scope (its switches connect to all of them)")
    ap.add_argument("--protocols", default="OpenFlow13")
    ap.add_argument("--downtime-ms", type=float, default=100.0, help="the namespace emulator's pause")
    ap.add_argument("--vms", choices=["netns", "qemu", "libvirt"], default="netns",
                    help="qemu: VMs whose hypervisor is qemu:... run as QEMU guests; libvirt: as domains of each "
                         "data center's libvirt daemon")
    a = ap.parse_args()
    if len(a.prefix) > 4:
        ap.error("--prefix must be at most 4 characters (interface names are limited to 15)")
    tb = Testbed(a.config, a.prefix)
    try:
        if a.command == "up":
            try:
                scopes = {}
                for spec in a.scope_controller:
                    scope, _, targets = spec.partition("=")
                    if not scope or not targets:
                        ap.error(f"--scope-controller expects SCOPE=TARGET[,TARGET...], got '{spec}'")
                    scopes[scope] = targets.split(",")
                tb.up(a.controller, a.protocols, a.vms, scopes)
            except BaseException:
                tb.down()
                raise
        elif a.command == "down":
            tb.down()
        elif a.command in ("migrate", "roam"):
            if len(a.args) != 2:
                ap.error(f"{a.command} needs HOST and TARGET")
            tb.move_host(a.args[0], a.args[1], a.downtime_ms if a.command == "migrate" else 0)
        elif a.command == "transfer":
            if len(a.args) != 2:
                ap.error("transfer needs SERVICE/PART and TARGET")
            tb.transfer(a.args[0], a.args[1])
        elif a.command == "exec":
            host, cmd = a.args[0], a.args[1:]
            if tb.state.data["hosts"].get(host, {}).get("kind") == "qemu":
                ap.error(f"{host} is a QEMU guest, not a namespace")
            os.execvp("ip", ["ip", "netns", "exec", tb.ns(host)] + cmd)
        elif a.command == "migration-link":
            if len(a.args) not in (1, 2):
                ap.error("migration-link needs ONE_WAY_MS [RATE_MBIT] (ONE_WAY_MS -1: back to loopback)")
            tb.migration_link(float(a.args[0]), float(a.args[1]) if len(a.args) == 2 else 0)
        elif a.command == "utilisation":
            print(json.dumps(tb.utilisation()))
        elif a.command == "load":
            if len(a.args) != 2 or a.args[1] not in ("on", "off"):
                ap.error("load needs DATA_CENTER on|off")
            tb.load(a.args[0], a.args[1] == "on")
        elif a.command == "libvirt-hook":
            if len(a.args) < 3:
                ap.error("libvirt-hook needs DC GUEST OP SUBOP")
            tb.libvirt_hook(a.args[0], a.args[1], a.args[2], a.args[3] if len(a.args) > 3 else "-")
        elif a.command == "status":
            print(json.dumps(tb.state.data, indent=1))
    except TestbedError as e:
        print(f"fmc-testbed: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
