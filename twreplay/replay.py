"""`use_cassette` on vcrpy: Twilio-aware, indexed matching; readable cassettes; validation.

An adapter: it joins vcrpy's interception to the pure core (matching, cassette, validation).
A `Cassette` subclass overrides `can_play_response_for` / `play_response`, which every vcrpy
stub (requests/urllib3, aiohttp, httpx) calls, so one place serves every client. Tested with
vcrpy 9.4.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from vcr.cassette import Cassette
from vcr.config import VCR
from vcr.errors import CannotOverwriteExistingCassetteException, UnhandledHTTPRequestError
from vcr.record_mode import RecordMode
from vcr.request import Request

from ._version import __version__
from .cassette import (
    VOLATILE_REQUEST_HEADERS,
    VOLATILE_RESPONSE_HEADERS,
    dump_cassette,
    load_cassette,
    ordered_headers,
    pretty_body,
    write_atomic,
)
from .errors import SpecNotFoundError, SpecValidationError, TwreplayError
from .matching import RequestShape, consistent, differences, form_text, shape
from .scrub import Scrubber, ScrubConfig, restore
from .spec.index import SpecIndex, get_index, normalize_host
from .spec.locate import PINNED_VERSION
from .validation import ERROR, Finding, check_interaction
from .wire import header

log = logging.getLogger("twreplay")

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")
VALIDATE_MODES = ("off", "warn", "strict")
ENV_RECORD_MODE = "TWREPLAY_RECORD_MODE"
_VCR_DEFAULT_MATCH = ("method", "scheme", "host", "port", "path", "query")
_CREDENTIAL_HEADERS = frozenset({"authorization", "twilio-client-validation", "cookie"})

F = TypeVar("F", bound=Callable[..., Any])
#: Answers a Twilio request no cassette matches: a vcrpy response dict, or None (no answer).
Responder = Callable[[Request], "dict[str, Any] | None"]


class UnmatchedRequestError(CannotOverwriteExistingCassetteException, TwreplayError):
    """A Twilio request that no recorded interaction matches, in a mode that may not record it."""

    def __init__(self, message: str, *, cassette: Any, failed_request: Request) -> None:
        self.cassette = cassette
        self.failed_request = failed_request
        self.similar_requests: list[Any] = []
        self.reason = "no_match"
        Exception.__init__(self, message)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request answered during a session, and where the answer came from."""

    method: str
    uri: str
    status: int
    operation_id: str | None


