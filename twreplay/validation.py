"""Request and response checks against Twilio's spec, producing plain `Finding` records.

Pure: no HTTP, no vcrpy. The CLI, the replay session, the pytest plugin and the server all
render the same records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from .spec.index import SpecIndex, deref, normalize_host
from .spec.model import Operation, Param, RouteMatch
from .spec.schema import DEFAULT_PROFILE, PROFILES, compile_schema
from .wire import (
    as_text,
    header,
    is_json_type,
    multidict,
    parse_form,
    parse_json,
    short,
    snake_case,
)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One way a request or response differs from the spec.

    `twilio_status`/`twilio_code` give the error a real Twilio would answer for a request
    finding, where it is known (None where it is not confirmed).
    """

    side: str  # request | response
    location: str  # path | query | body | header | status
    field: str  # parameter name, or JSON path such as `messages[0].price`; "" for the whole
    message: str
    expected: str
    found: str
    keyword: str  # type, enum, required, pattern, unknown-parameter, status, auth, route, …
    severity: str = ERROR
    profile: str = DEFAULT_PROFILE
    operation_id: str | None = None
    twilio_status: int | None = None
    twilio_code: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line: `request body To: required parameter is missing (Twilio: 400/21604)`."""
        where = f"{self.side} {self.location}" + (f" {self.field}" if self.field else "")
        tail = ""
        if self.twilio_status is not None:
            code = f"/{self.twilio_code}" if self.twilio_code is not None else ""
            tail = f" (Twilio would answer {self.twilio_status}{code})"
        level = "" if self.severity == ERROR else f"[{self.severity}] "
        return f"{level}{where}: {self.message}{tail}"


# Twilio's own error codes for request problems, where a source confirms them
# (see the facts on magic numbers and errors). Keyed by (operationId, parameter or group).
_MISSING_CODES: dict[tuple[str, str], int] = {
    ("CreateMessage", "To"): 21604,  # "A 'To' phone number is required."
    ("CreateMessage", "from"): 21603,  # group [from, messaging_service_sid]
    ("CreateMessage", "body"): 21602,  # group [body, media_url, content_sid]
}
AUTH_ERROR = (401, 20003)
NOT_FOUND = (404, 20404)
# Status for a generic invalid or missing parameter. Twilio answers 400 with a code specific to
# the parameter; no general code is confirmed, so none is claimed here.
BAD_PARAM_STATUS = 400

_TWILIO_ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "status"],
    "properties": {
        "code": {"type": "integer"},
        "message": {"type": "string"},
        "more_info": {"type": "string"},
        "status": {"type": "integer"},
    },
}


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise ValueError(
            f"unknown validation profile {profile!r}; use one of {', '.join(PROFILES)}"
        )


# ---------------------------------------------------------------------------------------------
# decoding request parameters into the types the spec declares


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer" and value.lstrip("-").isdigit():
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "object":
            return json.loads(value)
    except ValueError:
        return value
    return value


def _decode(values: list[str], schema: dict[str, Any], document: dict[str, Any]) -> Any:
    schema = deref(document, schema)
    if schema.get("type") == "array":
        items = deref(document, schema.get("items", {}))
        return [_coerce(v, items) for v in values]
    return _coerce(values[-1], schema)


def _finding_from_error(
    err: ValidationError, side: str, location: str, prefix: str, profile: str, op: Operation
) -> Finding:
    if err.context:
        err = best_match(err.context) or err
    path = prefix
    for part in err.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    keyword = str(err.validator)
    wanted = err.validator_value
    found = short(err.instance)
    if keyword == "type":
        kinds = [wanted] if isinstance(wanted, str) else list(wanted)
        message = f"expected {' or '.join(kinds)}, found {found}"
        expected = " or ".join(kinds)
    elif keyword == "enum":
        allowed = [v for v in wanted if v is not None]
        shown = allowed if len(allowed) <= 16 else allowed[:15]
        expected = "one of " + ", ".join(short(v, 30) for v in shown)
        if len(shown) < len(allowed):
            expected += f", … ({len(allowed)} values)"
        message = f"{found} is not {expected}"
    elif keyword == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        path = f"{path}.{missing}" if path else missing
        message = "required field is missing"
        expected, found = "present", "missing"
    elif keyword in ("minLength", "maxLength"):
        expected = f"{'at least' if keyword == 'minLength' else 'at most'} {wanted} characters"
        message = f"{found} has {len(str(err.instance))} characters, expected {expected}"
    elif keyword in ("minimum", "maximum"):
        expected = f"{'at least' if keyword == 'minimum' else 'at most'} {wanted}"
        message = f"{found} is out of range, expected {expected}"
    elif keyword == "pattern":
        expected = f"a string matching {wanted}"
        message = f"{found} does not match {wanted}"
    else:
        expected = f"{keyword}: {short(wanted)}"
        message = (
            err.message if len(err.message) < 160 else f"{found} fails {keyword} {short(wanted)}"
        )
    return Finding(
        side=side,
        location=location,
        field=path,
        message=message,
        expected=expected,
        found=found,
        keyword=keyword,
        profile=profile,
        operation_id=op.operation_id,
    )


def _validate_value(
    op: Operation, schema: dict[str, Any], value: Any, key: Any, profile: str
) -> list[ValidationError]:
    """Errors of `value` against `schema`, ordered by path.

    The lenient profile's tolerances describe what the live API *answers*; requests are always
    checked as the spec is written (pass profile "strict" for them).
    """
    validator = compile_schema(op.file, schema, profile, key)
    return sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])


# ---------------------------------------------------------------------------------------------
# requests


def check_request(
    match: RouteMatch,
    *,
    query: list[tuple[str, str]],
    headers: Mapping[str, Any] | None,
    body: Any,
    profile: str = DEFAULT_PROFILE,
    credentials_may_be_filtered: bool = False,
) -> list[Finding]:
    """Check one request already resolved to its operation.

    `credentials_may_be_filtered`: the request comes from a cassette, whose Authorization
    header may have been removed on purpose when it was recorded; then its absence is a
    warning, not an error.
    """
    _check_profile(profile)
    op = match.operation
    doc = op.file.document
    findings: list[Finding] = []

    def add(
        location: str,
        field: str,
        message: str,
        expected: str,
        found: str,
        keyword: str,
        severity: str = ERROR,
        twilio: tuple[int, int | None] | None = None,
    ) -> None:
        findings.append(
            Finding(
                side="request",
                location=location,
                field=field,
                message=message,
                expected=expected,
                found=found,
                keyword=keyword,
                severity=severity,
                profile=profile,
                operation_id=op.operation_id,
                twilio_status=twilio[0] if twilio else None,
                twilio_code=twilio[1] if twilio else None,
            )
        )

    # authentication
    if op.auth:
        auth = header(headers, "Authorization") or ""
        scheme = auth.split(" ", 1)[0].lower()
        if scheme not in op.auth:
            wanted = " or ".join(k.capitalize() for k in op.auth)
            if not auth:
                add(
                    "header",
                    "Authorization",
                    f"no credentials: the operation needs {wanted} auth",
                    f"{wanted} credentials",
                    "missing",
                    "auth",
                    WARNING if credentials_may_be_filtered else ERROR,
                    AUTH_ERROR,
                )
            else:
                add(
                    "header",
                    "Authorization",
                    f"{scheme or 'unknown'} credentials where the operation needs {wanted}",
                    f"{wanted} credentials",
                    scheme,
                    "auth",
                    twilio=AUTH_ERROR,
                )

    # path parameters
    for param in op.params_in("path"):
        value = match.path_params.get(param.name)
        if value is None:
            continue
        for err in _validate_value(
            op,
            param.schema,
            _decode([value], param.schema, doc),
            ("path", op.operation_id, param.name),
            "strict",
        ):
            f = _finding_from_error(err, "request", "path", param.name, profile, op)
            findings.append(_with_twilio(f, NOT_FOUND))  # unconfirmed: Twilio's answer to a
            # malformed SID in the path; 404/20404 is what it gives for resources it cannot find

    # query parameters
    _check_params(op, op.params_in("query"), multidict(query), "query", profile, findings)

    # header parameters (case-insensitive)
    declared = op.params_in("header")
    if declared:
        present = {p.name: [v] for p in declared if (v := header(headers, p.name)) is not None}
        _check_params(op, declared, present, "header", profile, findings, warn_unknown=False)

    # body
    _check_body(op, headers, body, profile, findings)
    return findings


def _with_twilio(f: Finding, twilio: tuple[int, int | None]) -> Finding:
    return Finding(**{**f.to_dict(), "twilio_status": twilio[0], "twilio_code": twilio[1]})


def _check_params(
    op: Operation,
    declared: tuple[Param, ...],
    given: dict[str, list[str]],
    location: str,
    profile: str,
    findings: list[Finding],
    warn_unknown: bool = True,
) -> None:
    doc = op.file.document
    names = {p.name for p in declared}
    for param in declared:
        values = given.get(param.name)
        if values is None:
            if param.required:
                findings.append(
                    Finding(
                        side="request",
                        location=location,
                        field=param.name,
                        message="required parameter is missing",
                        expected="present",
                        found="missing",
                        keyword="required",
                        profile=profile,
                        operation_id=op.operation_id,
                        twilio_status=BAD_PARAM_STATUS,
                        twilio_code=_MISSING_CODES.get((op.operation_id, param.name)),
                    )
                )
            continue
        value = _decode(values, param.schema, doc)
        for err in _validate_value(
            op, param.schema, value, (location, op.operation_id, param.name), "strict"
        ):
            f = _finding_from_error(err, "request", location, param.name, profile, op)
            findings.append(_with_twilio(f, (BAD_PARAM_STATUS, None)))
    if warn_unknown:
        for name in sorted(set(given) - names):
            findings.append(_unknown(op, location, name, profile))


def _unknown(op: Operation, location: str, name: str, profile: str) -> Finding:
    return Finding(
        side="request",
        location=location,
        field=name,
        message="parameter not in the spec (Twilio ignores unknown parameters)",
        expected="a documented parameter",
        found=name,
        keyword="unknown-parameter",
        severity=WARNING,
        profile=profile,
        operation_id=op.operation_id,
    )


def _check_body(
    op: Operation,
    headers: Mapping[str, Any] | None,
    body: Any,
    profile: str,
    findings: list[Finding],
) -> None:
    text = as_text(body) if not isinstance(body, Mapping) or "string" in body else None
    if op.body_schema is None:
        return
    doc = op.file.document
    schema = deref(doc, op.body_schema)
    key = ("body", op.operation_id)
    if is_json_type(op.body_content_type):
        if isinstance(body, Mapping) and text is None:
            value: Any = dict(body)
        else:
            ok, value = parse_json(text or "")
            if not ok:
                if (text or "").strip() or op.body_required:
                    findings.append(
                        Finding(
                            side="request",
                            location="body",
                            field="",
                            message=f"body is not JSON (the operation takes {op.body_content_type})",
                            expected=str(op.body_content_type),
                            found=short(text or ""),
                            keyword="content-type",
                            profile=profile,
                            operation_id=op.operation_id,
                            twilio_status=BAD_PARAM_STATUS,
                        )
                    )
                return
        for err in _validate_value(op, schema, value, key, "strict"):
            f = _finding_from_error(err, "request", "body", "", profile, op)
            findings.append(_with_twilio(f, (BAD_PARAM_STATUS, None)))
        return

    # application/x-www-form-urlencoded, as the SDK sends it (the async client hands a dict)
    if isinstance(body, Mapping) and text is None:
        pairs = [
            (str(k), str(v))
            for k, vs in body.items()
            for v in (vs if isinstance(vs, (list, tuple)) else [vs])
        ]
    else:
        pairs = parse_form(text or "")
    given = multidict(pairs)
    properties: dict[str, Any] = schema.get("properties", {})
    # `Prefix.Key` maps belong to an object property `Prefix`
    for name in list(given):
        prefix = name.split(".", 1)[0]
        if name not in properties and "." in name and prefix in properties:
            del given[name]
    decoded = {
        name: _decode(values, properties[name], doc)
        for name, values in given.items()
        if name in properties
    }
    required = set(schema.get("required", []))
    for name in sorted(required - set(given)):
        findings.append(
            Finding(
                side="request",
                location="body",
                field=name,
                message="required parameter is missing",
                expected="present",
                found="missing",
                keyword="required",
                profile=profile,
                operation_id=op.operation_id,
                twilio_status=BAD_PARAM_STATUS,
                twilio_code=_MISSING_CODES.get((op.operation_id, name)),
            )
        )
    # each parameter sent, against its own schema (cheaper than walking the whole form schema)
    for name in sorted(decoded):
        for err in _validate_value(op, properties[name], decoded[name], (*key, name), "strict"):
            f = _finding_from_error(err, "request", "body", name, profile, op)
            findings.append(_with_twilio(f, (BAD_PARAM_STATUS, None)))
    # Twilio's one-of groups (x-twilio.conditional): at least one of each group is required
    by_snake = {snake_case(n): n for n in properties} if op.conditional else {}
    for group in op.conditional:
        names = [by_snake.get(g, g) for g in group]
        if not any(n in given for n in names):
            findings.append(
                Finding(
                    side="request",
                    location="body",
                    field=" | ".join(names),
                    message="one of these parameters is required",
                    expected="one of " + ", ".join(names),
                    found="none",
                    keyword="conditional",
                    profile=profile,
                    operation_id=op.operation_id,
                    twilio_status=BAD_PARAM_STATUS,
                    twilio_code=_MISSING_CODES.get((op.operation_id, group[0])),
                )
            )
    for name in sorted(set(given) - set(properties)):
        findings.append(_unknown(op, "body", name, profile))


# ---------------------------------------------------------------------------------------------
# responses


def check_response(
    op: Operation,
    *,
    status: int,
    headers: Mapping[str, Any] | None,
    body: Any,
    profile: str = DEFAULT_PROFILE,
) -> list[Finding]:
    """Check a response: its status is documented and its JSON body fits that status's schema."""
    _check_profile(profile)
    findings: list[Finding] = []
    spec = op.responses.get(str(status))
    if spec is None:
        documented = ", ".join(sorted(op.responses)) or "none"
        if status >= 400 and profile == "lenient":
            # Twilio's spec documents (almost) no error responses; the live API answers errors
            # in its own JSON shape, which is what we check then.
            return _check_error_shape(op, headers, body, profile)
        findings.append(
            Finding(
                side="response",
                location="status",
                field="",
                message=f"status {status} is not documented for {op.operation_id}"
                f" (documented: {documented})",
                expected=documented,
                found=str(status),
                keyword="status",
                profile=profile,
                operation_id=op.operation_id,
            )
        )
        if status >= 400:
            findings.extend(_check_error_shape(op, headers, body, profile))
        return findings
    if spec.schema is None:
        return findings
    text = as_text(body)
    ok, value = parse_json(text)
    if not ok:
        findings.append(
            Finding(
                side="response",
                location="body",
                field="",
                message="body is not JSON",
                expected=str(spec.content_type or "application/json"),
                found=short(text),
                keyword="content-type",
                profile=profile,
                operation_id=op.operation_id,
            )
        )
        return findings
    for err in _validate_value(
        op, spec.schema, value, ("response", op.operation_id, spec.status), profile
    ):
        findings.append(_finding_from_error(err, "response", "body", "", profile, op))
    return findings


