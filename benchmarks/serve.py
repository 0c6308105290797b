"""`twreplay serve` under load: wrk over loopback, three requests, concurrency 1 and 16.

    .venv/bin/python benchmarks/serve.py [--seconds 5]

Needs `wrk` (Debian: apt-get install wrk). Starts the server as a subprocess, measures the time
from start to a healthy answer, resident memory (idle and after the load), requests per second,
p50/p99 latency and the server's CPU time per request (from /proc), and prints them next to
the figures measured for Prism 5.14 serving twilio_api_v2010.json on the same machine class.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

AC = "AC" + "1" * 32
AUTH = "Basic QUMxMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE6dG9rZW4="
PATH = f"/2010-04-01/Accounts/{AC}/Messages.json"
SCRIPTS = {
    "list messages (valid)": ("GET", None),
    "create message (valid)": ("POST", "To=%2B14155550123&From=%2B15005550006&Body=Hello"),
    "create message (invalid: no To, 400)": ("POST", "From=%2B15005550006&Body=Hello"),
}
# Prism 5.14 serving twilio_api_v2010.json, as measured for the same three requests
PRISM = {
    "rps": (430, 710),
    "p99_c16_ms": (40, 86),
    "cpu_ms_per_request": 1.9,
    "rss_idle_mb": 165,
    "rss_load_mb": 340,
    "ready_s": 1.85,
}


def lua(method: str, body: str | None) -> str:
    lines = [
        f'wrk.method = "{method}"',
        f'wrk.headers["Authorization"] = "{AUTH}"',
        'wrk.headers["Host"] = "api.twilio.com"',
    ]
    if body:
        lines.append('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"')
        lines.append(f'wrk.body = "{body}"')
    return "\n".join(lines) + "\n"


def proc_stat(pid: int) -> tuple[float, int]:
    """(CPU seconds used, resident kB) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    return cpu, rss


def parse_wrk(out: str) -> tuple[float, float, float, int]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(m.group(1)), m.group(2)  # type: ignore[union-attr]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return rps, pct("50"), pct("99"), total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("benchmarks/serve.py needs wrk (apt-get install wrk)")
        return 2
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "twreplay", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    line = server.stderr.readline()  # type: ignore[union-attr]
    url = re.search(r"(http://[\d.]+:\d+)", line).group(1)  # type: ignore[union-attr]
    while True:
        try:
            if requests.get(f"{url}/__twreplay/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.01)
    ready = time.perf_counter() - t0
    # drain the server's log so it never blocks on a full pipe
    drain = subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)
    _, rss_idle = proc_stat(server.pid)
    # every domain answerable: touch each of the spec's hosts once (each loads its spec files)
    from twreplay.spec.index import SpecIndex

    for host in SpecIndex().hosts():
        requests.get(f"{url}/{host}/v1/__warm", headers={"Authorization": AUTH}, timeout=5)
    _, rss_all = proc_stat(server.pid)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (method, body) in SCRIPTS.items():
            script = Path(tmp) / "s.lua"
            script.write_text(lua(method, body))
            for conns in (1, 16):
                threads = 1 if conns == 1 else 2
                cpu0, _ = proc_stat(server.pid)
                out = subprocess.run(
                    [
                        "wrk",
                        "-t",
                        str(threads),
                        "-c",
                        str(conns),
                        "-d",
                        f"{args.seconds}s",
                        "--latency",
                        "-s",
                        str(script),
                        url + PATH,
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                cpu1, _ = proc_stat(server.pid)
                rps, p50, p99, total = parse_wrk(out)
                non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                rows.append(
                    (
                        name,
                        conns,
                        rps,
                        p50,
                        p99,
                        (cpu1 - cpu0) * 1000 / max(total, 1),
                        int(non2xx.group(1)) if non2xx else 0,
                        total,
                    )
                )
    _, rss_load = proc_stat(server.pid)
    server.terminate()
    server.wait(timeout=10)
    drain.wait(timeout=5)

    print(
        f"ready (start to healthy): {ready * 1000:.0f} ms   (Prism: {PRISM['ready_s'] * 1000:.0f} ms)"
    )
    print(
        f"resident memory: {rss_idle / 1024:.0f} MB idle, {rss_all / 1024:.0f} MB with all 38 hosts"
        f" loaded, {rss_load / 1024:.0f} MB after the load"
        f"   (Prism: {PRISM['rss_idle_mb']} MB idle, up to {PRISM['rss_load_mb']} MB; one spec file)"
    )
    print(
        f"\n{'request':<38} {'conc':>4} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms/req':>10}"
        f" {'non-2xx':>8}"
    )
    for name, conns, rps, p50, p99, cpu, non2xx, _total in rows:
        print(f"{name:<38} {conns:>4} {rps:>8.0f} {p50:>7.2f} {p99:>7.2f} {cpu:>10.3f} {non2xx:>8}")
    best_c16 = [r for r in rows if r[1] == 16]
    worst_rps = min(r[2] for r in best_c16)
    print(
        f"\nPrism: {PRISM['rps'][0]}-{PRISM['rps'][1]} req/s, p99 {PRISM['p99_c16_ms'][0]}-"
        f"{PRISM['p99_c16_ms'][1]} ms at 16, {PRISM['cpu_ms_per_request']} ms CPU per request"
    )
    print(
        f"lowest twreplay req/s at concurrency 16: {worst_rps:.0f}"
        f" = {worst_rps / PRISM['rps'][1]:.1f}x Prism's best ({worst_rps / PRISM['rps'][0]:.1f}x its worst)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
