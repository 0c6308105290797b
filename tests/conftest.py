"""Shared fixtures. Twilio's spec is found through $TWREPLAY_SPEC_DIR (set by `.ci/run`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
DATA = HERE / "data"


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    value = os.environ.get("TWREPLAY_SPEC_DIR")
    if not value or not Path(value).is_dir():
        message = (
            "Twilio's spec is needed: set TWREPLAY_SPEC_DIR to the twilio-oai spec/json folder"
            " or run `twreplay spec fetch` and point TWREPLAY_SPEC_DIR at the cache."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return Path(value)


@pytest.fixture(scope="session")
def index(spec_dir: Path):
    from twreplay.spec.index import SpecIndex

    return SpecIndex(spec_dir)


@pytest.fixture
def standin(tmp_path, monkeypatch):
    """The local HTTPS stand-in for Twilio, trusted by requests for this test."""
    from .standin import StandIn

    server = StandIn()
    ca = tmp_path / "ca.pem"
    server.ca.cert_pem.write_to_path(str(ca))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    server.start()
    try:
        yield server
    finally:
        server.stop()
