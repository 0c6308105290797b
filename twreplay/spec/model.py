"""Frozen, slotted records describing Twilio's spec: files, operations, parameters, routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True, slots=True, eq=False)
class SpecFile:
    """One parsed `twilio_*.json` file."""

    name: str
    hosts: tuple[str, ...]
    document: dict[str, Any] = field(repr=False)
    #: per-file caches (converted schemas, compiled validators), filled on first use
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def schemas(self) -> dict[str, Any]:
        return self.document.get("components", {}).get("schemas", {})


@dataclass(frozen=True, slots=True)
class Param:
    """A path, query or header parameter as the spec declares it."""

    name: str
    location: str  # path | query | header
    required: bool
    schema: dict[str, Any] = field(repr=False, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class ResponseSpec:
    """One documented response of an operation."""

    status: str  # "200", "201", "default", ...
    content_type: str | None
    schema: dict[str, Any] | None = field(repr=False, hash=False, compare=False)
    examples: dict[str, Any] = field(repr=False, hash=False, compare=False)


@dataclass(frozen=True, slots=True, eq=False)
class Operation:
    """One operation of the spec, e.g. `CreateMessage` = POST api.twilio.com/…/Messages.json."""

    operation_id: str
    method: str
    host: str
    path: str
    file: SpecFile = field(repr=False)
    parameters: tuple[Param, ...] = field(repr=False)
    body_content_type: str | None = field(repr=False)
    body_schema: dict[str, Any] | None = field(repr=False)
    body_required: bool = field(repr=False)
    responses: dict[str, ResponseSpec] = field(repr=False)
    auth: tuple[str, ...] = field(repr=False)  # accepted schemes: "basic", "bearer"; () = none
    conditional: tuple[tuple[str, ...], ...] = field(repr=False)
    path_type: str | None = field(repr=False)
    raw: dict[str, Any] = field(repr=False)
    #: the path item's `x-twilio` (pathType, dependentProperties, parent, …)
    path_x: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def api_version(self) -> str:
        """First path segment: `2010-04-01`, `v1`, `v2`, …"""
        return self.path.lstrip("/").split("/", 1)[0]

    @property
    def success_statuses(self) -> tuple[int, ...]:
        return tuple(sorted(int(s) for s in self.responses if s.isdigit() and s.startswith("2")))

    def params_in(self, location: str) -> tuple[Param, ...]:
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A concrete request resolved to its operation, with the path parameters' values."""

    operation: Operation
    path_params: dict[str, str] = field(hash=False)
