#!/usr/bin/python3
"""Holds one TCP session to an echo server for DURATION seconds, sending a
numbered line every INTERVAL seconds, and checks that every line comes back,
in order, on the same connection. Prints one JSON line:
{"sent", "echoed", "in_order", "error", "max_gap_ms"}; exit 0 if the session
survived whole. Usage: tcp_session.py HOST PORT [--duration 20] [--interval 0.1]
"""
import argparse
import json
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--interval", type=float, default=0.1)
    a = ap.parse_args()
    result = {"sent": 0, "echoed": 0, "in_order": True, "error": "", "max_gap_ms": 0.0}
    try:
        s = socket.create_connection((a.host, a.port), timeout=10)
        s.settimeout(0.05)
        buf, expected, last_echo = b"", 0, time.monotonic()
        end = time.monotonic() + a.duration
        next_send = time.monotonic()
        while time.monotonic() < end or (result["echoed"] < result["sent"] and time.monotonic() < end + 10):
            now = time.monotonic()
            if now >= next_send and now < end:
                s.sendall(f"line {result['sent']}\n".encode())
                result["sent"] += 1
                next_send += a.interval
            try:
                chunk = s.recv(4096)
                if not chunk:
                    raise ConnectionError("the server closed the connection")
                buf += chunk
            except socket.timeout:
                pass
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.decode() != f"line {expected}":
                    result["in_order"] = False
                expected += 1
                result["echoed"] += 1
                t = time.monotonic()
                result["max_gap_ms"] = max(result["max_gap_ms"], round((t - last_echo) * 1000, 1))
                last_echo = t
        s.close()
    except (OSError, ConnectionError) as e:
        result["error"] = str(e)
    print(json.dumps(result), flush=True)
    ok = not result["error"] and result["in_order"] and result["echoed"] == result["sent"] and result["sent"] > 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
