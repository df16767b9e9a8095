"""A testbed VM as a real QEMU guest (Debian's kernel, the busybox initramfs
of testbed/guest/), its NIC a TAP device on a site's Open vSwitch bridge,
and its live migration driven over QMP, QEMU's machine protocol.

KVM where /dev/kvm exists and boots the guest, TCG otherwise. Used by fmc_testbed.py."""
import itertools
import json
import os
import select
import socket
import subprocess
import time

GUEST_DIR = os.environ.get("FMC_GUEST_DIR", "/var/lib/fmc-testbed/guest")


class QmpError(Exception):
    pass


class Qmp:
    """One QMP connection (greeting, capabilities negotiated)."""

    def __init__(self, path, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"no QMP socket at {path}")
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b""
        self._read()  # greeting
        self.command("qmp_capabilities")

    def _receive(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise QmpError("QMP connection closed")
        self.buf += chunk

    def _read(self):
        while b"\n" not in self.buf:
            self._receive()
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def wait_events(self, timeout):
        """Waits up to `timeout` s for QMP to say something (between commands
        it sends only events, which the caller's next query sums up)."""
        if b"\n" not in self.buf and select.select([self.sock], [], [], timeout)[0]:
            self._receive()
        while b"\n" in self.buf:
            self._read()

    def command(self, name, **arguments):
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise QmpError(f"{name}: {reply['error'].get('desc', reply['error'])}")
            # an asynchronous event: skip

    def close(self):
        self.sock.close()


ACCEL_CACHE = "/run/fmc-testbed/accel"


def accelerator():
    """"kvm" if /dev/kvm is there and a guest actually boots on it, else "tcg"
    (some hosts expose a /dev/kvm whose guests never run). Probed once per
    boot of the host (cached in ACCEL_CACHE); FMC_QEMU_ACCEL overrides."""
    if os.environ.get("FMC_QEMU_ACCEL") in ("kvm", "tcg"):
        return os.environ["FMC_QEMU_ACCEL"]
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg"
    if os.path.exists(ACCEL_CACHE):
        return open(ACCEL_CACHE).read().strip()
    os.makedirs(os.path.dirname(ACCEL_CACHE), exist_ok=True)
    console = ACCEL_CACHE + ".console"
    probe = subprocess.Popen(["qemu-system-x86_64", "-accel", "kvm", "-m", "128", "-nodefaults", "-no-user-config",
                              "-display", "none", "-no-reboot", "-kernel", os.path.join(GUEST_DIR, "vmlinuz"),
                              "-initrd", os.path.join(GUEST_DIR, "initramfs.cpio.gz"), "-append", "console=ttyS0 quiet panic=-1",
                              "-serial", f"file:{console}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(console, probe, timeout=20.0)
        accel = "kvm"
    except (TimeoutError, RuntimeError):
        accel = "tcg"
    finally:
        probe.kill()
        probe.wait()
        if os.path.exists(console):
            os.remove(console)
    with open(ACCEL_CACHE, "w") as f:
        f.write(accel + "\n")
    return accel


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def guest_files():
    """The guest's kernel and initramfs."""
    kernel, initrd = os.path.join(GUEST_DIR, "vmlinuz"), os.path.join(GUEST_DIR, "initramfs.cpio.gz")
    for f in (kernel, initrd):
        if not os.path.exists(f):
            raise FileNotFoundError(f"{f} is missing: run testbed/guest/build_initramfs.sh {GUEST_DIR} (scripts/setup.sh does)")
    return kernel, initrd


_starts = itertools.count(1)


def start(name, tap, mac, address, gateway, run_dir, incoming=None, memory_mib=128):
    """Starts QEMU for guest `name` on TAP `tap`; returns (Popen, qmp path, console path).
    With `incoming` (a QEMU migration URI: tcp:127.0.0.1:PORT, exec:COMMAND) it
    waits for a live migration instead of booting. Each QEMU has files of its own
    (the TAP names alternate between incarnations): a guest's console, where its
    kernel reports a failure, outlives the QEMUs started after it, until `down`."""
    kernel, initrd = guest_files()
    tag = f"{name}-{tap}-{os.getpid()}-{next(_starts)}"
    qmp, console = os.path.join(run_dir, f"{tag}.qmp"), os.path.join(run_dir, f"{tag}.console")
    for f in (qmp, console):
        if os.path.exists(f):
            os.remove(f)
    cmd = ["qemu-system-x86_64", "-accel", accelerator(), "-m", str(memory_mib), "-nodefaults", "-no-user-config",
           "-display", "none", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
           "-append", f"console=ttyS0 quiet panic=-1 fmc.ip={address} fmc.gw={gateway}",
           # No vnet header: the guest computes its own checksums (the userspace
           # datapath reads the TAP like any other port).
           "-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no,vnet_hdr=off",
           "-device", f"virtio-net-pci,netdev=n0,mac={mac},romfile=",
           "-serial", f"file:{console}", "-qmp", f"unix:{qmp},server=on,wait=off"]
    if incoming is not None:
        cmd += ["-incoming", incoming]
    log = open(os.path.join(run_dir, f"{tag}.log"), "w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    return proc, qmp, console


def wait_ready(console, proc, timeout=120.0):
    """Until the guest's init says FMC-GUEST-READY on its console."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"QEMU exited with {proc.returncode} before the guest was ready")
        if os.path.exists(console) and b"FMC-GUEST-READY" in open(console, "rb").read():
            return
        time.sleep(0.1)
    raise TimeoutError(f"the guest did not come up within {timeout:.0f} s (console: {console})")


def prepare_target(target_qmp):
    """QEMU announces a migrated guest (RARP) 50 ms after it resumes, by
    default; the network learns where it went only then. Announce at once."""
    q = Qmp(target_qmp)
    try:
        q.command("migrate-set-parameters", **{"announce-initial": 1, "announce-step": 10})
    finally:
        q.close()


def migrate(source_qmp, uri, cancelled, switchover=lambda: None, poll_s=0.01):
    """Live-migrates the guest behind `source_qmp` to the QEMU waiting at `uri`
    (QEMU's migration URI: tcp:HOST:PORT, exec:COMMAND). `cancelled()` is polled: if it turns true the migration is
    cancelled and the guest keeps running at the source. `switchover()` is
    called the moment the source has stopped the guest for the last copy, so
    that the network can send the guest's traffic to the target, where QEMU
    holds it in the TAP device until the guest resumes.
    Returns QEMU's final query-migrate answer (status, downtime in ms, ...)."""
    q = Qmp(source_qmp)
    try:
        # Loopback between the two hypervisors: no bandwidth cap unless
        # FMC_QEMU_MAX_BANDWIDTH (bytes/s) says so (tests slow a migration down
        # to cancel it halfway). QEMU stops the guest for the last copy once it
        # expects that to fit the downtime limit: 20 ms instead of its 300.
        bandwidth = int(os.environ.get("FMC_QEMU_MAX_BANDWIDTH", 10 * 1024 ** 3))
        q.command("migrate-set-parameters", **{"max-bandwidth": bandwidth, "downtime-limit": 20})
        # The source pauses once the guest has stopped ("pre-switchover"): the
        # migration thread holds QEMU's big lock through the last copy, so
        # without the pause even the STOP event would only come out after it.
        q.command("migrate-set-capabilities", capabilities=[
            {"capability": "events", "state": True}, {"capability": "pause-before-switchover", "state": True}])
        q.command("migrate", uri=uri)
        asked_cancel, continued, figures_wait = False, False, 100
        while True:
            info = q.command("query-migrate")
            status = info.get("status")
            if status == "pre-switchover" and not continued:  # (it may still say so just after)
                switchover()
                q.command("migrate-continue", state="pre-switchover")
                continued = True
                continue
            if status == "completed" and not info.get("total-time") and figures_wait > 0:
                # QEMU says "completed" a moment before it has its figures.
                figures_wait -= 1
                q.wait_events(poll_s)
                continue
            if status in ("completed", "failed", "cancelled"):
                return info
            if cancelled() and not asked_cancel:
                q.command("migrate_cancel")
                asked_cancel = True
            q.wait_events(poll_s)  # wakes up at once on QEMU's MIGRATION events
    finally:
        q.close()


def alive(pid):
    """Running: not gone, and not a zombie waiting for a parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def stop(qmp_path, pid, timeout=5.0):
    """Stops a QEMU: QMP quit, then SIGKILL if it lingers."""
    try:
        q = Qmp(qmp_path, timeout=2)
        try:
            q.command("quit")
        except (QmpError, OSError):
            pass
        q.close()
    except (QmpError, OSError):
        pass
    end(pid, timeout, signal=None)


def end(pid, timeout=5.0, signal=15):
    """Sends `signal` (if any) to `pid`, waits up to `timeout` s for it to go, then SIGKILL."""
    if signal:
        try:
            os.kill(pid, signal)
        except ProcessLookupError:
            return
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)  # ours: reap it
        except ChildProcessError:
            pass
        time.sleep(0.02)
    if alive(pid):
        os.kill(pid, 9)
