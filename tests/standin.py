"""A local HTTPS stand-in for Twilio: a real server on 127.0.0.1 with a trustme certificate.

`*.twilio.com` is resolved to it inside the test process only (socket.getaddrinfo is patched),
so the real Twilio SDK, requests/urllib3 and aiohttp talk TLS to it exactly as to Twilio.
It answers a few resources deterministically (same requests, same bytes).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import trustme

HOSTS = [
    "*.twilio.com",
    "*.us1.twilio.com",
    "*.ie1.twilio.com",
    "*.dublin.ie1.twilio.com",
    "*.sydney.au1.twilio.com",
]
DATE = "Mon, 01 Jan 2024 10:00:00 +0000"
ISO = "2024-01-01T10:00:00Z"
PNG = bytes(range(256)) * 4  # a binary body that is not UTF-8


class State:
    def __init__(self) -> None:
        self.counter = 0
        self.messages: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.requests: list[tuple[str, str, str]] = []  # (method, host, path)
        self.codes: dict[str, str] = {}
        self.verifications: dict[str, str] = {}
        self.lock = threading.Lock()

    def sid(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:032x}"


def _message(account: str, sid: str, to: str, from_: str, body: str, status: str) -> dict[str, Any]:
    uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}.json"
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": DATE,
        "date_sent": None,
        "date_updated": DATE,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": from_,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": status,
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        "to": to,
        "uri": uri,
    }


class Handler(BaseHTTPRequestHandler):
    server: Any
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: Any, ctype: str = "application/json") -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("Twilio-Request-Id", "RQ" + "f" * 32)  # volatile, must not be recorded
        self.end_headers()
        self.wfile.write(raw)

    def _error(self, status: int, code: int, message: str) -> None:
        self._send(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        state: State = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        form = (
            dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            if length
            else {}
        )
        url = urlsplit(self.path)
        host = (self.headers.get("Host") or "").split(":")[0]
        parts = url.path.strip("/").split("/")
        query = dict(parse_qsl(url.query))
        with state.lock:
            state.requests.append((method, host, url.path))
            if not self.headers.get("Authorization"):
                return self._error(401, 20003, "Authenticate")
            if host.startswith("verify.") and parts[:2] == ["v2", "Services"]:
                return self._verify(method, parts, form, host)
            if host.startswith("lookups.") and parts[:2] == ["v2", "PhoneNumbers"]:
                number = unquote(parts[2])
                return self._send(
                    200,
                    {
                        "calling_country_code": "1",
                        "country_code": "US",
                        "phone_number": number,
                        "national_format": f"({number[2:5]}) {number[5:8]}-{number[8:]}",
                        "valid": True,
                        "validation_errors": [],
                        "caller_name": None,
                        "sim_swap": None,
                        "call_forwarding": None,
                        "line_status": None,
                        "line_type_intelligence": None,
                        "identity_match": None,
                        "reassigned_number": None,
                        "sms_pumping_risk": None,
                        "phone_number_quality_score": None,
                        "pre_fill": None,
                        "url": f"https://lookups.twilio.com/v2/PhoneNumbers/{parts[2]}",
                    },
                )
            if len(parts) < 3 or parts[0] != "2010-04-01" or parts[1] != "Accounts":
                return self._error(404, 20404, f"The requested resource {url.path} was not found")
            account = parts[2]
            if len(parts) == 3 and not account.endswith(".json"):
                return self._error(404, 20404, f"The requested resource {url.path} was not found")
            if len(parts) == 3:  # the account itself
                sid = account.removesuffix(".json")
                return self._send(
                    200,
                    {
                        "auth_token": self.server.account_token,
                        "date_created": DATE,
                        "date_updated": DATE,
                        "friendly_name": "Jane Doe's account",
                        "owner_account_sid": sid,
                        "sid": sid,
                        "status": "active",
                        "subresource_uris": {},
                        "type": "Full",
                        "uri": f"/2010-04-01/Accounts/{sid}.json",
                    },
                )
            if parts[3] == "Keys.json" and method == "POST":
                return self._send(
                    201,
                    {
                        "sid": "SK" + "7" * 32,
                        "friendly_name": form.get("FriendlyName", ""),
                        "date_created": DATE,
                        "date_updated": DATE,
                        "secret": self.server.key_secret,
                    },
                )
            if parts[3] == "Messages.json" and method == "POST":
                sid = state.sid("SM")
                msg = _message(
                    account,
                    sid,
                    form.get("To", ""),
                    form.get("From", ""),
                    form.get("Body", ""),
                    "queued",
                )
                state.messages[sid] = msg
                return self._send(201, msg)
            if parts[3] == "Messages.json" and method == "GET":
                return self._list(account, query)
            if parts[3] == "Messages" and len(parts) == 5:
                sid = parts[4].removesuffix(".json")
                msg = state.messages.get(sid)
                if msg is None:
                    return self._error(
                        404, 20404, f"The requested resource {url.path} was not found"
                    )
                if method == "DELETE":
                    del state.messages[sid]
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if method == "POST":
                    msg["body"] = form.get("Body", msg["body"])
                    return self._send(200, msg)
                # polling: queued -> sending -> sent -> delivered
                n = state.polls[sid] = state.polls.get(sid, 0) + 1
                msg["status"] = ["queued", "sending", "sent", "delivered"][min(n, 3)]
                return self._send(200, msg)
            if parts[3] == "Messages" and parts[-1].endswith(".png"):
                return self._send(200, PNG, "image/png")
            return self._error(404, 20404, f"The requested resource {url.path} was not found")

    def _list(self, account: str, query: dict[str, str]) -> None:
        state: State = self.server.state
        size = int(query.get("PageSize", 50))
        page = int(query.get("Page", 0))
        items = sorted(state.messages.values(), key=lambda m: m["sid"])
        chunk = items[page * size : (page + 1) * size]
        base = f"/2010-04-01/Accounts/{account}/Messages.json"
        more = (page + 1) * size < len(items)
        self._send(
            200,
            {
                "end": page * size + max(len(chunk) - 1, 0),
                "first_page_uri": f"{base}?PageSize={size}&Page=0",
                "messages": chunk,
                "next_page_uri": f"{base}?PageSize={size}&Page={page + 1}&PageToken=PA{page + 1}"
                if more
                else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": None,
                "start": page * size,
                "uri": f"{base}?PageSize={size}&Page={page}",
            },
        )

    def _verify(self, method: str, parts: list[str], form: dict[str, str], host: str) -> None:
        state: State = self.server.state
        if len(parts) == 4 and parts[3] in ("Verifications", "VerificationCheck"):
            service = parts[2]
            to = form.get("To", "")
            if parts[3] == "Verifications":
                state.codes[to] = "123456"  # the code "sent" to the phone
                status = "pending"
            else:
                status = "approved" if state.codes.get(to) == form.get("Code") else "pending"
            sid = state.verifications.setdefault(to, state.sid("VE"))
            return self._send(
                201 if parts[3] == "Verifications" else 200,
                {
                    "sid": sid,
                    "service_sid": service,
                    "account_sid": "AC" + "1" * 32,
                    "to": to,
                    "channel": form.get("Channel", "sms"),
                    "status": status,
                    "valid": status == "approved",
                    "amount": None,
                    "payee": None,
                    "date_created": ISO,
                    "date_updated": ISO,
                    "lookup": {},
                    "send_code_attempts": [],
                    "sna": None,
                    "url": f"https://verify.twilio.com/v2/Services/{service}/Verifications/{sid}",
                },
            )
        sid = parts[2] if len(parts) > 2 else state.sid("VA")
        self._send(
            201 if method == "POST" else 200,
            {
                "sid": sid,
                "account_sid": "AC" + "1" * 32,
                "friendly_name": form.get("FriendlyName", "My App"),
                "code_length": 6,
                "lookup_enabled": False,
                "psd2_enabled": False,
                "skip_sms_to_landlines": False,
                "dtmf_input_required": True,
                "tts_name": None,
                "do_not_share_warning_enabled": False,
                "custom_code_enabled": False,
                "push": {},
                "totp": {},
                "default_template_sid": None,
                "whatsapp": {},
                "passkeys": {},
                "verify_event_subscription_enabled": False,
                "date_created": ISO,
                "date_updated": ISO,
                "url": f"https://verify.twilio.com/v2/Services/{sid}",
                "links": {},
            },
        )


class StandIn:
    """The running server, its CA, and what it was asked."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        cert = self.ca.issue_cert(*HOSTS)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(ctx)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.state = State()  # type: ignore[attr-defined]
        self.httpd.account_token = "AUTHTOKEN-from-the-account-resource-0001"  # type: ignore[attr-defined]
        self.httpd.key_secret = "KEYSECRET-only-shown-once-0123456789ab"  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def state(self) -> State:
        return self.httpd.state  # type: ignore[attr-defined,no-any-return]

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


_real_getaddrinfo = socket.getaddrinfo


@contextmanager
def resolve_twilio_to(port: int | None) -> Iterator[None]:
    """Inside: *.twilio.com resolves to 127.0.0.1:port; None blocks every lookup (offline)."""

    def fake(host: Any, p: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if port is None:
            try:
                ipaddress.ip_address(name)  # an address needs no lookup: let it through
            except ValueError:
                raise socket.gaierror(f"network blocked in this test: {name}") from None
            return _real_getaddrinfo(host, p, *args, **kwargs)
        if name.endswith(".twilio.com"):
            return _real_getaddrinfo("127.0.0.1", port, *args, **kwargs)
        return _real_getaddrinfo(host, p, *args, **kwargs)

    socket.getaddrinfo = fake
    try:
        yield
    finally:
        socket.getaddrinfo = _real_getaddrinfo
