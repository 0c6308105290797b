"""Synthetic answers through the real twilio SDK: realistic, true to the request, stateful."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

import twreplay

from .standin import resolve_twilio_to

AC = "AC" + "3" * 32
TO = "+15550100001"
FROM = "+15005550006"


def sid(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{prefix}[0-9a-f]{{32}}$")


@pytest.fixture
def client(spec_dir):
    with resolve_twilio_to(None), twreplay.use_cassette(None) as session:  # no network at all
        c = Client(AC, "token")
        c.session = session  # type: ignore[attr-defined]
        yield c
    assert session.replayed == [] and session.recorded == []


def test_sms_story(client) -> None:
    msg = client.messages.create(to=TO, from_=FROM, body="Your code is 1234")
    assert sid("SM").match(msg.sid)
    assert (msg.to, msg.from_, msg.body, msg.status) == (TO, FROM, "Your code is 1234", "queued")
    assert msg.account_sid == AC
    assert isinstance(msg.date_created, datetime) and msg.date_created <= msg.date_updated
    assert msg.uri == f"/2010-04-01/Accounts/{AC}/Messages/{msg.sid}.json"
    assert (
        msg.subresource_uris["media"] == f"/2010-04-01/Accounts/{AC}/Messages/{msg.sid}/Media.json"
    )
    assert msg.num_segments == "1"  # numbers-as-strings stay strings
    listed = client.messages.list()
    assert listed[0].sid == msg.sid and len(listed) == 4  # it, plus the list's own three
    assert all(sid("SM").match(m.sid) for m in listed) and len({m.sid for m in listed}) == 4
    assert client.messages(msg.sid).fetch().body == "Your code is 1234"
    updated = client.messages(msg.sid).update(body="")
    assert updated.body == "" and updated.date_updated > msg.date_updated
    assert client.messages(msg.sid).delete() is True
    with pytest.raises(TwilioRestException) as info:
        client.messages(msg.sid).fetch()
    err = info.value
    assert (err.status, err.code) == (404, 20404)
    assert err.msg == (
        f"Unable to fetch record: The requested resource /2010-04-01/Accounts/{AC}"
        f"/Messages/{msg.sid}.json was not found"
    )
    assert msg.sid not in [m.sid for m in client.messages.list()]


def test_a_sid_never_seen_is_a_plausible_resource(client) -> None:
    wanted = "SM" + "ab" * 16
    msg = client.messages(wanted).fetch()
    assert (
        msg.sid == wanted
        and msg.account_sid == AC
        and msg.status
        in (
            "queued",
            "delivered",
            "sent",
            "sending",
            "failed",
            "undelivered",
            "receiving",
            "received",
            "accepted",
            "scheduled",
            "read",
            "partially_delivered",
            "canceled",
        )
    )


def test_strict_state_answers_404_for_unknown_sids(spec_dir) -> None:
    with resolve_twilio_to(None), twreplay.use_cassette(None, strict_state=True):
        c = Client(AC, "token")
        with pytest.raises(TwilioRestException) as info:
            c.messages("SM" + "cd" * 16).fetch()
        assert info.value.status == 404
        created = c.messages.create(to=TO, from_=FROM, body="hi")
        assert c.messages(created.sid).fetch().sid == created.sid


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({}, 4), ({"limit": 1}, 1), ({"limit": 5, "page_size": 2}, 4), ({"page_size": 1}, 4)],
)
def test_paging_2010(client, kwargs, expected) -> None:
    client.messages.create(to=TO, from_=FROM, body="one")
    assert len(client.messages.list(**kwargs)) == expected
    assert len(list(client.messages.stream(**kwargs))) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, 5),
        ({"limit": 1}, 1),
        ({"limit": 5, "page_size": 2}, 5),
        ({"limit": 4, "page_size": 3}, 4),
    ],
)
def test_paging_v1(client, kwargs, expected) -> None:
    for name in ("a", "b"):
        client.verify.v2.services.create(friendly_name=name)
    records = client.verify.v2.services.list(**kwargs)
    assert len(records) == expected
    assert len({r.sid for r in records}) == expected
    assert len(list(client.verify.v2.services.stream(**kwargs))) == expected


def test_v1_next_page_url_is_absolute_on_the_host_used(spec_dir) -> None:
    engine_session = twreplay.use_cassette(None)
    with resolve_twilio_to(None), engine_session:
        c = Client(AC, "token", region="ie1", edge="dublin")
        page = c.verify.v2.services.page(page_size=2)
        assert page.next_page_url.startswith("https://verify.dublin.ie1.twilio.com/v2/Services?")
        assert len(list(c.verify.v2.services.stream(page_size=2))) == 3


def test_ten_hosts(client) -> None:
    # api: calls
    call = client.calls.create(to=TO, from_=FROM, url="https://example.com/twiml")
    assert sid("CA").match(call.sid) and call.to == TO and call._from == FROM
    # messaging v1
    svc = client.messaging.v1.services.create(friendly_name="Reminders")
    assert sid("MG").match(svc.sid) and svc.friendly_name == "Reminders"
    assert svc.url == f"https://messaging.twilio.com/v1/Services/{svc.sid}"
    assert isinstance(svc.date_created, datetime)
    assert client.messaging.v1.services(svc.sid).fetch().friendly_name == "Reminders"
    # verify v2
    verify = client.verify.v2.services.create(friendly_name="Login")
    v = client.verify.v2.services(verify.sid).verifications.create(to=TO, channel="sms")
    assert (
        sid("VE").match(v.sid) and v.to == TO and v.channel == "sms" and v.service_sid == verify.sid
    )
    # conversations v1
    conv = client.conversations.v1.conversations.create(friendly_name="Support")
    assert sid("CH").match(conv.sid) and conv.friendly_name == "Support"
    conv2 = client.conversations.v1.conversations(conv.sid).update(friendly_name="Support 2")
    assert conv2.friendly_name == "Support 2" and conv2.date_updated >= conv.date_created
    assert client.conversations.v1.conversations(conv.sid).delete() is True
    # lookups v2: the path's number comes back
    number = client.lookups.v2.phone_numbers(TO).fetch()
    assert number.phone_number == TO
    # taskrouter v1
    ws = client.taskrouter.v1.workspaces.create(friendly_name="Support floor")
    assert sid("WS").match(ws.sid) and ws.friendly_name == "Support floor"
    assert ws.sid in [w.sid for w in client.taskrouter.v1.workspaces.list()]
    # sync v1: JSON data echoed as an object
    sync = client.sync.v1.services.create(friendly_name="State")
    doc = client.sync.v1.services(sync.sid).documents.create(unique_name="cart", data={"items": 2})
    assert sid("ET").match(doc.sid) and doc.unique_name == "cart" and doc.data == {"items": 2}
    assert client.sync.v1.services(sync.sid).documents(doc.sid).fetch().data == {"items": 2}
    # video v1
    room = client.video.v1.rooms.create(unique_name="standup")
    assert sid("RM").match(room.sid) and room.unique_name == "standup"
    assert room.status in ("in-progress", "completed", "failed")
    # studio v2
    flows = client.studio.v2.flows.list()
    assert len(flows) == 3 and all(sid("FW").match(f.sid) for f in flows)
    # serverless v1
    fn_svc = client.serverless.v1.services.create(unique_name="hooks", friendly_name="Hooks")
    assert sid("ZS").match(fn_svc.sid) and fn_svc.unique_name == "hooks"
    # chat v2
    chat = client.chat.v2.services.create(friendly_name="Chat")
    assert sid("IS").match(chat.sid)
    assert len(client.session.synthetic) == 18
    assert client.session.issues == []  # every answer fits the spec


def test_auth_and_unknown_route(spec_dir) -> None:
    with resolve_twilio_to(None), twreplay.use_cassette(None):
        anonymous = Client(AC, "token")
        anonymous.username = anonymous.password = None
        anonymous.auth = (None, None)
        with pytest.raises(TwilioRestException) as info:
            anonymous.verify.v2.services("VA" + "1" * 32).fetch()
        assert (info.value.status, info.value.code) == (401, 20003)
        with pytest.raises(TwilioException) as page:
            anonymous.verify.v2.services.list()
        assert "Unable to fetch page" in str(page.value)
        c = Client(AC, "token")
        response = c.request("GET", f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Nothing.json")
        assert response.status_code == 404
        assert '"code": 20404' in response.text and "/Nothing.json was not found" in response.text


@pytest.mark.parametrize(
    ("to", "from_", "status", "code"),
    [
        ("+15005550001", FROM, 400, 21211),
        ("+15005550002", FROM, 400, 21612),
        ("+15005550003", FROM, 400, 21408),
        ("+15005550004", FROM, 400, 21610),
        ("+15005550009", FROM, 400, 21614),
        (TO, "+15005550001", 400, 21212),
        (TO, "+15005550007", 400, 21606),
        (TO, "+15005550008", 400, 21611),
    ],
)
def test_magic_numbers_on_messages(client, to, from_, status, code) -> None:
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=to, from_=from_, body="hi")
    assert (info.value.status, info.value.code) == (status, code)
    assert info.value.msg.startswith("Unable to create record: ")


def test_magic_numbers_on_calls_and_numbers(client) -> None:
    with pytest.raises(TwilioRestException) as info:
        client.calls.create(to="+15005550003", from_=FROM, url="https://example.com/t")
    assert info.value.code == 21215 and "+14005550003" in info.value.msg
    with pytest.raises(TwilioRestException) as info:
        client.incoming_phone_numbers.create(phone_number="+15005550000")
    assert (info.value.status, info.value.code) == (400, 21422)
    ok = client.incoming_phone_numbers.create(phone_number="+15005550006")
    assert ok.phone_number == "+15005550006" and sid("PN").match(ok.sid)


def test_missing_parameters_give_twilio_codes(client) -> None:
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(from_=FROM, body="x", to=None)  # type: ignore[arg-type]
    assert (info.value.status, info.value.code) == (400, 21604)
    assert info.value.msg == "Unable to create record: A 'To' phone number is required."
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=TO, body="x")
    assert info.value.code == 21603
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to=TO, from_=FROM)
    assert info.value.code == 21602
    with pytest.raises(TwilioRestException) as info:
        client.messaging.v1.services.create(friendly_name=None)  # type: ignore[arg-type]
    assert info.value.status == 400
    assert info.value.details["findings"][0]["parameter"] == "FriendlyName"


SCRIPT = """
import hashlib, json, twreplay
from twilio.rest import Client
from twreplay.spec import get_index
from twreplay.synth import SyntheticEngine
out = []
with twreplay.use_cassette(None):
    c = Client("AC" + "3" * 32, "token")
    m = c.messages.create(to="+15550100001", from_="+15005550006", body="same")
    out.append([m.sid, str(m.date_created), m.uri])
    out.append([x.sid for x in c.messages.list(page_size=2)])
    s = c.verify.v2.services.create(friendly_name="x")
    out.append([s.sid, s.url, str(s.date_updated)])
