"""Measures one Jupyter kernel for bench/kernel-compare.ts and prints one JSON object.

usage: kernel_driver.py <kernel_name> <work_dir> [--cells N] [--starts N] [--round-trips N]
       kernel_driver.py <kernel_name> <work_dir> --round-trip-only 1 [--round-trips N]
Runs with /usr/bin/python3 (Debian's jupyter_client); JUPYTER_PATH must point at the kernelspecs.
--round-trip-only measures one fresh kernel's start-up and `1+1` round trip, nothing else: kernel-compare
runs it in rounds that alternate between the kernels, so that load from other work on a shared
machine falls on every kernel alike.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import nbformat
from jupyter_client.manager import KernelManager


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def kernel_pid(km):
    return km.provisioner.process.pid


def start(name):
    """Starts the kernel and returns (km, kc, seconds from process start to kernel_info_reply)."""
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    # ZeroMQ queues the request until the kernel binds, so this measures process start → reply.
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    return km, kc, time.perf_counter() - t0


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def execute(kc, code):
    t0 = time.perf_counter()
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=120)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - t0
    if reply["content"]["status"] != "ok":
        raise RuntimeError("cell failed: %r → %r" % (code, reply["content"]))
    return elapsed


def round_trip(kc, trips):
    """Median `1+1` execute round trip in ms, after five warm-up cells."""
    for _ in range(5):
        execute(kc, "1+1")
    return statistics.median(execute(kc, "1+1") for _ in range(trips)) * 1000


def main():
    name, work = sys.argv[1], sys.argv[2]
    opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
    cells = int(opts.get("--cells", 200))
    starts = int(opts.get("--starts", 5))
    trips = int(opts.get("--round-trips", 50))
    out = {"kernel": name}
    if opts.get("--round-trip-only") == "1":
        km, kc, out["startup_s"] = start(name)
        try:
            time.sleep(1.0)  # as below: lazy start-up work settles first
            out["roundtrip_ms"] = round_trip(kc, trips)
        finally:
            stop(km, kc)
        print(json.dumps(out))
        return

    startup = []
    for _ in range(starts):
        km, kc, seconds = start(name)
        startup.append(seconds)
        stop(km, kc)
    out["startup_s"] = statistics.median(startup)

    km, kc, _ = start(name)
    try:
        time.sleep(1.0)  # let lazy start-up work (a background compiler load) settle before sampling
        out["rss_start_mb"] = rss_mb(kernel_pid(km))
        out["roundtrip_ms"] = round_trip(kc, trips)
        times = []
        try:
            for i in range(cells):
                code = "const v%d: number = %d;\nfunction f%d(x: number): number { return x + v%d; }\nf%d(1)" % (i, i, i, i, i)
                times.append(execute(kc, code))
        except Exception as e:  # a kernel that hangs or fails mid-way still gets its other figures
            out["decl_failed_at_cell"] = len(times) + 1
            out["decl_error"] = repr(e)[:200]
        if times:
            out["decl_first20_ms"] = statistics.median(times[:20]) * 1000
            out["decl_last20_ms"] = statistics.median(times[-20:]) * 1000
            out["cells_run"] = len(times)
        out["rss_after_cells_mb"] = rss_mb(kernel_pid(km))
    finally:
        stop(km, kc)

    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("1 + 1"))
    nb.metadata["kernelspec"] = {"name": name, "display_name": name, "language": "typescript"}
    path = os.path.join(work, "one-cell-%s.ipynb" % name)
    nbformat.write(nb, path)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.kernel_name=" + name, path, "--output", path + ".out.ipynb"],
        check=True, capture_output=True, cwd=work,
    )
    out["nbconvert_s"] = time.perf_counter() - t0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