def _check_error_shape(
    op: Operation, headers: Mapping[str, Any] | None, body: Any, profile: str
) -> list[Finding]:
    ok, value = parse_json(as_text(body))
    if not ok:
        return []  # a non-JSON error page (proxy, gateway) is not Twilio's shape to judge
    validator = compile_schema(op.file, _TWILIO_ERROR_SCHEMA, "strict", "twilio-error")
    return [
        _finding_from_error(e, "response", "body", "", profile, op)
        for e in validator.iter_errors(value)
    ]


# ---------------------------------------------------------------------------------------------
# whole interactions


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking one interaction."""

    twilio: bool  # False: not a Twilio host, nothing was checked
    match: RouteMatch | None
    findings: tuple[Finding, ...]


def check_interaction(
    index: SpecIndex,
    *,
    method: str,
    url: str,
    request_headers: Mapping[str, Any] | None = None,
    request_body: Any = None,
    status: int | None = None,
    response_headers: Mapping[str, Any] | None = None,
    response_body: Any = None,
    profile: str = DEFAULT_PROFILE,
    from_cassette: bool = False,
) -> Checked:
    """Resolve a request to its operation and check the request (and the response, if given)."""
    _check_profile(profile)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if normalize_host(host) is None or not index.is_twilio_host(host):
        return Checked(False, None, ())
    match = index.resolve_path(method, host, parts.path)
    if match is None:
        return Checked(True, None, (_unknown_route(method, host, parts.path, profile),))
    findings = check_request(
        match,
        query=parse_qsl(parts.query, keep_blank_values=True),
        headers=request_headers,
        body=request_body,
        profile=profile,
        credentials_may_be_filtered=from_cassette,
    )
    if status is not None:
        findings += check_response(
            match.operation,
            status=status,
            headers=response_headers,
            body=response_body,
            profile=profile,
        )
    return Checked(True, match, tuple(findings))


def _unknown_route(method: str, host: str, path: str, profile: str) -> Finding:
    return Finding(
        side="request",
        location="path",
        field="",
        message=f"no operation of Twilio's spec matches {method.upper()} {path} on {host}",
        expected="a documented path",
        found=path,
        keyword="route",
        profile=profile,
        twilio_status=NOT_FOUND[0],
        twilio_code=NOT_FOUND[1],
    )
