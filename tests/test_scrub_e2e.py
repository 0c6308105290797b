"""Nothing secret or personal reaches a cassette, in any encoding; the test still passes offline."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import requests
import vcr
from twilio.rest import Client

import twreplay

from .standin import StandIn, resolve_twilio_to

ACCOUNT = "AC" + "5a" * 16
TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"  # the auth token: 32 hex, like Twilio's
API_KEY = "SK" + "4b" * 16
API_SECRET = "apisecret-Zq9Xw8Vu7Ts6Rr5Qp4On3Mm2"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqYW5lIn0.c2lnbmF0dXJlLXNlY3JldA"
PHONE = "+14155552671"
OTHER_PHONE = "+442071838750"
EMAIL = "jane.doe@corp.example.org"
BODY = "Hi Jane, your appointment is at 10"
NAME = "Jane Doe Reminders"


def encodings(value: str) -> set[str]:
    forms = {
        value,
        quote(value, safe=""),
        quote_plus(value),
        value.upper(),
        value.lower(),
        base64.b64encode(value.encode()).decode(),
    }
    return {f for f in forms if len(f) >= 6}


def planted(server: StandIn) -> dict[str, set[str]]:
    return {
        "auth token": encodings(TOKEN),
        "basic credentials": {
            base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode(),
            base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode(),
        },
        "api key secret": encodings(API_SECRET),
        "bearer token": encodings(BEARER),
        "account sid": encodings(ACCOUNT),
        "api key sid": encodings(API_KEY),
        "account auth_token field": encodings(server.httpd.account_token),
        "key secret field": encodings(server.httpd.key_secret),
        "phone number": encodings(PHONE) | encodings(OTHER_PHONE),
        "email": encodings(EMAIL),
        "message body": encodings(BODY),
        "friendly name": encodings(NAME),
    }


def session_story(client: Client, key_client: Client) -> dict:
    """A test that touches secrets and personal data in every position."""
    out = {}
    msg = client.messages.create(to=PHONE, from_="+15005550006", body=BODY)
    out["to"], out["body"] = msg.to, msg.body
    out["fetched_to"] = client.messages(msg.sid).fetch().to
    out["listed"] = [m.to for m in client.messages.list(to=PHONE)]  # personal data in the query
    account = client.api.v2010.accounts(client.account_sid).fetch()  # auth_token in the answer
    out["account"] = account.sid
    key = client.new_keys.create(friendly_name=NAME)  # key `secret` in the answer
    out["key_name"] = key.friendly_name
    number = key_client.lookups.v2.phone_numbers(OTHER_PHONE).fetch()  # a number in the path
    out["lookup"] = number.phone_number
    # odd positions: a token in the query, URL userinfo, a Bearer header, an email in JSON
    url = f"https://{ACCOUNT}:{TOKEN}@api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages/{msg.sid}.json"
    r = requests.get(url, params={"Token": TOKEN}, timeout=5)
    out["userinfo_status"] = r.status_code
    r = requests.get(
        f"https://verify.twilio.com/v2/Services/VA{'1' * 32}",
        headers={"Authorization": f"Bearer {BEARER}", "X-Contact": EMAIL},
        timeout=5,
    )
    out["bearer_status"] = r.status_code
    return out


def test_planted_secrets_never_reach_the_cassette_and_replay_still_passes(
    standin, tmp_path, spec_dir
) -> None:
    path = tmp_path / "secrets.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        live = session_story(Client(ACCOUNT, TOKEN), Client(API_KEY, API_SECRET, ACCOUNT))
    assert live["to"] == PHONE and live["body"] == BODY and live["lookup"] == OTHER_PHONE
    raw = path.read_bytes()
    text = raw.decode()
    leaks = {
        kind: sorted(f for f in forms if f in text) for kind, forms in planted(standin).items()
    }
    assert {k: v for k, v in leaks.items() if v} == {}
    # the story was recorded: fakes of the right shape stand in for the real values
    assert "+12025550100" in text and "AC00000000000000000000000000000001" in text
    assert '"auth_token": "[scrubbed]"' in text and '"secret": "[scrubbed]"' in text

    # the same test, offline, with the real values: the cassette never held them
    served = len(standin.state.requests)
    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:
        replayed = session_story(Client(ACCOUNT, TOKEN), Client(API_KEY, API_SECRET, ACCOUNT))
    assert replayed == live
    assert len(standin.state.requests) == served
    assert s.synthetic == [] and len(s.replayed) == 8


def run_cli(*args: str, spec_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twreplay", *args],
        capture_output=True,
        text=True,
        env={"TWREPLAY_SPEC_DIR": str(spec_dir), "PATH": ""},
        check=False,
    )


def test_audit_and_scrub_commands(standin, tmp_path, spec_dir) -> None:
    raw_path = tmp_path / "raw.yaml"
    # recorded by plain vcrpy, as teams do today: everything lands in the file
    with resolve_twilio_to(standin.port), vcr.use_cassette(str(raw_path), record_mode="once"):
        session_story(Client(ACCOUNT, TOKEN), Client(API_KEY, API_SECRET, ACCOUNT))
    basic = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert basic in raw_path.read_text()
    # audit finds every kind of planted value
    audit = run_cli("audit", str(raw_path), "--format", "json", spec_dir=spec_dir)
    assert audit.returncode == 1, audit.stderr
    kinds = {leak["kind"] for leak in json.loads(audit.stdout)["leaks"]}
    assert kinds >= {
        "credential-header",
        "basic-credentials",
        "bearer-token",
        "secret-field",
        "account-sid",
        "api-key-sid",
        "phone-number",
        "email",
        "personal-data",
    }
    assert TOKEN not in audit.stdout and PHONE not in audit.stdout  # never printed in full
    # scrub --check reports and changes nothing; scrub fixes; a second scrub changes nothing
    before = raw_path.read_bytes()
    check = run_cli("scrub", str(raw_path), "--check", spec_dir=spec_dir)
    assert check.returncode == 1 and "would scrub" in check.stdout
    assert raw_path.read_bytes() == before
    assert run_cli("scrub", str(raw_path), spec_dir=spec_dir).returncode == 0
    clean = run_cli("audit", str(raw_path), spec_dir=spec_dir)
    assert clean.returncode == 0, clean.stdout
    assert clean.stdout.strip().endswith("1 cassette audited: clean.")
    scrubbed = raw_path.read_bytes()
    again = run_cli("scrub", str(raw_path), "--check", spec_dir=spec_dir)
    assert again.returncode == 0 and "nothing to scrub." in again.stdout
    assert run_cli("scrub", str(raw_path), spec_dir=spec_dir).returncode == 0
    assert raw_path.read_bytes() == scrubbed
    text = scrubbed.decode()
    for forms in planted(standin).values():
        assert not [f for f in forms if f in text]
