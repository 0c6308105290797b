"""The whole story in a minute (run by `make demo`).

1. replay a recorded SMS session through the real Twilio SDK, offline;
2. answer a request nobody recorded, from Twilio's spec;
3. validate the shared cassettes against the spec, and show what a broken one looks like;
4. audit them for credentials and personal data.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

import twreplay
from twreplay.cli import main as twreplay_cli
from twreplay.errors import SpecNotFoundError
from twreplay.spec.index import SpecIndex

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
SAMPLE = CASSETTES / "examples" / "send_sms.yaml"
ACCOUNT = "AC" + "1" * 32


def step(title: str) -> None:
    print(f"\n== {title}")


def run() -> int:
    try:
        index = SpecIndex()
    except SpecNotFoundError as exc:
        print(exc)
        return 2
    print(f"Twilio's spec: {len(index.file_names())} files, {len(index.hosts())} hosts")

    step(f"1. Replay {SAMPLE.relative_to(ROOT)} through the Twilio SDK (no network)")
    with twreplay.use_cassette(SAMPLE) as session:
        client = Client(ACCOUNT, "any-token")
        msg = client.messages.create(
            to="+14155552671", from_="+15005550006", body="Your table for two is ready."
        )
        print(f"  sent {msg.sid} to {msg.to} ({msg.status}); body: {msg.body!r}")
        print(f"  listed {len(client.messages.list(limit=5))} message(s)")
    print(f"  {len(session.replayed)} answered from the cassette; the cassette holds fakes")
    print("  (+12025550100, scrubbed-text-0000) and gave back the values this code sent.")

    step("2. A request nobody recorded: answered from Twilio's spec")
    with twreplay.use_cassette(None) as session:
        client = Client(ACCOUNT, "any-token")
        service = client.verify.v2.services.create(friendly_name="Demo login")
        check = client.verify.v2.services(service.sid).verifications.create(
            to="+14155552671", channel="sms"
        )
        print(
            f"  Verify service {service.sid} ({service.friendly_name!r}), created {service.date_created}"
        )
        print(f"  verification {check.sid}: {check.status} via {check.channel} to {check.to}")
        try:
            client.messages.create(to="+15005550001", from_="+15005550006", body="hi")
        except TwilioRestException as exc:
            print(f"  Twilio's magic number +15005550001 -> {exc.status}/{exc.code}: {exc.msg}")
    print(f"  {len(session.synthetic)} synthetic answers, {len(session.issues)} spec findings")

    step("3. twreplay validate cassettes/")
    twreplay_cli(["validate", str(CASSETTES)])
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "broken.yaml"
        text = re.sub(r'"num_segments":\s+"1"', '"num_segments": 1', SAMPLE.read_text(), count=1)
        broken.write_text(text)
        print("  ... and a copy broken by hand (a number where the spec wants a string):")
        code = twreplay_cli(["validate", str(broken)])
        print(f"  (exit status {code}: 0 clean, 1 findings, 2 unreadable)")

    step("4. twreplay audit cassettes/")
    twreplay_cli(["audit", str(CASSETTES)])
    return 0


if __name__ == "__main__":
    sys.exit(run())
