"""Benchmarks of twreplay's spec engine: cold start, route resolution, validation throughput.

Run from the repository root (or through `make bench`):

    python benchmarks/spec_engine.py            # full run, about 20 seconds
    python benchmarks/spec_engine.py --quick    # fewer repetitions, a few seconds

Twilio's spec is found as twreplay finds it (`$TWREPLAY_SPEC_DIR`, else the user cache).
Every figure is printed with its target; the exit status is 1 when a figure misses its target,
2 when the spec cannot be found or the benchmark data does not validate clean.

Standard library and twreplay (with its own dependencies) only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCOUNT = "AC" + "0123456789abcdef" * 2
AUTH = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjp0b2tlbg=="
API = "https://api.twilio.com/2010-04-01/Accounts/" + ACCOUNT
COLD_URL = API + "/Messages.json"

# Targets
COLD_START_MS = 300.0
RESOLVE_US = 20.0
VALIDATE_PER_S = 2000.0
INTERACTIONS = 2000  # recorded interactions validated per round (both modes)

# The child process of the cold-start benchmark: times itself from before `import twreplay`
# to after the first resolved route, and prints both figures back as JSON.
COLD_CHILD = f"""
import time
t0 = time.perf_counter()
import twreplay
t1 = time.perf_counter()
from twreplay.spec.index import SpecIndex
match = SpecIndex().resolve("POST", {COLD_URL!r})
t2 = time.perf_counter()
assert match is not None and match.operation.operation_id == "CreateMessage", match
import json
print(json.dumps({{"import": t1 - t0, "total": t2 - t0}}))
"""


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: float | None = None
    higher_is_better: bool = False

    @property
    def status(self) -> str:
        if self.target is None or self.value is None:
            return "info"
        ok = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "PASS" if ok else "FAIL"

    def value_text(self) -> str:
        return "n/a" if self.value is None else _fmt(self.value, self.unit)

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        return ("≥ " if self.higher_is_better else "≤ ") + _fmt(self.target, self.unit)


def _fmt(value: float, unit: str) -> str:
    if unit == "/s":
        return f"{value:,.0f} /s"
    if unit == "µs":
        return f"{value:.2f} µs"
    return f"{value:.1f} {unit}"


class BenchmarkDataError(Exception):
    """The benchmark's own inputs are wrong (a route not resolved, a body not clean)."""


def say(text: str = "") -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# 1. cold start


