"""twreplay: record, validate and replay Twilio API traffic.

Real Twilio interactions are recorded into scrubbed YAML cassettes, validated against Twilio's
OpenAPI spec, and replayed deterministically.

Names are imported on first use (PEP 562), so `import twreplay` stays cheap: vcrpy, requests and
jsonschema load only when `use_cassette` or validation is first touched.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import CassetteFormatError, SpecNotFoundError, SpecValidationError, TwreplayError

if TYPE_CHECKING:
    from .http_client import http_client
    from .replay import Exchange, Session, UnmatchedRequestError, use_cassette
    from .scrub import ScrubConfig
    from .validation import Finding

_LAZY = {
    "Exchange": ".replay",
    "Finding": ".validation",
    "ScrubConfig": ".scrub",
    "http_client": ".http_client",
    "Session": ".replay",
    "UnmatchedRequestError": ".replay",
    "use_cassette": ".replay",
}

__all__ = [
    "CassetteFormatError",
    "Exchange",
    "Finding",
    "ScrubConfig",
    "Session",
    "SpecNotFoundError",
    "SpecValidationError",
    "TwreplayError",
    "UnmatchedRequestError",
    "__version__",
    "http_client",
    "use_cassette",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'twreplay' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
