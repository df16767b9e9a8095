#!/usr/bin/env python3
"""Packets through the bridge for a sample of visiting endpoints (ovs_check.sh).

For each visitor in the sample file (mac ip visiting_ip visited_gw home_gw):
  out: from its port (the radio namespace) with its own address as source;
       must leave by the uplink with the visiting address as source, towards
       the visited site's router (eth_dst = visited gateway);
  in:  from the uplink to its visiting address; must reach it at its port
       with its own address as destination, its MAC as eth_dst and its home
       gateway's MAC as eth_src.
Each namespace's socket is opened inside it (setns), so nothing leaves them.
Prints one line per failure and a summary; exits 1 if any packet went wrong.
"""
import ctypes
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
libc = ctypes.CDLL(None, use_errno=True)


def socket_in(netns, ifname):
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((ifname, 0))
        s.settimeout(0.2)
        return s
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(target)
        os.close(home)


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ip(text):
    return socket.inet_aton(text)


def checksum(data):
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def frame(dst, src, ip_src, ip_dst, tag):
    payload = b"fmc-scale-check " + tag.encode()
    udp = struct.pack("!HHHH", 40000, 40001, 8 + len(payload), 0) + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, ip_src, ip_dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return dst + src + b"\x08\x00" + header + udp


def receive(sock, tag, deadline):
    marker = b"fmc-scale-check " + tag.encode()
    while time.monotonic() < deadline:
        try:
            data = sock.recv(2048)
        except socket.timeout:
            continue
        if len(data) >= 42 and data[12:14] == b"\x08\x00":
            ip_length = struct.unpack("!H", data[16:18])[0]
            if data[42:14 + ip_length] == marker:  # the frame may be padded past the IP packet
                return data
    return None


def main():
    sample_file, radio_ns, radio_if, uplink_ns, uplink_if = sys.argv[1:6]
    radio = socket_in(radio_ns, radio_if)
    uplink = socket_in(uplink_ns, uplink_if)
    ok = bad = 0
    with open(sample_file) as f:
        sample = [line for line in f if not line.startswith("#")]
    for n, line in enumerate(sample):
        m, own, visiting, visited_gw, home_gw = line.split()
        # Outbound: its own address as source, leaves with the visiting one.
        tag = f"out{n}"
        radio.send(frame(mac(visited_gw), mac(m), ip(own), ip("192.0.2.1"), tag))
        got = receive(uplink, tag, time.monotonic() + 2)
        want = (mac(visited_gw), ip(visiting))
        if got is None or (got[0:6], got[26:30]) != want:
            bad += 1
            print(f"FAIL {m} out: " + ("nothing at the uplink" if got is None else
                  f"eth_dst {got[0:6].hex(':')} ip_src {socket.inet_ntoa(got[26:30])}"))
        else:
            ok += 1
        # Inbound: to the visiting address, delivered to it under its own.
        tag = f"in{n}"
        uplink.send(frame(mac(visited_gw), mac("02:00:00:00:99:01"), ip("192.0.2.1"), ip(visiting), tag))
        got = receive(radio, tag, time.monotonic() + 2)
        want = (mac(m), mac(home_gw), ip(own))
        if got is None or (got[0:6], got[6:12], got[30:34]) != want:
            bad += 1
            print(f"FAIL {m} in: " + ("nothing at its port" if got is None else
                  f"eth {got[6:12].hex(':')}->{got[0:6].hex(':')} ip_dst {socket.inet_ntoa(got[30:34])}"))
        else:
            ok += 1
    print(f"forwarding: {ok} of {ok + bad} packets rewritten and delivered as the flows say")
    return 0 if bad == 0 and ok > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
