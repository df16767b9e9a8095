"""Shared by the experiment, the end-to-end test and the benchmarks: runs
fmc-controller and drives the Fig. 1 testbed (testbed/fmc_testbed.py)."""
import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TESTBED = os.path.join(ROOT, "testbed", "fmc_testbed.py")
PINGER = os.path.join(ROOT, "testbed", "pinger.py")
TCP_SESSION = os.path.join(ROOT, "testbed", "tcp_session.py")
UDHCPC_SCRIPT = os.path.join(ROOT, "testbed", "udhcpc.script")
OVS_LIB = os.path.join(ROOT, "scripts", "lib", "ovs.sh")


def sh(*cmd, check=True):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stdout}")
    return r.stdout


class Checks:
    """The named checks of an integration test: each prints "ok" or "FAIL";
    finish() prints the verdict and exits 1 if any failed."""

    def __init__(self, title):
        self.title, self.failures = title, []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def finish(self):
        print(f"{'FAILED' if self.failures else 'PASSED'}: {self.title} ({len(self.failures)} failures)")
        sys.exit(1 if self.failures else 0)


class GuestFailed(Exception):
    """An emulated guest's kernel reported an error: from then on a test's checks say
    nothing about the controller."""


class GuestChecks(Checks):
    """The checks of a test on QEMU guests (set `lab` once it is made). A TCG guest now
    and then breaks just after a live migration (list corruption, a broken virtio
    ring) and answers nowhere from then on: on a failed check whose testbed's guest
    consoles show such an error, the run stops (GuestFailed), and run() runs the test
    once more, saying so."""

    def __init__(self, title):
        super().__init__(title)
        self.lab = None

    def __call__(self, ok, what):
        super().__call__(ok, what)
        errors = [] if ok or self.lab is None else self.lab.guest_kernel_errors()
        if errors:
            raise GuestFailed(errors)
        return ok

    def run(self, test):
        """test(): the whole test on a testbed of its own (taken down in its `finally`)."""
        try:
            test()
            return
        except GuestFailed as e:
            print(f"the guest's kernel failed ({e.args[0][0]}): that run says nothing about the controller; once more",
                  flush=True)
        self.failures, self.title = [], f"{self.title} (run again after the guest's kernel failed)"
        try:
            test()
        except GuestFailed:
            pass  # its failed check stays counted


def teardown(ctls, lab, work, check, etcd=None):
    """Ends a test run: the controller(s) (one, or {name: Controller}) stopped,
    testbed down, each controller's log tail shown if a check failed, etcd
    stopped, the work folder removed."""
    ctls = ctls if isinstance(ctls, dict) else {"controller": ctls}
    for c in ctls.values():
        c.stop()
    if check.failures:  # what the testbed's guests and link emulators said, before down removes it
        lab.show_logs()
    lab.down()
    if check.failures:
        for name, c in ctls.items():
            print(f"--- {name}\n" + "\n".join(c.log().splitlines()[-40:]))
    if etcd:
        etcd.stop()
    sh("rm", "-rf", work)


def start_scoped(ctls, binary, config, etcd, work, specs, ttl=3):
    """Adds to `ctls` ({name: Controller}) and starts controllers sharing `etcd`: for
    each (name, scope, plane) in `specs`, one campaigning for that scope and reaching
    etcd over that plane."""
    for name, scope, plane in specs:
        home = os.path.join(work, name)
        os.makedirs(home)
        ctls[name] = Controller(binary, config, f"etcd://{etcd.endpoints_on(plane)}", home,
                                ["--controller-id", f"fmc-{name}", "--scopes", scope, "--mastership-ttl", str(ttl)])
        ctls[name].start()


