"""vcrpy-compatible YAML cassettes: reading (with line numbers for errors).

A cassette is a mapping with `version: 1` and `interactions:`, each a `request`
(`method`, `uri`, `headers`, `body`) and a `response` (`status: {code, message}`, `headers`,
`body: {string: …}`), exactly as vcrpy writes it. twreplay's own data lives under an extra
top-level `twreplay:` key, which vcrpy ignores.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import os
import re
import tempfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .errors import CassetteFormatError
from .wire import header
from .yamlfast import safe_load

CASSETTE_SUFFIXES = (".yaml", ".yml")
_ITEM_START = re.compile(r"^\s*- request:", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request/response pair of a cassette."""

    index: int
    request: Mapping[str, Any] = field(repr=False)
    response: Mapping[str, Any] = field(repr=False)
    line: int | None = None  # 1-based line of the interaction in its file, where known

    @property
    def method(self) -> str:
        return str(self.request.get("method", "")).upper()

    @property
    def uri(self) -> str:
        return str(self.request.get("uri", ""))

    @property
    def request_headers(self) -> Mapping[str, Any]:
        return self.request.get("headers") or {}

    @property
    def request_body(self) -> Any:
        return self.request.get("body")

    @property
    def status(self) -> int:
        return int(self.response["status"]["code"])

    @property
    def response_headers(self) -> Mapping[str, Any]:
        return self.response.get("headers") or {}

    @property
    def response_body(self) -> bytes | str:
        """The response body, decompressed if it was stored gzip/deflate-encoded."""
        body = (self.response.get("body") or {}).get("string", "")
        if isinstance(body, bytes):
            encoding = (header(self.response_headers, "Content-Encoding") or "").lower()
            try:
                if encoding == "gzip":
                    return gzip.decompress(body)
                if encoding == "deflate":
                    return zlib.decompress(body)
            except (OSError, zlib.error):
                return body
        return body


@dataclass(frozen=True, slots=True)
class CassetteFile:
    """A cassette read from disk."""

    path: Path
    interactions: tuple[Interaction, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)


def _yaml_error(path: Path, exc: yaml.YAMLError) -> CassetteFormatError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = mark.line + 1 if mark is not None else None
    return CassetteFormatError(path, f"not valid YAML ({problem})", line)


def parse_cassette(text: str, path: Path, *, line_numbers: bool = True) -> CassetteFile:
    """Parse cassette text; `path` is only used in error messages.

    `line_numbers=False` skips numbering the interactions (reports need them, replay does not);
    a malformed interaction is still reported with its line.
    """
    enabled = gc.isenabled()
    gc.disable()  # thousands of small containers: the collector would rescan them all
    try:
        data = safe_load(text)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    finally:
        if enabled:
            gc.enable()
    if not isinstance(data, dict) or "interactions" not in data:
        raise CassetteFormatError(path, "not a cassette (no top-level `interactions:` list)", 1)
    raw = data["interactions"] or []
    if not isinstance(raw, list):
        raise CassetteFormatError(
            path, "`interactions:` is not a list", _line_of(text, "interactions:")
        )
    lines: list[int | None] = [None] * len(raw)
    if line_numbers:
        starts = _line_numbers(text)
        if len(starts) == len(raw):
            lines = list(starts)
    interactions = []
    for i, item in enumerate(raw):
        problem = _shape_problem(item)
        if problem:
            starts = _line_numbers(text)
            line = starts[i] if len(starts) == len(raw) else None
            raise CassetteFormatError(path, f"interaction {i}: {problem}", line)
        interactions.append(Interaction(i, item["request"], item["response"], lines[i]))
    return CassetteFile(path, tuple(interactions), data.get("twreplay") or {})


def _line_numbers(text: str) -> list[int]:
    """1-based line of each `- request:` item, counting forward (linear in the text)."""
    lines, line, pos = [], 1, 0
    for m in _ITEM_START.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        lines.append(line + (1 if text[m.start()] == "\n" else 0))
    return lines


