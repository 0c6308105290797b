"""A pytest plugin for re-recording the example cassettes against the local Twilio stand-in.

    python -m pytest -p tests.standin_plugin examples --record-mode=rewrite

With it, `*.twilio.com` goes to a local HTTPS stand-in instead of the live API (CI has no Twilio
account). Without it, the examples run as users run them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .standin import StandIn, resolve_twilio_to


@pytest.fixture(autouse=True)
def _twilio_standin(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    server = StandIn()
    ca: Path = tmp_path_factory.mktemp("standin") / "ca.pem"
    server.ca.cert_pem.write_to_path(str(ca))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    server.start()
    try:
        with resolve_twilio_to(server.port):
            yield
    finally:
        server.stop()
