"""Twilio-aware request matching, in vcrpy's convention (pure: no vcrpy import here).

Two requests match when they have the same method; the same host after normalising region and
edge forms; the same path after replacing the AccountSid (a cassette recorded under one account
replays under any other); the same query parameters as a multiset; and the same body: form
bodies as a multiset of pairs, JSON bodies as JSON, anything else byte for byte.

`RequestShape.key` is hashable, so a cassette is indexed by it and a lookup costs the same
whatever the cassette's size.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .scrub import SCRUBBED, is_fake, is_placeholder, masked_param, phone_segment
from .spec.index import normalize_host
from .wire import header, media_type

ACCOUNT_PLACEHOLDER = "AC" + "0" * 32
_ACCOUNT_IN_PATH = re.compile(r"(/Accounts/)AC[0-9a-fA-F]{32}(?=[/.]|$)")
_FORM = "application/x-www-form-urlencoded"


def form_text(body: Mapping[str, Any]) -> str:
    """A dict body (as aiohttp takes it) encoded the way the sync client encodes it."""
    return urlencode([(str(k), v) for k, v in body.items()], doseq=True)


def body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, Mapping):
        return form_text(body).encode()
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return str(body).encode("utf-8")


@dataclass(frozen=True, slots=True)
class RequestShape:
    """What matching looks at in a request, normalised."""

    method: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    body_kind: str  # empty | form | json | raw
    body: Any  # sorted pairs, canonical JSON text, or bytes
    twilio: bool
    #: values of personal parameters, masked in `key`: ((where, name), value), in key order
    personal: tuple[tuple[tuple[str, str], str], ...] = ()

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.method, self.host, self.path, self.query, self.body_kind, self.body)


def shape(
    method: str, uri: str, body: Any, headers: Mapping[str, Any] | None = None
) -> RequestShape:
    host, port, path, query_text = _split(uri)
    base = _base_host(host)
    personal: list[tuple[tuple[str, str], str]] = []
    if base is not None:
        host = base
        if "/Accounts/" in path:
            found = _ACCOUNT_IN_PATH.search(path)
            if found:  # not in the key (any account matches) but bound like a personal value
                personal.append((("account", ""), found.group(0).rsplit("/", 1)[-1]))
            path = _ACCOUNT_IN_PATH.sub(r"\g<1>" + ACCOUNT_PLACEHOLDER, path)
        if "%2B" in path or "+" in path:
            segments = path.split("/")
            for i, seg in enumerate(segments):
                if phone_segment(seg):
                    personal.append((("path", str(i)), seg))
                    segments[i] = MASK
            path = "/".join(segments)
    elif port:
        host = f"{host}:{port}"
    query = tuple(sorted(parse_qsl(query_text, keep_blank_values=True))) if query_text else ()
    kind: str
    canonical: Any
    if body is None or body == b"" or body == "":
        kind, canonical = "empty", b""
    else:
        kind, canonical = _body_key(body, header(headers, "Content-Type"))
    if base is not None:
        query = _mask("query", query, personal)
        if kind == "form":
            canonical = _mask("body", canonical, personal)
        elif kind == "json":
            canonical = _mask_json_text(canonical, personal)
    return RequestShape(
        method.upper(), host, path, query, kind, canonical, base is not None, tuple(personal)
    )


#: What a personal value becomes in a match key (its recorded value may be a scrubbed fake).
MASK = "\x00personal"


def _mask(
    where: str, pairs: tuple[tuple[str, str], ...], personal: list[tuple[tuple[str, str], str]]
) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in pairs:
        if masked_param(name):
            personal.append(((where, name), value))
            out.append((name, MASK))
        else:
            out.append((name, value))
    return tuple(out)


def _mask_json_text(text: str, personal: list[tuple[tuple[str, str], str]]) -> str:
    """Canonical JSON with personal values (by their field names) masked, like form bodies."""

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for key in sorted(value):
                sub = value[key]
                here = f"{path}.{key}"
                if isinstance(sub, str) and masked_param(key):
                    personal.append((("json", here), sub))
                    out[key] = MASK
                else:
                    out[key] = walk(sub, here)
            return out
        if isinstance(value, list):
            return [walk(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value

    masked = walk(json.loads(text), "")
    return json.dumps(masked, sort_keys=True, separators=(",", ":"))


def consistent(
    recorded: RequestShape, live: RequestShape, bound: dict[str, str], reverse: dict[str, str]
) -> list[tuple[str, str]] | None:
    """The (fake, real) pairs that let `recorded` stand for `live`, or None if it cannot.

    A recorded value that is not a fake must equal the live one; a fake must stand for the same
    live value wherever it appears in the session (and no two fakes for one value).
    """
    pairs: list[tuple[str, str]] = []
    local: dict[str, str] = {}
    for (where_r, rec), (where_l, real) in zip(recorded.personal, live.personal, strict=False):
        if where_r != where_l:
            return None
        if where_r[0] == "account" and not is_fake(rec):
            continue  # a cassette recorded under one account replays under any other
        if rec in (real, SCRUBBED) or _plus(rec) == _plus(real):
            continue
        if not is_placeholder(_plus(rec)):
            return None
        fake, value = _plus(rec), _plus(real)
        if bound.get(fake, value) != value or reverse.get(value, fake) != fake:
            return None
        if local.get(fake, value) != value:
            return None
        local[fake] = value
        pairs.append((fake, value))
    return pairs


def _plus(value: str) -> str:
    from urllib.parse import unquote

    return unquote(value) if "%" in value else value


def _split(uri: str) -> tuple[str, int | None, str, str]:
    """(host, port, path, query) of an absolute URL; the common shapes without urlsplit."""
    scheme, sep, rest = uri.partition("://")
    if sep and "@" not in rest and "[" not in rest:
        netloc, slash, tail = rest.partition("/")
        tail, _, _fragment = tail.partition("#")
        path, _, query = (slash + tail).partition("?")
        name, colon, port = netloc.partition(":")
        if not colon or port.isdigit():
            return name.lower(), int(port) if colon else None, path, query
    parts = urlsplit(uri)
    return (parts.hostname or "").lower(), parts.port, parts.path, parts.query


@functools.lru_cache(maxsize=512)
def _base_host(host: str) -> str | None:
    return normalize_host(host)


def _body_key(body: Any, content_type: str | None) -> tuple[str, Any]:
    if isinstance(body, Mapping):
        pairs = [
            (str(k), str(x))
            for k, v in body.items()
            for x in (v if isinstance(v, (list, tuple)) else [v])
        ]
        return "form", tuple(sorted(pairs))
    raw = body_bytes(body)
    if not raw:
        return "empty", b""
    kind = media_type(content_type)
    if kind == "application/json" or kind.endswith("+json") or (not kind and raw[:1] in b"{["):
        try:
            return "json", json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
        except ValueError:
            return "raw", raw
    if kind in ("", _FORM):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return "raw", raw
        if kind == _FORM or "=" in text:
            return "form", tuple(sorted(parse_qsl(text, keep_blank_values=True)))
    return "raw", raw


def differences(wanted: RequestShape, recorded: RequestShape) -> list[str]:
    """Field-level reasons why `recorded` does not match `wanted` (empty: they match)."""
    out: list[str] = []
    if wanted.method != recorded.method:
        out.append(f"method: {wanted.method} vs recorded {recorded.method}")
    if wanted.host != recorded.host:
        out.append(f"host: {wanted.host} vs recorded {recorded.host}")
    if wanted.path != recorded.path:
        out.append(f"path: {wanted.path} vs recorded {recorded.path}")
    if wanted.query != recorded.query:
        out.append("query " + _pair_diff(wanted.query, recorded.query))
    if (wanted.body_kind, wanted.body) != (recorded.body_kind, recorded.body):
        if wanted.body_kind == recorded.body_kind == "form":
            out.append("body " + _pair_diff(wanted.body, recorded.body))
        else:
            out.append(f"body ({wanted.body_kind} vs recorded {recorded.body_kind}) differs")
    return out


def _pair_diff(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> str:
    da, db = dict(a), dict(b)
    parts = []
    for k in sorted(set(da) | set(db)):
        if k not in db:
            parts.append(f"{k}={_cut(da[k])!r} not recorded")
        elif k not in da:
            parts.append(f"{k} recorded as {_cut(db[k])!r} but not sent")
        elif da[k] != db[k]:
            parts.append(f"{k}={_cut(da[k])!r} vs recorded {_cut(db[k])!r}")
    if not parts:
        parts.append("repeated values differ")
    return "; ".join(parts)


def _cut(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
