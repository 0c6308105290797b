"""`twreplay serve`: one HTTP mock for every Twilio domain (an ASGI app, served by uvicorn).

Routing: by the `Host` header (base, region and edge forms); when the Host is the server's own
address, by the path where only one Twilio host has it; always by the explicit form
`/{twilio host}/{path}`. Answers: from the cassettes first, then synthetic (state kept for the
life of the server), then Twilio's errors. Every answer carries CORS headers.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .library import CassetteLibrary
from .spec.index import SpecIndex, normalize_host
from .synth import SyntheticEngine
from .synth import errors as twerr
from .validation import check_interaction

log = logging.getLogger("twreplay.serve")

MAX_BODY = 10 * 1024 * 1024
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
HEALTH = "/__twreplay/health"
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "access-control-expose-headers": "*",
}
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    source: str  # cassette file#n | synthetic | error | health | cors
    operation: str | None = None
    host: str = ""


class TwilioMock:
    """The ASGI application."""

    def __init__(
        self,
        index: SpecIndex,
        cassettes: CassetteLibrary | None = None,
        synthetic: bool = True,
        log_format: str = "text",
    ) -> None:
        self.index = index
        self.cassettes = cassettes or CassetteLibrary(None)
        self.engine = SyntheticEngine(index) if synthetic else None
        self.synthetic = synthetic
        self.log_format = log_format

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        body, too_big = await _read_body(receive)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"].upper()
        head = method == "HEAD"
        if head:  # HEAD is GET without the body
            method = "GET"
        path = scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        if too_big:
            reply = _twilio_error(413, 20001, f"The request body is larger than {MAX_BODY} bytes")
        else:
            try:
                reply = self.handle(method, path, query, headers, body, scope)
            except Exception as exc:  # a malformed request must get an answer, not a crash
                log.exception("twreplay serve: %s %s failed", method, path)
                reply = _twilio_error(400, 20001, f"The request could not be handled: {exc}")
        await _send(send, reply, head)
        self._log("HEAD" if head else method, path, reply, time.perf_counter() - started)

    # -- the part that does not need a server ------------------------------------------------
    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        scope: Scope | None = None,
    ) -> Reply:
        if path == HEALTH and method == "GET":
            return Reply(200, {"content-type": "application/json"}, b'{"status": "ok"}', "health")
        if method == "OPTIONS":
            allow = headers.get("access-control-request-headers", "*")
            return Reply(
                204,
                {"access-control-allow-headers": allow, "access-control-max-age": "600"},
                b"",
                "cors",
            )
        own = headers.get("host", "")
        target = self.route(method, own, path)
        if target is None:
            allowed = self.methods_for(own, path)
            if allowed:
                reply = _twilio_error(405, 20004, f"Method {method} not allowed on {path}")
                return Reply(
                    405, {**reply.headers, "allow": ", ".join(allowed)}, reply.body, "error"
                )
            candidates = self.hosts_with_path(method, path)
            message = (
                f"The requested resource {path} was not found"
                if not candidates
                else f"The path {path} exists on several Twilio hosts ({', '.join(candidates)});"
                " send the Host header or use /{host}{path}"
            )
            return _twilio_error(404, 20404, message)
        host, twilio_path, base_url = target
        if self.index.resolve_path(method, host, twilio_path) is None:
            allowed = [m for m in _METHODS if self.index.resolve_path(m, host, twilio_path)]
            if allowed:
                # 20004 is Twilio's "Method not allowed" (no captured response confirms it)
                reply = _twilio_error(405, 20004, f"Method {method} not allowed on {twilio_path}")
                return Reply(
                    405,
                    {**reply.headers, "allow": ", ".join(allowed)},
                    reply.body,
                    "error",
                    None,
                    host,
                )
        scheme = "http"
        if scope is not None:
            scheme = scope.get("scheme", "http")
        if base_url is None:
            base_url = f"{scheme}://{own}" if own and normalize_host(own) is None else None
        elif scope is not None:
            base_url = f"{scheme}://{own}{base_url}"
        url = f"https://{host}{twilio_path}" + (f"?{query}" if query else "")
        prefer = _prefer(headers.get("prefer", ""))
        if prefer:
            match = self.index.resolve_path(method, host, twilio_path)
            if match is not None and match.operation.auth and not headers.get("authorization"):
                return self._unauthenticated(host)
            return self.preferred(method, host, twilio_path, prefer)
        text = _decode(body)
        if text is None:
            return _twilio_error(400, 20001, "The request body is not valid UTF-8")
        recorded = self.cassettes.answer(method, url, headers, text)
        if recorded is not None:
            if not headers.get("authorization"):
                return self._unauthenticated(host)
            checked = check_interaction(
                self.index,
                method=method,
                url=url,
                request_headers=headers,
                request_body=text,
                status=recorded.status,
                response_body=recorded.body,
            )
            for finding in checked.findings:
                log.warning("twreplay serve: %s %s: %s", method, url, finding.describe())
            op = checked.match.operation.operation_id if checked.match else None
            return Reply(
                recorded.status, recorded.headers, recorded.body, recorded.source, op, host
            )
        if self.engine is None:
            match = self.index.resolve(method, url)
            version = twilio_path.strip("/").split("/", 1)[0]
            reply = _twilio_error(404, 20404, twerr.not_found(twilio_path, version).message)
            return Reply(
                reply.status,
                reply.headers,
                reply.body,
                "error",
                match.operation.operation_id if match else None,
                host,
            )
        answer = self.engine.answer(method, url, headers, text, base_url=base_url)
        if answer is None:  # pragma: no cover - route() only lets Twilio hosts through
            return _twilio_error(404, 20404, f"The requested resource {twilio_path} was not found")
        for finding in answer.findings:
            log.warning("twreplay serve: %s %s: %s", method, url, finding.describe())
        match = self.index.resolve(method, url)
        op = match.operation.operation_id if match else None
        source = "synthetic" if answer.status < 400 else "error"
        return Reply(
            answer.status,
            {k.lower(): v for k, v in answer.headers.items()},
            answer.body,
            source,
            op,
            host,
        )

    def _unauthenticated(self, host: str) -> Reply:
        err = twerr.authenticate()
        headers = {
            "content-type": "application/json",
            "www-authenticate": 'Basic realm="Twilio API"',
        }
        return Reply(401, headers, json.dumps(err.body()).encode(), "error", None, host)

    def methods_for(self, own: str, path: str) -> list[str]:
        """The methods a path answers to (for 405), where the path routes to a Twilio host."""
        return [
            m
            for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if self.route(m, own, path) is not None
        ]

    def route(self, method: str, own: str, path: str) -> tuple[str, str, str | None] | None:
        """(Twilio host, path, path prefix for absolute links) for a request, or None."""
        host = normalize_host(own)
        if host is not None and self.index.is_twilio_host(own):
            return own.split(":")[0].lower(), path, None
        first, _, rest = path.lstrip("/").partition("/")
        if normalize_host(first) is not None and self.index.is_twilio_host(first):
            return first.lower(), "/" + rest, f"/{first.lower()}"
        hosts = self.hosts_with_path(method, path)
        if len(hosts) == 1:
            return hosts[0], path, ""
        return None

    def hosts_with_path(self, method: str, path: str) -> list[str]:
        return [
            h for h in self.index.hosts() if self.index.resolve_path(method, h, path) is not None
        ]

    def preferred(self, method: str, host: str, path: str, prefer: dict[str, str]) -> Reply:
        """`Prefer: code=NNN` / `example=NAME`: a documented response, as Prism does."""
        match = self.index.resolve_path(method, host, path)
        if match is None:
            return _twilio_error(404, 20404, f"The requested resource {path} was not found")
        op = match.operation
        responses = op.responses
        code = prefer.get("code")
        name = prefer.get("example")
        for status, spec in responses.items():
            if code and status != code:
                continue
            examples = spec.examples
            chosen = examples.get(name) if name else next(iter(examples.values()), None)
            if name and chosen is None:
                continue
            value = chosen.get("value") if isinstance(chosen, dict) else None
            body = json.dumps(value).encode() if value is not None else b""
            return Reply(
                int(status) if status.isdigit() else 200,
                {"content-type": spec.content_type or "application/json"},
                body,
                "example",
                op.operation_id,
                host,
            )
        wanted = f"code {code}" if code else f"example {name!r}"
        return _twilio_error(
            400,
            20001,
            f"{op.operation_id} documents no response with {wanted}"
            f" (documented: {', '.join(sorted(responses))})",
        )

    # -- logging -----------------------------------------------------------------------------
    def _log(self, method: str, path: str, reply: Reply, seconds: float) -> None:
        if self.log_format == "json":
            line = json.dumps(
                {
                    "method": method,
                    "host": reply.host,
                    "path": path,
                    "operation": reply.operation,
                    "status": reply.status,
                    "source": reply.source,
                    "ms": round(seconds * 1000, 2),
                }
            )
        else:
            line = (
                f"{method:<6} {reply.host or '-'} {path} -> {reply.status}"
                f" [{reply.operation or '-'}] from {reply.source} ({seconds * 1000:.1f} ms)"
            )
        print(line, file=sys.stderr, flush=True)


def _prefer(value: str) -> dict[str, str]:
    out = {}
    for part in value.split(","):
        key, _, val = part.strip().partition("=")
        key = key.strip().lower()
        if key in ("code", "example") and val:
            out[key] = val.strip().strip('"')
    return out


def _decode(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _twilio_error(status: int, code: int, message: str) -> Reply:
    err = twerr.TwilioError(status, code, message)
    return Reply(
        status, {"content-type": "application/json"}, json.dumps(err.body()).encode(), "error"
    )


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    too_big = False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            too_big = True
        elif chunk:
            chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks), too_big


async def _send(send: Send, reply: Reply, head: bool = False) -> None:
    headers = {**{k.lower(): v for k, v in reply.headers.items()}, **CORS}
    headers.pop("content-length", None)
    headers.pop("transfer-encoding", None)
    headers["content-length"] = str(len(reply.body))
    await send(
        {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [
                (k.encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else reply.body})


# ---------------------------------------------------------------------------------------------


def serve(
    host: str = "127.0.0.1",
    port: int = 4010,
    cassettes: str | None = None,
    synthetic: bool = True,
    spec_dir: str | None = None,
    log_format: str = "text",
) -> int:
    """Run the server until SIGINT/SIGTERM. Returns the exit status."""
    import signal
    import socket

    try:
        import uvicorn
    except ImportError:
        print("twreplay serve needs uvicorn: pip install 'twreplay[server]'", file=sys.stderr)
        return 2
    index = SpecIndex(spec_dir)
    index.resolve_path(
        "GET", "api.twilio.com", "/"
    )  # the busiest host, ready before the first call
    library = CassetteLibrary(cassettes)
    for err in library.errors:
        print(f"twreplay serve: skipping {err}", file=sys.stderr)
    app = TwilioMock(index, library, synthetic=synthetic, log_format=log_format)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = (
            "is already in use" if exc.errno in (98, 48) else f"cannot be used ({exc.strerror})"
        )
        print(
            f"twreplay serve: port {port} on {host} {reason}; choose another with --port"
            " (--port 0 picks a free one)",
            file=sys.stderr,
        )
        return 2
    sock.listen(1024)
    actual = sock.getsockname()[1]
    print(
        f"twreplay serve: listening on http://{host}:{actual} ({len(index.hosts())} Twilio hosts,"
        f" {len(library)} recorded interactions from {library.files} cassettes,"
        f" synthetic {'on' if synthetic else 'off'})",
        file=sys.stderr,
        flush=True,
    )
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again for the
    # handler it found; a quiet one lets the process end normally (exit status 0).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)
    server.run(sockets=[sock])
    print("twreplay serve: stopped", file=sys.stderr, flush=True)
    return 0
