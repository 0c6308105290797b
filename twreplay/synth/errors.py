"""Twilio's error answers: the JSON shape, the codes, and the magic test numbers.

Facts come from the project's notes on the live API (`twilio-facts`, sections 1 and 2). Where a
code or message is not confirmed by a captured live response, the entry says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


@dataclass(frozen=True, slots=True)
class TwilioError:
    status: int
    code: int
    message: str
    details: dict[str, Any] | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "more_info": MORE_INFO.format(code=self.code),
            "status": self.status,
        }
        if self.details:
            out["details"] = self.details
        return out


def authenticate() -> TwilioError:
    # observed: {"code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.",
    # "message": "Authenticate", ...} with 401; the "no credentials" variant's detail differs.
    return TwilioError(401, 20003, "Authenticate")


def not_found(path: str, api_version: str) -> TwilioError:
    # observed: v2010 messages embed the whole path (with /2010-04-01 and .json); a v1 example
    # shows the path without its version segment ("/Services/undefined").
    shown = path
    if api_version != "2010-04-01" and path.startswith(f"/{api_version}/"):
        shown = path[len(api_version) + 1 :]
    return TwilioError(404, 20404, f"The requested resource {shown} was not found")


#: (operationId, parameter or one-of group) -> (code, message) for missing parameters.
MISSING: dict[tuple[str, str], tuple[int, str]] = {
    ("CreateMessage", "To"): (21604, "A 'To' phone number is required."),  # observed
    ("CreateMessage", "from"): (21603, "A 'From' phone number is required."),  # observed
    ("CreateMessage", "body"): (21602, "Message body is required."),  # observed (2012 text)
}

#: A generic invalid or missing parameter. The 400 status is what Twilio answers; the code is
#: NOT confirmed by a captured response (Twilio uses parameter-specific codes where it has
#: them): 20001 is used as a stand-in and is marked as such in `details`.
GENERIC_PARAMETER_CODE = 20001

# Magic test numbers (official test-credentials table; "(T)" rows are from the table as
# reproduced by third parties, "(O)" rows observed in Twilio's own snippet outputs).
_TO = {
    "CreateMessage": {
        "+15005550001": (
            21211,
            "The 'To' number +15005550001 is not a valid phone number.",
        ),  # T, text O
        "+15005550002": (
            21612,
            "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number: {from_} via SMS.",
        ),  # T; text unconfirmed
        "+15005550003": (
            21408,
            "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +15005550003.",
        ),  # T; text unconfirmed
        "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),  # T; text unconfirmed
        "+15005550009": (21614, "To number: +15005550009, is not a mobile number"),  # O
    },
    "CreateCall": {
        "+15005550001": (21217, "Phone number does not appear to be valid"),  # T; text unconfirmed
        "+15005550002": (21214, "'To' phone number cannot be reached"),  # T; text unconfirmed
        "+15005550003": (
            21215,
            "Account not authorized to call +14005550003. Perhaps you need to enable some international permissions: https://www.twilio.com/user/account/international",
        ),  # O (note the +1400 echo)
        "+15005550004": (21216, "Call blocked by Twilio blocklist"),  # T; text unconfirmed
    },
}
_FROM = {
    "CreateMessage": {
        "+15005550001": (
            21212,
            "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID.",
        ),  # T; text O
        "+15005550007": (
            21606,
            "The From phone number +15005550007 is not a valid, SMS-capable inbound phone number or short code for your account.",
        ),  # T; text unconfirmed
        "+15005550008": (
            21611,
            "This 'From' number has exceeded the maximum number of queued messages",
        ),  # T; text unconfirmed
    },
    "CreateCall": {
        "+15005550001": (
            21212,
            "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID.",
        ),  # T
    },
}
_PHONE_NUMBER = {
    "+15005550000": (21422, "+15005550000 is not available"),  # O
    "+15005550001": (21421, "+15005550001 is not a valid number"),  # O (shape of the message)
}
MAGIC_PREFIX = "+1500555"


_ADDRESS = re.compile(r"^\+?[1-9]\d{5,14}$|^[a-z]+:.+$")  # E.164 or a channel address
_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$|^\d{5,6}$")  # alphanumeric ID, short code


def magic(operation_id: str, form: dict[str, list[str]]) -> TwilioError | None:
    """The error a magic test number, or a malformed number, gets on Messages, Calls or
    IncomingPhoneNumbers."""
    to = (form.get("To") or [""])[-1]
    from_ = (form.get("From") or [""])[-1]
    if operation_id in ("CreateMessage", "CreateCall"):
        if to and not _ADDRESS.match(to):  # observed 21211 text (see the facts on errors)
            return TwilioError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if from_ and not (_ADDRESS.match(from_) or _SENDER.match(from_)):  # observed 21212 text
            return TwilioError(
                400,
                21212,
                f"The 'From' number {from_} is not a valid phone"
                " number, shortcode, or alphanumeric sender ID.",
            )
    if operation_id in _FROM and from_ in _FROM[operation_id]:
        code, text = _FROM[operation_id][from_]
        return TwilioError(400, code, text)
    if operation_id in _TO and to in _TO[operation_id]:
        code, text = _TO[operation_id][to]
        return TwilioError(400, code, text.format(from_=from_))
    if operation_id == "CreateIncomingPhoneNumber":
        number = (form.get("PhoneNumber") or [""])[-1]
        if number and number not in _PHONE_NUMBER and not _ADDRESS.match(number):
            return TwilioError(400, 21421, f"{number} is not a valid number")  # observed: "33 is …"
        if number in _PHONE_NUMBER:
            code, text = _PHONE_NUMBER[number]
            return TwilioError(400, code, text)
        if (form.get("AreaCode") or [""])[-1] == "533":  # T: no numbers available
            return TwilioError(400, 21452, "No phone numbers found in area code 533")
    return None
