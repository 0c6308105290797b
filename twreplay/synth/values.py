"""Values that look real, generated from a schema and a seeded random generator.

Pure and deterministic: the same schema, field name, generator state and clock give the same
value. Nothing here reads the wall clock or the global random generator.
"""

from __future__ import annotations

import importlib
import random
import re
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

from ..spec.index import deref

# the regular-expression parser of the standard library (renamed in 3.11; the old name warns)
_sre_parse: Any = importlib.import_module(
    "re._parser" if sys.version_info >= (3, 11) else "sre_parse"
)

#: Synthetic time starts here and advances one second per request (never the wall clock).
EPOCH = datetime(2024, 1, 1, 9, 0, 0, tzinfo=timezone.utc)
_SID = re.compile(
    r"^\^?\(?([A-Z]{2})(?:\|[A-Z]{2})*\)?\[(?:0-9a-fA-F|0-9a-f|0-9A-Fa-f)\]\{32\}\$?$"
)
_HEX = "0123456789abcdef"


class Clock:
    """A deterministic clock: `tick()` once per request."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self.now = start

    def tick(self) -> datetime:
        self.now = self.now + timedelta(seconds=1)
        return self.now


def rfc2822(when: datetime) -> str:
    """`Mon, 01 Jan 2024 09:00:01 +0000`, as the 2010-04-01 API writes dates."""
    return format_datetime(when.astimezone(timezone.utc)).replace("-0000", "+0000")


def iso8601(when: datetime) -> str:
    """`2024-01-01T09:00:01Z`: exactly what twilio-python's deserializer parses."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sid_prefix(schema: dict[str, Any]) -> str | None:
    m = _SID.match(schema.get("pattern", "") or "")
    return m.group(1) if m else None


def new_sid(prefix: str, rng: random.Random) -> str:
    return f"{prefix}{rng.getrandbits(128):032x}"


class Generator:
    """Builds values for one answer: a seeded generator, the time of the answer, the document."""

    def __init__(self, document: dict[str, Any], rng: random.Random, when: datetime) -> None:
        self.document = document
        self.rng = rng
        self.when = when

    def value(self, schema: Any, name: str = "", depth: int = 0) -> Any:
        schema = deref(self.document, schema) if isinstance(schema, dict) else {}
        if depth > 6:
            return None if schema.get("nullable") else _empty(schema)
        for key in ("allOf", "oneOf", "anyOf"):
            if schema.get(key):
                return self.value(schema[key][0], name, depth + 1)
        if "enum" in schema:
            values = [v for v in schema["enum"] if v is not None]
            return values[0] if values else None
        kind = schema.get("type")
        if kind == "object" or (kind is None and "properties" in schema):
            return {
                prop: self.value(sub, prop, depth + 1)
                for prop, sub in (schema.get("properties") or {}).items()
            }
        if kind == "array":
            count = int(schema.get("minItems", 0) or 0)
            return [
                self.value(schema.get("items", {}), name, depth + 1) for _ in range(min(count, 3))
            ]
        if kind == "integer":
            return max(int(schema.get("minimum", 0)), 0) if "minimum" in schema else 0
        if kind == "number":
            return float(schema.get("minimum", 0))
        if kind == "boolean":
            return False
        if kind == "string":
            return self.string(schema, name)
        return None

    def string(self, schema: dict[str, Any], name: str) -> str:
        prefix = sid_prefix(schema)
        if prefix:
            return new_sid(prefix, self.rng)
        fmt = schema.get("format")
        if fmt == "date-time-rfc-2822":
            return rfc2822(self.when)
        if fmt == "date-time":
            return iso8601(self.when)
        if fmt == "date":
            return self.when.strftime("%Y-%m-%d")
        if fmt == "phone-number":
            return "+15005550006"
        if fmt == "email":
            return "person@example.com"
        if fmt in ("uri", "url"):
            return "https://example.com/callback"
        if fmt == "http-method":
            return "POST"
        if fmt == "iso-country-code":
            return "US"
        if fmt == "currency":
            return "USD"
        pattern = schema.get("pattern")
        if pattern:
            return _from_pattern(pattern, self.rng)
        text = name.replace("_", " ") if name else "value"
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if high is not None and len(text) > high:
            text = text[:high]
        return text


def _empty(schema: dict[str, Any]) -> Any:
    return {
        "object": {},
        "array": [],
        "string": "",
        "integer": 0,
        "number": 0.0,
        "boolean": False,
    }.get(schema.get("type", ""))


def _from_pattern(pattern: str, rng: random.Random) -> str:
    """A short string matching `pattern` (the regular expressions Twilio's spec uses)."""
    try:
        tree = _sre_parse.parse(pattern)
    except re.error:
        return ""
    return _emit(list(tree), rng)


def _emit(items: list[Any], rng: random.Random) -> str:
    out = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append("x")
        elif name == "IN":
            out.append(_pick(arg, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = arg
            out.extend(_emit(list(sub), rng) for _ in range(max(low, 1)))
        elif name == "SUBPATTERN":
            out.append(_emit(list(arg[-1]), rng))
        elif name == "BRANCH":
            out.append(_emit(list(arg[1][0]), rng))
    return "".join(out)


def _pick(members: list[Any], rng: random.Random) -> str:
    chars: list[str] = []
    for op, arg in members:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(arg))
        elif name == "RANGE":
            chars.extend(chr(c) for c in range(arg[0], arg[1] + 1))
        elif name == "CATEGORY":
            chars.append("0" if "DIGIT" in str(arg) else "a")
        elif name == "NEGATE":
            return "x"
    return rng.choice(chars) if chars else "x"


# ---------------------------------------------------------------------------------------------
# does a value fit a schema? (a small, fast check used to decide what to keep from an example)


def fits(document: dict[str, Any], schema: Any, value: Any, depth: int = 0) -> bool:
    schema = deref(document, schema) if isinstance(schema, dict) else {}
    if value is None:
        return bool(schema.get("nullable")) or not schema
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return False
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, value):
            return False
        if len(value) < schema.get("minLength", 0):
            return False
        high = schema.get("maxLength")
        return high is None or len(value) <= high
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        if not isinstance(value, list):
            return False
        items = schema.get("items", {})
        return depth > 6 or all(fits(document, items, v, depth + 1) for v in value)
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            return False
        props = schema.get("properties") or {}
        return depth > 6 or all(
            fits(document, props[k], v, depth + 1) for k, v in value.items() if k in props
        )
    return True


def conform(gen: Generator, schema: Any, value: Any, name: str = "", depth: int = 0) -> Any:
    """`value` (an example) with every part that does not fit `schema` regenerated."""
    resolved = deref(gen.document, schema) if isinstance(schema, dict) else {}
    kind = resolved.get("type")
    if (kind == "object" or "properties" in resolved) and isinstance(value, dict) and depth < 6:
        props = resolved.get("properties") or {}
        if not props:
            return value
        out = {}
        for key, sub in props.items():
            out[key] = (
                conform(gen, sub, value[key], key, depth + 1)
                if key in value
                else gen.value(sub, key, depth + 1)
            )
        return out
    if kind == "array" and isinstance(value, list) and depth < 6:
        items = resolved.get("items", {})
        return [conform(gen, items, v, name, depth + 1) for v in value]
    if fits(gen.document, resolved, value):
        return value
    return gen.value(resolved, name, depth)