@dataclass(slots=True)
class Session:
    """What happened inside one `use_cassette` block."""

    path: str | None
    record_mode: str
    replayed: list[Exchange] = field(default_factory=list)
    synthetic: list[Exchange] = field(default_factory=list)
    recorded: list[Exchange] = field(default_factory=list)
    issues: list[Finding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Options:
    session: Session
    validate: str
    profile: str
    spec_dir: str | os.PathLike[str] | None
    responder: Responder | None
    rewrite: bool
    persist: bool
    twilio_matching: bool
    request_filters: bool  # vcrpy's before_record_request has work to do (else skip its copy)
    scrub: ScrubConfig | None  # None: record as is
    extra_paths: tuple[str, ...] = ()  # more cassettes to replay from (pytest-recording's)


# ---------------------------------------------------------------------------------------------


def _response_copy(response: dict[str, Any]) -> dict[str, Any]:
    """A fresh response for a stub to consume (vcrpy edits the headers in place)."""
    return {
        "status": dict(response["status"]),
        "headers": {k: list(v) for k, v in response.get("headers", {}).items()},
        "body": {"string": response["body"]["string"]},
    }


def _loaded_response(raw: dict[str, Any]) -> dict[str, Any]:
    body = (raw.get("body") or {}).get("string", b"")
    if isinstance(body, str):
        body = body.encode("utf-8")
    status = raw["status"]
    return {
        "status": {"code": int(status["code"]), "message": status.get("message", "")},
        "headers": {
            k: list(v) if isinstance(v, (list, tuple)) else [v]
            for k, v in (raw.get("headers") or {}).items()
        },
        "body": {"string": body or b""},
    }


class TwilioCassette(Cassette):
    """vcrpy's Cassette with an index by Twilio request shape instead of a linear scan."""

    def __init__(self, path: Any, *, twreplay: _Options, **kwargs: Any) -> None:
        super().__init__(path, **kwargs)
        self._tw = twreplay
        if twreplay.persist:
            twreplay.session.path = str(path)
        self._shapes: list[RequestShape | None] = []
        self._by_key: dict[tuple[Any, ...], list[int]] = {}
        self._index: SpecIndex | None = None
        self._index_failed = False
        self._logged: set[tuple[Any, ...]] = set()
        # scrubbed fakes bound to the live values they stand for in this session
        self._bound: dict[str, str] = {}
        self._reverse: dict[str, str] = {}
        self._scrubber: Scrubber | None = None

    # -- spec --------------------------------------------------------------------------------
    def spec(self) -> SpecIndex | None:
        if self._index is None and not self._index_failed:
            try:
                self._index = get_index(self._tw.spec_dir)
            except SpecNotFoundError:
                self._index_failed = True
                if self._tw.validate == "strict":
                    raise
                log.warning(
                    "twreplay: Twilio's spec was not found, so nothing is validated"
                    " (run `twreplay spec fetch`)."
                )
        return self._index

    # -- loading and indexing ----------------------------------------------------------------
    def _load(self) -> None:
        if self._tw.rewrite or not self._tw.persist:
            return
        paths = [
            p
            for p in (Path(self._path), *map(Path, self._tw.extra_paths))
            if p.is_file() and p.stat().st_size > 0
        ]
        if not paths:
            return
        enabled = gc.isenabled()
        gc.disable()  # building thousands of small objects; the collector would rescan them
        try:
            interactions = [
                it for path in paths for it in load_cassette(path, line_numbers=False).interactions
            ]
            hooks = self._after_load_interaction
            for it in interactions:
                request = _LoadedRequest(
                    it.method,
                    it.uri,
                    _request_body(it.request.get("body")),
                    {
                        k: v[0] if isinstance(v, list) and v else v
                        for k, v in it.request_headers.items()
                    },
                )
                response = _loaded_response(dict(it.response))
                if hooks:
                    from vcr.cassette import _run_hooks

                    pair = _run_hooks(hooks, request, response, self)
                    if pair is None:
                        continue
                    request, response = pair
                self.data.append((request, response))
                self._old_interactions.append((request, response))
                self._index_add(len(self.data) - 1, request)
        finally:
            if enabled:
                gc.enable()
        self._loaded_count = len(self.data)
        self.dirty = False
        self.rewound = True

    def _index_add(self, i: int, request: Request) -> None:
        s = shape(request.method, request.uri, request.body, request.headers)
        self._shapes.append(s)
        if s.twilio:
            self._by_key.setdefault(s.key, []).append(i)

    def _ours(self, request: Request) -> bool:
        return self._tw.twilio_matching and normalize_host(request.host or "") is not None

    # -- vcrpy's two entry points ------------------------------------------------------------
    def can_play_response_for(self, request: Request) -> bool:
        if not self._ours(request):
            return bool(super().can_play_response_for(request))
        kind, _ = self._decide(request)
        if kind == "miss" and self.write_protected and self.filter_request(request):
            raise UnmatchedRequestError(
                self._miss_message(request), cassette=self, failed_request=request
            )
        return kind != "miss"

    def play_response(self, request: Request) -> dict[str, Any]:
        if not self._ours(request):
            return super().play_response(request)
        kind, value = self._decide(request)
        request._twreplay = None  # one decision per request object
        if kind == "replay":
            i = value
            if self.play_counts[i] == 0 and i < self._loaded_count:
                self._played_interactions.append(self.data[i])
            self.play_counts[i] += 1
            response = _response_copy(self.data[i][1])
            if self._bound:
                response["body"]["string"] = _unscrub(response, self._bound)
            self._account(self._tw.session.replayed, request, response)
            return response
        if kind == "synthetic":
            self._account(self._tw.session.synthetic, request, value, value.get("findings", ()))
            return _response_copy(value)
        raise UnhandledHTTPRequestError(self._miss_message(request))

    def _decide(self, request: Request) -> tuple[str, Any]:
        decided = getattr(request, "_twreplay", None)
        if decided is not None:
            return decided
        decided = ("miss", None)
        filtered = self.filter_request(request) if self._tw.request_filters else request
        if (
            filtered
            and self.record_mode != RecordMode.ALL
            and (self.rewound or self.allow_playback_repeats)
        ):
            s = shape(filtered.method, filtered.uri, filtered.body, filtered.headers)
            candidates = self._by_key.get(s.key, ())
            usable = []  # (index, fake->real pairs it needs), in recorded order
            for i in candidates:
                recorded = self._shapes[i]
                pairs = consistent(recorded, s, self._bound, self._reverse) if recorded else None
                if pairs is not None:
                    usable.append((i, pairs))
            chosen = next(((i, p) for i, p in usable if self.play_counts[i] == 0), None)
            if chosen is None and usable and self.allow_playback_repeats:
                chosen = usable[-1]
            if chosen is not None:
                for fake, real in chosen[1]:
                    self._bound[fake] = real
                    self._reverse[real] = fake
                decided = ("replay", chosen[0])
        if decided[0] == "miss" and filtered and self.write_protected and self._tw.responder:
            answer = self._tw.responder(filtered)
            if answer is not None:
                decided = ("synthetic", answer)
        request._twreplay = decided
        return decided

    # -- recording ---------------------------------------------------------------------------
    def append(self, request: Request, response: dict[str, Any]) -> None:
        """Record an interaction: scrubbed first, then vcrpy's own before_record hooks."""
        if self._tw.scrub is not None:
            request, response = self._scrub(request, response)
        before = len(self.data)
        super().append(request, response)
        if len(self.data) > before:
            req, resp = self.data[-1]
            self._index_add(len(self.data) - 1, req)
            if self._ours(req):
                self._account(self._tw.session.recorded, req, resp)

    def _rerecorded_interactions(self) -> list[Any]:
        """record_mode="all": recordings replace the loaded interactions they match (by shape)."""
        if not self._tw.twilio_matching:
            return super()._rerecorded_interactions()
        recorded = self.data[self._loaded_count :]
        if self.drop_unused_requests:
            return recorded
        fresh = {s.key for s in self._shapes[self._loaded_count :] if s is not None}
        kept = [
            pair
            for pair, s in zip(self.data[: self._loaded_count], self._shapes, strict=False)
            if s is None or s.key not in fresh
        ]
        return kept + recorded

    def scrubber(self) -> Scrubber:
        if self._scrubber is None:
            index = self.spec() if not self._index_failed else None
            self._scrubber = Scrubber(self._tw.scrub, index)
            path = Path(self._path)
            if self._loaded_count and path.is_file():  # fakes already in use keep their numbers
                self._scrubber.observe(path.read_text(encoding="utf-8", errors="replace"))
        return self._scrubber

    def _scrub(self, request: Request, response: dict[str, Any]) -> tuple[Request, dict[str, Any]]:
        body = _stored_body(request.body)
        raw = {
            "method": request.method,
            "uri": request.uri,
            "body": body,
            "headers": {k: [v] for k, v in request.headers.items()},
        }
        clean, clean_response = self.scrubber().scrub_interaction(raw, response)
        out = Request(
            clean["method"],
            clean["uri"],
            clean["body"],
            {k: v[0] if isinstance(v, list) and v else v for k, v in clean["headers"].items()},
        )
        string = clean_response.get("body", {}).get("string")
        if isinstance(string, str):
            clean_response["body"]["string"] = string.encode("utf-8")
        return out, clean_response

    def _save(self, force: bool = False) -> None:
        if not self._tw.persist:
            return
        super()._save(force=force or (self._tw.rewrite and self.dirty))

    # -- bookkeeping, validation -------------------------------------------------------------
    def _account(
        self,
        bucket: list[Exchange],
        request: Request,
        response: dict[str, Any],
        known: tuple[Finding, ...] | None = None,
    ) -> None:
        """Count an exchange and validate it.

        `known`: findings already made for a synthetic answer (its request was checked when it
        was answered, and the answer fits the spec by construction), so nothing is checked twice.
        """
        status = int(response["status"]["code"])
        operation_id = None
        validate = self._tw.validate != "off"
        index = self.spec() if validate else self._index
        if index is not None:
            checked = None
            if validate and known is None:
                checked = check_interaction(
                    index,
                    method=request.method,
                    url=request.uri,
                    request_headers=dict(request.headers),
                    request_body=request.body,
                    status=status,
                    response_headers=response.get("headers"),
                    response_body=response["body"]["string"],
                    profile=self._tw.profile,
                )
            match = checked.match if checked else index.resolve(request.method, request.uri)
            operation_id = match.operation.operation_id if match else None
            findings = checked.findings if checked else (known if validate else None)
            if findings:
                self._report(request, tuple(findings))
        bucket.append(Exchange(request.method, request.uri, status, operation_id))

    def _report(self, request: Request, findings: tuple[Finding, ...]) -> None:
        self._tw.session.issues.extend(findings)
        for f in findings:
            key = (f.operation_id, f.side, f.location, f.field, f.keyword)
            if key not in self._logged:
                self._logged.add(key)
                log.warning("twreplay: %s %s: %s", request.method, request.uri, f.describe())
        errors = [f for f in findings if f.severity == ERROR]
        if errors and self._tw.validate == "strict":
            lines = "\n".join(f"  {f.describe()}" for f in errors)
            raise SpecValidationError(
                f"{request.method} {request.uri} ({errors[0].operation_id or 'no operation'})"
                f" breaks Twilio's spec ({self._tw.profile} profile), in cassette {self._path}:\n"
                f"{lines}\nFix the request or the recording, or use validate='warn'.",
                errors,
            )

    def _miss_message(self, request: Request) -> str:
        s = shape(request.method, request.uri, request.body, request.headers)
        keys = sorted({k for k, _ in s.body} if s.body_kind == "form" else set())
        qkeys = sorted({k for k, _ in s.query})
        index = self.spec() if not self._index_failed else None
        match = index.resolve(request.method, request.uri) if index else None
        op = f"{match.operation.operation_id}; " if match else ""
        lines = [
            f"No recorded interaction matches {request.method} {request.uri}"
            f" ({op}host {request.host}, path {request.path}"
            + (f", query keys: {', '.join(qkeys)}" if qkeys else "")
            + (f", form keys: {', '.join(keys)}" if keys else "")
            + ").",
            f"Cassette: {self._path if self._tw.persist else '(none)'}"
            f" (record_mode={self._tw.session.record_mode!r}, {len(self.data)} interactions).",
        ]
        best = self._closest(s)
        if best is not None:
            i, diffs = best
            rec = self.data[i][0]
            played = (
                " (already played; allow_playback_repeats=True replays it again)"
                if (not diffs and self.play_counts[i])
                else ""
            )
            lines.append(f"Closest recorded: interaction {i}, {rec.method} {rec.uri}{played}")
            lines.extend(f"  differs in {d}" for d in diffs)
        elif self.data:
            lines.append(
                "Nothing recorded resembles it (no interaction with this method and host)."
            )
        lines.append(
            "To record it: record_mode='new_episodes' (or TWREPLAY_RECORD_MODE=new_episodes, or"
            " pytest --record-mode=new_episodes) with Twilio credentials; to answer unrecorded"
            " requests from Twilio's spec instead, use synthetic=True."
        )
        return "\n".join(lines)

    def _closest(self, wanted: RequestShape) -> tuple[int, list[str]] | None:
        best: tuple[int, int, list[str]] | None = None
        for i, s in enumerate(self._shapes):
            if s is None or s.method != wanted.method or s.host != wanted.host:
                continue
            diffs = differences(wanted, s)
            score = len(diffs) + (2 if s.path != wanted.path else 0)
            if best is None or score < best[0]:
                best = (score, i, diffs)
        return (best[1], best[2]) if best else None


class _LoadedRequest(Request):
    """A vcrpy Request that parses its URL only when vcrpy asks for it (loading is hot)."""

    @property
    def uri(self) -> str:
        return self._uri

    @uri.setter
    def uri(self, uri: str) -> None:
        self._uri = uri
        self.__dict__.pop("parsed_uri", None)

    @functools.cached_property
    def parsed_uri(self) -> Any:
        from urllib.parse import urlparse

        return urlparse(self._uri)


def _unscrub(response: dict[str, Any], bound: dict[str, str]) -> Any:
    """The recorded body with the session's fakes replaced by the live values they stand for."""
    raw = response["body"]["string"]
    if not isinstance(raw, bytes):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    is_json = "json" in (header(response.get("headers"), "Content-Type") or "")
    return restore(text, bound, is_json).encode("utf-8")


def _request_body(body: Any) -> Any:
    if isinstance(body, dict):
        return form_text(body)
    return body


# ---------------------------------------------------------------------------------------------
# persisting


class _Persister:
    """Writes twreplay's readable, deterministic cassettes atomically."""

    def __init__(self, cassette_options: _Options) -> None:
        self._options = cassette_options

    @staticmethod
    def load_cassette(cassette_path: Any, serializer: Any) -> Any:  # pragma: no cover
        raise AssertionError("TwilioCassette loads cassettes itself")

    def save_cassette(
        self, cassette_path: Any, cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        index = _spec_or_none(self._options.spec_dir)
        interactions = []
        for request, response in zip(
            cassette_dict["requests"], cassette_dict["responses"], strict=True
        ):
            interactions.append(_interaction_dict(request, response, index))
        meta = {"spec": f"twilio-oai {PINNED_VERSION}", "version": __version__}
        write_atomic(cassette_path, dump_cassette(interactions, meta))


def _spec_or_none(spec_dir: str | os.PathLike[str] | None) -> SpecIndex | None:
    try:
        return get_index(spec_dir)
    except SpecNotFoundError:
        return None


def _stored_body(body: Any) -> Any:
    """A request body as a cassette stores it: form text (aiohttp's dicts encoded), else text
    where it is UTF-8, else bytes."""
    if isinstance(body, dict):
        body = form_text(body)
    if isinstance(body, bytes):
        with suppress(UnicodeDecodeError):
            body = body.decode("utf-8")
    return body


def _interaction_dict(
    request: Request, response: dict[str, Any], index: SpecIndex | None
) -> dict[str, Any]:
    req_headers = ordered_headers(dict(request.headers), VOLATILE_REQUEST_HEADERS)
    for name in req_headers:
        if name.lower() in _CREDENTIAL_HEADERS:
            scheme = str(req_headers[name][0]).split(" ", 1)
            req_headers[name] = [f"{scheme[0]} [scrubbed]" if len(scheme) == 2 else "[scrubbed]"]
    body = _stored_body(request.body)
    resp_headers = ordered_headers(response.get("headers", {}), VOLATILE_RESPONSE_HEADERS)
    raw = response["body"]["string"]
    out: dict[str, Any] = {
        "request": {
            "body": body if body else None,
            "headers": req_headers,
            "method": request.method,
            "uri": request.uri,
        },
        "response": {
            "body": {"string": pretty_body(raw, header(resp_headers, "Content-Type"))},
            "headers": resp_headers,
            "status": {
                "code": int(response["status"]["code"]),
                "message": response["status"].get("message", ""),
            },
        },
    }
    if index is not None:
        match = index.resolve(request.method, request.uri)
        if match is not None:
            out["twreplay"] = {"operation": match.operation.operation_id}
    return out


# ---------------------------------------------------------------------------------------------
# the public entry point


class _TwreplayVCR(VCR):
    def __init__(self, options: _Options, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._options = options

    def _use_cassette(self, with_current_defaults: bool = False, **kwargs: Any) -> Any:
        options = self._options

        def args() -> dict[str, Any]:
            config = self.get_merged_config(**kwargs)
            config["persister"] = _Persister(options)
            config["twreplay"] = options
            return config

        return TwilioCassette.use_arg_getter(args)


class use_cassette:  # noqa: N801 - a decorator and context manager, named like vcrpy's
    """Replay (and record) Twilio traffic from a cassette. See the README for the options.

    Used bare (`@twreplay.use_cassette`), the cassette is named after the function:
    `{$TWREPLAY_CASSETTE_DIR or cassettes}/{module}/{function}.yaml`, relative to the
    working directory.
    """

    def __new__(cls, path: Any = None, **kwargs: Any) -> Any:
        if callable(path) and not isinstance(path, (str, os.PathLike)):
            function = path
            return cls(default_cassette_path(function), **kwargs)(function)
        return super().__new__(cls)

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        record_mode: str | None = None,
        synthetic: bool = True,
        validate: str = "warn",
        profile: str = "lenient",
        stateful: bool = True,
        strict_state: bool = False,
        scrub: bool | ScrubConfig = True,
        spec_dir: str | os.PathLike[str] | None = None,
        responder: Responder | None = None,
        **vcr_options: Any,
    ) -> None:
        mode = record_mode or os.environ.get(ENV_RECORD_MODE) or "none"
        if mode not in RECORD_MODES:
            import difflib

            close = difflib.get_close_matches(mode, RECORD_MODES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(
                f"unknown record_mode {mode!r}{hint}; use one of {', '.join(RECORD_MODES)}"
            )
        if validate not in VALIDATE_MODES:
            raise ValueError(
                f"unknown validate {validate!r}; use one of {', '.join(VALIDATE_MODES)}"
            )
        self._args = dict(
            path=path,
            record_mode=record_mode,
            synthetic=synthetic,
            validate=validate,
            profile=profile,
            stateful=stateful,
            strict_state=strict_state,
            scrub=scrub,
            spec_dir=spec_dir,
            responder=responder,
            **vcr_options,
        )
        self.path = None if path is None else os.fspath(path)
        self.record_mode = mode
        self.synthetic = synthetic
        self.validate = validate
        self.profile = profile
        self.spec_dir = spec_dir
        self.stateful = stateful
        self.strict_state = strict_state
        self.scrub = scrub
        self.responder = responder
        self.vcr_options = vcr_options
        self._inner: Any = None
        self.session: Session | None = None

    # -- context manager ---------------------------------------------------------------------
    def __enter__(self) -> Session:
        if self._inner is not None:
            raise RuntimeError("this use_cassette(...) is already in use; create a new one")
        persist = self.path is not None
        path = self.path or os.path.join(tempfile.gettempdir(), "twreplay-no-cassette.yaml")
        session = Session(path=self.path, record_mode=self.record_mode)
        responder = self.responder
        if responder is None and self.synthetic:
            responder = _synthetic_responder(self)
        options = self._options(session, responder, persist, self.vcr_options)
        vcr_mode = {"rewrite": "all"}.get(self.record_mode, self.record_mode)
        config: dict[str, Any] = {
            "decode_compressed_response": True,
            "match_on": _VCR_DEFAULT_MATCH,
            **self.vcr_options,
            "record_mode": vcr_mode if persist else "none",
        }
        self._inner = _TwreplayVCR(options).use_cassette(path, **config)
        self._inner.__enter__()
        self.session = session
        return session

    def __exit__(self, *exc: Any) -> None:
        inner, self._inner = self._inner, None
        inner.__exit__(*exc)

    def _options(
        self,
        session: Session,
        responder: Responder | None,
        persist: bool,
        vcr_options: Mapping[str, Any],
        extra_paths: tuple[str, ...] = (),
    ) -> _Options:
        return _Options(
            session=session,
            validate=self.validate,
            profile=self.profile,
            spec_dir=self.spec_dir,
            responder=responder,
            rewrite=self.record_mode == "rewrite",
            persist=persist,
            twilio_matching="match_on" not in vcr_options,
            request_filters=bool(_REQUEST_FILTER_OPTIONS & set(vcr_options)),
            scrub=(self.scrub if isinstance(self.scrub, ScrubConfig) else ScrubConfig())
            if self.scrub
            else None,
            extra_paths=extra_paths,
        )

    def attach(self, vcr: VCR) -> Session:
        """Give a VCR made elsewhere (pytest-recording's) twreplay's behaviour.

        Its record mode, cassette folder and options stay its own; its cassettes become
        twreplay cassettes (matching, scrubbing, validation, synthetic answers). Returns the
        session that will count what happens.
        """
        session = Session(
            path=None, record_mode=str(getattr(vcr.record_mode, "value", vcr.record_mode))
        )
        responder = self.responder
        if responder is None and self.synthetic:
            responder = _synthetic_responder(self)
        vcr.decode_compressed_response = True
        extra_paths = tuple(getattr(vcr.persister, "extra_paths", ()) or ())

        def use(with_current_defaults: bool = False, **kwargs: Any) -> Any:
            def args() -> dict[str, Any]:
                config = vcr.get_merged_config(**kwargs)
                options = self._options(session, responder, True, kwargs, extra_paths)
                config["persister"] = _Persister(options)
                config["twreplay"] = options
                return config

            return TwilioCassette.use_arg_getter(args)

        vcr._use_cassette = use
        return session

    # -- decorator ---------------------------------------------------------------------------
    def __call__(self, function: F) -> F:
        args = self._args

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*a: Any, **k: Any) -> Any:
                with use_cassette(**args):
                    return await function(*a, **k)

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*a: Any, **k: Any) -> Any:
            with use_cassette(**args):
                return function(*a, **k)

        return run  # type: ignore[return-value]


def default_cassette_path(function: Callable[..., Any]) -> str:
    """Where a bare `@use_cassette` keeps the cassette of `function`."""
    base = os.environ.get("TWREPLAY_CASSETTE_DIR") or "cassettes"
    module = (getattr(function, "__module__", None) or "main").rsplit(".", 1)[-1]
    return os.path.join(base, module, f"{function.__name__}.yaml")


def _synthetic_responder(options: use_cassette) -> Responder | None:
    """The synthetic engine, as a responder for unmatched Twilio requests (None: no spec)."""
    try:
        index = get_index(options.spec_dir)
    except SpecNotFoundError:
        log.warning(
            "twreplay: Twilio's spec was not found, so unrecorded requests cannot be"
            " answered synthetically (run `twreplay spec fetch`)."
        )
        return None
    from .synth import SyntheticEngine

    engine = SyntheticEngine(index, stateful=options.stateful, strict_state=options.strict_state)

    def respond(request: Request) -> dict[str, Any] | None:
        answer = engine.answer(request.method, request.uri, dict(request.headers), request.body)
        if answer is None:
            return None
        return {
            "status": {"code": answer.status, "message": _REASONS.get(answer.status, "")},
            "headers": {k: [v] for k, v in answer.headers.items()},
            "body": {"string": answer.body},
            "findings": answer.findings,
        }

    return respond


#: vcrpy options that make its before_record_request do something to a request.
_REQUEST_FILTER_OPTIONS = frozenset(
    {
        "filter_headers",
        "filter_query_parameters",
        "filter_post_data_parameters",
        "before_record_request",
        "before_record",
        "ignore_hosts",
        "ignore_localhost",
    }
)

_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
}
