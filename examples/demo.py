"""A two-minute tour of what twreplay knows about Twilio's API (run by `make demo`).

1. finds Twilio's OpenAPI spec; 2. resolves the URLs the Twilio SDK calls to spec operations;
3. validates the shared cassettes; 4. shows what a broken recording looks like; 5. coverage.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from twreplay.cli import main as twreplay
from twreplay.errors import SpecNotFoundError
from twreplay.spec.index import SpecIndex
from twreplay.validation import check_interaction

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "cassettes" / "demo" / "sms_session.yaml"
AC = "AC00000000000000000000000000000001"


def step(title: str) -> None:
    print(f"\n== {title}")


def run() -> int:
    step("1. Twilio's spec")
    try:
        index = SpecIndex()
    except SpecNotFoundError as exc:
        print(exc)
        return 2
    print(f"found {len(index.file_names())} spec files serving {len(index.hosts())} hosts")

    step("2. Which operation is this request? (the route index)")
    for method, url in [
        ("POST", f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages.json"),
        ("GET", f"https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/{AC}/Calls.json"),
        (
            "POST",
            "https://verify.twilio.com/v2/Services/VA0123456789abcdef0123456789abcdef/Verifications",
        ),
        ("GET", "https://messaging.twilio.com/v1/Services"),
        ("GET", "https://api.twilio.com/2010-04-01/NoSuchThing.json"),
    ]:
        match = index.resolve(method, url)
        target = f"{match.operation.operation_id} ({match.operation.file.name})" if match else "—"
        print(f"  {method:<5}{url[:88]:<90}-> {target}")

    step("3. Is this request what the spec wants? (an SMS with no 'To')")
    checked = check_interaction(
        index,
        method="POST",
        url=f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages.json",
        request_headers={"Authorization": "Basic eDp5"},
        request_body="From=%2B15005550006&Body=Hello",
    )
    for finding in checked.findings:
        print(f"  {finding.describe()}")

    step(f"4. twreplay validate {SAMPLE.relative_to(ROOT)}")
    twreplay(["validate", str(SAMPLE)])

    step("5. The same cassette, broken by hand: a number where the spec wants a string")
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "broken.yaml"
        text = re.sub(r'"num_segments":\s+"1"', '"num_segments": 1', SAMPLE.read_text(), count=1)
        broken.write_text(text)
        code = twreplay(["validate", str(broken)])
        print(f"  (exit status {code}: 0 clean, 1 findings, 2 unreadable)")

    step("6. twreplay coverage")
    twreplay(["coverage", str(SAMPLE)])
    return 0


if __name__ == "__main__":
    sys.exit(run())