def _shape_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "is not a mapping with `request` and `response`"
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not request.get("method") or not request.get("uri"):
        return "`request` needs `method` and `uri`"
    if not isinstance(request["method"], str) or not isinstance(request["uri"], str):
        return "`request.method` and `request.uri` must be text"
    try:
        urlsplit(request["uri"]).port  # noqa: B018 - parses host and port, or raises
    except ValueError as exc:
        return f"`request.uri` is not a URL ({exc})"
    if not isinstance(request.get("headers") or {}, dict):
        return "`request.headers` must be a mapping of names to lists of values"
    if not isinstance(request.get("body"), (str, bytes, dict, type(None))):
        return "`request.body` must be text, bytes or null"
    if not isinstance(response, dict):
        return "`response` is missing"
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if not isinstance(code, int):
        return "`response.status.code` must be an integer HTTP status"
    if not isinstance(response.get("headers") or {}, dict):
        return "`response.headers` must be a mapping of names to lists of values"
    body = response.get("body")
    if body is not None and not isinstance(body, dict):
        return "`response.body` must be a mapping with `string:`"
    if body is not None and not isinstance(body.get("string"), (str, bytes, type(None))):
        return "`response.body.string` must be text or bytes"
    return None


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def load_cassette(path: str | Path, *, line_numbers: bool = True) -> CassetteFile:
    """Read and check one cassette file; raises `CassetteFormatError` with file and line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CassetteFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise CassetteFormatError(path, "is not UTF-8 text", line) from None
    return parse_cassette(text, path, line_numbers=line_numbers)


def iter_cassette_paths(paths: Sequence[str | Path]) -> Iterator[Path]:
    """Cassette files under the given files and folders (folders recursively, sorted)."""
    for given in paths:
        p = Path(given)
        if p.is_dir():
            yield from sorted(
                f for f in p.rglob("*") if f.suffix in CASSETTE_SUFFIXES and f.is_file()
            )
        else:
            yield p


# ---------------------------------------------------------------------------------------------
# writing

try:
    from yaml import CSafeDumper as _BaseDumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """Block style; multi-line strings (pretty JSON bodies) as literal blocks."""


def _str(dumper: Any, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)

#: Response headers that change on every call and say nothing about the answer.
VOLATILE_RESPONSE_HEADERS = frozenset(
    h.lower()
    for h in (
        "Date",
        "Twilio-Request-Id",
        "Twilio-Request-Duration",
        "Twilio-Concurrent-Requests",
        "X-Shenanigans",
        "X-Powered-By",
        "X-Home-Region",
        "X-Api-Domain",
        "Connection",
        "Keep-Alive",
        "Transfer-Encoding",
        "Content-Length",  # bodies are re-encoded (pretty JSON); the length is recomputed
        "Server",
        "Via",
        "Age",
        "Strict-Transport-Security",
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Headers",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Credentials",
        "Access-Control-Expose-Headers",
        "Vary",
        "ETag",
        "Last-Modified",
    )
)
#: Request headers that depend on the machine or connection, not on what the test asked.
VOLATILE_REQUEST_HEADERS = frozenset(
    h.lower()
    for h in ("User-Agent", "Content-Length", "Connection", "Accept-Encoding", "Host", "Keep-Alive")
)


def pretty_body(body: str | bytes, content_type: str | None) -> str | bytes:
    """A JSON body decoded and indented (key order as received); other text as text; binary as is."""
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    else:
        text = body
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
        except ValueError:
            return text
    return text


def ordered_headers(headers: Mapping[str, Any], drop: frozenset[str]) -> dict[str, list[Any]]:
    """Header names in a fixed (case-insensitive alphabetical) order, values as lists."""
    out: dict[str, list[Any]] = {}
    for name in sorted(headers, key=str.lower):
        if name.lower() in drop:
            continue
        value = headers[name]
        out[name] = list(value) if isinstance(value, (list, tuple)) else [value]
    return out


def dump_cassette(interactions: list[dict[str, Any]], meta: Mapping[str, Any] | None = None) -> str:
    """vcrpy-compatible YAML text with keys in a fixed order (same input, same bytes)."""
    data: dict[str, Any] = {"interactions": interactions, "version": 1}
    if meta:
        data["twreplay"] = dict(meta)
    return yaml.dump(
        data,
        Dumper=_Dumper,
        default_flow_style=False,
        allow_unicode=True,
        sort_keys=True,
        width=100,
    )


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so a reader sees the old or the new content whole, never a part.

    Temporary file in the same folder, fsync, rename over the target. Two writers at once: the
    last rename wins, whole.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
