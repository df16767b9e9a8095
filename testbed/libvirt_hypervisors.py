"""Each data center's hypervisor as a real libvirt daemon (libvirtd with its
QEMU driver) on this one machine, for the controller's libvirt driver.

A root libvirtd keeps its configuration and state in fixed places (/etc/libvirt,
/run/libvirt, /var/lib/libvirt, ...), so each runs in a mount namespace of its
own where those are its own folders, with its own host UUID (libvirt refuses
to migrate a guest to the host it is on) and its socket in the testbed's
state folder, reachable as qemu+unix:///system?socket=... . Guests are
transient domains (Debian's kernel, the busybox initramfs of testbed/guest/,
as qemu_guest.py boots them) on a TAP device of their data center's switch.

A domain's XML names its host's TAP device, which differs per data center
here; so each daemon's hook (/etc/libvirt/hooks/qemu, as an operator would
install one) runs `fmc_testbed.py libvirt-hook`: on an incoming migration it
renames the device for its own data center, before a guest starts it
creates the device on its switch's port, and once a guest is gone it
removes it."""
import glob
import os
import shutil
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import qemu_guest

# The state a root libvirtd keeps in fixed places; each daemon gets its own.
PRIVATE = {"etc": "/etc/libvirt", "run": "/run/libvirt", "lib": "/var/lib/libvirt", "cache": "/var/cache/libvirt",
           "log": "/var/log/libvirt"}

DAEMON_CONF = """unix_sock_dir = "{home}/sock"
unix_sock_rw_perms = "0700"
auth_unix_rw = "none"
auth_unix_ro = "none"
host_uuid = "{host_uuid}"
log_outputs = "3:stderr"
"""
# A testbed hypervisor: guests run as root, no confinement, no cgroups (there are
# none to delegate here), no private /dev; the guest's console and QEMU's own
# output in files, not through virtlogd.
QEMU_CONF = """user = "root"
group = "root"
security_driver = "none"
dynamic_ownership = 0
remember_owner = 0
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
"""


class HypervisorError(Exception):
    pass


def home(state_dir, prefix, site):
    return os.path.join(state_dir, f"{prefix}-libvirt", site)


def uri(state_dir, prefix, site):
    """The libvirt connection URI of `site`'s hypervisor."""
    return f"qemu+unix:///system?socket={home(state_dir, prefix, site)}/sock/libvirt-sock"


def virsh(connect, *args, check=True, stdin=None):
    r = subprocess.run(["virsh", "-q", "-c", connect, *args], capture_output=True, text=True, input=stdin)
    if check and r.returncode != 0:
        raise HypervisorError(f"virsh {' '.join(args)} at {connect}: {r.stderr.strip()}")
    return r.stdout


def start(state_dir, prefix, site, hook_command):
    """Starts `site`'s libvirtd; returns its Popen (wait with wait_ready). `hook_command`:
    the argv its hook runs, with the hook's own arguments appended."""
    d = home(state_dir, prefix, site)
    for sub in list(PRIVATE) + ["sock", "etc/hooks"]:
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for path in PRIVATE.values():
        os.makedirs(path, exist_ok=True)  # mount points
    host_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"fmc-testbed:{prefix}:{site}")
    with open(os.path.join(d, "etc", "libvirtd.conf"), "w") as f:
        f.write(DAEMON_CONF.format(home=d, host_uuid=host_uuid))
    with open(os.path.join(d, "etc", "qemu.conf"), "w") as f:
        f.write(QEMU_CONF)
    hook = os.path.join(d, "etc", "hooks", "qemu")
    with open(hook, "w") as f:
        f.write("#!/bin/sh\nexec " + " ".join(f"'{a}'" for a in hook_command) + ' "$@"\n')
    os.chmod(hook, 0o755)
    mounts = " && ".join(f"mount --bind {os.path.join(d, sub)} {path}" for sub, path in PRIVATE.items())
    log = open(os.path.join(d, "libvirtd.log"), "w")
    return subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                             f"{mounts} && exec libvirtd -f /etc/libvirt/libvirtd.conf -p /run/libvirt/libvirtd.pid"],
                            stdout=log, stderr=log, stdin=subprocess.DEVNULL)


def wait_ready(state_dir, prefix, site, proc, timeout=60.0):
    """Until the daemon answers (it probes QEMU's capabilities first: seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HypervisorError(f"libvirtd of {site} exited with {proc.returncode}: see "
                                  f"{home(state_dir, prefix, site)}/libvirtd.log")
        if subprocess.run(["virsh", "-c", uri(state_dir, prefix, site), "version"], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    raise HypervisorError(f"libvirtd of {site} did not answer within {timeout:.0f} s")


def domain_xml(name, mac, address, gateway, tap, console, memory_mib):
    kernel, initrd = qemu_guest.guest_files()
    return f"""<domain type='{'kvm' if qemu_guest.accelerator() == 'kvm' else 'qemu'}'>
  <name>{name}</name>
  <memory unit='MiB'>{memory_mib}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>console=ttyS0 quiet panic=-1 fmc.ip={address} fmc.gw={gateway}</cmdline>
  </os>
  <features><acpi/><apic/></features>
  <on_reboot>destroy</on_reboot>
  <devices>
    <interface type='ethernet'>
      <target dev='{tap}' managed='no'/>
      <mac address='{mac}'/>
      <model type='virtio'/>
      <!-- No offloads: the guest computes its own checksums (the switch's userspace
           datapath reads the TAP without QEMU's vnet header, as qemu_guest.py's). -->
      <driver name='qemu'>
        <host csum='off' gso='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
        <guest csum='off' tso4='off' tso6='off' ecn='off' ufo='off'/>
      </driver>
      <rom enabled='no'/>
    </interface>
    <serial type='file'><source path='{console}' append='on'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
"""


def create(state_dir, prefix, site, xml):
    """Starts a transient domain at `site` (its hook creates its TAP device first)."""
    virsh(uri(state_dir, prefix, site), "create", "/dev/stdin", stdin=xml)


def tap_of(xml):
    """The TAP device a domain's XML names."""
    target = ET.fromstring(xml).find("./devices/interface/target")
    return None if target is None else target.get("dev")


def with_tap(xml, tap):
    """The domain's XML with its TAP device renamed."""
    root = ET.fromstring(xml)
    root.find("./devices/interface/target").set("dev", tap)
    return ET.tostring(root, encoding="unicode")


def guests(state_dir, prefix, site):
    """{domain name: QEMU pid} of the guests running at `site`."""
    run_qemu = os.path.join(home(state_dir, prefix, site), "run", "qemu")
    found = {}
    for pidfile in glob.glob(os.path.join(run_qemu, "*.pid")):
        try:
            pid = int(open(pidfile).read().strip() or 0)
        except (OSError, ValueError):
            continue
        if pid and qemu_guest.alive(pid):
            found[os.path.basename(pidfile)[:-len(".pid")]] = pid
    return found


def stop(state_dir, prefix, site, daemon_pid):
    """Ends `site`'s daemon and its guests (their QEMUs, by pid: with the daemon gone
    first, no hook runs for them), and removes its folders."""
    running = guests(state_dir, prefix, site).values()
    if daemon_pid:
        qemu_guest.end(daemon_pid)
    for pid in running:
        qemu_guest.end(pid, timeout=0, signal=9)
    shutil.rmtree(home(state_dir, prefix, site), ignore_errors=True)
    try:
        os.rmdir(os.path.dirname(home(state_dir, prefix, site)))  # once the last data center's is gone
    except OSError:
        pass
