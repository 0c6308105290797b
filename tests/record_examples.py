"""Re-record the cassettes the examples replay, against the local Twilio stand-in.

    python -m tests.record_examples      (what `make cassettes` runs)

CI has no Twilio account, so the shared cassettes are recorded here, through twreplay's own
recording path (scrubbing included). To record them against the live API instead, see
cassettes/README.md.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import tempfile
from pathlib import Path

from .standin import StandIn, resolve_twilio_to

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    server = StandIn()
    with tempfile.TemporaryDirectory() as tmp:
        ca = Path(tmp) / "ca.pem"
        server.ca.cert_pem.write_to_path(str(ca))
        os.environ["REQUESTS_CA_BUNDLE"] = str(ca)
        os.environ["TWREPLAY_RECORD_MODE"] = "rewrite"
        server.start()
        try:
            with resolve_twilio_to(server.port):
                runpy.run_path(str(ROOT / "examples" / "send_sms.py"), run_name="__main__")
        finally:
            server.stop()
            del os.environ["TWREPLAY_RECORD_MODE"]
    # the reminders app's suite, through pytest-recording with the stand-in plugin; the test
    # of a magic number is left to synthetic answers (the stand-in does not know them)
    return subprocess.call(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "tests.standin_plugin",
            "examples",
            "--record-mode=rewrite",
            "-k",
            "not cannot_take_sms",
        ],
        cwd=ROOT,
    )


if __name__ == "__main__":
    sys.exit(main())
