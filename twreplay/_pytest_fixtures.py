"""Fixtures of the pytest plugin, registered at configure time (after pytest-recording)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .pytest_plugin import _SESSION_KEY, ENV_CASSETTE_DIR

if TYPE_CHECKING:
    from .replay import Session


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """cassettes/{test module}/ under the rootdir (or the configured folder)."""
    config = request.config
    base = config.getini("twreplay_cassette_dir") or os.environ.get(ENV_CASSETTE_DIR)
    root = Path(base) if base else Path(config.rootpath) / "cassettes"
    if not root.is_absolute():
        root = Path(config.rootpath) / root
    module = Path(str(request.node.fspath)).stem
    return str(root / module)


@pytest.fixture
def twreplay_config() -> dict[str, Any]:
    """Project-wide use_cassette options; override it in a conftest.py."""
    return {}


@pytest.fixture
def twreplay(request: pytest.FixtureRequest, vcr: Any) -> Iterator[Session]:
    """The session of the test's cassette: replayed, synthetic, recorded, issues."""
    session = request.node.stash.get(_SESSION_KEY, None)
    if session is None and request.config.getoption("--disable-recording", False):
        from .replay import Session

        session = Session(path=None, record_mode="disabled")  # live traffic; nothing counted
    if session is None:
        raise pytest.UsageError(
            "the twreplay fixture needs pytest-recording's cassette; is recording disabled"
            " (--disable-recording)?"
        )
    yield session
