"""Every operation of the spec: a valid request gets a synthetic success answer that fits the
operation's own response schema under the strict profile."""

from __future__ import annotations

import random

import pytest

from twreplay.spec.index import deref
from twreplay.synth import SyntheticEngine
from twreplay.synth.values import EPOCH, Generator
from twreplay.validation import check_response

from .test_route_index import concrete

AUTH = {"Authorization": "Basic QUMxMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE6dG9rZW4="}

# Operations whose synthetic success answer cannot fit the schema, each for a named reason in
# the spec itself. Empty today; keep this list explicit if one ever needs to be added.
KNOWN_SPEC_INCONSISTENCIES: set[tuple[str, str]] = set()


def valid_request(op) -> tuple[str, dict, object]:
    path, _ = concrete(op.path, op)
    gen = Generator(op.file.document, random.Random(1), EPOCH)
    query = []
    for p in op.params_in("query"):
        if p.required:
            query.append((p.name, _text(gen.value(p.schema, p.name))))
    headers = (
        dict(AUTH) if "basic" in op.auth or not op.auth else {"Authorization": "Bearer e30.e30.sig"}
    )
    for p in op.params_in("header"):
        if p.required:
            headers[p.name] = _text(gen.value(p.schema, p.name))
    body = None
    if op.body_schema is not None:
        schema = flatten(op.file.document, op.body_schema)
        props = schema.get("properties", {})
        names = set(schema.get("required", []))
        by_snake = {n.lower().replace("_", ""): n for n in props}
        for group in op.conditional:
            names.add(by_snake.get(group[0].replace("_", ""), group[0]))
        if "json" in (op.body_content_type or ""):
            import json

            body = json.dumps({n: gen.value(props.get(n, {}), n) for n in sorted(names)})
            headers["Content-Type"] = op.body_content_type
        else:
            from urllib.parse import urlencode

            pairs = []
            for n in sorted(names):
                value = gen.value(props.get(n, {}), n)
                if n in ("To", "From", "PhoneNumber"):  # a number, as callers send them
                    value = "+15005550006"
                if value == []:
                    items = deref(op.file.document, props.get(n, {})).get("items", {})
                    value = [gen.value(items, n)]
                for v in value if isinstance(value, list) else [value]:
                    pairs.append((n, _text(v)))
            body = urlencode(pairs)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
    from urllib.parse import urlencode

    url = f"https://{op.host}{path}" + (f"?{urlencode(query)}" if query else "")
    return url, headers, body


def flatten(document, schema) -> dict:
    """A schema with its `allOf` parts (and first `oneOf`/`anyOf` choice) merged."""
    schema = deref(document, schema)
    out = {
        "properties": dict(schema.get("properties", {})),
        "required": list(schema.get("required", [])),
    }
    for part in [
        *schema.get("allOf", []),
        *schema.get("oneOf", [])[:1],
        *schema.get("anyOf", [])[:1],
    ]:
        sub = flatten(document, part)
        out["properties"].update(sub["properties"])
        out["required"] += sub["required"]
    return out


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value)
    return "" if value is None else str(value)


@pytest.mark.slow
def test_every_operation_answers_within_its_schema(index) -> None:
    engine = SyntheticEngine(index, stateful=False)
    failures, refused = {}, {}
    total = 0
    for op in index.operations():
        total += 1
        url, headers, body = valid_request(op)
        answer = engine.answer(op.method, url, headers, body)
        assert answer is not None
        if answer.status not in op.success_statuses and op.success_statuses:
            refused[(op.host, op.operation_id)] = (answer.status, answer.body[:200])
            continue
        findings = check_response(
            op, status=answer.status, headers=answer.headers, body=answer.body, profile="strict"
        )
        if findings:
            failures[(op.host, op.operation_id)] = [f.describe() for f in findings[:3]]
    assert total == 1447
    assert refused == {}
    assert set(failures) == KNOWN_SPEC_INCONSISTENCIES, failures
