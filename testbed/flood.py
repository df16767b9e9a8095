#!/usr/bin/env python3
"""Table-miss traffic from an interface as fast as a raw socket sends it:
frames from 4096 random source MACs to an unknown destination, cycled, so
that each is a PACKET_IN at an OpenFlow switch. Runs for SECONDS (or until
SIGINT/SIGTERM) and prints how many frames it sent.
Usage: flood.py IFACE [SECONDS]   (in the host's namespace, as root)
"""
import os
import signal
import socket
import sys
import time


def main():
    iface = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else float("inf")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    frames = [b"\x02\x00\x00\x0e\x00\x01" + bytes([2]) + os.urandom(5) + b"\x08\x00" + bytes(46) for _ in range(4096)]
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    sent, deadline = 0, time.monotonic() + seconds
    while not stop and time.monotonic() < deadline:
        for f in frames:
            s.send(f)
        sent += len(frames)
    print(sent, flush=True)


if __name__ == "__main__":
    main()
