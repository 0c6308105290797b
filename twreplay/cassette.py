"""vcrpy-compatible YAML cassettes: reading (with line numbers for errors).

A cassette is a mapping with `version: 1` and `interactions:`, each a `request`
(`method`, `uri`, `headers`, `body`) and a `response` (`status: {code, message}`, `headers`,
`body: {string: …}`), exactly as vcrpy writes it. twreplay's own data lives under an extra
top-level `twreplay:` key, which vcrpy ignores.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import CassetteFormatError
from .wire import header

try:  # the C loader is several times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

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
        return body  # type: ignore[no-any-return]


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


def parse_cassette(text: str, path: Path) -> CassetteFile:
    """Parse cassette text; `path` is only used in error messages."""
    try:
        data = yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    if not isinstance(data, dict) or "interactions" not in data:
        raise CassetteFormatError(path, "not a cassette (no top-level `interactions:` list)", 1)
    raw = data["interactions"] or []
    if not isinstance(raw, list):
        raise CassetteFormatError(
            path, "`interactions:` is not a list", _line_of(text, "interactions:")
        )
    starts = [text.count("\n", 0, m.start()) + 1 for m in _ITEM_START.finditer(text)]
    lines: list[int | None] = list(starts) if len(starts) == len(raw) else [None] * len(raw)
    interactions = []
    for i, item in enumerate(raw):
        problem = _shape_problem(item)
        if problem:
            raise CassetteFormatError(path, f"interaction {i}: {problem}", lines[i])
        interactions.append(Interaction(i, item["request"], item["response"], lines[i]))
    return CassetteFile(path, tuple(interactions), data.get("twreplay") or {})


def _shape_problem(item: Any) -> str | None:
    if not isinstance(item, dict):
        return "is not a mapping with `request` and `response`"
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not request.get("method") or not request.get("uri"):
        return "`request` needs `method` and `uri`"
    if not isinstance(response, dict):
        return "`response` is missing"
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if not isinstance(code, int):
        return "`response.status.code` must be an integer HTTP status"
    body = response.get("body")
    if body is not None and not isinstance(body, dict):
        return "`response.body` must be a mapping with `string:`"
    return None


def _line_of(text: str, needle: str) -> int | None:
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def load_cassette(path: str | Path) -> CassetteFile:
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
    return parse_cassette(text, path)


def iter_cassette_paths(paths: list[str | Path]) -> Iterator[Path]:
    """Cassette files under the given files and folders (folders recursively, sorted)."""
    for given in paths:
        p = Path(given)
        if p.is_dir():
            yield from sorted(
                f for f in p.rglob("*") if f.suffix in CASSETTE_SUFFIXES and f.is_file()
            )
        else:
            yield p