engine = SyntheticEngine(get_index())
auth = {"Authorization": "Basic eDp5"}
raw = b""
for method, url, body in [
    ("POST", "https://api.twilio.com/2010-04-01/Accounts/AC" + "3" * 32 + "/Calls.json",
     "To=%2B15550100001&From=%2B15005550006&Url=https%3A%2F%2Fexample.com"),
    ("GET", "https://conversations.twilio.com/v1/Conversations?PageSize=2", None),
    ("GET", "https://video.twilio.com/v1/Rooms/RM" + "1" * 32, None),
    ("POST", "https://api.twilio.com/2010-04-01/Accounts/AC" + "3" * 32 + "/Messages.json", "To=x"),
]:
    answer = engine.answer(method, url, auth, body)
    raw += answer.status.to_bytes(2, "big") + answer.body
out.append(hashlib.sha256(raw).hexdigest())
print(json.dumps(out))
"""


def test_same_requests_same_bytes_in_two_processes(spec_dir) -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-c", SCRIPT],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "TWREPLAY_SPEC_DIR": str(spec_dir), "PYTHONHASHSEED": str(n)},
        ).stdout
        for n in (1, 2)
    ]
    assert runs[0] == runs[1]
    assert "SM" in runs[0]


def test_resources_made_from_another_keep_its_sid(client) -> None:
    service = client.messaging.v1.services.create(friendly_name="Alerts")
    number = "PN" + "b" * 32
    added = client.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=number)
    assert added.sid == number
    assert [n.sid for n in client.messaging.v1.services(service.sid).phone_numbers.list()][
        0
    ] == number
    client.messaging.v1.services(service.sid).phone_numbers(number).delete()
    assert number not in [
        n.sid for n in client.messaging.v1.services(service.sid).phone_numbers.list()
    ]


def test_sid_or_unique_name(client) -> None:
    sync = client.sync.v1.services.create(friendly_name="State")
    doc = client.sync.v1.services(sync.sid).documents.create(unique_name="cart-42", data={"n": 1})
    by_name = client.sync.v1.services(sync.sid).documents("cart-42").fetch()
    assert (by_name.sid, by_name.data) == (doc.sid, {"n": 1})
    room = client.video.v1.rooms.create(unique_name="DailyStandup")
    assert client.video.v1.rooms("DailyStandup").fetch().sid == room.sid


def test_list_filters_apply(client) -> None:
    client.calls.create(to="+15558675310", from_=FROM, url="https://example.com/t")
    client.calls.create(to="+15558675311", from_=FROM, url="https://example.com/t")
    assert [c.to for c in client.calls.list(to="+15558675310")] == ["+15558675310"]
    assert client.calls.list(to="+19999999999") == []


def test_malformed_numbers_are_refused(client) -> None:
    with pytest.raises(TwilioRestException) as info:
        client.messages.create(to="hello", from_=FROM, body="x")
    assert (info.value.code, info.value.msg) == (
        21211,
        "Unable to create record: The 'To' number hello is not a valid phone number.",
    )
    with pytest.raises(TwilioRestException) as info:
        client.incoming_phone_numbers.create(phone_number="33")
    assert (info.value.code, info.value.msg) == (
        21421,
        "Unable to create record: 33 is not a valid number",
    )
    # channel addresses and alphanumeric senders are numbers too
    assert (
        client.messages.create(
            to="whatsapp:+14155550100", from_="whatsapp:+15005550006", body="x"
        ).to
        == "whatsapp:+14155550100"
    )
    assert client.messages.create(to=TO, from_="Acme", body="x").from_ == "Acme"


def test_children_of_a_deleted_resource_are_gone(client) -> None:
    conv = client.conversations.v1.conversations.create(friendly_name="temp")
    client.conversations.v1.conversations(conv.sid).participants.create(identity="a")
    client.conversations.v1.conversations(conv.sid).delete()
    with pytest.raises(TwilioRestException) as info:
        client.conversations.v1.conversations(conv.sid).participants.create(identity="b")
    assert info.value.status == 404
    with pytest.raises(TwilioException):
        client.conversations.v1.conversations(conv.sid).participants.list()


def test_times_agree(client) -> None:
    msg = client.messages.create(to=TO, from_=FROM, body="x")
    assert msg.status == "queued" and msg.date_sent is None
    room = client.video.v1.rooms.create(unique_name="r1")
    done = client.video.v1.rooms(room.sid).update(status="completed")
    assert done.end_time >= room.date_created and done.date_updated >= room.date_created
