"""Replay speed: twreplay vs plain vcrpy, through the real twilio SDK (sync client).

Builds cassettes of 1, 200 and 2,000 distinct Message fetches, then replays every interaction
once per round through `Client.messages(sid).fetch()`, under `twreplay.use_cassette` and under
plain `vcr.use_cassette`. Prints the median time per SDK call, the cassette load time and the
ratios. The floor is plain vcrpy replaying a one-interaction cassette (the cost of requests,
urllib3 and vcrpy's stubs themselves).

    .venv/bin/python benchmarks/replay.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import vcr
from twilio.rest import Client

import twreplay
from twreplay.cassette import dump_cassette, load_cassette

AC = "AC" + "1" * 32


def message(sid: str) -> str:
    return json.dumps(
        {
            "account_sid": AC,
            "api_version": "2010-04-01",
            "body": f"Message {sid[-6:]}",
            "date_created": "Mon, 01 Jan 2024 10:00:00 +0000",
            "date_sent": None,
            "date_updated": "Mon, 01 Jan 2024 10:00:00 +0000",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": "+15005550006",
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "delivered",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{AC}/Messages/{sid}/Media.json"},
            "to": "+15550100001",
            "uri": f"/2010-04-01/Accounts/{AC}/Messages/{sid}.json",
        },
        indent=2,
    )


def build(path: Path, n: int) -> list[str]:
    sids = [f"SM{i:032x}" for i in range(n)]
    interactions = [
        {
            "request": {
                "body": None,
                "headers": {"Accept": ["application/json"], "Authorization": ["Basic [scrubbed]"]},
                "method": "GET",
                "uri": f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages/{sid}.json",
            },
            "response": {
                "body": {"string": message(sid)},
                "headers": {"Content-Type": ["application/json"]},
                "status": {"code": 200, "message": "OK"},
            },
        }
        for sid in sids
    ]
    path.write_text(dump_cassette(interactions))
    return sids


def per_call(use, path: Path, sids: list[str], calls: int) -> tuple[float, float]:
    """(median seconds per SDK call over rounds, seconds to enter the cassette = load)."""
    client = Client(AC, "token")
    client.messages(sids[0])  # build the SDK's objects once
    timings, loads = [], []
    for _ in range(calls):
        t0 = time.perf_counter()
        with use(path):
            t1 = time.perf_counter()
            for sid in sids:
                client.messages(sid).fetch()
            t2 = time.perf_counter()
        loads.append(t1 - t0)
        timings.append((t2 - t1) / len(sids))
    return statistics.median(timings), statistics.median(loads)


def plain(path: Path):
    return vcr.use_cassette(str(path), record_mode="none", allow_playback_repeats=True)


def ours(path: Path):
    return twreplay.use_cassette(
        path, record_mode="none", validate="off", allow_playback_repeats=True
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    gc.collect()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cassettes = {
            n: (folder / f"c{n}.yaml", build(folder / f"c{n}.yaml", n)) for n in (1, 200, 2000)
        }
        # the floor: plain vcrpy, one interaction, replayed many times
        path1, sids1 = cassettes[1]
        floor, _ = per_call(plain, path1, sids1 * 300, rounds)
        rows = []
        for n in (200, 2000):
            path, sids = cassettes[n]
            t0 = time.perf_counter()
            load_cassette(path)
            parse = time.perf_counter() - t0
            vcr_rounds = (
                1 if n == 2000 else rounds
            )  # plain vcrpy is quadratic: one round is minutes
            v_call, v_load = per_call(plain, path, sids, vcr_rounds)
            t_call, t_load = per_call(ours, path, sids, rounds)
            rows.append((n, v_call, t_call, v_load, t_load, parse))
    print(f"floor: plain vcrpy, 1-interaction cassette: {floor * 1e3:.3f} ms per SDK call\n")
    print(
        f"{'interactions':>12}  {'vcrpy/call':>10}  {'twreplay/call':>13}  {'speed-up':>8}"
        f"  {'vs floor':>8}  {'vcrpy load':>10}  {'twreplay load':>13}"
    )
    ok = True
    for n, v_call, t_call, v_load, t_load, _ in rows:
        ratio_floor = t_call / floor
        ok &= ratio_floor <= 1.2 and (n != 2000 or t_load <= 0.150)
        print(
            f"{n:>12}  {v_call * 1e3:>8.3f}ms  {t_call * 1e3:>11.3f}ms  {v_call / t_call:>7.1f}x"
            f"  {ratio_floor:>7.2f}x  {v_load * 1e3:>8.0f}ms  {t_load * 1e3:>11.0f}ms"
        )
    print(
        "\ntargets: twreplay per call within 1.2x of the floor at 200 and 2,000 interactions;"
        " 2,000-interaction cassette loads in <= 150 ms"
    )
    print("status:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
