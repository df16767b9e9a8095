#!/usr/bin/python3
"""Sends an ICMP echo request every INTERVAL seconds for DURATION seconds and
prints one line per request: `seq send_epoch rtt_ms` (rtt `-` if no reply
arrived within the timeout). Unlike ping(8), it never slows down or pauses
while replies are missing, so a timeline shows exactly what was lost.
Usage: pinger.py DEST [--interval 0.01] [--duration 30] [--timeout 1]
"""
import argparse
import os
import select
import socket
import struct
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dest")
    ap.add_argument("--interval", type=float, default=0.01)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--timeout", type=float, default=1.0)
    a = ap.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    sent, rtt = {}, {}
    start = time.time()
    seq = 0
    next_send = start
    while True:
        now = time.time()
        if now >= next_send and now - start < a.duration:
            seq += 1
            payload = struct.pack("!d", now) + b"fmc" * 8
            header = struct.pack("!BBHHH", 8, 0, 0, ident, seq & 0xFFFF)
            packet = struct.pack("!BBHHH", 8, 0, checksum(header + payload), ident, seq & 0xFFFF) + payload
            try:
                sock.sendto(packet, (a.dest, 0))
            except OSError:
                pass  # counted as lost
            sent[seq] = now
            next_send += a.interval
        if now - start >= a.duration + a.timeout:
            break
        ready, _, _ = select.select([sock], [], [], max(0.0, min(next_send - time.time(), 0.005)))
        if ready:
            data, _ = sock.recvfrom(2048)
            ihl = (data[0] & 0x0F) * 4
            icmp_type, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if icmp_type == 0 and rid == ident:
                # Match the 16-bit sequence to the latest request with it.
                match = max((s for s in sent if s & 0xFFFF == rseq), default=None)
                if match is not None and match not in rtt and time.time() - sent[match] <= a.timeout:
                    rtt[match] = (time.time() - sent[match]) * 1000
    for s in sorted(sent):
        print(f"{s} {sent[s]:.6f} {rtt[s]:.3f}" if s in rtt else f"{s} {sent[s]:.6f} -")


if __name__ == "__main__":
    main()
