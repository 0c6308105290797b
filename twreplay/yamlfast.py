"""A faster safe YAML load for cassettes: builds objects straight from libyaml's events.

PyYAML's constructor builds a node graph and then walks it in Python; for a cassette of
thousands of interactions that is most of the load time. Cassettes are plain trees of mappings,
lists and scalars, so this reader builds them from the parser's events in one pass and gives
the same result as `yaml.safe_load`. Anything it does not handle (anchors and aliases, complex
keys, merge keys, tags other than str/binary, a stream without libyaml) falls back to the full
safe loader, so the result never differs, only the speed.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml
from yaml import events
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

try:
    from yaml import CSafeLoader as _Loader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

    HAVE_LIBYAML = False

_STR = "tag:yaml.org,2002:str"
_BINARY = "tag:yaml.org,2002:binary"
# First characters with which a plain scalar may resolve to something other than a string
# (YAML 1.1 as PyYAML implements it: numbers, null, booleans, timestamps, merge and value keys).
_MAYBE_TYPED = frozenset("0123456789-+.~nNtTfFyYoO<=")
_NOKEY = object()


class _Fallback(Exception):
    """The text uses something this reader leaves to the full loader."""


_resolver = Resolver()
_constructor = SafeConstructor()


_COMMON = {"null": None, "~": None, "": None, "true": True, "false": False}


def _plain(value: str) -> Any:
    if value and value[0] not in _MAYBE_TYPED:
        return value
    if value in _COMMON:
        return _COMMON[value]
    if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
        return int(value)  # a decimal integer (a leading 0 would make it octal in YAML 1.1)
    tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    if tag == _STR:
        return value
    if tag == "tag:yaml.org,2002:merge":
        raise _Fallback
    return _constructor.construct_object(yaml.ScalarNode(tag, value), deep=True)


def _scalar(ev: events.ScalarEvent) -> Any:
    if ev.anchor is not None:
        raise _Fallback
    tag = ev.tag
    if tag is None or tag == "!":
        if ev.implicit[0]:  # plain (unquoted): resolve like the safe loader
            return _plain(ev.value)
        return ev.value
    if tag == _STR:
        return ev.value
    if tag == _BINARY:
        return base64.decodebytes(ev.value.encode("ascii"))
    raise _Fallback


def _build(text: str) -> Any:
    # One pass over the events with a stack of frames [container, pending key]. Written
    # inline (no helper calls for the common cases): this loop runs once per node.
    stack: list[list[Any]] = []
    root: Any = None
    scalar_cls = events.ScalarEvent
    map_start, seq_start = events.MappingStartEvent, events.SequenceStartEvent
    map_end, seq_end = events.MappingEndEvent, events.SequenceEndEvent
    maybe_typed, nokey = _MAYBE_TYPED, _NOKEY
    ev: Any
    for ev in yaml.parse(text, Loader=_Loader):
        cls = ev.__class__
        if cls is scalar_cls:
            if ev.tag is None and ev.anchor is None:
                value = ev.value
                if ev.implicit[0] and (not value or value[0] in maybe_typed):
                    value = _plain(value)
            else:
                value = _scalar(ev)
            is_container = False
        elif cls is map_start or cls is seq_start:
            if ev.anchor is not None or (ev.tag not in (None, "!") and not ev.implicit):
                raise _Fallback
            if stack and stack[-1][1] is nokey and stack[-1][0].__class__ is dict:
                raise _Fallback  # a complex (mapping or list) key
            stack.append([{} if cls is map_start else [], nokey])
            continue
        elif cls is map_end or cls is seq_end:
            value = stack.pop()[0]
            is_container = True
        elif cls is events.AliasEvent:
            raise _Fallback
        else:
            continue
        if not stack:
            root = value
            continue
        frame = stack[-1]
        container = frame[0]
        if container.__class__ is list:
            container.append(value)
        elif frame[1] is nokey:
            if is_container:
                raise _Fallback
            frame[1] = value
        else:
            container[frame[1]] = value
            frame[1] = nokey
    return root


def safe_load(text: str) -> Any:
    """`yaml.safe_load(text)`, faster for plain trees; raises `yaml.YAMLError` like it."""
    if HAVE_LIBYAML:
        try:
            return _build(text)
        except _Fallback:
            pass
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
