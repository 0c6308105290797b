"""Synthetic answers: their cost per SDK call against plain vcrpy's replay floor.

Warm: `Client.messages.create(...)` and `Client.messages(sid).fetch()` answered by the
synthetic engine inside `twreplay.use_cassette(None)` (validation on, as by default), against
plain vcrpy replaying a one-interaction cassette of the same call (the floor of the
interception path). Cold: a fresh process importing twreplay, loading the spec and answering
one request.

    .venv/bin/python benchmarks/synthetic.py [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from replay import build, per_call, plain  # the floor, measured the same way
from twilio.rest import Client

import twreplay

AC = "AC" + "1" * 32
COLD = """
import time
t0 = time.perf_counter()
from twilio.rest import Client  # the SDK's own import: paid with or without twreplay
t1 = time.perf_counter()
import twreplay
with twreplay.use_cassette(None):
    Client("AC" + "1" * 32, "token").messages.create(to="+15550100001", from_="+15005550006", body="hi")
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def synthetic_per_call(calls: int, rounds: int, fetch: bool) -> float:
    timings = []
    with twreplay.use_cassette(None):
        client = Client(AC, "token")
        sid = client.messages.create(to="+15550100001", from_="+15005550006", body="warm").sid
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(calls):
                if fetch:
                    client.messages(sid).fetch()
                else:
                    client.messages.create(to="+15550100001", from_="+15005550006", body="hi")
            timings.append((time.perf_counter() - t0) / calls)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds, calls = (3, 100) if args.quick else (7, 300)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "one.yaml"
        sids = build(path, 1)
        floor, _ = per_call(plain, path, sids * calls, rounds)
    create = synthetic_per_call(calls, rounds, fetch=False)
    fetch = synthetic_per_call(calls, rounds, fetch=True)
    sdk, colds = [], []
    for _ in range(3 if args.quick else 5):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
        )
        first, second = out.stdout.split()
        sdk.append(float(first))
        colds.append(float(second))
    cold = statistics.median(colds)
    rows = [
        ("floor: plain vcrpy replay, 1-interaction cassette", f"{floor * 1e3:.3f} ms", "-", ""),
        (
            "synthetic messages.create, per call",
            f"{create * 1e3:.3f} ms",
            f"{create / floor:.2f}x floor",
            "PASS" if create / floor <= 1.5 else "FAIL",
        ),
        (
            "synthetic messages(sid).fetch, per call",
            f"{fetch * 1e3:.3f} ms",
            f"{fetch / floor:.2f}x floor",
            "PASS" if fetch / floor <= 1.5 else "FAIL",
        ),
        (
            "cold: import twreplay + spec + first answer",
            f"{cold * 1e3:.0f} ms",
            "<= 300 ms",
            "PASS" if cold <= 0.3 else "FAIL",
        ),
        (
            "  (before it: the twilio SDK's own import)",
            f"{statistics.median(sdk) * 1e3:.0f} ms",
            "-",
            "",
        ),
    ]
    for name, value, ratio, status in rows:
        print(f"{name:<50} {value:>10}  {ratio:>12}  {status}")
    print("targets: synthetic per call <= 1.5x the floor; cold first answer <= 300 ms")
    return 0 if all(r[3] != "FAIL" for r in rows) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
