"""use_cassette end to end: the real twilio SDK, real vcrpy, a real HTTPS stand-in, real files."""

from __future__ import annotations

import json

import pytest
import requests
import vcr
import yaml
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

import twreplay

from .standin import PNG, State, resolve_twilio_to

AC_LIVE = "AC" + "1" * 32
AC_OTHER = "AC" + "2" * 32
TO = "+15550100001"
FROM = "+15005550006"


def live_client(**kw) -> Client:
    return Client(AC_LIVE, "live-token-1234", **kw)


def offline_client(**kw) -> Client:
    return Client(AC_OTHER, "another-token", **kw)


def sms_story(client: Client) -> dict:
    msg = client.messages.create(to=TO, from_=FROM, body="Your code is 1234")
    fetched = client.messages(msg.sid).fetch()
    updated = client.messages(msg.sid).update(body="")
    client.messages.create(to=TO, from_=FROM, body="Second")
    client.messages.create(to=TO, from_=FROM, body="Third")
    listed = [m.body for m in client.messages.list(page_size=2)]
    deleted = client.messages(msg.sid).delete()
    return {
        "sid": msg.sid,
        "to": msg.to,
        "body": fetched.body,
        "updated": updated.body,
        "listed": listed,
        "deleted": deleted,
        "date": msg.date_created,
    }


def test_record_then_replay_offline_with_other_credentials(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "sms.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once") as s:
        recorded = sms_story(live_client())
    assert len(s.recorded) == 8 and s.replayed == [] and s.issues == []
    assert [e.operation_id for e in s.recorded][:3] == [
        "CreateMessage",
        "FetchMessage",
        "UpdateMessage",
    ]
    served = len(standin.state.requests)

    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:  # network blocked
        replayed = sms_story(offline_client())
    assert replayed == recorded
    assert replayed["listed"] == ["", "Second", "Third"]  # two pages followed
    assert replayed["date"].year == 2024
    assert len(s.replayed) == 8 and s.recorded == [] and s.synthetic == []
    assert len(standin.state.requests) == served  # nothing reached the server


