"""Appointment reminders: a small app that talks to Twilio the way real apps do.

It verifies a patient's phone number with Twilio Verify, sends the reminder by SMS, and checks
that the message was delivered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client


@dataclass(frozen=True)
class Appointment:
    patient: str
    phone: str
    when: str  # "Tuesday at 10:30"


class Reminders:
    def __init__(self, client: Client, from_number: str, verify_service: str) -> None:
        self.client = client
        self.from_number = from_number
        self.verify = client.verify.v2.services(verify_service)

    def start_verification(self, phone: str) -> str:
        """Send a one-time code to the phone; returns the verification's status."""
        return self.verify.verifications.create(to=phone, channel="sms").status

    def confirm(self, phone: str, code: str) -> bool:
        """Check the code the patient typed in."""
        check = self.verify.verification_checks.create(to=phone, code=code)
        return check.status == "approved"

    def send(self, appointment: Appointment) -> str:
        """Send the reminder; returns the message SID."""
        message = self.client.messages.create(
            to=appointment.phone,
            from_=self.from_number,
            body=f"Hi {appointment.patient}, a reminder of your appointment {appointment.when}.",
        )
        return message.sid

    def wait_for_delivery(self, sid: str, attempts: int = 5, pause: float = 0.0) -> str:
        """Poll the message until Twilio reports a final status."""
        status = "queued"
        for _ in range(attempts):
            status = self.client.messages(sid).fetch().status
            if status in ("delivered", "undelivered", "failed"):
                break
            time.sleep(pause)
        return status

    def try_send(self, appointment: Appointment) -> str | None:
        """Send, or return Twilio's error code as text when the number cannot take SMS."""
        try:
            return self.send(appointment)
        except TwilioRestException as exc:
            return f"error {exc.code}"
