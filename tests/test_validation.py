"""Request and response checks, one rule at a time, as the SDKs send requests."""

from __future__ import annotations

import base64

import pytest

from twreplay.validation import check_interaction

AC = "AC" + "0" * 32
BASE = f"https://api.twilio.com/2010-04-01/Accounts/{AC}"
BASIC = {"Authorization": "Basic " + base64.b64encode(f"{AC}:token".encode()).decode()}
FORM = {**BASIC, "Content-Type": "application/x-www-form-urlencoded"}


def findings(index, method, url, headers=None, body=None, **kw):
    result = check_interaction(
        index, method=method, url=url, request_headers=headers, request_body=body, **kw
    )
    return {(f.location, f.field, f.keyword, f.severity) for f in result.findings}, result


def test_valid_sdk_message_create(index) -> None:
    got, result = findings(
        index,
        "POST",
        f"{BASE}/Messages.json",
        FORM,
        "To=%2B15550100001&From=%2B15005550006&Body=Hi",
    )
    assert got == set()
    assert result.match.operation.operation_id == "CreateMessage"


def test_async_client_form_body_as_dict(index) -> None:
    # aiohttp hands the body over as the dict given as `data`
    got, _ = findings(
        index,
        "POST",
        f"{BASE}/Messages.json",
        {"AUTHORIZATION": BASIC["Authorization"]},
        {"To": "+15550100001", "MessagingServiceSid": "MG" + "1" * 32, "MediaUrl": ["https://a/b"]},
    )
    assert got == set()


def test_one_of_groups_give_twilio_codes(index) -> None:
    _, result = findings(index, "POST", f"{BASE}/Messages.json", FORM, "To=%2B15550100001")
    groups = {f.field: (f.twilio_status, f.twilio_code) for f in result.findings}
    assert groups == {
        "From | MessagingServiceSid": (400, 21603),
        "Body | MediaUrl | ContentSid": (400, 21602),
    }


def test_no_credentials(index) -> None:
    _, result = findings(index, "GET", f"{BASE}/Messages.json")
    (auth,) = result.findings
    assert (auth.location, auth.field, auth.keyword) == ("header", "Authorization", "auth")
    assert (auth.twilio_status, auth.twilio_code) == (401, 20003)
    assert auth.severity == "error"
    # in a cassette, the header may have been filtered on purpose: a warning only
    _, result = findings(index, "GET", f"{BASE}/Messages.json", from_cassette=True)
    assert [f.severity for f in result.findings] == ["warning"]


def test_bearer_where_basic_is_required(index) -> None:
    _, result = findings(index, "GET", f"{BASE}/Messages.json", {"Authorization": "Bearer x.y.z"})
    assert [f.message for f in result.findings] == [
        "bearer credentials where the operation needs Basic"
    ]


def test_query_parameters_typed_after_decoding(index) -> None:
    got, _ = findings(
        index, "GET", f"{BASE}/Messages.json?PageSize=20&DateSent%3C=2024-01-01", BASIC
    )
    assert got == set()
    got, result = findings(index, "GET", f"{BASE}/Messages.json?PageSize=lots", BASIC)
    assert got == {("query", "PageSize", "type", "error")}
    assert "expected integer" in result.findings[0].message


def test_boolean_and_enum_form_values(index) -> None:
    url = "https://verify.twilio.com/v2/Services"
    got, _ = findings(index, "POST", url, FORM, "FriendlyName=App&LookupEnabled=true")
    assert got == set()
    got, _ = findings(index, "POST", url, FORM, "FriendlyName=App&LookupEnabled=maybe")
    assert got == {("body", "LookupEnabled", "type", "error")}


def test_unknown_parameters_are_warnings(index) -> None:
    got, _ = findings(index, "GET", f"{BASE}/Messages.json?Colour=red", BASIC)
    assert got == {("query", "Colour", "unknown-parameter", "warning")}


def test_json_request_body(index) -> None:
    url = "https://content.twilio.com/v1/Content"
    headers = {**BASIC, "Content-Type": "application/json"}
    got, _ = findings(index, "POST", url, headers, "not json")
    assert got == {("body", "", "content-type", "error")}


@pytest.mark.parametrize("profile", ["strict", "lenient"])
def test_error_responses(index, profile) -> None:
    error = '{"code": 20404, "message": "not found", "more_info": "https://x", "status": 404}'
    _, result = findings(
        index,
        "GET",
        f"{BASE}/Messages/SM{'1' * 32}.json",
        BASIC,
        status=404,
        response_body=error,
        profile=profile,
    )
    kinds = [f.keyword for f in result.findings]
    assert kinds == ([] if profile == "lenient" else ["status"])
    _, result = findings(
        index,
        "GET",
        f"{BASE}/Messages/SM{'1' * 32}.json",
        BASIC,
        status=404,
        response_body='{"error": "nope"}',
        profile=profile,
    )
    assert "required" in [f.keyword for f in result.findings]


def test_non_twilio_is_not_checked(index) -> None:
    result = check_interaction(index, method="GET", url="https://example.com/x")
    assert result.twilio is False and result.findings == ()


def test_unknown_profile_is_refused(index) -> None:
    with pytest.raises(ValueError, match="use one of strict, lenient"):
        check_interaction(index, method="GET", url=f"{BASE}/Messages.json", profile="loose")
