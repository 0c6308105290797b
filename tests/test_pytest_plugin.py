"""The pytest plugin, on a throwaway project run by pytester (in subprocesses)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

CONFTEST = """
import os
import pytest
from tests.standin import StandIn, resolve_twilio_to


@pytest.fixture(autouse=True)
def twilio_network(tmp_path_factory, monkeypatch):
    if os.environ.get("STANDIN") == "1":  # a local HTTPS Twilio to record from
        server = StandIn()
        ca = tmp_path_factory.mktemp("ca") / "ca.pem"
        server.ca.cert_pem.write_to_path(str(ca))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
        server.start()
        with resolve_twilio_to(server.port):
            yield
        server.stop()
    else:  # no network at all
        with resolve_twilio_to(None):
            yield
"""

TESTS = """
import pytest
from twilio.rest import Client

TO = "+14155552671"


@pytest.mark.vcr
def test_send():
    client = Client("AC" + "1" * 32, "live-token-{token}")
    msg = client.messages.create(to=TO, from_="+15005550006", body="{body}", max_price="{price}")
    assert msg.to == TO and msg.body == "{body}"
{extra}
"""

SECOND = """

@pytest.mark.twreplay
def test_list(twreplay):
    client = Client("AC" + "1" * 32, "live-token")
    assert len(client.messages.list()) >= 0
    assert len(twreplay.replayed) + len(twreplay.recorded) + len(twreplay.synthetic) == 1
