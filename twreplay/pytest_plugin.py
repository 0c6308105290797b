"""The pytest plugin: twreplay on top of pytest-recording.

pytest-recording keeps what it owns (`--record-mode`, `@pytest.mark.vcr`, `vcr_config`,
`--block-network`, cassette naming); through its `pytest_recording_configure` hook each of its
VCR instances gets twreplay's behaviour (matching, scrubbing, validation, synthetic answers).

- `@pytest.mark.vcr` and `@pytest.mark.twreplay(**use_cassette options)` mark a test; a test
  that asks for the `twreplay` fixture is marked too.
- Precedence of options: the `twreplay_config` fixture < marker arguments < command line.
- Default cassette: `cassettes/{test module}/{test name}.yaml` under the rootdir; the ini
  option `twreplay_cassette_dir` or `$TWREPLAY_CASSETTE_DIR` change the folder.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # vcrpy is imported late: pytest-recording registers it for assert rewriting
    from .replay import Session  # noqa: F401 - used in a string annotation below

_CURRENT: ContextVar[pytest.Item | None] = ContextVar("twreplay_item", default=None)
_SESSION_KEY = pytest.StashKey["Session"]()
_COUNTS = ("replayed", "synthetic", "recorded", "findings")
ENV_CASSETTE_DIR = "TWREPLAY_CASSETTE_DIR"


class TwreplayWarning(UserWarning):
    """A validation finding on a test's Twilio traffic (shown in pytest's warnings summary)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("twreplay", "twreplay (Twilio replay, on pytest-recording)")
    group.addoption(
        "--twreplay-no-synthetic",
        action="store_true",
        default=False,
        help="fail on an unrecorded Twilio request instead of answering it from the spec",
    )
    group.addoption(
        "--twreplay-validate",
        choices=("off", "warn", "strict"),
        default=None,
        help="check recorded and live Twilio traffic against the spec (default: warn)",
    )
    parser.addini(
        "twreplay_cassette_dir",
        "folder of the default cassettes (default: cassettes/ under the rootdir)",
        default=None,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "twreplay(**options): replay Twilio traffic with twreplay (use_cassette options)"
    )
    # registered now, after pytest-recording, so these fixtures take precedence over its own
    from . import _pytest_fixtures

    config.pluginmanager.register(_pytest_fixtures, "twreplay-fixtures")
    config.stash[_TOTALS] = dict.fromkeys(_COUNTS, 0)


_TOTALS = pytest.StashKey[dict[str, int]]()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        wants = item.get_closest_marker("twreplay") or "twreplay" in getattr(
            item, "fixturenames", ()
        )
        if wants and item.get_closest_marker("vcr") is None:
            item.add_marker(pytest.mark.vcr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    token = _CURRENT.set(item)
    try:
        return (yield)
    finally:
        _CURRENT.reset(token)


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    item = _CURRENT.get()
    if item is None:  # a VCR made outside a test's setup: leave it to pytest-recording
        return
    from .replay import use_cassette

    options = _options(item)
    mode = options.pop("record_mode", None)
    if mode:
        options["record_mode"] = mode
        vcr.record_mode = "all" if mode == "rewrite" else mode
    settings = use_cassette(None, **options)
    session = settings.attach(vcr)
    if mode:
        session.record_mode = mode
    item.stash[_SESSION_KEY] = session


def _options(item: pytest.Item) -> dict[str, Any]:
    """twreplay_config < marker arguments < command line."""
    request = getattr(item, "_request", None)
    options: dict[str, Any] = {}
    if request is not None:
        options.update(request.getfixturevalue("twreplay_config"))
    for marker in reversed(list(item.iter_markers("twreplay"))):
        options.update(marker.kwargs)
    if item.config.getoption("--twreplay-no-synthetic"):
        options["synthetic"] = False
    validate = item.config.getoption("--twreplay-validate")
    if validate:
        options["validate"] = validate
    # record mode: --record-mode (pytest-recording's) and a vcr marker's own record_mode win;
    # below them the twreplay marker, twreplay_config, then $TWREPLAY_RECORD_MODE
    vcr_sets_mode = any("record_mode" in m.kwargs for m in item.iter_markers("vcr"))
    if item.config.getoption("--record-mode") is not None or vcr_sets_mode:
        options.pop("record_mode", None)
    elif "record_mode" not in options and os.environ.get("TWREPLAY_RECORD_MODE"):
        options["record_mode"] = os.environ["TWREPLAY_RECORD_MODE"]
    return options


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)
    finally:
        session = item.stash.get(_SESSION_KEY, None)
        if session is not None:
            counts = {
                "replayed": len(session.replayed),
                "synthetic": len(session.synthetic),
                "recorded": len(session.recorded),
                "findings": len(session.issues),
            }
            # user_properties travel to the controller under pytest-xdist
            item.user_properties.append(("twreplay", counts))
            for finding in session.issues:
                warnings.warn(TwreplayWarning(finding.describe()), stacklevel=1)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "teardown":
        return
    for name, value in report.user_properties:
        if name == "twreplay" and isinstance(value, dict):
            totals = _totals_of(report)
            if totals is not None:
                for key in _COUNTS:
                    totals[key] += int(value.get(key, 0))


_CONFIG: list[pytest.Config] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG[:] = [session.config]


def _totals_of(report: pytest.TestReport) -> dict[str, int] | None:
    return _CONFIG[0].stash.get(_TOTALS, None) if _CONFIG else None


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    totals = config.stash.get(_TOTALS, None)
    if not totals or not any(totals.values()):
        return
    findings = totals["findings"]
    tail = " (see -rw)" if findings else ""
    terminalreporter.write_line(
        f"twreplay: {totals['replayed']} replayed, {totals['synthetic']} synthetic,"
        f" {totals['recorded']} recorded, {findings} validation finding"
        f"{'s' if findings != 1 else ''}{tail}"
    )
