"""The route index: (host, method, concrete path) -> operation, built lazily per host."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .hosts import KNOWN_HOSTS
from .locate import SPEC_GLOB, find_spec_dir
from .model import HTTP_METHODS, Operation, Param, ResponseSpec, RouteMatch, SpecFile

_SERVER_URL = re.compile(rb'"servers"\s*:\s*\[\s*\{\s*"url"\s*:\s*"https?://([^"/]+)')
TWILIO_SUFFIX = ".twilio.com"


def normalize_host(host: str) -> str | None:
    """Map a Twilio host, including region and edge forms, to its base host; None if not Twilio.

    `api.twilio.com`, `api.us1.twilio.com` and `api.dublin.ie1.twilio.com` all give
    `api.twilio.com` (the SDK's own scheme: product[.edge].region.twilio.com).
    """
    host = host.lower().rstrip(".")
    if ":" in host:
        host = host.rsplit(":", 1)[0]
    if not host.endswith(TWILIO_SUFFIX):
        return None
    parts = host[: -len(TWILIO_SUFFIX)].split(".")
    if not parts[0] or len(parts) > 3:
        return None
    return parts[0] + TWILIO_SUFFIX


def deref(document: dict[str, Any], node: Any) -> Any:
    """Follow a local `$ref` (one or several hops) inside `document`."""
    seen = 0
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref is supported, got {ref!r}")
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
        if seen > 32:
            raise ValueError(f"$ref loop at {ref!r}")
    return node


class _Node:
    """One path segment in the routing trie."""

    __slots__ = ("literal", "params", "ops")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        # (prefix, suffix, parameter name, child), longest affixes first
        self.params: list[tuple[str, str, str, _Node]] = []
        self.ops: dict[str, Operation] = {}


_PARAM_SEGMENT = re.compile(r"^(?P<prefix>[^{}]*)\{(?P<name>[^{}]+)\}(?P<suffix>[^{}]*)$")


def _insert(root: _Node, template: str, method: str, op: Operation) -> None:
    node = root
    for seg in template.strip("/").split("/"):
        m = _PARAM_SEGMENT.match(seg)
        if m is None:
            node = node.literal.setdefault(seg, _Node())
            continue
        prefix, name, suffix = m.group("prefix", "name", "suffix")
        for p, s, _n, child in node.params:
            if p == prefix and s == suffix:
                node = child
                break
        else:
            child = _Node()
            node.params.append((prefix, suffix, name, child))
            node.params.sort(key=lambda t: -(len(t[0]) + len(t[1])))
            node = child
    node.ops[method] = op


def _match(
    node: _Node, segs: list[str], i: int, method: str, values: list[str]
) -> tuple[Operation, list[str]] | None:
    if i == len(segs):
        op = node.ops.get(method)
        return (op, values) if op is not None else None
    seg = segs[i]
    child = node.literal.get(seg)
    if child is not None:
        found = _match(child, segs, i + 1, method, values)
        if found is not None:
            return found
    for prefix, suffix, _name, child in node.params:
        if len(seg) > len(prefix) + len(suffix) and seg.startswith(prefix) and seg.endswith(suffix):
            value = seg[len(prefix) : len(seg) - len(suffix)] if suffix else seg[len(prefix) :]
            found = _match(child, segs, i + 1, method, [*values, value])
            if found is not None:
                return found
    return None


def _path_names(template: str) -> list[str]:
    return re.findall(r"\{([^{}]+)\}", template)


def _security_kinds(document: dict[str, Any], requirement: list[dict[str, Any]]) -> tuple[str, ...]:
    schemes = document.get("components", {}).get("securitySchemes", {})
    kinds: list[str] = []
    for alternative in requirement:
        for name in alternative:
            scheme = schemes.get(name, {})
            kind = scheme.get("scheme", "").lower() if scheme.get("type") == "http" else "bearer"
            if kind not in kinds:
                kinds.append(kind or "basic")
    return tuple(kinds)


def _first_media(node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The first (content type, media object) of a request body or response."""
    for content_type, media in (node.get("content") or {}).items():
        return str(content_type), media
    return None, {}


def build_operations(spec_file: SpecFile) -> Iterator[Operation]:
    """Every operation of one spec file, with its host (path-level `servers` win)."""
    doc = spec_file.document
    default_security = doc.get("security", [])
    for template, item in doc.get("paths", {}).items():
        servers = item.get("servers") or doc.get("servers") or []
        hosts = [urlsplit(s["url"]).hostname or "" for s in servers] or list(spec_file.hosts)
        x_item = item.get("x-twilio", {})
        shared_params = item.get("parameters", [])
        for method in HTTP_METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            params: dict[tuple[str, str], Param] = {}
            for p in [*shared_params, *raw.get("parameters", [])]:
                p = deref(doc, p)
                params[(p["name"], p["in"])] = Param(
                    name=p["name"],
                    location=p["in"],
                    required=bool(p.get("required", p["in"] == "path")),
                    schema=p.get("schema", {}),
                )
            body = deref(doc, raw.get("requestBody")) if raw.get("requestBody") else None
            body_type: str | None = None
            body_schema: dict[str, Any] | None = None
            if body:
                body_type, body_media = _first_media(body)
                body_schema = body_media.get("schema")
            responses: dict[str, ResponseSpec] = {}
            for status, resp in raw.get("responses", {}).items():
                resp = deref(doc, resp)
                ctype, media = _first_media(resp)
                responses[str(status)] = ResponseSpec(
                    status=str(status),
                    content_type=ctype,
                    schema=media.get("schema"),
                    examples=media.get("examples") or {},
                )
            x_op = raw.get("x-twilio", {})
            for host in hosts:
                yield Operation(
                    operation_id=raw.get("operationId", f"{method.upper()} {template}"),
                    method=method.upper(),
                    host=host,
                    path=template,
                    file=spec_file,
                    parameters=tuple(params.values()),
                    body_content_type=body_type,
                    body_schema=body_schema,
                    body_required=bool(body and body.get("required")),
                    responses=responses,
                    auth=_security_kinds(doc, raw.get("security", default_security)),
                    conditional=tuple(tuple(g) for g in x_op.get("conditional", ())),
                    path_type=x_item.get("pathType"),
                    raw=raw,
                    path_x=x_item,
                )


class SpecIndex:
    """Twilio's spec, parsed lazily: a file is read only when its host is first asked for.

    Thread-safe. One instance per spec folder is shared through `get_index()`.
    """

    def __init__(self, spec_dir: str | os.PathLike[str] | None = None) -> None:
        self.spec_dir: Path = find_spec_dir(spec_dir)
        self._lock = threading.RLock()
        self._manifest: dict[str, list[str]] | None = None  # host -> file names
        self._files: dict[str, SpecFile] = {}
        self._tries: dict[str, _Node] = {}
        self._by_id: dict[str, list[Operation]] = {}
        self._loaded_all = False
        self._host_ops: dict[str, list[Operation]] = {}

    # -- files -------------------------------------------------------------------------------
    def file_names(self) -> list[str]:
        return sorted(p.name for p in self.spec_dir.glob(SPEC_GLOB))

    def manifest(self) -> dict[str, list[str]]:
        """host -> spec files serving it: the pinned release's table, else a byte scan of `servers`."""
        if self._manifest is None:
            with self._lock:
                manifest: dict[str, list[str]] = {}
                for name in self.file_names():
                    path = self.spec_dir / name
                    hosts = KNOWN_HOSTS.get((name, path.stat().st_size))
                    if hosts is None:
                        raw = path.read_bytes()
                        hosts = tuple(
                            dict.fromkeys(h.decode().lower() for h in _SERVER_URL.findall(raw))
                        )
                    for host in hosts:
                        manifest.setdefault(host, []).append(name)
                self._manifest = manifest
        return self._manifest

    def hosts(self) -> list[str]:
        return sorted(self.manifest())

    def load_file(self, name: str) -> SpecFile:
        with self._lock:
            spec_file = self._files.get(name)
            if spec_file is None:
                path = self.spec_dir / name
                with open(path, "rb") as fh:
                    document = json.load(fh)
                hosts = tuple(
                    dict.fromkeys(
                        (urlsplit(s["url"]).hostname or "").lower()
                        for s in document.get("servers", [])
                    )
                )
                spec_file = SpecFile(name=name, hosts=hosts, document=document)
                self._files[name] = spec_file
            return spec_file

    # -- routing -----------------------------------------------------------------------------
    def _trie(self, host: str) -> _Node | None:
        trie = self._tries.get(host)
        if trie is not None:
            return trie
        names = self.manifest().get(host)
        if not names:
            return None
        with self._lock:
            trie = self._tries.get(host)
            if trie is None:
                trie = _Node()
                for name in names:
                    for op in build_operations(self.load_file(name)):
                        if op.host == host:
                            _insert(trie, op.path, op.method, op)
                            self._by_id.setdefault(op.operation_id, []).append(op)
                self._tries[host] = trie
        return trie

    def resolve(self, method: str, url: str) -> RouteMatch | None:
        """The operation a concrete request belongs to, or None (not Twilio, or not in the spec)."""
        parts = urlsplit(url)
        return self.resolve_path(method, parts.hostname or "", parts.path)

    def resolve_path(self, method: str, host: str, path: str) -> RouteMatch | None:
        base = normalize_host(host)
        if base is None:
            return None
        trie = self._trie(base)
        if trie is None:
            return None
        found = _match(trie, path.strip("/").split("/"), 0, method.upper(), [])
        if found is None:
            return None
        op, values = found
        names = _path_names(op.path)
        return RouteMatch(op, {n: unquote(v) for n, v in zip(names, values, strict=True)})

    def operations_for_host(self, host: str) -> list[Operation]:
        """Every operation served by one (base) host, in spec order."""
        base = normalize_host(host) or host
        self._trie(base)
        ops = self._host_ops.get(base)
        if ops is None:
            ops = self._host_ops[base] = [
                op for group in self._by_id.values() for op in group if op.host == base
            ]
        return ops

    def is_twilio_host(self, host: str) -> bool:
        base = normalize_host(host)
        return base is not None and base in self.manifest()

    # -- whole-spec views --------------------------------------------------------------------
    def operations(self) -> Iterator[Operation]:
        """Every operation of every host (loads the whole spec)."""
        for host in self.hosts():
            self._trie(host)
        seen: set[int] = set()
        for ops in self._by_id.values():
            for op in ops:
                if id(op) not in seen:
                    seen.add(id(op))
                    yield op


_INDEXES: dict[Path, SpecIndex] = {}
_INDEXES_LOCK = threading.Lock()


def get_index(spec_dir: str | os.PathLike[str] | None = None) -> SpecIndex:
    """The shared index for a spec folder (found as `find_spec_dir` does)."""
    path = find_spec_dir(spec_dir).resolve()
    with _INDEXES_LOCK:
        index = _INDEXES.get(path)
        if index is None:
            index = _INDEXES[path] = SpecIndex(path)
        return index