"""


@pytest.fixture
def project(pytester: pytest.Pytester, spec_dir, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("TWREPLAY_SPEC_DIR", str(spec_dir))
    monkeypatch.delenv("TWREPLAY_CASSETTE_DIR", raising=False)
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    return pytester


def write_tests(
    p: pytest.Pytester, body: str = "Hello", extra: str = "", price: str = "0.5"
) -> None:
    p.makepyfile(test_sms=TESTS.format(body=body, extra=extra, token="1234", price=price))


def cassette(p: pytest.Pytester, name: str = "test_send") -> Path:
    return Path(p.path) / "cassettes" / "test_sms" / f"{name}.yaml"


def run(p: pytest.Pytester, *args: str, standin: bool = False, monkeypatch=None):
    import os

    os.environ["STANDIN"] = "1" if standin else "0"
    try:
        return p.runpytest_subprocess(*args)
    finally:
        os.environ.pop("STANDIN", None)


def test_record_modes_and_default_path(project) -> None:
    write_tests(project)
    # once: records a missing cassette into cassettes/{module}/{test}.yaml under the rootdir
    result = run(project, "--record-mode=once", standin=True)
    result.assert_outcomes(passed=1)
    path = cassette(project)
    assert path.is_file()
    text = path.read_text()
    assert "+14155552671" not in text and "live-token-1234" not in text  # scrubbed
    result.stdout.fnmatch_lines(
        ["twreplay: 0 replayed, 0 synthetic, 1 recorded, 0 validation findings"]
    )
    # none: replays offline (no network at all) and passes
    result = run(project, "--record-mode=none")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["twreplay: 1 replayed, 0 synthetic, 0 recorded, 0 validation findings"]
    )
    # new_episodes: appends what is new, keeps what was there
    write_tests(project, extra=SECOND)
    result = run(project, "--record-mode=new_episodes", standin=True)
    result.assert_outcomes(passed=2)
    assert len(yaml.safe_load(path.read_text())["interactions"]) == 1
    assert cassette(project, "test_list").is_file()
    result.stdout.fnmatch_lines(
        ["twreplay: 1 replayed, 0 synthetic, 1 recorded, 0 validation findings"]
    )
    # rewrite: the cassette starts afresh
    write_tests(project, body="Changed", price="0.7")
    before = path.read_text()
    result = run(
        project,
        "--record-mode=rewrite",
        standin=True,
    )
    result.assert_outcomes(passed=1)
    assert path.read_text() != before and "MaxPrice=0.7" in path.read_text()
    assert len(yaml.safe_load(path.read_text())["interactions"]) == 1


def test_unrecorded_requests_are_synthetic_unless_told_not_to(project) -> None:
    write_tests(project)
    result = run(project)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["twreplay: 0 replayed, 1 synthetic, 0 recorded, 0 validation findings"]
    )
    assert not cassette(project).exists()  # synthetic answers are never written
    result = run(project, "--twreplay-no-synthetic")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UnmatchedRequestError*No recorded interaction matches POST*"])


def test_strict_validation_fails_on_a_spec_invalid_cassette(project) -> None:
    write_tests(project)
    run(project, "--record-mode=once", standin=True).assert_outcomes(passed=1)
    path = cassette(project)
    path.write_text(path.read_text().replace('"num_segments": "1"', '"num_segments": 1'))
    result = run(project, "--twreplay-validate=strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*SpecValidationError*", "*num_segments: expected string or null, found 1*"]
    )
    result = run(project)  # warn (the default): passes, with the finding as a warning
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["twreplay: 1 replayed, 0 synthetic, 0 recorded, 1 validation finding (see -rw)"]
    )


def test_marker_arguments_and_config_fixture(project) -> None:
    project.makeconftest(
        CONFTEST
        + textwrap.dedent("""

        @pytest.fixture
        def twreplay_config():
            return {"synthetic": False}
    """)
    )
    project.makepyfile(
        test_sms="""
        import pytest
        import twreplay
        from twilio.rest import Client

        def test_config_applies():
            with pytest.raises(twreplay.UnmatchedRequestError):
                Client("AC" + "1" * 32, "t").messages.create(to="+14155550100", from_="+15005550006", body="x")

        test_config_applies = pytest.mark.vcr(test_config_applies)

        @pytest.mark.twreplay(synthetic=True)
        def test_marker_wins(twreplay):
            Client("AC" + "1" * 32, "t").messages.create(to="+14155550100", from_="+15005550006", body="x")
            assert len(twreplay.synthetic) == 1
    """
    )
    run(project).assert_outcomes(passed=2)


def test_xdist_records_in_parallel(project) -> None:
    write_tests(project, extra=SECOND)
    result = run(project, "-n", "2", "--record-mode=once", standin=True)
    result.assert_outcomes(passed=2)
    from twreplay.cassette import load_cassette

    for name in ("test_send", "test_list"):
        assert len(load_cassette(cassette(project, name)).interactions) == 1
    result.stdout.fnmatch_lines(
        ["twreplay: 0 replayed, 0 synthetic, 2 recorded, 0 validation findings"]
    )


def test_help_lists_both_plugins_options_once(project) -> None:
    result = project.runpytest_subprocess("--help")
    out = result.stdout.str()
    for option in (
        "--record-mode",
        "--block-network",
        "--twreplay-no-synthetic",
        "--twreplay-validate",
    ):
        assert out.count(f"  {option}") == 1, option
    assert "twreplay_cassette_dir" in out


def test_cassette_dir_from_ini(project) -> None:
    project.makeini("[pytest]\naddopts = -p no:cacheprovider\ntwreplay_cassette_dir = recorded\n")
    write_tests(project)
    run(project, "--record-mode=once", standin=True).assert_outcomes(passed=1)
    assert (Path(project.path) / "recorded" / "test_sms" / "test_send.yaml").is_file()


def test_block_network_still_blocks_other_hosts(project) -> None:
    project.makepyfile(
        test_sms="""
        import pytest
        import requests
        from twilio.rest import Client
        from vcr.errors import CannotOverwriteExistingCassetteException

        @pytest.mark.vcr
        def test_twilio_is_answered_and_the_rest_is_blocked(twreplay):
            Client("AC" + "1" * 32, "t").messages.create(to="+14155550100", from_="+15005550006", body="x")
            assert len(twreplay.synthetic) == 1
            # other hosts keep vcrpy's plain behaviour: not in the cassette, not recorded
            with pytest.raises(CannotOverwriteExistingCassetteException):
                requests.get("http://127.0.0.1:9/", timeout=1)

        def test_without_a_cassette_the_network_is_blocked():
            with pytest.raises(RuntimeError, match="Network is disabled"):
                requests.get("http://127.0.0.1:9/", timeout=1)
    """
    )
    run(project, "--block-network").assert_outcomes(passed=2)


def test_record_mode_from_marker_and_environment_and_disabled_recording(
    project, monkeypatch
) -> None:
    project.makepyfile(
        test_sms="""
        import pytest
        from twilio.rest import Client

        @pytest.mark.twreplay(record_mode="once")
        def test_marker_mode(twreplay):
            Client("AC" + "1" * 32, "t").messages.create(to="+14155550100", from_="+15005550006", body="x")
            assert (twreplay.record_mode, len(twreplay.recorded)) == ("once", 1)

        @pytest.mark.vcr
        def test_env_mode(twreplay):
            Client("AC" + "1" * 32, "t").messages.create(to="+14155550100", from_="+15005550006", body="x")
            assert (twreplay.record_mode, len(twreplay.recorded)) == ("new_episodes", 1)
    """
    )
    monkeypatch.setenv("TWREPLAY_RECORD_MODE", "new_episodes")
    run(project, standin=True).assert_outcomes(passed=2)
    assert cassette(project, "test_marker_mode").is_file()
    assert cassette(project, "test_env_mode").is_file()
    project.makepyfile(
        test_sms="""
        def test_live(twreplay):
            assert twreplay.record_mode == "disabled" and twreplay.replayed == []
    """
    )
    run(project, "--disable-recording").assert_outcomes(passed=1)
