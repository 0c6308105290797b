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
        if "as session:" in block:
            continue  # the option summary, not a runnable snippet
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
    assert "found 55 spec files serving 38 hosts" in out
    assert "-> ListCall (twilio_api_v2010.json)" in out  # an edge/region host
    assert "request body To: required parameter is missing" in out
    assert "4 Twilio interactions checked in 1 file (profile lenient): no findings" in out
    assert "response body num_segments: expected string or null, found 1" in out
    assert "(exit status 1:" in out
    assert re.search(r"api\.twilio\.com\s+2010-04-01\s+3\s+197", out)
