"""The examples and the README's code run as tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_blocks_run(spec_dir, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # the README's paths are relative to the project
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, "the README shows Python code"
    for block in blocks:
        if "..." in block:
            continue  # an outline with placeholders, not a runnable snippet
        exec(compile(block, "README.md", "exec"), {})


def test_demo_tells_the_story(spec_dir) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo.py")],
        capture_output=True,
        text=True,
        env={**os.environ, "TWREPLAY_SPEC_DIR": str(spec_dir)},
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Twilio's spec: 55 files, 38 hosts" in out
    assert "sent SM00000000000000000000000000000001 to +14155552671 (queued)" in out
    assert "body: 'Your table for two is ready.'" in out
    assert "2 answered from the cassette" in out
    assert re.search(r"Verify service VA[0-9a-f]{32} \('Demo login'\)", out)
    assert "-> 400/21211: Unable to create record: The 'To' number +15005550001" in out
    assert "3 synthetic answers, 0 spec findings" in out
    assert re.search(
        r"\d+ Twilio interactions checked in \d+ files \(profile lenient\): no findings", out
    )
    assert "response body num_segments: expected string or null, found 1" in out
    assert "cassettes audited: clean." in out


def test_send_sms_example_replays_offline(spec_dir) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "send_sms.py")],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "TWREPLAY_SPEC_DIR": str(spec_dir),
            "TWREPLAY_RECORD_MODE": "none",
            "HTTPS_PROXY": "http://127.0.0.1:9",
        },  # any attempt to reach the network fails
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.splitlines()[0]
        == "sent SM00000000000000000000000000000001 to +14155552671: queued"
    )
