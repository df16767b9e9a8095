#!/usr/bin/env python3
"""The testbed's state file is never seen half written: one process rewrites it
for 1.5 s (as a VM's migration does) while this one reads it (as the transfer of
the VM's service's part, started at the same moment, does). Before saves were
atomic, most reads here failed to parse."""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "testbed"))
import fmc_testbed  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "state.json")
        state = fmc_testbed.State(path)
        state.data["hosts"] = {f"h{i}": {"site": "dc1", "blob": "x" * 2000} for i in range(50)}
        state.save()
        writer = subprocess.Popen([sys.executable, "-c", (
            "import sys, time; sys.path.insert(0, sys.argv[1]); import fmc_testbed\n"
            "s = fmc_testbed.State(sys.argv[2]); end = time.time() + 1.5\n"
            "while time.time() < end: s.save()"), os.path.dirname(fmc_testbed.__file__), path])
        reads = half = 0
        while writer.poll() is None:
            try:
                fmc_testbed.State(path)
                reads += 1
            except json.JSONDecodeError:
                half += 1
        leftovers = [f for f in os.listdir(work) if f != "state.json"]
    print(f"{reads} whole reads, {half} half-written, files left aside: {leftovers}")
    sys.exit(0 if half == 0 and reads > 100 and not leftovers and writer.returncode == 0 else 1)


if __name__ == "__main__":
    main()