def bench_cold_start(runs: int, spec_dir: Path) -> list[Figure]:
    env = {**os.environ, "TWREPLAY_SPEC_DIR": str(spec_dir)}
    python = sys.executable

    def run(args: list[str]) -> tuple[float, str]:
        t0 = time.perf_counter()
        done = subprocess.run([python, *args], env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            raise BenchmarkDataError(f"child process failed:\n{done.stderr.strip()}")
        return wall, done.stdout

    # one untimed run each, so byte-code caches and the OS file cache are warm
    run(["-c", "pass"])
    run(["-c", COLD_CHILD])
    start_up, imports, totals, walls = [], [], [], []
    for _ in range(runs):
        start_up.append(run(["-c", "pass"])[0])
        wall, out = run(["-c", COLD_CHILD])
        child = json.loads(out.strip().splitlines()[-1])
        imports.append(child["import"])
        totals.append(child["total"])
        walls.append(wall)
    ms = 1000.0
    figures = [
        Figure(
            "interpreter start-up (python -c pass, wall)", statistics.median(start_up) * ms, "ms"
        ),
        Figure("import twreplay alone", statistics.median(imports) * ms, "ms"),
        Figure(
            "cold start: import + first api.twilio.com resolve",
            statistics.median(totals) * ms,
            "ms",
            COLD_START_MS,
        ),
        Figure("  same, whole child process (wall)", statistics.median(walls) * ms, "ms"),
    ]
    say(f"1. Cold start ({runs} fresh processes each, median)")
    for f in figures:
        say(f"   {f.name:<52} {f.value_text():>12}")
    say(
        "   runs (ms): "
        + ", ".join(f"{t * ms:.0f}" for t in totals)
        + f"  [min {min(totals) * ms:.1f}, max {max(totals) * ms:.1f}]"
    )
    return figures


# ---------------------------------------------------------------------------------------------
# 2. warm route resolution

RESOLVE_MIX: list[tuple[str, str, str | None]] = [
    # (method, url, the operationId it must resolve to; None: not Twilio)
    ("POST", API + "/Messages.json", "CreateMessage"),
    ("GET", API + "/Messages.json?PageSize=3", "ListMessage"),
    ("GET", API + "/Messages/SM0123456789abcdef0123456789abcdef.json", "FetchMessage"),
    (
        "GET",
        "https://verify.twilio.com/v2/Services/VA0123456789abcdef0123456789abcdef",
        "FetchService",
    ),
    (
        "POST",
        "https://verify.twilio.com/v2/Services/VA0123456789abcdef0123456789abcdef/Verifications",
        "CreateVerification",
    ),
    (
        "GET",
        "https://conversations.twilio.com/v1/Conversations/CH0123456789abcdef0123456789abcdef/Messages",
        "ListConversationMessage",
    ),
    (
        "GET",
        "https://messaging.twilio.com/v1/Services/MG0123456789abcdef0123456789abcdef",
        "FetchService",
    ),
    (
        "GET",
        "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/"
        + ACCOUNT
        + "/Calls/CA0123456789abcdef0123456789abcdef.json",
        "FetchCall",
    ),
    ("GET", "https://example.com/health", None),
]


def _check_route(index: Any, method: str, url: str, expected: str | None) -> None:
    match = index.resolve(method, url)
    got = match.operation.operation_id if match is not None else None
    if got != expected:
        raise BenchmarkDataError(f"{method} {url} resolved to {got}, expected {expected}")


def _per_call_us(fn: Callable[[], None], calls: int, rounds: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    return statistics.median(samples), samples


def bench_resolve(index: Any, rounds: int, repeat: int) -> list[Figure]:
    for method, url, expected in RESOLVE_MIX:
        _check_route(index, method, url, expected)  # also builds each host's routes
    mix = [(m, u) for m, u, _ in RESOLVE_MIX] * repeat
    resolve = index.resolve

    def run_mix() -> None:
        for method, url in mix:
            resolve(method, url)

    run_mix()  # warm-up
    median, samples = _per_call_us(run_mix, len(mix), rounds)
    say()
    say(f"2. Warm route resolution ({len(mix):,} resolve() calls per round, {rounds} rounds)")
    for method, url, expected in RESOLVE_MIX:
        one = [(method, url)] * max(1, len(mix) // len(RESOLVE_MIX))

        def run_one(one: list[tuple[str, str]] = one) -> None:
            for m, u in one:
                resolve(m, u)

        per_url, _ = _per_call_us(run_one, len(one), max(3, rounds // 3))
        shown = url if len(url) <= 78 else url[:75] + "..."
        say(f"   {per_url:6.2f} µs  {method:<4} {shown}  -> {expected}")
    figure = Figure("warm resolve(), median per call over the mix", median, "µs", RESOLVE_US)
    say(
        f"   mix: median {median:.2f} µs per call"
        f"  [rounds min {min(samples):.2f}, max {max(samples):.2f}]"
    )
    return [figure]


# ---------------------------------------------------------------------------------------------
# 3. validation throughput


def _date(i: int) -> str:
    return f"Thu, 24 Aug 2023 05:{i // 60 % 60:02d}:{i % 60:02d} +0000"


def _message(i: int, status: str, price: str | None) -> dict[str, Any]:
    sid = f"SM{i:032x}"
    return {
        "account_sid": ACCOUNT,
        "api_version": "2010-04-01",
        "body": f"Your verification code is {i % 10000:04d}",
        "date_created": _date(i),
        "date_sent": None if status == "queued" else _date(i + 2),
        "date_updated": _date(i + 2),
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": "+15005550006",
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": price,
        "price_unit": "USD",
        "sid": sid,
        "status": status,
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}/Media.json",
            "feedback": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}/Feedback.json",
        },
        "to": f"+1555010{i % 10000:04d}",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{sid}.json",
    }


def _verify_service(i: int) -> dict[str, Any]:
    sid = f"VA{i:032x}"
    return {
        "sid": sid,
        "account_sid": ACCOUNT,
        "friendly_name": f"My App {i}",
        "code_length": 6,
        "lookup_enabled": False,
        "psd2_enabled": False,
        "skip_sms_to_landlines": False,
        "dtmf_input_required": True,
        "tts_name": None,
        "do_not_share_warning_enabled": False,
        "custom_code_enabled": True,
        "push": {
            "include_date": False,
            "apn_credential_sid": None,
            "fcm_credential_sid": None,
        },
        "totp": {"issuer": None, "time_step": 30, "code_length": 6, "skew": 1},
        "default_template_sid": None,
        "whatsapp": {"msg_service_sid": None, "from": None},
        "passkeys": {"relying_party": {"id": None, "name": None, "origins": []}},
        "verify_event_subscription_enabled": False,
        "date_created": "2023-08-24T05:01:45Z",
        "date_updated": "2023-08-24T05:01:45Z",
        "url": f"https://verify.twilio.com/v2/Services/{sid}",
        "links": {
            "verification_checks": f"https://verify.twilio.com/v2/Services/{sid}/VerificationCheck",
            "verifications": f"https://verify.twilio.com/v2/Services/{sid}/Verifications",
            "rate_limits": f"https://verify.twilio.com/v2/Services/{sid}/RateLimits",
            "messaging_configurations": (
                f"https://verify.twilio.com/v2/Services/{sid}/MessagingConfigurations"
            ),
            "entities": f"https://verify.twilio.com/v2/Services/{sid}/Entities",
            "webhooks": f"https://verify.twilio.com/v2/Services/{sid}/Webhooks",
            "access_tokens": f"https://verify.twilio.com/v2/Services/{sid}/AccessTokens",
        },
    }


def _json_response(status: int, payload: dict[str, Any]) -> tuple[int, dict[str, list[str]], str]:
    headers = {
        "Content-Type": ["application/json; charset=utf-8"],
        "Twilio-Request-Id": ["RQ0123456789abcdef0123456789abcdef"],
        "X-Powered-By": ["AT-5000"],
    }
    return status, headers, json.dumps(payload)


def _create_message(i: int) -> dict[str, Any]:
    status, headers, body = _json_response(201, _message(i, "queued", None))
    to = f"%2B1555010{i % 10000:04d}"
    return {
        "method": "POST",
        "url": API + "/Messages.json",
        "request_headers": {
            "Authorization": [AUTH],
            "Content-Type": ["application/x-www-form-urlencoded"],
            "User-Agent": ["twilio-python/9.3.0 (Linux x86_64) Python/3.11.7"],
        },
        "request_body": f"To={to}&From=%2B15005550006&Body=Your+verification+code+is+{i % 10000:04d}",
        "status": status,
        "response_headers": headers,
        "response_body": body,
    }


def _fetch_message(i: int) -> dict[str, Any]:
    status, headers, body = _json_response(200, _message(i, "delivered", "-0.00790"))
    return {
        "method": "GET",
        "url": f"{API}/Messages/SM{i:032x}.json",
        "request_headers": {"Authorization": [AUTH], "Accept": ["application/json"]},
        "request_body": None,
        "status": status,
        "response_headers": headers,
        "response_body": body,
    }


def _list_messages(i: int) -> dict[str, Any]:
    base = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    envelope = {
        "end": 2,
        "first_page_uri": f"{base}?PageSize=3&Page=0",
        "next_page_uri": f"{base}?PageSize=3&Page=1&PageToken=PASM{i:032x}",
        "page": 0,
        "page_size": 3,
        "previous_page_uri": None,
        "start": 0,
        "uri": f"{base}?PageSize=3&Page=0",
        "messages": [
            _message(i, "delivered", "-0.00790"),
            _message(i + 1, "sent", "-0.00790"),
            _message(i + 2, "undelivered", None),
        ],
    }
    status, headers, body = _json_response(200, envelope)
    return {
        "method": "GET",
        "url": API + "/Messages.json?PageSize=3",
        "request_headers": {"Authorization": [AUTH], "Accept": ["application/json"]},
        "request_body": None,
        "status": status,
        "response_headers": headers,
        "response_body": body,
    }


def _fetch_verify_service(i: int) -> dict[str, Any]:
    status, headers, body = _json_response(200, _verify_service(i))
    return {
        "method": "GET",
        "url": f"https://verify.twilio.com/v2/Services/VA{i:032x}",
        "request_headers": {"Authorization": [AUTH], "Accept": ["application/json"]},
        "request_body": None,
        "status": status,
        "response_headers": headers,
        "response_body": body,
    }


# Interaction kinds, cycled: (name, expected operationId, builder(i) -> interaction dict)
KINDS: list[tuple[str, str, Callable[[int], dict[str, Any]]]] = [
    ("Messages create 201 (form body)", "CreateMessage", _create_message),
    ("Message fetch 200", "FetchMessage", _fetch_message),
    ("Messages list 200 (page of 3)", "ListMessage", _list_messages),
    ("Verify v2 Service fetch 200", "FetchService", _fetch_verify_service),
]


def build_interactions(count: int) -> list[tuple[str, str, dict[str, Any]]]:
    """`count` interactions cycling through KINDS: (kind name, operationId, interaction)."""
    out = []
    for i in range(count):
        name, op_id, build = KINDS[i % len(KINDS)]
        out.append((name, op_id, build(i)))
    return out


def _check_clean(index: Any, items: list[tuple[str, str, dict[str, Any]]]) -> None:
    from twreplay.validation import check_interaction

    for n, (name, op_id, it) in enumerate(items):
        checked = check_interaction(index, **it, profile="lenient", from_cassette=True)
        got = checked.match.operation.operation_id if checked.match else None
        if got != op_id or checked.findings:
            lines = [f"interaction {n} ({name}, {it['method']} {it['url']}) is not clean:"]
            lines.append(f"  resolved to {got}, expected {op_id}")
            lines += [f"  {f.describe()}" for f in checked.findings]
            raise BenchmarkDataError("\n".join(lines))


def bench_validation(index: Any, count: int, rounds: int, file_runs: int) -> list[Figure]:
    from twreplay.validation import check_interaction

    items = build_interactions(count)
    _check_clean(index, items)  # fail loudly on a bad benchmark, and the warm-up pass
    calls = [it for _, _, it in items]

    def run_all(calls: list[dict[str, Any]] = calls) -> None:
        for it in calls:
            check_interaction(index, **it, profile="lenient", from_cassette=True)

    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        run_all()
        samples.append(time.perf_counter() - t0)
    rate = count / statistics.median(samples)
    say()
    say(
        f"3. Validation throughput, in memory ({count:,} interactions, lenient profile,"
        f" {rounds} rounds after a warm-up pass)"
    )
    for name, op_id, _ in KINDS:
        subset = [it for kind, _, it in items if kind == name]
        per, _ = _per_call_us(lambda s=subset: run_all(s), len(subset), max(1, rounds // 2))
        say(f"   {per:8.1f} µs per interaction  {name} [{op_id}]")
    say(
        f"   all kinds: {rate:,.0f} interactions/s"
        f"  [rounds {', '.join(f'{count / s:,.0f}' for s in samples)}]"
    )
    return [
        Figure("validation throughput, in memory", rate, "/s", VALIDATE_PER_S, True),
        *bench_cassette(index, items, file_runs),
    ]


def _vcr_interaction(it: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": {
            "body": it["request_body"],
            "headers": it["request_headers"],
            "method": it["method"],
            "uri": it["url"],
        },
        "response": {
            "body": {"string": it["response_body"]},
            "headers": it["response_headers"],
            "status": {"code": it["status"], "message": "Created" if it["status"] == 201 else "OK"},
        },
    }


def bench_cassette(
    index: Any, items: list[tuple[str, str, dict[str, Any]]], runs: int
) -> list[Figure]:
    import yaml

    from twreplay.cassette import load_cassette
    from twreplay.report import ValidationReport

    try:  # as vcrpy writes cassettes: the C emitter where PyYAML has it
        from yaml import CDumper as Dumper
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import Dumper  # type: ignore[assignment]
    try:  # the loader twreplay itself uses
        from yaml import CSafeLoader as SafeLoader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader  # type: ignore[assignment]

    count = len(items)
    data = {"interactions": [_vcr_interaction(it) for _, _, it in items], "version": 1}
    with tempfile.TemporaryDirectory(prefix="twreplay-bench-") as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(yaml.dump(data, Dumper=Dumper), encoding="utf-8")
        size_mb = path.stat().st_size / 1e6
        loads, totals, parses = [], [], []
        for n in range(runs):
            t0 = time.perf_counter()
            cassette = load_cassette(path)
            t1 = time.perf_counter()
            report = ValidationReport(profile="lenient")
            report.add_cassette(cassette, index)
            t2 = time.perf_counter()
            if n == 0 and (report.checked != count or report.skipped or report.items):
                raise BenchmarkDataError(
                    f"the cassette did not validate clean: {report.summary()}\n"
                    + report.render_text()
                )
            loads.append(t1 - t0)
            totals.append(t2 - t0)
            # for comparison: the YAML parse alone, with the same loader
            t3 = time.perf_counter()
            yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506
            parses.append(time.perf_counter() - t3)
    total, load, parse = (statistics.median(x) for x in (totals, loads, parses))
    rate = count / total
    say()
    say(
        f"   through a cassette file ({count:,} interactions, {size_mb:.1f} MB of YAML,"
        f" {runs} run{'s' if runs > 1 else ''}, median): {rate:,.0f} interactions/s"
    )
    say(
        f"   load_cassette() {load * 1000:.0f} ms ({count / load:,.0f} interactions/s alone;"
        f" the bare yaml.load of the file takes {parse * 1000:.0f} ms),"
        f" add_cassette() {(total - load) * 1000:.0f} ms"
    )
    return [
        Figure(
            "validation throughput, cassette file (load + report)",
            rate,
            "/s",
            VALIDATE_PER_S,
            True,
        )
    ]


# ---------------------------------------------------------------------------------------------


def print_table(figures: list[Figure]) -> None:
    rows = [("figure", "value", "target", "status")]
    rows += [(f.name, f.value_text(), f.target_text(), f.status) for f in figures]
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    say()
    for n, row in enumerate(rows):
        say(
            f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip()
        )
        if n == 0:
            say("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a few seconds)")
    args = parser.parse_args(argv)

    from twreplay.errors import SpecNotFoundError
    from twreplay.spec.index import SpecIndex
    from twreplay.spec.locate import find_spec_dir

    try:
        spec_dir = find_spec_dir().resolve()
    except SpecNotFoundError as exc:
        print(f"spec_engine: {exc}", file=sys.stderr)
        return 2

    if args.quick:
        cold_runs, resolve_rounds, resolve_repeat, rounds, file_runs = 3, 5, 500, 2, 1
    else:
        cold_runs, resolve_rounds, resolve_repeat, rounds, file_runs = 7, 15, 2000, 7, 3

    say(
        f"twreplay spec engine benchmarks{' (quick)' if args.quick else ''}:"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs,"
        f" spec {sum(1 for _ in spec_dir.glob('twilio_*.json'))} files"
    )
    say()
    figures: list[Figure] = []
    try:
        figures += bench_cold_start(cold_runs, spec_dir)
        index = SpecIndex(spec_dir)
        figures += bench_resolve(index, resolve_rounds, resolve_repeat)
        gc.collect()
        figures += bench_validation(index, INTERACTIONS, rounds, file_runs)
    except BenchmarkDataError as exc:
        print(f"\nspec_engine: benchmark data problem: {exc}", file=sys.stderr)
        return 2
    print_table(figures)
    return 1 if any(f.status == "FAIL" for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
