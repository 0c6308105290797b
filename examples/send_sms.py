"""Send an SMS and list messages, replayed from a cassette: no network, no charge.

    python examples/send_sms.py

Record it against the live API once (real credentials in the environment):

    TWREPLAY_RECORD_MODE=rewrite TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… \\
        python examples/send_sms.py
"""

from __future__ import annotations

import os
from pathlib import Path

from twilio.rest import Client

import twreplay

CASSETTE = Path(__file__).resolve().parent.parent / "cassettes" / "examples" / "send_sms.yaml"


@twreplay.use_cassette(CASSETTE)
def main() -> None:
    client = Client(
        os.environ.get("TWILIO_ACCOUNT_SID", "AC" + "1" * 32),
        os.environ.get("TWILIO_AUTH_TOKEN", "token"),
    )
    message = client.messages.create(
        to="+14155552671", from_="+15005550006", body="Your table for two is ready."
    )
    print(f"sent {message.sid} to {message.to}: {message.status}")
    for listed in client.messages.list(limit=5):
        print(f"  listed {listed.sid} {listed.status}")


if __name__ == "__main__":
    main()