def test_cassette_is_readable_and_vcrpy_compatible(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "sms.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        live_client().messages.create(to=TO, from_=FROM, body="Hello")
    text = path.read_text()
    data = yaml.safe_load(text)
    assert data["version"] == 1
    assert data["twreplay"] == {"spec": "twilio-oai 2.6.7", "version": twreplay.__version__}
    (interaction,) = data["interactions"]
    assert interaction["twreplay"] == {"operation": "CreateMessage"}
    body = interaction["response"]["body"]["string"]
    # decoded, pretty, order as received; the account replaced by a placeholder
    assert body.startswith('{\n  "account_sid": "AC00000000000000000000000000000001"')
    assert AC_LIVE not in text
    headers = interaction["response"]["headers"]
    assert "Twilio-Request-Id" not in headers and "Content-Length" not in headers
    req_headers = interaction["request"]["headers"]
    assert list(req_headers) == sorted(req_headers, key=str.lower)
    assert req_headers["Authorization"] == ["Basic [scrubbed]"]
    assert "live-token-1234" not in text
    assert "User-Agent" not in req_headers

    # plain vcrpy replays a twreplay cassette (it matches paths and bodies literally, so it
    # is asked with the values the scrubber wrote)
    with resolve_twilio_to(None), vcr.use_cassette(str(path), record_mode="none"):
        placeholder = Client("AC00000000000000000000000000000001", "x")
        msg = placeholder.messages.create(to="+12025550100", from_=FROM, body="scrubbed-text-0000")
    assert msg.body == "scrubbed-text-0000" and msg.sid.startswith("SM")


def test_twreplay_replays_a_plain_vcrpy_cassette(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "plain.yaml"
    with resolve_twilio_to(standin.port), vcr.use_cassette(str(path), record_mode="once"):
        sid = live_client().messages.create(to=TO, from_=FROM, body="Plain").sid
    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:
        msg = offline_client().messages.create(to=TO, from_=FROM, body="Plain")
    assert msg.sid == sid and len(s.replayed) == 1


def test_byte_identical_rerecording(standin, tmp_path, spec_dir) -> None:
    texts = []
    for n in range(2):
        standin.httpd.state = State()  # the same server story twice
        path = tmp_path / f"run{n}.yaml"
        with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
            sms_story(live_client())
        texts.append(path.read_bytes())
    assert texts[0] == texts[1]


def test_polling_replays_in_order_then_stops(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "poll.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        client = live_client()
        sid = client.messages.create(to=TO, from_=FROM, body="x").sid
        live = [client.messages(sid).fetch().status for _ in range(3)]
    assert live == ["sending", "sent", "delivered"]
    with resolve_twilio_to(None), twreplay.use_cassette(path, synthetic=False):
        client = offline_client()
        client.messages.create(to=TO, from_=FROM, body="x")
        assert [client.messages(sid).fetch().status for _ in range(3)] == live
        with pytest.raises(twreplay.UnmatchedRequestError) as info:
            client.messages(sid).fetch()
    assert "already played" in str(info.value)
    with resolve_twilio_to(None), twreplay.use_cassette(path, allow_playback_repeats=True):
        client = offline_client()
        statuses = [client.messages(sid).fetch().status for _ in range(5)]
    assert statuses == ["sending", "sent", "delivered", "delivered", "delivered"]


def test_unmatched_request_names_everything(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "sms.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        live_client().messages.create(to=TO, from_=FROM, body="Hello", max_price="0.5")
    with resolve_twilio_to(None), twreplay.use_cassette(path, synthetic=False):
        with pytest.raises(twreplay.UnmatchedRequestError) as info:
            offline_client().messages.create(to=TO, from_=FROM, body="Hello", max_price="0.9")
    err = info.value
    assert isinstance(err, vcr.errors.CannotOverwriteExistingCassetteException)
    text = str(err)
    assert "POST https://api.twilio.com/2010-04-01/Accounts/AC2222" in text
    assert "CreateMessage" in text and "form keys: Body, From, MaxPrice, To" in text
    assert f"Cassette: {path} (record_mode='none', 1 interactions)" in text
    assert "Closest recorded: interaction 0" in text
    assert "differs in body MaxPrice='0.9' vs recorded '0.5'" in text
    assert "record_mode='new_episodes'" in text


def test_edge_and_region_hosts_replay_a_base_host_recording(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "edge.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        sid = (
            live_client(edge="dublin", region="ie1")
            .messages.create(to=TO, from_=FROM, body="e")
            .sid
        )
    uri = yaml.safe_load(path.read_text())["interactions"][0]["request"]["uri"]
    assert uri.startswith("https://api.dublin.ie1.twilio.com/")
    with resolve_twilio_to(None), twreplay.use_cassette(path):
        assert offline_client().messages.create(to=TO, from_=FROM, body="e").sid == sid


def test_v1_domain_and_binary_body(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "verify.yaml"
    media = f"https://api.twilio.com/2010-04-01/Accounts/{AC_LIVE}/Messages/MM1/Media/ME1.png"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        client = live_client()
        service = client.verify.v2.services.create(friendly_name="Reminders")
        # the SDK decodes bodies as text; a media download goes through requests itself
        png = requests.get(media, auth=(AC_LIVE, "live-token-1234"), timeout=5).content
    assert png == PNG
    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:
        client = offline_client()
        again = client.verify.v2.services.create(friendly_name="Reminders")
        png_again = requests.get(media.replace(AC_LIVE, AC_OTHER), timeout=5).content
    assert again.sid == service.sid and again.friendly_name == "Reminders"
    assert png_again == PNG  # byte-exact
    assert [e.operation_id for e in s.replayed] == ["CreateService", None]


def test_errors_replay_as_twilio_exceptions(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "err.yaml"
    missing = "SM" + "9" * 32
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        with pytest.raises(TwilioRestException) as live:
            live_client().messages(missing).fetch()
    with resolve_twilio_to(None), twreplay.use_cassette(path):
        with pytest.raises(TwilioRestException) as replayed:
            offline_client().messages(missing).fetch()
    assert (
        (replayed.value.status, replayed.value.code)
        == (live.value.status, live.value.code)
        == (404, 20404)
    )


def test_malformed_cassette_fails_before_any_request(tmp_path, spec_dir) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("interactions:\n- request: [\n")
    with pytest.raises(twreplay.CassetteFormatError) as info, twreplay.use_cassette(path):
        raise AssertionError("the block must not run")
    assert str(path) in str(info.value) and ":3:" in str(info.value)


def test_record_mode_checks(tmp_path) -> None:
    with pytest.raises(ValueError, match="did you mean 'new_episodes'"):
        twreplay.use_cassette(tmp_path / "x.yaml", record_mode="new_episode")


def test_async_client_records_and_replays(standin, tmp_path, spec_dir) -> None:
    import asyncio

    import aiohttp.connector
    from twilio.http.async_http_client import AsyncTwilioHttpClient

    # aiohttp builds its verifying SSL context at import; trust the stand-in's CA in it
    standin.ca.configure_trust(aiohttp.connector._SSL_CONTEXT_VERIFIED)
    path = tmp_path / "async.yaml"

    async def story(account: str, token: str) -> tuple[str, str, list[str]]:
        client = Client(account, token, http_client=AsyncTwilioHttpClient())
        try:
            msg = await client.messages.create_async(to=TO, from_=FROM, body="Async hello")
            fetched = await client.messages(msg.sid).fetch_async()
            listed = [m.body for m in await client.messages.list_async()]
            return msg.sid, fetched.body, listed
        finally:
            await client.http_client.close()

    @twreplay.use_cassette(path, record_mode="once")
    async def record() -> tuple[str, str, list[str]]:
        return await story(AC_LIVE, "live-token-1234")

    with resolve_twilio_to(standin.port):
        recorded = asyncio.run(record())
    assert recorded[1] == "Async hello"
    text = path.read_text()
    assert "live-token-1234" not in text
    # the dict body is stored as the sync client sends it, scrubbed
    assert "To=%2B12025550100&From=%2B15005550006&Body=scrubbed-text-0000" in text
    assert "Async hello" not in text and "+15550100001" not in text

    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:
        replayed = asyncio.run(story(AC_OTHER, "another"))
    assert replayed == recorded
    assert len(s.replayed) == 3


def test_sync_recording_replays_for_the_async_client(standin, tmp_path, spec_dir) -> None:
    import asyncio

    from twilio.http.async_http_client import AsyncTwilioHttpClient

    path = tmp_path / "sync.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        sid = live_client().messages.create(to=TO, from_=FROM, body="Both ways").sid

    async def replay() -> str:
        client = Client(AC_OTHER, "x", http_client=AsyncTwilioHttpClient())
        try:
            return (await client.messages.create_async(to=TO, from_=FROM, body="Both ways")).sid
        finally:
            await client.http_client.close()

    with resolve_twilio_to(None), twreplay.use_cassette(path):
        assert asyncio.run(replay()) == sid


def test_validation_warn_and_strict(standin, tmp_path, spec_dir) -> None:
    path = tmp_path / "v.yaml"
    with resolve_twilio_to(standin.port), twreplay.use_cassette(path, record_mode="once"):
        live_client().messages.create(to=TO, from_=FROM, body="ok")
    text = path.read_text().replace('"num_segments": "1"', '"num_segments": 1')
    path.write_text(text)  # a recording the spec disagrees with
    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:
        offline_client().messages.create(to=TO, from_=FROM, body="ok")
    assert [(f.field, f.keyword) for f in s.issues] == [("num_segments", "type")]
    with resolve_twilio_to(None), twreplay.use_cassette(path, validate="strict"):
        with pytest.raises(twreplay.SpecValidationError) as info:
            offline_client().messages.create(to=TO, from_=FROM, body="ok")
    assert "num_segments" in str(info.value) and "CreateMessage" in str(info.value)
    with resolve_twilio_to(None), twreplay.use_cassette(path, validate="off") as s:
        offline_client().messages.create(to=TO, from_=FROM, body="ok")
    assert s.issues == []


def test_the_gap_filling_seam(tmp_path, spec_dir) -> None:
    """Unmatched Twilio requests go to the responder; without one they raise (both paths)."""
    seen = []

    def responder(request):
        seen.append((request.method, request.uri))
        body = json.dumps({"sid": "SM" + "5" * 32, "status": "queued", "body": "from the seam"})
        return {
            "status": {"code": 201, "message": "Created"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": body.encode()},
        }

    with resolve_twilio_to(None), twreplay.use_cassette(None, responder=responder) as s:
        msg = offline_client().messages.create(to=TO, from_=FROM, body="x")
    assert msg.body == "from the seam" and len(s.synthetic) == 1 and seen
    with resolve_twilio_to(None), twreplay.use_cassette(None, synthetic=False):
        with pytest.raises(twreplay.UnmatchedRequestError, match=r"Cassette: \(none\)"):
            offline_client().messages.create(to=TO, from_=FROM, body="x")
    with resolve_twilio_to(None), twreplay.use_cassette(None) as s:  # the synthetic engine
        msg = offline_client().messages.create(to=TO, from_=FROM, body="x")
    assert msg.body == "x" and msg.to == TO and len(s.synthetic) == 1


def _uris(path) -> list[str]:
    return [
        i["request"]["uri"].rsplit("/", 1)[-1]
        for i in yaml.safe_load(path.read_text())["interactions"]
    ]


def test_record_modes(standin, tmp_path, spec_dir, monkeypatch) -> None:
    path = tmp_path / "modes.yaml"
    sid = "SM" + "9" * 32

    def story(client, n):
        client.messages.create(to=TO, from_=FROM, body="same", max_price=f"0.{n}")

    with resolve_twilio_to(standin.port):
        with twreplay.use_cassette(path, record_mode="once") as s:
            story(live_client(), 1)
        assert len(s.recorded) == 1
        # once + existing cassette: replay-only
        with twreplay.use_cassette(path, record_mode="once", synthetic=False):
            with pytest.raises(twreplay.UnmatchedRequestError):
                story(live_client(), 2)
        # new_episodes: replays what it has, appends what it lacks
        with twreplay.use_cassette(path, record_mode="new_episodes") as s:
            story(live_client(), 1)
            story(live_client(), 2)
        assert (len(s.replayed), len(s.recorded)) == (1, 1)
        assert len(yaml.safe_load(path.read_text())["interactions"]) == 2
        # all: records everything again, keeps what was not re-recorded
        with twreplay.use_cassette(path, record_mode="all") as s:
            story(live_client(), 2)
        assert (len(s.replayed), len(s.recorded)) == (0, 1)
        assert len(yaml.safe_load(path.read_text())["interactions"]) == 2
        # rewrite: starts afresh
        with twreplay.use_cassette(path, record_mode="rewrite") as s:
            with pytest.raises(TwilioRestException):
                live_client().messages(sid).fetch()
        assert _uris(path) == [f"{sid}.json"]
        # the default record mode comes from the environment
        monkeypatch.setenv("TWREPLAY_RECORD_MODE", "new_episodes")
        with twreplay.use_cassette(path) as s:
            story(live_client(), 3)
        assert s.record_mode == "new_episodes" and len(s.recorded) == 1
    monkeypatch.delenv("TWREPLAY_RECORD_MODE")
    with resolve_twilio_to(None), twreplay.use_cassette(path) as s:
        assert s.record_mode == "none"
        story(offline_client(), 3)
    assert len(s.replayed) == 1


def test_bare_decorator_names_the_cassette_after_the_function(
    standin, tmp_path, monkeypatch, spec_dir
) -> None:
    monkeypatch.setenv("TWREPLAY_CASSETTE_DIR", str(tmp_path / "cassettes"))
    monkeypatch.setenv("TWREPLAY_RECORD_MODE", "once")

    @twreplay.use_cassette
    def send_reminder() -> str:
        return live_client().messages.create(to=TO, from_=FROM, body="bare").sid

    with resolve_twilio_to(standin.port):
        sid = send_reminder()
    path = tmp_path / "cassettes" / "test_replay" / "send_reminder.yaml"
    assert path.is_file()
    monkeypatch.setenv("TWREPLAY_RECORD_MODE", "none")
    with resolve_twilio_to(None):
        assert send_reminder() == sid
