"""Scrubbing, property by property: idempotent, and a planted secret never survives it."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from twreplay.cassette import dump_cassette
from twreplay.scrub import SPEC_PII_NAMES, Scrubber, scrub_cassette_text

ACCOUNT = "AC" + "ab" * 16
tokens = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=20)
phones = st.integers(min_value=2_000_000_000, max_value=9_899_999_999).map(lambda n: f"+1{n}")
ENCODINGS = {
    "raw": lambda s: s,
    "quote": lambda s: quote(s, safe=""),
    "quote_plus": quote_plus,
    "upper": str.upper,
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
}
POSITIONS = ["query", "form", "header", "json-field", "json-text", "url-path", "response-header"]


def interaction(
    token: str, position: str, encoded: str, phone: str, body: str
) -> tuple[dict, dict]:
    auth = base64.b64encode(f"{ACCOUNT}:{token}".encode()).decode()
    uri = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    form = {"To": phone, "From": "+15005550006", "Body": body}
    headers = {
        "Authorization": [f"Basic {auth}"],
        "Content-Type": ["application/x-www-form-urlencoded"],
    }
    response_body = {"to": phone, "body": body, "account_sid": ACCOUNT, "status": "queued"}
    response_headers = {"Content-Type": ["application/json"]}
    if position == "query":
        uri += "?" + urlencode({"Note": encoded})
    elif position == "form":
        form["Note"] = encoded
    elif position == "header":
        headers["X-Note"] = [encoded]
    elif position == "json-field":
        response_body["auth_token"] = encoded
    elif position == "json-text":
        response_body["note"] = f"see {encoded} here"
    elif position == "url-path":
        uri = uri.replace("Messages.json", f"Messages/{quote(encoded, safe='')}.json")
    elif position == "response-header":
        response_headers["X-Note"] = [encoded]
    request = {"method": "POST", "uri": uri, "headers": headers, "body": urlencode(form)}
    response = {
        "status": {"code": 201, "message": "Created"},
        "headers": response_headers,
        "body": {"string": json.dumps(response_body)},
    }
    return request, response


@settings(max_examples=200, deadline=None)
@given(tokens, st.sampled_from(POSITIONS), st.sampled_from(sorted(ENCODINGS)), phones, words)
def test_a_planted_secret_never_survives(token, position, encoding, phone, body) -> None:
    encoded = ENCODINGS[encoding](token)
    request, response = interaction(token, position, encoded, phone, body)
    clean_request, clean_response = Scrubber().scrub_interaction(request, response)
    text = json.dumps([clean_request, clean_response])
    for form in {
        token,
        token.upper(),
        quote(token),
        base64.b64encode(token.encode()).decode(),
        base64.b64encode(f"{ACCOUNT}:{token}".encode()).decode(),
        encoded,
    }:
        assert form not in text, (position, encoding)
    assert ACCOUNT not in text and ACCOUNT.upper() not in text
    assert phone not in text and quote(phone, safe="") not in text
    # idempotent: a second pass changes nothing
    again = Scrubber().scrub_interaction(clean_request, clean_response)
    assert again == (clean_request, clean_response)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(phones, words), min_size=1, max_size=6))
def test_one_value_one_fake_and_whole_cassettes_are_idempotent(pairs) -> None:
    interactions = []
    for phone, body in pairs:
        request, response = interaction("0" * 32, "form", "x", phone, body)
        interactions.append({"request": request, "response": response})
    text = dump_cassette(interactions)
    scrubbed, changed = scrub_cassette_text(text)
    assert scrubbed is not None and changed == len(pairs)
    again, changed_again = scrub_cassette_text(scrubbed)
    assert again is None and changed_again == 0
    # the same real number gets the same fake everywhere; different numbers differ
    scrubber = Scrubber()
    fakes = {phone: scrubber.fake(phone) for phone, _ in pairs}
    assert len(set(fakes.values())) == len(set(fakes))


def test_spec_pii_names_match_the_spec(spec_dir) -> None:
    """The built-in list equals a scan of the spec's `x-twilio.pii` property marks."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "pii" in (sub.get("x-twilio") or {}):
                    found.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in spec_dir.glob("twilio_*.json"):
        walk(json.loads(path.read_text()))
    assert found == set(SPEC_PII_NAMES)
