"""examples/node: the Twilio Node SDK against `twreplay serve` (where node and npm exist)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .test_serve import Server

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="node and npm are not installed",
)


def test_node_sdk_against_the_server(tmp_path, spec_dir) -> None:
    work = tmp_path / "node"
    shutil.copytree(ROOT / "examples" / "node", work, ignore=shutil.ignore_patterns("node_modules"))
    install = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if install.returncode != 0:
        pytest.skip(f"npm install failed (no registry here?): {install.stderr.strip()[-200:]}")
    server = Server(spec_dir)
    try:
        run = subprocess.run(
            ["node", "index.js"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "TWREPLAY_URL": server.url},
            check=False,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("sent SM") and lines[0].endswith(
        "to +14155550123: Hello from Node (queued)"
    )
    assert lines[1].endswith(": Hello from Node")
    assert lines[2] == "verify services listed: 3"
    assert lines[3].startswith("magic number: 400 21211 ")
