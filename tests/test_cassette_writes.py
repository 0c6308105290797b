"""Cassette files are written atomically: readers and killed writers never see half a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from twreplay.cassette import load_cassette

WRITER = textwrap.dedent(
    """
    import sys
    from twreplay.cassette import dump_cassette, write_atomic
    path, tag, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for n in range(rounds):
        interactions = [
            {"request": {"body": None, "headers": {}, "method": "GET",
                         "uri": f"https://api.twilio.com/{tag}/{n}/{i}"},
             "response": {"body": {"string": "x" * 2000}, "headers": {},
                          "status": {"code": 200, "message": "OK"}}}
            for i in range(300)
        ]
        write_atomic(path, dump_cassette(interactions, {"writer": tag}))
        print(n, flush=True)
    """
)


def _writer(path: Path, tag: str, rounds: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(rounds)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_two_processes_writing_one_cassette_never_corrupt_it(tmp_path) -> None:
    path = tmp_path / "shared.yaml"
    writers = [_writer(path, "a", 15), _writer(path, "b", 15)]
    reads = 0
    while any(w.poll() is None for w in writers):
        if path.exists():
            cassette = load_cassette(path)  # raises on a partial file
            assert len(cassette.interactions) == 300
            assert cassette.meta["writer"] in ("a", "b")
            reads += 1
        time.sleep(0.005)
    for w in writers:
        assert w.wait() == 0
        w.stdout.close()  # type: ignore[union-attr]
    final = load_cassette(path)  # last writer wins, whole
    assert len(final.interactions) == 300
    assert reads > 0


def test_a_writer_killed_mid_write_leaves_a_whole_file(tmp_path) -> None:
    path = tmp_path / "killed.yaml"
    for delay in (0.05, 0.15, 0.3):
        proc = _writer(path, f"k{delay}", 1000)
        proc.stdout.readline()  # at least one complete write has happened
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        cassette = load_cassette(path)
        assert len(cassette.interactions) == 300
        assert cassette.meta["writer"] == f"k{delay}"
