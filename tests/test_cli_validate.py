"""`twreplay validate`, `coverage` and `spec info` on real cassette files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from twreplay.cli import main

from .conftest import DATA

CASSETTES = DATA / "cassettes"
SNAPSHOTS = Path(__file__).parent / "snapshots"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/NAME; write it when TWREPLAY_UPDATE_SNAPSHOTS=1."""
    path = SNAPSHOTS / name
    if os.environ.get("TWREPLAY_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        path.write_text(text)
    assert text == path.read_text()


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    target = tmp_path / "bad.yaml"
    shutil.copy(CASSETTES / "bad.yaml", target)
    return target


def test_clean_cassette_reports_nothing(spec_dir, capsys) -> None:
    code, out, _ = run(capsys, "validate", str(CASSETTES / "clean.yaml"))
    assert code == 0
    assert out.strip() == (
        "4 Twilio interactions checked in 1 file (profile lenient): no findings;"
        " 1 non-Twilio interaction skipped."
    )


def test_each_finding_is_reported_precisely(spec_dir, capsys, bad) -> None:
    code, out, _ = run(capsys, "validate", str(bad), "--format", "json")
    assert code == 1
    report = json.loads(out)
    got = {
        (f["interaction"], f["side"], f["location"], f["field"], f["keyword"])
        for f in report["findings"]
    }
    assert got == {
        # wrong type in a response field, and an undocumented enum value
        (0, "response", "body", "num_segments", "type"),
        (0, "response", "body", "status", "enum"),
        # undocumented status
        (1, "response", "status", "", "status"),
        # unknown path
        (2, "request", "path", "", "route"),
        # malformed AccountSid
        (3, "request", "path", "AccountSid", "minLength"),
        (3, "request", "path", "AccountSid", "pattern"),
        # missing required form parameter, and an unknown one (a warning only)
        (4, "request", "body", "To", "required"),
        (4, "request", "body", "Colour", "unknown-parameter"),
    }
    by_key = {(f["interaction"], f["field"], f["keyword"]): f for f in report["findings"]}
    wrong_type = by_key[(0, "num_segments", "type")]
    assert wrong_type["operation_id"] == "FetchMessage"
    assert wrong_type["expected"] == "string or null"
    assert wrong_type["found"] == "1"
    assert wrong_type["file"] == str(bad)
    assert wrong_type["method"] == "GET"
    assert wrong_type["url"].endswith("/Messages/SM0123456789abcdef0123456789abcdef.json")
    missing_to = by_key[(4, "To", "required")]
    assert (missing_to["twilio_status"], missing_to["twilio_code"]) == (400, 21604)
    assert by_key[(4, "Colour", "unknown-parameter")]["severity"] == "warning"
    assert by_key[(1, "", "status")]["expected"] == "201"
    assert report["errors"] == 7 and report["warnings"] == 1
    assert report["checked"] == 5 and report["skipped"] == 0


def test_human_output_snapshot(spec_dir, capsys, bad) -> None:
    code, out, _ = run(capsys, "validate", str(bad), "--profile", "strict")
    assert code == 1
    snapshot("validate_bad_strict.txt", out.replace(str(bad), "<cassette>"))


def test_profiles_differ_on_live_api_habits(spec_dir, capsys, tmp_path) -> None:
    # a null where the spec has no `nullable`, the live API's habit
    text = (
        (CASSETTES / "clean.yaml")
        .read_text()
        .replace('"direction": "outbound-api"', '"direction": null', 1)
    )
    assert text != (CASSETTES / "clean.yaml").read_text()
    path = tmp_path / "nulls.yaml"
    path.write_text(text)
    assert run(capsys, "validate", str(path))[0] == 0
    code, out, _ = run(capsys, "validate", str(path), "--profile", "strict")
    assert code == 1
    assert 'response body direction: null is not one of "inbound"' in out


def test_malformed_file_gives_one_line_and_the_others_are_checked(spec_dir, capsys) -> None:
    code, out, _ = run(capsys, "validate", str(CASSETTES))
    assert code == 2
    lines = [line for line in out.splitlines() if "malformed.yaml" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {CASSETTES / 'malformed.yaml'}:5: not valid YAML")
    assert "bad.yaml" in out  # still checked
    assert "9 Twilio interactions checked in 2 files" in out
    assert "1 file could not be read" in out


def test_non_cassette_yaml_is_named(spec_dir, capsys, tmp_path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("name: not a cassette\n")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 2
    assert f"{path}:1: not a cassette (no top-level `interactions:` list)" in out
    shape = tmp_path / "shape.yaml"
    shape.write_text("interactions:\n- request: {method: GET, uri: 'https://x'}\n  response: {}\n")
    code, out, _ = run(capsys, "validate", str(shape))
    assert code == 2
    assert f"{shape}:2: interaction 0: `response.status.code` must be an integer" in out


def test_missing_path_and_bad_usage_exit_2(spec_dir, capsys, tmp_path) -> None:
    code, _, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 2 and "no such file or folder" in err
    with pytest.raises(SystemExit) as info:
        main(["validat"])
    assert info.value.code == 2
    assert "did you mean 'validate'" in capsys.readouterr().err


def test_spec_not_found_is_a_clear_error(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TWREPLAY_SPEC_DIR", str(tmp_path / "missing"))
    code, _, err = run(capsys, "validate", str(CASSETTES / "clean.yaml"))
    assert code == 2
    assert "Twilio's OpenAPI spec (twilio_*.json files) was not found" in err
    assert "twreplay spec fetch" in err


def test_coverage_table_and_json(spec_dir, capsys) -> None:
    code, out, _ = run(capsys, "coverage", str(CASSETTES / "clean.yaml"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["host", "version", "covered", "total", "percent"]
    assert lines[1].split() == ["api.twilio.com", "2010-04-01", "3", "197", "1.5%"]
    assert lines[2].split() == ["verify.twilio.com", "v2", "1", "57", "1.8%"]
    assert lines[3].split() == ["total", "4", "1447", "0.3%"]
    code, out, _ = run(capsys, "coverage", str(CASSETTES / "clean.yaml"), "--format", "json")
    table = json.loads(out)
    api = table["rows"][0]
    assert api["covered"] == ["CreateMessage", "DeleteMessage", "FetchMessage"]
    assert len(api["uncovered"]) == 194
    code, out, _ = run(capsys, "coverage", str(CASSETTES / "clean.yaml"), "--all")
    assert len(out.splitlines()) > 50


def test_spec_info(spec_dir, capsys) -> None:
    code, out, _ = run(capsys, "spec", "info")
    assert code == 0
    assert f"source:     {spec_dir}" in out
    assert "version:    twilio-oai 2.6.7 (checksums match)" in out
    assert "operations: 1447" in out
    assert "hosts:      38" in out


def test_spec_info_without_spec_exits_2(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TWREPLAY_SPEC_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    code, _, err = run(capsys, "spec", "info")
    assert code == 2
    assert "Looked in" in err


def test_console_script_and_python_m(spec_dir) -> None:
    env = {**os.environ, "TWREPLAY_SPEC_DIR": str(spec_dir)}
    for cmd in (
        [sys.executable, "-m", "twreplay"],
        [str(Path(sys.executable).parent / "twreplay")],
    ):
        proc = subprocess.run(
            [*cmd, "validate", str(CASSETTES / "clean.yaml"), "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["checked"] == 4
