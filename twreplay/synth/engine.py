"""The synthetic engine: a Twilio answer for any request, generated from the spec.

Pure: request in (method, URL, headers, body), status + headers + body out. No vcrpy, no HTTP.
Answers are made true to the request (path parameters and sent parameters appear in the
resource), realistic (SIDs of the right prefix, dates in each API's own format, links to the
resource itself), deterministic (values from a seed of the operation, the request and its
position in the session; time from a synthetic clock), stateful (creates can be fetched,
listed, updated, deleted), and errors come in Twilio's own shape with Twilio's codes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from ..spec.index import SpecIndex, deref, normalize_host
from ..spec.model import Operation, RouteMatch
from ..validation import ERROR, Finding, check_request
from ..wire import as_text, header, multidict, parse_form, snake_case
from . import errors as twerr
from .values import Clock, Generator, conform, fits, iso8601, new_sid, rfc2822, sid_prefix

V2010 = "2010-04-01"
_NOT_SENT_YET = frozenset({"queued", "accepted", "scheduled", "sending"})
_PAGING = ("PageSize", "Page", "PageToken")
_LIST_META_2010 = (
    "first_page_uri",
    "end",
    "previous_page_uri",
    "uri",
    "page_size",
    "start",
    "next_page_uri",
    "page",
)


@dataclass(frozen=True, slots=True)
class SynthResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    #: what checking the request found (warnings such as unknown parameters included)
    findings: tuple[Finding, ...] = ()

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def _json_response(status: int, body: Any, extra: Mapping[str, str] | None = None) -> SynthResponse:
    headers = {"Content-Type": "application/json"}
    if extra:
        headers.update(extra)
    return SynthResponse(status, headers, json.dumps(body, ensure_ascii=False).encode("utf-8"))


def _error(err: twerr.TwilioError) -> SynthResponse:
    extra = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if err.status == 401 else None
    return _json_response(err.status, err.body(), extra)


def _clone(value: Any) -> Any:
    """A deep copy of a JSON tree (several times faster than copy.deepcopy)."""
    kind = type(value)
    if kind is dict:
        return {k: _clone(v) for k, v in value.items()}
    if kind is list:
        return [_clone(v) for v in value]
    return value


def _same(field_value: Any, query_value: str) -> bool:
    """A record's field equals a query parameter's text (booleans and numbers as Twilio sends them)."""
    if isinstance(field_value, bool):
        return str(field_value).lower() == query_value.lower()
    if field_value is None:
        return False
    return str(field_value) == query_value


def _json_object(body: Any) -> dict[str, Any]:
    """The fields of a JSON object body (empty for a form or no body)."""
    if isinstance(body, Mapping):
        return {}
    text = as_text(body)
    if not text.lstrip().startswith("{"):
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _field_name(param: str) -> str:
    return "sid" if param == "Sid" else snake_case(param)


def _convert(value: str | list[str], schema: dict[str, Any]) -> Any:
    """A form value converted to the response field's type."""
    kind = schema.get("type")
    if kind == "array":
        return list(value) if isinstance(value, list) else [value]
    if isinstance(value, list):
        value = value[-1]
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return value.lower() == "true"
        if kind == "object" or (kind is None and value[:1] in ("{", "[")):
            parsed = json.loads(value)  # JSON sent as a form value comes back as JSON
            return parsed if isinstance(parsed, (dict, list)) else value
    except ValueError:
        return value
    return value


def _identity(field: dict[str, Any], param: dict[str, Any], gen: Generator, n: int) -> str:
    """The identifying value (as it appears in the path) of a new resource."""
    prefix = sid_prefix(field) or sid_prefix(param)
    if prefix:
        return new_sid(prefix, gen.rng)
    if field.get("type") == "integer" or param.get("type") == "integer":
        return str(n)
    if field.get("pattern") or field.get("format"):
        return str(gen.string(field, "id"))
    return f"{'id'}{n}"


