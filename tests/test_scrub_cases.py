"""Scrubbing and replay in the cases found hardest: JSON request bodies, numbers in paths,
secrets the spec does not mark, SIDs in free text, malformed cassettes."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import requests

import twreplay
from twreplay.audit import audit_cassette
from twreplay.cassette import dump_cassette, parse_cassette
from twreplay.scrub import Scrubber, ScrubConfig, scrub_cassette_text
from twreplay.synth import SyntheticEngine

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
AUTH = "Basic " + base64.b64encode(f"{ACCOUNT}:secrettoken1".encode()).decode()


def interaction(method, uri, body=None, response=None, ctype="application/json"):
    headers = {"Authorization": [AUTH]}
    if body is not None:
        headers["Content-Type"] = [ctype]
    return {
        "request": {"method": method, "uri": uri, "headers": headers, "body": body},
        "response": {
            "status": {"code": 201 if method == "POST" else 200, "message": ""},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": json.dumps(response or {})},
        },
    }


def test_json_request_bodies_lose_personal_data_and_secrets(index, tmp_path) -> None:
    port_in = {
        "phone_numbers": [{"phone_number": "+14155552671", "pin": "1234"}],
        "losing_carrier_information": {
            "customer_name": "Jane Q Doe",
            "account_telephone_number": "4155552671",
            "authorized_representative_email": "jane.doe@corp.com",
            "address": {"street": "742 Evergreen Terrace", "city": "Springfield", "zip": "97403"},
        },
        "notification_emails": ["jane.doe@corp.com"],
    }
    segment = {
        "segment_credential": {"profile_api_key": "pk_live_abcdef", "write_key": "WRITEKEY98765"}
    }
    text = dump_cassette(
        [
            interaction(
                "POST", "https://numbers.twilio.com/v1/Porting/PortIn", json.dumps(port_in)
            ),
            interaction(
                "POST",
                "https://assistants.twilio.com/v1/Assistants",
                json.dumps(segment),
                response=segment,
            ),
        ]
    )
    scrubbed, changed = scrub_cassette_text(text, index)
    assert scrubbed is not None and changed == 2
    for value in (
        "Jane Q Doe",
        "4155552671",
        "jane.doe@corp.com",
        "Evergreen",
        "Springfield",
        "97403",
        "WRITEKEY98765",
        "pk_live_abcdef",
        '"1234"',
    ):
        assert value not in scrubbed, value
    path = tmp_path / "c.yaml"
    path.write_text(text)
    leaks = audit_cassette(parse_cassette(text, path), index)
    assert {leak.kind for leak in leaks} >= {"personal-data", "secret-field", "email"}
    path.write_text(scrubbed)
    assert audit_cassette(parse_cassette(scrubbed, path), index) == []


def test_numbers_in_paths_and_sids_in_free_text(index) -> None:
    scrubber = Scrubber(ScrubConfig(from_environment=False), index)
    other = "AC" + "fe" * 16
    request = {
        "method": "GET",
        "headers": {"Authorization": [AUTH]},
        "body": None,
        "uri": "https://lookups.twilio.com/v2/PhoneNumbers/4155552671?CountryCode=US",
    }
    response = {
        "status": {"code": 200, "message": ""},
        "headers": {},
        "body": {
            "string": json.dumps(
                {"phone_number": "+14155552671", "note": f"owned by {other}", "country_code": "US"}
            )
        },
    }
    clean_request, clean_response = scrubber.scrub_interaction(request, response)
    text = json.dumps([clean_request, clean_response])
    assert "4155552671" not in text and other not in text and ACCOUNT not in text
    assert clean_request["uri"].endswith("?CountryCode=US")  # a country code identifies nobody
    assert '\\"country_code\\": \\"US\\"' in text


def test_a_scrubbed_json_request_replays_with_the_real_values(index, tmp_path) -> None:
    body = {
        "friendly_name": "order-confirmation",
        "language": "en",
        "types": {"twilio/text": {"body": "Hi {{1}}"}},
    }
    answer = {"sid": "HX" + "1" * 32, "friendly_name": "order-confirmation", "language": "en"}
    text, _ = scrub_cassette_text(
        dump_cassette(
            [interaction("POST", "https://content.twilio.com/v1/Content", json.dumps(body), answer)]
        ),
        index,
    )
    assert "order-confirmation" not in text
    path = tmp_path / "content.yaml"
    path.write_text(text)
    with twreplay.use_cassette(path, synthetic=False) as session:
        r = requests.post(
            "https://content.twilio.com/v1/Content", json=body, auth=(ACCOUNT, "x"), timeout=5
        )
    assert r.json()["friendly_name"] == "order-confirmation"
    assert len(session.replayed) == 1


def test_synthetic_answers_echo_json_bodies(index) -> None:
    engine = SyntheticEngine(index)
    headers = {"Authorization": "Basic eDp5", "Content-Type": "application/json"}
    sent = {
        "friendly_name": "order-confirmation",
        "language": "fr",
        "types": {"twilio/text": {"body": "Bonjour"}},
    }
    created = engine.answer(
        "POST", "https://content.twilio.com/v1/Content", headers, json.dumps(sent)
    ).json()
    assert (created["friendly_name"], created["language"]) == ("order-confirmation", "fr")
    assert created["types"] == sent["types"]
    fetched = engine.answer(
        "GET", f"https://content.twilio.com/v1/Content/{created['sid']}", headers
    ).json()
    assert fetched["friendly_name"] == "order-confirmation"


def test_odd_cassettes_are_named_not_tracebacks(spec_dir, tmp_path) -> None:
    cases = {
        "headers.yaml": "interactions:\n- request: {method: GET, uri: 'https://api.twilio.com/x',"
        " headers: 7}\n  response: {status: {code: 200}}\n",
        "ipv6.yaml": "interactions:\n- request: {method: GET, uri: 'http://[::1/x'}\n"
        "  response: {status: {code: 200}}\n",
        "body.yaml": "interactions:\n- request: {method: GET, uri: 'https://api.twilio.com/x'}\n"
        "  response: {status: {code: 200}, body: {string: {a: 1}}}\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    env = {"TWREPLAY_SPEC_DIR": str(spec_dir), "PATH": ""}
    for command in ("validate", "audit", "scrub", "coverage"):
        proc = subprocess.run(
            [sys.executable, "-m", "twreplay", command, str(tmp_path)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert "Traceback" not in proc.stderr + proc.stdout, (command, proc.stderr)
        out = proc.stdout + proc.stderr
        assert "headers.yaml:2: interaction 0: `request.headers` must be a mapping" in out, command
    for name in cases:
        try:
            with twreplay.use_cassette(tmp_path / name):
                raise AssertionError("must not open")
        except twreplay.CassetteFormatError as exc:
            assert name in str(exc)


def test_other_hosts_lose_credentials_but_keep_their_fields() -> None:
    scrubber = Scrubber(ScrubConfig(from_environment=False))
    request = {
        "method": "GET",
        "uri": "https://api.example.com/users?email=jane@corp.com",
        "headers": {"Authorization": ["Bearer sekret-token-123"]},
        "body": None,
    }
    response = {
        "status": {"code": 200, "message": ""},
        "headers": {},
        "body": {"string": json.dumps({"email": "jane@corp.com", "password": "hunter2x"})},
    }
    clean_request, clean_response = scrubber.scrub_interaction(request, response)
    assert clean_request["headers"]["Authorization"] == ["Bearer [scrubbed]"]
    assert json.loads(clean_response["body"]["string"]) == {
        "email": "jane@corp.com",
        "password": "[scrubbed]",
    }
    assert "sekret-token-123" not in json.dumps([clean_request, clean_response])
