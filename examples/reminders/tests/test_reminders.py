"""The reminders app's own tests: they replay recorded Twilio traffic (cassettes/test_reminders/)
and, where nothing was recorded, get answers generated from Twilio's spec."""

from __future__ import annotations

import pytest
from twilio.rest import Client

from examples.reminders.reminders import Appointment, Reminders

ACCOUNT = "AC" + "1" * 32  # any account: cassettes replay under any
SERVICE = "VA" + "2" * 32
PATIENT = Appointment(patient="Ada", phone="+14155552671", when="on Tuesday at 10:30")


@pytest.fixture
def reminders() -> Reminders:
    return Reminders(Client(ACCOUNT, "token"), from_number="+15005550006", verify_service=SERVICE)


@pytest.mark.vcr
def test_verify_then_remind(reminders, twreplay) -> None:
    assert reminders.start_verification(PATIENT.phone) == "pending"
    assert reminders.confirm(PATIENT.phone, "123456")
    sid = reminders.send(PATIENT)
    assert sid.startswith("SM")
    assert twreplay.recorded or twreplay.replayed  # real (recorded) Twilio traffic


@pytest.mark.vcr
def test_delivery_is_polled_until_final(reminders) -> None:
    sid = reminders.send(PATIENT)
    assert reminders.wait_for_delivery(sid) == "delivered"


@pytest.mark.twreplay
def test_a_number_that_cannot_take_sms(reminders, twreplay) -> None:
    # never recorded: Twilio's magic test number answered from the spec with Twilio's own error
    invalid = Appointment(patient="Bob", phone="+15005550001", when="tomorrow")
    assert reminders.try_send(invalid) == "error 21211"
    assert len(twreplay.synthetic) == 1
