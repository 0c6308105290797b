"""Finding, loading and indexing Twilio's OpenAPI spec (lazy, per host)."""

from .index import SpecIndex, get_index, normalize_host
from .locate import PINNED_VERSION, cache_dir, find_spec_dir
from .model import Operation, Param, ResponseSpec, RouteMatch, SpecFile

__all__ = [
    "PINNED_VERSION",
    "Operation",
    "Param",
    "ResponseSpec",
    "RouteMatch",
    "SpecFile",
    "SpecIndex",
    "cache_dir",
    "find_spec_dir",
    "get_index",
    "normalize_host",
]
