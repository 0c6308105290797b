"""`twreplay audit`: find credentials and personal data left in cassettes (pure).

Looks at every string of every interaction (URL, headers, bodies), decoded from URL and JSON
encodings, and at fields by name. Reports where and what kind, never the value in full.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .cassette import CassetteFile, Interaction
from .scrub import (
    _COUNTRY,
    SCRUBBED,
    SECRET_HEADERS,
    SPEC_PII_NAMES,
    Scrubber,
    is_fake,
    is_personal_name,
    is_secret_name,
)
from .spec.index import SpecIndex, normalize_host
from .wire import snake_case

_PERSONAL_KINDS = frozenset({"phone-number", "email", "personal-data"})
_PHONE_ANYWHERE = re.compile(r"(?<![\w+])\+[1-9]\d{7,14}(?!\d)")
_EMAIL_ANYWHERE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_SID_ANYWHERE = re.compile(r"\b(AC|SK)[0-9a-fA-F]{32}\b")
_BASIC = re.compile(r"\bBasic\s+([A-Za-z0-9+/=]{8,})")
_BEARER = re.compile(r"\bBearer\s+([A-Za-z0-9._~+/=-]{8,})")


@dataclass(frozen=True, slots=True)
class Leak:
    """Something secret or personal found in a cassette."""

    file: str
    interaction: int
    line: int | None
    location: str  # request.uri, request.headers.Authorization, response.body.auth_token, …
    kind: str  # credential-header, basic-credentials, bearer-token, url-userinfo, secret-field,
    # account-sid, api-key-sid, phone-number, email, personal-data
    excerpt: str  # the value, masked

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: interaction {self.interaction}: {self.location}: {self.kind} ({self.excerpt})"


def mask(value: str) -> str:
    """Enough to recognise a value, never enough to use it."""
    value = str(value)
    if len(value) <= 6:
        return "*" * len(value)
    return f"{value[:4]}…({len(value)} chars)"


def audit_cassette(cassette: CassetteFile, index: SpecIndex | None = None) -> list[Leak]:
    scrubber = Scrubber(index=index)
    leaks: list[Leak] = []
    for it in cassette.interactions:
        seen: set[tuple[str, str, str]] = set()
        twilio = normalize_host(urlsplit(it.uri).hostname or "") is not None
        for location, kind, value in _interaction_leaks(it, scrubber):
            if not twilio and kind in _PERSONAL_KINDS:
                continue  # other hosts' personal fields are theirs to judge; credentials are not
            key = (location, kind, value)
            if key not in seen:
                seen.add(key)
                leaks.append(
                    Leak(str(cassette.path), it.index, it.line, location, kind, mask(value))
                )
    return leaks


def _interaction_leaks(it: Interaction, scrubber: Scrubber) -> Iterator[tuple[str, str, str]]:
    op = scrubber._operation(it.method, it.uri)
    pii = scrubber.pii_names(op)
    asked = pii | SPEC_PII_NAMES  # what a request may carry: the spec marks no request field
    parts = urlsplit(it.uri)
    if "@" in parts.netloc:
        yield "request.uri", "url-userinfo", parts.netloc.rpartition("@")[0]
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        yield from _param_leaks(f"request.query.{name}", name, value, asked)
    for side, headers in (("request", it.request_headers), ("response", it.response_headers)):
        for name, values in (headers or {}).items():
            for value in values if isinstance(values, list) else [values]:
                text = str(value)
                if name.lower() in SECRET_HEADERS and not text.endswith(SCRUBBED):
                    yield f"{side}.headers.{name}", "credential-header", text
                yield from _text_leaks(f"{side}.headers.{name}", text)
    yield from _text_leaks("request.uri", unquote(it.uri))
    body = it.request_body
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str) and body:
        if body.lstrip()[:1] in ("{", "["):
            yield from _json_leaks("request.body", body, asked)
        else:
            for name, value in parse_qsl(body, keep_blank_values=True):
                yield from _param_leaks(f"request.body.{name}", name, value, asked)
        yield from _text_leaks("request.body", unquote(body))
    response = it.response_body
    if isinstance(response, bytes):
        response = response.decode("utf-8", errors="replace")
    if response:
        yield from _json_leaks("response.body", response, pii)
        yield from _text_leaks("response.body", response)


def _param_leaks(
    location: str, name: str, value: str, pii: frozenset[str]
) -> Iterator[tuple[str, str, str]]:
    if not value or is_fake(value) or _COUNTRY.fullmatch(value):
        return
    if is_secret_name(name):
        yield location, "secret-field", value
    elif snake_case(name.split(".")[-1]) in pii or is_personal_name(name):
        yield location, "personal-data", value


def _json_leaks(location: str, text: str, pii: frozenset[str]) -> Iterator[tuple[str, str, str]]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    yield from _walk(location, data, pii)


def _walk(location: str, value: Any, pii: frozenset[str]) -> Iterator[tuple[str, str, str]]:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            here = f"{location}.{key}"
            if isinstance(sub, str) and sub and not is_fake(sub) and not _COUNTRY.fullmatch(sub):
                if is_secret_name(key):
                    yield here, "secret-field", sub
                    continue
                if key in pii or is_personal_name(key):
                    yield here, "personal-data", sub
                    continue
            yield from _walk(here, sub, pii)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _walk(f"{location}[{i}]", sub, pii)


def _text_leaks(location: str, text: str) -> Iterator[tuple[str, str, str]]:
    for m in _SID_ANYWHERE.finditer(text):
        if not is_fake(m.group(0)):
            yield location, "account-sid" if m.group(1) == "AC" else "api-key-sid", m.group(0)
    for m in _PHONE_ANYWHERE.finditer(text):
        if not is_fake(m.group(0)):
            yield location, "phone-number", m.group(0)
    for m in _EMAIL_ANYWHERE.finditer(text):
        if not is_fake(m.group(0)) and not m.group(0).endswith("example.com"):
            yield location, "email", m.group(0)
    for m in _BASIC.finditer(text):
        try:
            decoded = base64.b64decode(m.group(1), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
        if ":" in decoded:
            yield location, "basic-credentials", m.group(1)
    for m in _BEARER.finditer(text):
        if m.group(1) != SCRUBBED:
            yield location, "bearer-token", m.group(1)


def audit_paths(
    paths: list[Path], index: SpecIndex | None
) -> tuple[list[Leak], list[Exception], int]:
    """(leaks, unreadable files, files read) for cassette files."""
    from .cassette import load_cassette
    from .errors import CassetteFormatError

    leaks: list[Leak] = []
    unreadable: list[Exception] = []
    count = 0
    for path in paths:
        try:
            cassette = load_cassette(path)
        except CassetteFormatError as exc:
            unreadable.append(exc)
            continue
        count += 1
        try:
            leaks.extend(audit_cassette(cassette, index))
        except Exception as exc:  # a shape no check foresaw: report the file, audit the others
            unreadable.append(CassetteFormatError(path, f"could not be audited ({exc!r})"))
    return leaks, unreadable, count