class SyntheticEngine:
    """Answers Twilio requests from the spec. One instance per session (it keeps the state)."""

    def __init__(
        self,
        index: SpecIndex,
        *,
        stateful: bool = True,
        strict_state: bool = False,
        list_size: int = 3,
        seed: str = "twreplay",
    ) -> None:
        self.index = index
        self.stateful = stateful
        self.strict_state = strict_state
        self.list_size = list_size
        self.seed = seed
        self.clock = Clock()
        self.position = 0
        self._lock = threading.RLock()
        self._store: dict[tuple[str, str], dict[str, Any]] = {}
        self._children: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._deleted: set[tuple[str, str]] = set()
        self._aliases: dict[tuple[str, str], str] = {}  # (host, path by unique_name) -> path
        self._templates: dict[tuple[int, str, str], str] = {}
        self._instances: dict[int, Operation | None] = {}

    # -- entry point -------------------------------------------------------------------------
    def answer(
        self,
        method: str,
        url: str,
        headers: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        base_url: str | None = None,
    ) -> SynthResponse | None:
        """Twilio's answer, or None when `url` is not a Twilio host.

        `base_url` is where absolute links (`url`, `links`, `next_page_url`) point; by default
        the host of the request itself.
        """
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if normalize_host(host) is None or not self.index.is_twilio_host(host):
            return None
        method = method.upper()
        with self._lock:
            self.position += 1
            when = self.clock.tick()
            position = self.position
            match = self.index.resolve_path(method, host, parts.path)
            if match is None:
                version = parts.path.strip("/").split("/", 1)[0]
                return _error(twerr.not_found(parts.path, version))
            op = match.operation
            if op.auth and not header(headers, "Authorization"):
                return _error(twerr.authenticate())
            query = parse_qsl(parts.query, keep_blank_values=True)
            form = self._form(body)
            findings = tuple(
                check_request(match, query=query, headers=headers, body=body, profile="strict")
            )
            failure = self._request_error(
                match, [f for f in findings if f.severity == ERROR], parts.path
            )
            if failure is not None:
                return replace(_error(failure), findings=findings)
            magic = twerr.magic(op.operation_id, form)
            if magic is not None:
                return replace(_error(magic), findings=findings)
            seed = f"{self.seed}|{op.operation_id}|{method}|{url}|{sorted(form.items())}|{position}"
            rng = random.Random(hashlib.sha256(seed.encode()).digest())
            gen = Generator(op.file.document, rng, when)
            ctx = _Context(
                self, match, host, base_url or f"https://{host}", query, form, headers, gen
            )
            ctx.json_body = _json_object(body)
            return replace(ctx.respond(), findings=findings)

    # -- request checks ----------------------------------------------------------------------
    @staticmethod
    def _form(body: Any) -> dict[str, list[str]]:
        if isinstance(body, Mapping):
            return {
                str(k): [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
                for k, v in body.items()
            }
        text = as_text(body)
        if not text or text.lstrip()[:1] in ("{", "["):
            return {}
        return multidict(parse_form(text))

    def _request_error(
        self, match: RouteMatch, findings: list[Finding], path: str
    ) -> twerr.TwilioError | None:
        """The Twilio error for a request's first error finding (None: no error)."""
        op = match.operation
        if not findings:
            return None
        details = {
            "findings": [
                {
                    "location": f.location,
                    "parameter": f.field,
                    "message": f.message,
                    "expected": f.expected,
                    "found": f.found,
                }
                for f in findings
            ]
        }
        first = findings[0]
        if first.location == "path":
            # unconfirmed: Twilio's answer to a malformed SID in the path; it answers 404/20404
            # for resources it cannot find, and this is what we give, naming the parameter.
            err = twerr.not_found(path, op.api_version)
            return twerr.TwilioError(404, 20404, err.message, {**details, "parameter": first.field})
        if first.keyword == "auth":
            return twerr.authenticate()
        key = first.field if first.keyword == "required" else None
        if first.keyword == "conditional":
            group = next(
                (g for g in op.conditional if " | ".join(self._form_names(op, g)) == first.field),
                None,
            )
            key = group[0] if group else None
        known = twerr.MISSING.get((op.operation_id, key or ""))
        if known:
            return twerr.TwilioError(400, known[0], known[1], details)
        if first.keyword in ("required", "conditional"):
            message = f"Missing required parameter {first.field} in the post body"
        else:
            message = f"Invalid parameter {first.field}: {first.message}"
        return twerr.TwilioError(
            400, twerr.GENERIC_PARAMETER_CODE, message, {**details, "code_confirmed": False}
        )

    @staticmethod
    def _form_names(op: Operation, group: tuple[str, ...]) -> list[str]:
        schema = deref(op.file.document, op.body_schema or {})
        by_snake = {snake_case(n): n for n in schema.get("properties", {})}
        return [by_snake.get(g, g) for g in group]

    # -- state -------------------------------------------------------------------------------
    def instance_operation(self, op: Operation) -> Operation | None:
        """The instance (fetch) operation of a list operation's resources."""
        key = id(op)
        if key not in self._instances:
            found = None
            base = op.path.removesuffix(".json")
            for other in self.index.operations_for_host(op.host):
                if (
                    other.method == "GET"
                    and other.path_type == "instance"
                    and other.path.startswith(base + "/{")
                    and other.path.count("/") == op.path.count("/") + 1
                ):
                    found = other
                    break
            self._instances[key] = found
        return self._instances[key]


class _Context:
    """Everything one answer needs."""

    def __init__(
        self,
        engine: SyntheticEngine,
        match: RouteMatch,
        host: str,
        base_url: str,
        query: list[tuple[str, str]],
        form: dict[str, list[str]],
        headers: Mapping[str, Any] | None,
        gen: Generator,
    ) -> None:
        self.engine = engine
        self.match = match
        self.op = match.operation
        self.host = normalize_host(host) or host
        self.base_url = base_url.rstrip("/")
        self.query = query
        self.form = form
        self.json_body: dict[str, Any] = {}  # a JSON request body's fields, when it has one
        self.headers = headers
        self.gen = gen
        self.doc = self.op.file.document

    # -- dispatch ----------------------------------------------------------------------------
    def respond(self) -> SynthResponse:
        op = self.op
        documented = sorted(int(c) for c in op.responses if c.isdigit() and int(c) < 400)
        status = op.success_statuses[0] if op.success_statuses else (documented or [200])[0]
        spec = op.responses.get(str(status))
        schema = deref(self.doc, spec.schema) if spec and spec.schema else None
        path = self.concrete_path()
        key = (self.host, path)
        eng = self.engine
        if eng.stateful and self.parent_deleted(path):
            return _error(twerr.not_found(path, op.api_version))  # its parent is gone
        if op.method == "DELETE":
            if eng.stateful:
                if key in eng._deleted or (eng.strict_state and key not in eng._store):
                    return _error(twerr.not_found(path, op.api_version))
                eng._deleted.add(key)
                eng._store.pop(key, None)
            if schema is None:
                return SynthResponse(status, {}, b"")
        if schema is None:
            return SynthResponse(status, {"Content-Type": "application/json"}, b"")
        list_key = self.list_key(schema)
        if op.method == "GET" and list_key:
            return _json_response(status, self.list_page(schema, list_key, status))
        gone = key in eng._deleted or (eng.strict_state and key not in eng._store)
        if eng.stateful and op.path_type == "instance" and op.method in ("GET", "POST") and gone:
            return _error(twerr.not_found(path, op.api_version))
        record = self.record(schema, status)
        return _json_response(status, record)

    def parent_deleted(self, path: str) -> bool:
        """Whether a resource this path lies under was deleted."""
        deleted = self.engine._deleted
        if not deleted:
            return False
        parts = path.split("/")
        for i in range(2, len(parts)):
            ancestor = "/".join(parts[:i])
            if (self.host, ancestor) in deleted or (self.host, ancestor + ".json") in deleted:
                return True
        return False

    # -- single resources --------------------------------------------------------------------
    def template(self, schema: dict[str, Any], status: str, example: Any) -> dict[str, Any]:
        """The operation's documented example made to fit its schema (cached per operation)."""
        eng = self.engine
        key = (id(self.op), status, "record")
        text = eng._templates.get(key)
        if text is None:
            gen = Generator(self.doc, random.Random(self.op.operation_id), self.gen.when)
            value = conform(gen, schema, example if isinstance(example, dict) else {})
            text = eng._templates[key] = json.dumps(value)
        return json.loads(text)

    def first_example(self, status: str) -> Any:
        spec = self.op.responses.get(status)
        if not spec or not spec.examples:
            return None
        ex = next(iter(spec.examples.values()))
        return ex.get("value") if isinstance(ex, dict) else None

    def record(self, schema: dict[str, Any], status: int) -> dict[str, Any]:
        op, eng = self.op, self.engine
        path = self.concrete_path()
        key = (self.host, path)
        stored = eng._store.get(key) if eng.stateful else None
        if op.method == "GET" and stored is not None:
            return _clone(stored)
        creating = op.method == "POST" and op.path_type == "list"
        if stored is not None:
            record = _clone(stored)
        else:
            record = self.template(schema, str(status), self.first_example(str(status)))
            self.fill_path_params(record, schema)
            self.fill_account(record, schema)
        props = schema.get("properties", {})
        instance_path = path
        if creating:
            instance_path = self.create_identity(record, props)
        if op.method == "POST":
            self.echo(record, props)
        self.fill_dates(record, props, created=creating or stored is None)
        self.fill_links(record, props, instance_path)
        if eng.stateful and op.method == "POST" and (creating or op.path_type == "instance"):
            ikey = (self.host, instance_path)
            eng._store[ikey] = _clone(record)
            if creating:
                eng._children.setdefault((self.host, path), []).append(ikey)
            name = record.get("unique_name")
            if isinstance(name, str) and name and creating:
                head, _, last = instance_path.rpartition("/")
                suffix = ".json" if last.endswith(".json") else ""
                eng._aliases[(self.host, f"{head}/{quote(name, safe='')}{suffix}")] = instance_path
        return record

    def create_identity(self, record: dict[str, Any], props: dict[str, Any]) -> str:
        """Give a created resource its identity; returns its instance path."""
        inst = self.engine.instance_operation(self.op)
        if inst is None:
            if "sid" in props:
                prefix = sid_prefix(deref(self.doc, props["sid"]))
                if prefix:
                    record["sid"] = new_sid(prefix, self.gen.rng)
            return self.concrete_path()
        last = inst.path.rsplit("{", 1)[1].split("}", 1)[0]
        field = _field_name(last)
        sent = self.form.get(last)
        schema = deref(self.doc, props.get(field, {}))
        param = next((p.schema for p in inst.params_in("path") if p.name == last), {})
        prefix = sid_prefix(schema) or sid_prefix(param)
        # a resource made from another (a phone number added to a service by its
        # PhoneNumberSid) keeps that SID: a sent SID of the resource's own kind
        adopted = [
            v[-1]
            for v in self.form.values()
            if prefix and re.fullmatch(f"{prefix}[0-9a-fA-F]{{32}}", v[-1])
        ]
        if sent:
            value = sent[-1]
        elif adopted:
            value = adopted[0]
        else:
            value = _identity(schema, param, self.gen, self.engine.position)
        if field in props:
            record[field] = _convert(value, schema)
        return self.instance_path(inst, value)

    def instance_path(self, inst: Operation, value: str) -> str:
        params = dict(self.match.path_params)
        last = inst.path.rsplit("{", 1)[1].split("}", 1)[0]
        params[last] = value
        out = inst.path
        for name, v in params.items():
            out = out.replace("{" + name + "}", v)
        return out

    def fill_path_params(self, record: dict[str, Any], schema: dict[str, Any]) -> None:
        props = schema.get("properties", {})
        for name, value in self.match.path_params.items():
            field = _field_name(name)
            if field in props:
                schema = deref(self.doc, props[field])
                converted = _convert(value, schema)
                if fits(self.doc, schema, converted):
                    record[field] = converted

    def fill_account(self, record: dict[str, Any], schema: dict[str, Any]) -> None:
        """`account_sid` is the caller's account (path, else the Basic username)."""
        if "account_sid" not in schema.get("properties", {}):
            return
        account = self.match.path_params.get("AccountSid")
        if account is None:
            auth = header(self.headers, "Authorization") or ""
            if auth.lower().startswith("basic "):
                try:
                    user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
                except ValueError:
                    user = ""
                if user.startswith("AC") and len(user) == 34:
                    account = user
        if account:
            record["account_sid"] = account

    def echo(self, record: dict[str, Any], props: dict[str, Any]) -> None:
        """Sent parameters appear in the fields of the same name (`To` -> `to`)."""
        for name, values in self.form.items():
            if "." in name:
                prefix, sub = name.split(".", 1)
                field = snake_case(prefix)
                target = record.get(field)
                if field in props and isinstance(target, dict):
                    target[snake_case(sub)] = values[-1]
                continue
            field = snake_case(name)
            if field in props and field not in ("sid", "account_sid"):
                schema = deref(self.doc, props[field])
                value = _convert(values if len(values) > 1 else values[-1], schema)
                if fits(self.doc, schema, value):  # a value Twilio would store as sent
                    record[field] = value
        for name, value in self.json_body.items():  # JSON APIs: the fields as sent
            field = snake_case(name)
            keep = field in props and field not in ("sid", "account_sid")
            if keep and fits(self.doc, deref(self.doc, props[field]), value):
                record[field] = _clone(value)

    def fill_dates(self, record: dict[str, Any], props: dict[str, Any], created: bool) -> None:
        """Times from the session's clock: created <= updated, and no time before creation."""
        for name, sub in props.items():
            fmt = deref(self.doc, sub).get("format")
            if fmt not in ("date-time", "date-time-rfc-2822"):
                continue
            stamp = name == "date_updated" or (
                created and (name == "date_created" or record.get(name))
            )
            if stamp:
                when = self.gen.when
                record[name] = rfc2822(when) if fmt == "date-time-rfc-2822" else iso8601(when)
        if created and record.get("status") in _NOT_SENT_YET and "date_sent" in record:
            record["date_sent"] = None  # a queued message has not been sent

    def fill_links(self, record: dict[str, Any], props: dict[str, Any], instance_path: str) -> None:
        v2010 = self.op.api_version == V2010
        if "uri" in props and v2010:
            record["uri"] = instance_path
        if "url" in props and not v2010:
            record["url"] = self.base_url + instance_path
        inst = self.engine.instance_operation(self.op) if self.op.path_type == "list" else self.op
        dependents = (inst.path_x if inst else self.op.path_x).get("dependentProperties") or {}
        target = "subresource_uris" if v2010 else "links"
        if target not in props or not dependents:
            return
        links = {}
        for name, dep in dependents.items():
            url = dep.get("resource_url", "")
            for placeholder, field in (dep.get("mapping") or {}).items():
                url = url.replace("{" + placeholder + "}", str(record.get(field, "")))
            links[name] = url if v2010 else self.base_url + url
        record[target] = links

    # -- lists -------------------------------------------------------------------------------
    def list_key(self, schema: dict[str, Any]) -> str | None:
        props = schema.get("properties", {})
        meta = deref(self.doc, props.get("meta", {})).get("properties", {})
        if "next_page_url" not in meta and "next_page_uri" not in props:
            return None  # not a paged list (an object that merely has `meta` and an array)
        for name, sub in props.items():
            if name != "meta" and deref(self.doc, sub).get("type") == "array":
                return name
        return None

    def list_page(self, schema: dict[str, Any], key: str, status: int) -> dict[str, Any]:
        eng, op = self.engine, self.op
        path = self.concrete_path()
        item_schema = deref(self.doc, deref(self.doc, schema["properties"][key]).get("items", {}))
        # stored resources, newest first (copied only for the page shown), then the list's own
        records: list[Any] = []
        if eng.stateful:
            records = [
                k for k in reversed(eng._children.get((self.host, path), [])) if k in eng._store
            ]
        records.extend(self.generated_items(item_schema, key, status, path))
        records = self.filtered(records, item_schema)
        params = dict(self.query)
        try:
            size = max(1, min(int(params.get("PageSize", 50)), 1000))
            page = max(0, int(params.get("Page", 0)))
        except ValueError:
            size, page = 50, 0
        chunk = [
            _clone(eng._store[r]) if isinstance(r, tuple) else r
            for r in records[page * size : (page + 1) * size]
        ]
        more = (page + 1) * size < len(records)
        filters = [(k, v) for k, v in self.query if k not in _PAGING]

        def link(n: int | None, token: bool = False) -> str | None:
            if n is None:
                return None
            q = [*filters, ("PageSize", str(size)), ("Page", str(n))]
            if token and n > 0:
                q.append(
                    ("PageToken", f"PA{hashlib.sha256(f'{path}|{n}'.encode()).hexdigest()[:32]}")
                )
            return f"{path}?{urlencode(q)}"

        next_n = page + 1 if more else None
        prev_n = page - 1 if page > 0 else None
        envelope: dict[str, Any] = {}
        if op.api_version == V2010 or "meta" not in schema.get("properties", {}):
            values = {
                "first_page_uri": link(0),
                "end": page * size + max(len(chunk) - 1, 0),
                "previous_page_uri": link(prev_n, True),
                "uri": link(page),
                "page_size": size,
                "start": page * size,
                "next_page_uri": link(next_n, True),
                "page": page,
            }
            for name in schema.get("properties", {}):
                envelope[name] = chunk if name == key else values.get(name)
            return envelope
        absolute = {
            n: (self.base_url + v if v else None)
            for n, v in (
                ("first", link(0)),
                ("prev", link(prev_n, True)),
                ("url", link(page)),
                ("next", link(next_n, True)),
            )
        }
        envelope[key] = chunk
        envelope["meta"] = {
            "first_page_url": absolute["first"],
            "key": key,
            "next_page_url": absolute["next"],
            "page": page,
            "page_size": size,
            "previous_page_url": absolute["prev"],
            "url": absolute["url"],
        }
        return envelope

    def filtered(self, records: list[Any], item_schema: dict[str, Any]) -> list[Any]:
        """Equality filters (`To=…`, `Status=…`, `PhoneNumber=…`) applied to the records.

        Range filters (`DateSent<`, `StartTime>`) and parameters that are not a field of the
        records (`PageSize`, `Page`, …) are not applied.
        """
        props = item_schema.get("properties", {})
        wanted = [
            (snake_case(k), v)
            for k, v in self.query
            if k not in _PAGING and not k.endswith(("<", ">")) and snake_case(k) in props
        ]
        if not wanted:
            return records
        store = self.engine._store

        def keep(item: Any) -> bool:
            record = store.get(item, {}) if isinstance(item, tuple) else item
            return all(_same(record.get(field), value) for field, value in wanted)

        return [r for r in records if keep(r)]

    def generated_items(
        self, item_schema: dict[str, Any], key: str, status: int, path: str
    ) -> list[dict[str, Any]]:
        """The list's own resources: the same on every page and every call (seeded by path)."""
        eng = self.engine
        if eng.list_size <= 0:
            return []
        example = self.first_example(str(status))
        items = example.get(key) if isinstance(example, dict) else None
        base = self.template(item_schema, f"{status}:{key}", items[0] if items else {})
        inst = eng.instance_operation(self.op)
        props = item_schema.get("properties", {})
        out = []
        for i in range(eng.list_size):
            record = json.loads(json.dumps(base))
            rng = random.Random(
                hashlib.sha256(f"{eng.seed}|{self.host}{path}|{i}".encode()).digest()
            )
            gen = Generator(self.doc, rng, self.gen.when)
            self.fill_path_params(record, item_schema)
            self.fill_account(record, item_schema)
            instance_path = path
            if inst is not None:
                last = inst.path.rsplit("{", 1)[1].split("}", 1)[0]
                field = _field_name(last)
                schema = deref(self.doc, props.get(field, {}))
                param = next((p.schema for p in inst.params_in("path") if p.name == last), {})
                value = _identity(schema, param, gen, i + 1)
                if field in props:
                    record[field] = _convert(value, schema)
                instance_path = self.instance_path(inst, value)
                ikey = (self.host, instance_path)
                if ikey in eng._deleted:
                    continue
                if ikey in eng._store:  # updated since: show the stored version
                    record = _clone(eng._store[ikey])
                    out.append(record)
                    continue
            elif "sid" in props:
                prefix = sid_prefix(deref(self.doc, props["sid"]))
                if prefix:
                    record["sid"] = new_sid(prefix, gen.rng)
            saved, self.gen = self.gen, gen
            self.fill_links(record, props, instance_path)
            self.gen = saved
            out.append(record)
        return out

    # -- paths -------------------------------------------------------------------------------
    def concrete_path(self) -> str:
        out = self.op.path
        for name, value in self.match.path_params.items():
            out = out.replace("{" + name + "}", value)
        # "Sid or UniqueName": a resource created with a unique_name answers to it too
        return self.engine._aliases.get((self.host, out), out)
