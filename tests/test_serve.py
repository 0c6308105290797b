"""`twreplay serve` as a real subprocess, driven by the twilio SDK and by plain HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

import twreplay

ROOT = Path(__file__).resolve().parent.parent
AC = "AC" + "1" * 32


class Server:
    def __init__(self, spec_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "twreplay", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TWREPLAY_SPEC_DIR": str(spec_dir)},
        )
        first = self.proc.stderr.readline()  # type: ignore[union-attr]
        m = re.search(r"listening on (http://127\.0\.0\.1:(\d+))", first)
        assert m, first + self.proc.stderr.read()  # type: ignore[union-attr]
        self.url, self.port = m.group(1), int(m.group(2))
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.lines.append(line)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
        self.proc.stdout.close()  # type: ignore[union-attr]
        self.proc.stderr.close()  # type: ignore[union-attr]
        return code


@pytest.fixture(scope="module")
def server(spec_dir):
    srv = Server(spec_dir, "--cassettes", str(ROOT / "cassettes"))
    yield srv
    srv.stop()


@pytest.fixture
def client(server) -> Client:
    return Client(AC, "token", http_client=twreplay.http_client(server.url))


def test_the_tutorials_three_requests(server) -> None:
    url = f"{server.url}/2010-04-01/Accounts/{AC}/Messages.json"
    r = requests.get(url, timeout=5)  # no credentials
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="Twilio API"'
    assert r.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    r = requests.get(
        f"{server.url}/2010-04-01/Accounts/ACnotvalid/Messages.json", auth=(AC, "t"), timeout=5
    )  # a malformed AccountSid
    assert r.status_code == 404 and r.json()["code"] == 20404
    assert r.json()["details"]["parameter"] == "AccountSid"
    r = requests.get(url, auth=(AC, "t"), timeout=5)  # valid
    assert r.status_code == 200
    page = r.json()
    assert set(page) == {
        "end",
        "first_page_uri",
        "next_page_uri",
        "page",
        "page_size",
        "previous_page_uri",
        "start",
        "uri",
        "messages",
    }
    assert page["next_page_uri"] is None or page["next_page_uri"].startswith("/2010-04-01/")
    assert all(re.fullmatch(r"SM[0-9a-f]{32}", m["sid"]) for m in page["messages"])


def test_sms_story_with_state(client) -> None:
    # a status callback the recorded message did not have: not in the cassettes, so synthetic
    msg = client.messages.create(
        to="+14155550199",
        from_="+15005550006",
        body="State!",
        status_callback="https://example.com/status",
    )
    assert (msg.to, msg.body, msg.status) == ("+14155550199", "State!", "queued")
    assert msg.sid in [m.sid for m in client.messages.list()]
    assert client.messages(msg.sid).fetch().body == "State!"
    assert client.messages(msg.sid).delete() is True
    with pytest.raises(TwilioRestException) as info:
        client.messages(msg.sid).fetch()
    assert (info.value.status, info.value.code) == (404, 20404)


def test_v1_paging_terminates_on_the_host_used(client, server) -> None:
    for n in range(3):
        client.verify.v2.services.create(friendly_name=f"svc {n}")
    services = client.verify.v2.services.list(page_size=2)
    assert len(services) >= 6  # three of its own plus ours
    assert len(client.verify.v2.services.list(limit=5, page_size=2)) == 5
    r = requests.get(
        f"{server.url}/verify.twilio.com/v2/Services?PageSize=2", auth=(AC, "t"), timeout=5
    )
    assert r.json()["meta"]["next_page_url"].startswith(
        f"{server.url}/verify.twilio.com/v2/Services?"
    )


def test_region_and_edge_clients(server) -> None:
    edge = Client(
        AC, "t", edge="dublin", region="ie1", http_client=twreplay.http_client(server.url)
    )
    assert edge.verify.v2.services.create(friendly_name="eu").friendly_name == "eu"


def test_cassette_backed_answer(client, server) -> None:
    msg = client.messages.create(
        to="+14155552671", from_="+15005550006", body="Your table for two is ready."
    )
    assert msg.sid == "SM00000000000000000000000000000001"  # the recorded one
    assert msg.to == "+14155552671"  # the cassette holds a fake; the request's value comes back
    time.sleep(0.2)
    assert any("from send_sms.yaml#0" in line for line in server.lines)


def test_prefer_picks_a_documented_response(server) -> None:
    url = f"{server.url}/2010-04-01/Accounts/{AC}/Messages.json"
    r = requests.post(
        url,
        auth=(AC, "t"),
        headers={"Prefer": "example=createWithMessagingService"},
        data={"To": "+1"},
        timeout=5,
    )
    assert r.status_code == 201 and r.json()["messaging_service_sid"].startswith("MG")
    r = requests.get(url, auth=(AC, "t"), headers={"Prefer": "code=418"}, timeout=5)
    assert r.status_code == 400 and "documents no response with code 418" in r.json()["message"]


def test_cors_preflight(server) -> None:
    r = requests.options(
        f"{server.url}/verify.twilio.com/v2/Services",
        timeout=5,
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Access-Control-Allow-Headers"] == "authorization, content-type"
    r = requests.get(f"{server.url}/__twreplay/health", timeout=5)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"


def test_ambiguous_and_unknown_paths(server) -> None:
    r = requests.get(f"{server.url}/v1/Services", auth=(AC, "t"), timeout=5)
    assert r.status_code == 404 and "several Twilio hosts" in r.json()["message"]
    r = requests.get(
        f"{server.url}/v1/Services",
        auth=(AC, "t"),
        headers={"Host": "messaging.twilio.com"},
        timeout=5,
    )
    assert r.status_code == 200 and "services" in r.json()
    r = requests.get(f"{server.url}/v9/Nothing", auth=(AC, "t"), timeout=5)
    assert r.status_code == 404 and r.json()["code"] == 20404


def test_malformed_requests_get_400_not_a_crash(server) -> None:
    url = f"{server.url}/2010-04-01/Accounts/{AC}/Messages.json"
    r = requests.post(
        url,
        auth=(AC, "t"),
        data=b"To=\xff\xfe&Body=x",
        timeout=5,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and r.json()["status"] == 400
    r = requests.post(
        url,
        auth=(AC, "t"),
        data=b"%%%&&==",
        timeout=5,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and r.json()["code"] == 21604  # no 'To'
    r = requests.post(
        url,
        auth=(AC, "t"),
        data=b"x" * (11 * 1024 * 1024),
        timeout=30,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413
    assert requests.get(f"{server.url}/__twreplay/health", timeout=5).status_code == 200


def test_fifty_concurrent_creates(server) -> None:
    def create(n: int) -> tuple[int, str]:
        r = requests.post(
            f"{server.url}/sync.twilio.com/v1/Services",
            auth=(AC, "t"),
            data={"FriendlyName": f"load {n}"},
            timeout=10,
        )
        return r.status_code, r.json()["sid"]

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(create, range(50)))
    assert {status for status, _ in results} == {201}
    sids = {sid for _, sid in results}
    assert len(sids) == 50
    client = Client(AC, "t", http_client=twreplay.http_client(server.url))
    listed = {s.sid for s in client.sync.v1.services.list(page_size=20)}  # several pages
    assert sids <= listed


def test_async_sdk_through_the_server(server) -> None:
    async def run() -> str:
        client = Client(AC, "t", http_client=twreplay.http_client(server.url, asynchronous=True))
        try:
            svc = await client.verify.v2.services.create_async(friendly_name="async")
            return svc.friendly_name
        finally:
            await client.http_client.close()

    assert asyncio.run(run()) == "async"


def test_log_lines_say_where_answers_came_from(server) -> None:
    requests.get(f"{server.url}/verify.twilio.com/v2/Services", auth=(AC, "t"), timeout=5)
    time.sleep(0.2)
    assert any(
        re.match(
            r"GET\s+verify\.twilio\.com /verify\.twilio\.com/v2/Services -> 200"
            r" \[ListService\] from synthetic",
            line,
        )
        for line in server.lines
    )


def test_json_logs_no_synthetic_port_in_use_and_sigterm(spec_dir) -> None:
    srv = Server(spec_dir, "--no-synthetic", "--log-format", "json")
    try:
        r = requests.get(f"{srv.url}/verify.twilio.com/v2/Services", auth=(AC, "t"), timeout=5)
        assert r.status_code == 404 and r.json()["code"] == 20404
        taken = subprocess.run(
            [sys.executable, "-m", "twreplay", "serve", "--port", str(srv.port)],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "TWREPLAY_SPEC_DIR": str(spec_dir)},
        )
        assert taken.returncode == 2
        assert (
            taken.stderr.strip()
            .splitlines()[-1]
            .startswith(f"twreplay serve: port {srv.port} on 127.0.0.1 is already in use")
        )
    finally:
        code = srv.stop(signal.SIGTERM)
    assert code == 0
    entries = [json.loads(line) for line in srv.lines if line.startswith("{")]
    assert entries[0]["operation"] == "ListService" and entries[0]["source"] == "error"
    assert any("stopped" in line for line in srv.lines)
    with socket.socket() as s:  # the port is free again (nothing listens on it)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", srv.port))


def test_head_wrong_methods_and_prefer_without_credentials(server) -> None:
    assert requests.head(f"{server.url}/__twreplay/health", timeout=5).status_code == 200
    url = f"{server.url}/2010-04-01/Accounts/{AC}/Messages.json"
    r = requests.head(url, auth=(AC, "t"), timeout=5)
    assert r.status_code == 200 and r.content == b""
    r = requests.put(url, auth=(AC, "t"), timeout=5)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, POST"
    assert r.json()["status"] == 405
    r = requests.get(url, headers={"Prefer": "code=200"}, timeout=5)  # no credentials
    assert r.status_code == 401
    r = requests.get(url, auth=(AC, "t"), headers={"Prefer": "Code=200"}, timeout=5)
    assert r.status_code == 200