def endpoint_row(db, mac):
    """The controller database's endpoints row for `mac` as a dict, or None (read-only)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        row = con.execute("SELECT * FROM endpoints WHERE mac=?", (mac,)).fetchone()
        return dict(row) if row else None
    finally:
        con.close()


def wait_until(probe, ok, seconds=5.0, interval=0.1):
    """Calls probe() every `interval` s until ok(value) or `seconds` pass; returns the last value."""
    deadline = time.time() + seconds
    while True:
        value = probe()
        if ok(value) or time.time() > deadline:
            return value
        time.sleep(interval)


def ovs_ensure_running():
    sh("bash", "-c", f"source {OVS_LIB} && ovs_ensure_running")


class EtcdCluster:
    """A real etcd cluster (Debian's etcd-server): each member in a network
    namespace of its own (PREFIX-etcdI). The members talk to each other, and
    controllers reach them, over `planes` Linux bridges in the host (PREFIX-etK):
    member I is 10.254.N+K.(10+I) on plane K, the host 10.254.N+K.1 (N: the
    first free block). Controllers given different planes can be cut off from
    etcd one at a time (partition); the members' own traffic uses plane 0
    only. Data and logs under `work`; tuned for a LAN as scripts/lib/etcd.sh is."""

    def __init__(self, prefix, size, work, planes=1):
        self.prefix, self.size, self.work, self.planes = prefix, size, work, planes
        self.procs = []
        self.base = None

    def ns(self, i):
        return f"{self.prefix}-etcd{i}"

    def bridge(self, plane):
        return f"{self.prefix}-et{plane}"

    def address(self, i, plane=0):
        return f"10.254.{self.base + plane}.{10 + i}"

    def endpoints_on(self, plane):
        return ",".join(f"{self.address(i, plane)}:2379" for i in range(self.size))

    @property
    def endpoints(self):
        return self.endpoints_on(0)

    def _free_base(self):
        used = sh("ip", "-4", "-br", "addr")
        for base in range(1, 250 - self.planes):
            if not any(f"10.254.{base + k}." in used for k in range(self.planes)):
                return base
        raise RuntimeError("no free 10.254.N.0/24 blocks for etcd")

    def partition(self, plane, cut=True):
        """Cuts every controller on `plane` off from etcd (its bridge down), or heals it."""
        sh("ip", "link", "set", self.bridge(plane), "down" if cut else "up")

    def start(self):
        self.base = self._free_base()
        for k in range(self.planes):
            sh("ip", "link", "add", self.bridge(k), "type", "bridge")
            sh("ip", "addr", "add", f"10.254.{self.base + k}.1/24", "dev", self.bridge(k))
            sh("ip", "link", "set", self.bridge(k), "up")
        cluster = ",".join(f"m{i}=http://{self.address(i)}:2380" for i in range(self.size))
        for i in range(self.size):
            ns = self.ns(i)
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for k in range(self.planes):
                outer, inner = f"{self.prefix}e{i}{k}", f"{self.prefix}f{i}{k}"
                sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
                sh("ip", "link", "set", inner, "netns", ns)
                sh("ip", "-n", ns, "link", "set", inner, "name", f"eth{k}")
                sh("ip", "-n", ns, "addr", "add", f"{self.address(i, k)}/24", "dev", f"eth{k}")
                sh("ip", "-n", ns, "link", "set", f"eth{k}", "up")
                sh("ip", "link", "set", outer, "master", self.bridge(k))
                sh("ip", "link", "set", outer, "up")
            clients = ",".join(f"http://{self.address(i, k)}:2379" for k in range(self.planes))
            peer = f"http://{self.address(i)}:2380"
            log = open(os.path.join(self.work, f"etcd{i}.log"), "a")
            self.procs.append(subprocess.Popen(
                ["ip", "netns", "exec", ns, "/usr/bin/etcd", "--name", f"m{i}", "--data-dir", os.path.join(self.work, f"etcd{i}"),
                 "--listen-client-urls", clients, "--advertise-client-urls", clients,
                 "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                 "--initial-cluster", cluster, "--initial-cluster-token", self.prefix,
                 "--heartbeat-interval", "50", "--election-timeout", "500"], stdout=log, stderr=subprocess.STDOUT))
        for i in range(self.size):
            if not wait_until(lambda i=i: self._answers(i), bool, 30):
                raise RuntimeError(f"etcd member {i} did not start: see {self.work}/etcd{i}.log")

    def key_counts(self, prefix="/fmc/"):
        """{first segment after `prefix`: number of keys}, e.g. {"endpoints": 2, ...}."""
        b64 = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        req = urllib.request.Request(f"http://{self.address(0)}:2379/v3/kv/range", data=json.dumps(
            {"key": b64(prefix), "range_end": b64(end), "keys_only": True}).encode())
        counts = {}
        for kv in json.load(urllib.request.urlopen(req, timeout=5)).get("kvs", []):
            kind = base64.b64decode(kv["key"]).decode()[len(prefix):].split("/", 1)[0]
            counts[kind] = counts.get(kind, 0) + 1
        return counts

    def _answers(self, i):
        try:
            req = urllib.request.Request(f"http://{self.address(i)}:2379/v3/kv/range", data=b'{"key":"AA=="}')
            urllib.request.urlopen(req, timeout=1).read()
            return True
        except OSError:
            return False

    def stop(self):
        for p in self.procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []
        for i in range(self.size):
            sh("ip", "netns", "del", self.ns(i), check=False)
            for k in range(self.planes):
                sh("ip", "link", "del", f"{self.prefix}e{i}{k}", check=False)
        for k in range(self.planes):
            sh("ip", "link", "del", self.bridge(k), check=False)


class Controller:
    """fmc-controller in Follow-Me Cloud mode on a free loopback port; `db` is
    a SQLite file or "etcd://members" (the store several controllers share)."""

    def __init__(self, binary, network, db, work, extra=()):
        self.binary, self.network, self.db, self.work = os.path.abspath(binary), network, db, work
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(work, "controller.log")

    def start(self):
        port_file = os.path.join(self.work, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        args = [self.binary, "--listen", "127.0.0.1", "--port", str(self.port or 0), "--port-file", port_file,
                "--network", self.network] + (["--store", self.db] if self.db.startswith("etcd://") else ["--db", self.db]) + self.extra
        self.proc = subprocess.Popen(args, stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT)
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                self.port = int(open(port_file).read())
                return
            time.sleep(0.05)
        raise RuntimeError(f"controller did not start: {self.log()}")

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def log(self):
        return open(self.log_path).read() if os.path.exists(self.log_path) else ""

    def logged(self, text):
        """The times (the controller's own clock) of its log lines containing `text`."""
        return [json.loads(line)["ts"] for line in self.log().splitlines() if text in line]


class Lab:
    """One testbed instance (all names start with `prefix`)."""

    SWITCHES = ("s-dc1", "s-dc2", "s-wlan1", "s-wlan2")

    def __init__(self, config, prefix, linkem, vms="netns"):
        self.config, self.prefix, self.vms = config, prefix, vms
        os.environ["FMC_LINKEM"] = os.path.abspath(linkem)
        self.servers = []  # echo servers started in its hosts, ended by down()

    def _run(self, command, *args):
        return sh(sys.executable, TESTBED, command, self.config, *args, "--prefix", self.prefix)

    def ns(self, host):
        return f"{self.prefix}-{host}"

    def up(self, controller_port, scope_ports=None):
        """Every switch connects to the controller on `controller_port`, or, with
        `scope_ports` ({scope: port or [ports]}), each scope's switches to its controllers."""
        scopes = []
        for scope, ports in (scope_ports or {}).items():
            targets = ",".join(f"tcp:127.0.0.1:{p}" for p in (ports if isinstance(ports, (list, tuple)) else [ports]))
            scopes.append(f"--scope-controller={scope}={targets}")
        self._run("up", "--controller", f"tcp:127.0.0.1:{controller_port}", "--vms", self.vms, *scopes)
        if scope_ports:
            for sw in self.SWITCHES:
                if not wait_until(lambda sw=sw: self.master_of(sw), bool, 20):
                    raise RuntimeError(f"no controller became MASTER of {self.prefix}-{sw}")
        else:
            self.wait_connected()

    def master_of(self, switch):
        """The target ("tcp:127.0.0.1:PORT") the switch holds as MASTER, or None."""
        uuids = sh("ovs-vsctl", "--timeout=5", "get", "bridge", f"{self.prefix}-{switch}", "controller", check=False)
        for uuid in uuids.strip().strip("[]").split(","):
            uuid = uuid.strip()
            if uuid and sh("ovs-vsctl", "--timeout=5", "get", "controller", uuid, "role", check=False).strip() == "master":
                return sh("ovs-vsctl", "--timeout=5", "get", "controller", uuid, "target").strip().strip('"')
        return None

    def wait_connected(self):
        for sw in self.SWITCHES:
            sh("bash", "-c", f"source {OVS_LIB} && ovs_wait_connected {self.prefix}-{sw}")

    def down(self):
        for server in self.servers:
            server.terminate()
            server.wait()
        self.servers.clear()
        subprocess.run([sys.executable, TESTBED, "down", self.config, "--prefix", self.prefix])

    def state_files(self, *endings):
        """The files the testbed made (guests' consoles and logs, ...) that still exist."""
        state = subprocess.run([sys.executable, TESTBED, "status", self.config, "--prefix", self.prefix],
                               capture_output=True, text=True)
        files = json.loads(state.stdout).get("files", []) if state.returncode == 0 and state.stdout.strip() else []
        return [f for f in files if f.endswith(endings) and os.path.exists(f)]

    def show_logs(self, lines=15):
        for f in self.state_files(".log", ".console"):
            with open(f, errors="replace") as text:
                print(f"--- {f}\n" + "".join(text.readlines()[-lines:]))

    def guest_kernel_errors(self):
        """The QEMU guests' kernel messages: booted `quiet`, a guest's kernel writes to
        its console only at error level or worse (a BUG:, an oops, a broken virtio ring),
        so any such line is the emulated guest failing, not the network."""
        errors = []
        for f in self.state_files(".console"):
            with open(f, errors="replace") as text:
                errors += [line.strip() for line in text if re.match(r"\[\s*\d+\.\d+\]", line)]
        return errors

    def migrate(self, host, site, downtime_ms):
        """Returns the emulator's report: {"host", "to", "downtime_ms"}."""
        return json.loads(self._run("migrate", host, site, "--downtime-ms", str(downtime_ms)).strip().splitlines()[-1])

    def load(self, dc, on):
        """A busy server in data center `dc` (one core spinning), or none."""
        self._run("load", dc, "on" if on else "off")

    def migration_link(self, one_way_ms, rate_mbit=0):
        """QEMU's migration streams from now on cross an emulated WAN link (one_way_ms
        each way, rate_mbit if > 0); one_way_ms < 0: loopback again."""
        self._run("migration-link", str(one_way_ms), str(rate_mbit))

    def start_migrate(self, host, site, downtime_ms):
        """A migration in the background (the caller may cancel it with SIGTERM)."""
        return subprocess.Popen([sys.executable, TESTBED, "migrate", self.config, host, site, "--downtime-ms",
                                 str(downtime_ms), "--prefix", self.prefix], stdout=subprocess.PIPE, text=True)

    def roam(self, host, site):
        self._run("roam", host, site)

    def rtt(self, src, dst, count=5):
        """Average round trip in ms of `count` pings from host `src`, or None if none came back."""
        out = sh("ip", "netns", "exec", self.ns(src), "ping", "-c", str(count), "-i", "0.2", "-W", "2", dst, check=False)
        m = re.search(r"= [\d.]+/([\d.]+)/", out)
        return float(m.group(1)) if m else None

    def dhcp(self, host, requested=None, tries=6):
        """Runs busybox udhcpc in `host` until it holds a lease; returns the lease
        ({"ip", "mask", "router", "serverid", "lease"}) or None."""
        fd, lease_file = tempfile.mkstemp(prefix="fmc-lease-")
        os.close(fd)
        try:
            cmd = ["ip", "netns", "exec", self.ns(host), "env", f"FMC_LEASE_FILE={lease_file}", "busybox", "udhcpc",
                   "-i", "eth0", "-f", "-q", "-n", "-t", str(tries), "-T", "1", "-A", "1", "-s", UDHCPC_SCRIPT]
            if requested:
                cmd += ["-r", requested]
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            text = open(lease_file).read().strip()
            return json.loads(text) if text else None
        finally:
            os.remove(lease_file)

    def add_guest(self, name, site_bridge, port_no, mac):
        """A host the configuration does not know, on port `port_no` of the
        bridge of switch `site_bridge` (e.g. "s-wlan1"). Remove with remove_guest."""
        ns, outer, inner = self.ns(name), f"{self.prefix}g-{name}", f"{self.prefix}j-{name}"
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
        for end in (outer, inner):
            sh("ethtool", "-K", end, "tx", "off", "rx", "off", check=False)
        sh("ip", "link", "set", inner, "netns", ns)
        sh("ip", "-n", ns, "link", "set", inner, "name", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "address", mac)
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ovs-vsctl", "add-port", f"{self.prefix}-{site_bridge}", outer, "--", "set", "interface", outer,
           f"ofport_request={port_no}")
        sh("ip", "link", "set", outer, "up")

    def move_guest(self, name, from_bridge, to_bridge, port_no):
        """Re-plugs a guest into another switch, with no announcement of any kind."""
        outer = f"{self.prefix}g-{name}"
        sh("ovs-vsctl", "del-port", f"{self.prefix}-{from_bridge}", outer)
        sh("ovs-vsctl", "add-port", f"{self.prefix}-{to_bridge}", outer, "--", "set", "interface", outer,
           f"ofport_request={port_no}")

    def remove_guest(self, name, site_bridge):
        outer = f"{self.prefix}g-{name}"
        sh("ovs-vsctl", "--if-exists", "del-port", f"{self.prefix}-{site_bridge}", outer, check=False)
        sh("ip", "link", "del", outer, check=False)
        sh("ip", "netns", "del", self.ns(name), check=False)

    def cold_ping(self, src, dst):
        """The round trip in ms of one ping from `src` right after its ARP cache was
        emptied (so the address is resolved first), or None if it was lost."""
        sh("ip", "-n", self.ns(src), "neigh", "flush", "all")
        return pinger_results(self.pinger(src, dst, 0.001, interval=1.0), 30)[0][1]

    def pinger(self, src, dst, seconds, interval=0.01):
        return subprocess.Popen(["ip", "netns", "exec", self.ns(src), sys.executable, PINGER, dst, "--interval",
                                 str(interval), "--duration", str(seconds)], stdout=subprocess.PIPE, text=True)


    def tcp_session(self, src, dst, port, seconds):
        """A TCP session checker (testbed/tcp_session.py) from `src`; its JSON result via tcp_session_result."""
        return subprocess.Popen(["ip", "netns", "exec", self.ns(src), sys.executable, TCP_SESSION, dst, str(port),
                                 "--duration", str(seconds)], stdout=subprocess.PIPE, text=True)

    def echo_server(self, host, port):
        """A TCP echo server in namespace host `host` (what the QEMU guest runs itself), started once it listens
        (a session started before that is refused); down() ends it."""
        server = subprocess.Popen(["ip", "netns", "exec", self.ns(host), "busybox", "nc", "-ll", "-p", str(port),
                                   "-e", "/bin/cat"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        listening = wait_until(lambda: subprocess.run(["ip", "netns", "exec", self.ns(host), "ss", "-Hltn",
                                                       f"sport = :{port}"], capture_output=True, text=True).stdout,
                               bool, 5)
        if not listening:
            server.terminate()
            raise RuntimeError(f"echo server on {host}:{port} is not listening after 5 s")
        self.servers.append(server)
        return server


def tcp_session_result(proc, timeout=120):
    out = proc.communicate(timeout=timeout)[0].strip().splitlines()
    return json.loads(out[-1]) if out else {"error": "no result", "sent": 0, "echoed": 0, "in_order": False}


def session_survived(result):
    """A tcp_session_result that held: no error, every line echoed, in order."""
    return not result["error"] and result["in_order"] and result["sent"] > 0 and result["echoed"] == result["sent"]


def pinger_results(proc, timeout=120):
    """[(send_epoch, rtt_ms or None)] from a pinger started by Lab.pinger."""
    out = proc.communicate(timeout=timeout)[0]
    rows = []
    for line in out.splitlines():
        _, when, rtt = line.split()
        rows.append((float(when), None if rtt == "-" else float(rtt)))
    return rows
