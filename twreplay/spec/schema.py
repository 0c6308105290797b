"""OpenAPI 3.0 schemas as Twilio writes them, turned into JSON Schema validators.

Two profiles:

* ``strict``: the spec as written, with OpenAPI 3.0 semantics (`nullable`, `$ref` siblings
  ignored, so an enum behind a `$ref` cannot be null).
* ``lenient`` (the default): additionally tolerates exactly the live API's documented habits
  (see the facts on spec-vs-reality): `null` in any field, numeric strings in number fields,
  and the empty string in SID fields (unset `sms_application_sid` and friends). Nothing else.

`format` is not checked in either profile: Twilio's formats are mostly its own vocabulary
(`phone-number`, `uri-map`, `http-method`, …), and `uri` fields carry relative paths both in the
examples and on the wire.

Converted schemas share nodes: a component schema is converted once per file and profile, and
every `$ref` to it points at the same converted dict (a DAG, not a copy). Compiled validators
are cached per operation, status and profile on the spec file.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft4Validator

PROFILES = ("strict", "lenient")
DEFAULT_PROFILE = "lenient"

# Keywords carried over from OpenAPI 3.0 into JSON Schema (draft 4 semantics: boolean
# exclusiveMinimum/Maximum, as in OpenAPI 3.0). Annotations and `format` are dropped.
_KEEP = frozenset(
    {
        "type",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minItems",
        "maxItems",
        "uniqueItems",
        "required",
        "minProperties",
        "maxProperties",
    }
)
_NUMERIC_STRING = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
_INTEGER_STRING = r"^-?[0-9]+$"


class SchemaConverter:
    """Converts the schemas of one spec document for one profile, memoising `$ref` targets."""

    def __init__(self, document: dict[str, Any], profile: str) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown validation profile {profile!r}; use one of {PROFILES}")
        self.document = document
        self.lenient = profile == "lenient"
        self._refs: dict[str, dict[str, Any]] = {}

    def convert(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if ref is not None:
            return self._ref(ref)
        out: dict[str, Any] = {k: v for k, v in node.items() if k in _KEEP}
        if "properties" in node:
            out["properties"] = {k: self.convert(v) for k, v in node["properties"].items()}
        if "items" in node:
            out["items"] = self.convert(node["items"])
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            out["additionalProperties"] = self.convert(extra)
        elif isinstance(extra, bool):
            out["additionalProperties"] = extra
        for key in ("allOf", "anyOf", "oneOf"):
            if key in node:
                out[key] = [self.convert(s) for s in node[key]]
        if "not" in node:
            out["not"] = self.convert(node["not"])
        self._nullable(node, out)
        if self.lenient:
            self._tolerate(out)
        return out

    def _ref(self, ref: str) -> dict[str, Any]:
        done = self._refs.get(ref)
        if done is not None:
            return done
        placeholder: dict[str, Any] = {}
        self._refs[ref] = placeholder  # recursion-safe: cycles point at the same dict
        target: Any = self.document
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        placeholder.update(self.convert(target))
        return placeholder

    def _nullable(self, node: dict[str, Any], out: dict[str, Any]) -> None:
        if not (node.get("nullable") or self.lenient):
            return
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]

    def _tolerate(self, out: dict[str, Any]) -> None:
        """Lenient only: numeric strings in number fields, "" in SID fields."""
        kinds = out.get("type")
        if isinstance(kinds, list) and ("number" in kinds or "integer" in kinds):
            out["type"] = [*kinds, "string"]
            out["pattern"] = _INTEGER_STRING if "integer" in kinds else _NUMERIC_STRING
        pattern = out.get("pattern")
        if isinstance(pattern, str) and _is_sid_pattern(pattern):
            out["pattern"] = f"^$|{pattern}"
            out.pop("minLength", None)


def _is_sid_pattern(pattern: str) -> bool:
    """`^AC[0-9a-fA-F]{32}$` and its kin (the 181 SID prefixes of the spec)."""
    return pattern.startswith("^") and "[0-9a-fA-F]{32}" in pattern


def converter(spec_file: Any, profile: str) -> SchemaConverter:
    """The shared converter for a spec file and profile."""
    key = ("converter", profile)
    conv = spec_file.cache.get(key)
    if conv is None:
        conv = spec_file.cache[key] = SchemaConverter(spec_file.document, profile)
    return conv


def compile_schema(
    spec_file: Any, schema: dict[str, Any], profile: str, key: Any
) -> Draft4Validator:
    """A cached validator for `schema` (an OpenAPI schema of `spec_file`)."""
    cache_key = ("validator", profile, key)
    validator = spec_file.cache.get(cache_key)
    if validator is None:
        converted = converter(spec_file, profile).convert(schema)
        validator = spec_file.cache[cache_key] = Draft4Validator(converted)
    return validator
