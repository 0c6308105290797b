"""Small, pure helpers for HTTP messages as they appear in cassettes: headers, forms, bodies."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

Headers = Mapping[str, Any]


def header(headers: Headers | None, name: str) -> str | None:
    """First value of a header, matched case-insensitively (vcrpy stores lists of values)."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            if isinstance(value, (list, tuple)):
                return str(value[0]) if value else None
            return str(value)
    return None


def as_text(body: Any) -> str:
    """A body (str, bytes, vcrpy's {'string': …} or None) as text; undecodable bytes as latin-1."""
    if isinstance(body, Mapping):
        body = body.get("string", "")
    if body is None:
        return ""
    if isinstance(body, (bytes, bytearray)):
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(body).decode("latin-1")
    return str(body)


def parse_form(text: str) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded -> ordered (key, value) pairs, blanks kept."""
    return parse_qsl(text, keep_blank_values=True)


def multidict(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_type(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind == "application/json" or kind.endswith("+json")


def parse_json(text: str) -> tuple[bool, Any]:
    """(ok, value) for a JSON text; an empty text is not JSON."""
    if not text.strip():
        return False, None
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


@functools.lru_cache(maxsize=8192)
def snake_case(name: str) -> str:
    """`MessagingServiceSid` -> `messaging_service_sid` (Twilio's form-to-field naming)."""
    out: list[str] = []
    for i, ch in enumerate(name):
        if (
            ch.isupper()
            and i
            and (name[i - 1].islower() or name[i - 1].isdigit())
            or (
                ch.isupper()
                and i
                and i + 1 < len(name)
                and name[i + 1].islower()
                and name[i - 1].isupper()
            )
        ):
            out.append("_")
        out.append(ch.lower())
    return "".join(out).replace(".", "_")


def short(value: Any, limit: int = 60) -> str:
    """A value for a message: JSON-ish repr, cut to `limit` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
