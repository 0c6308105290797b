"""twreplay.spec.fetch: verified, atomic install of the pinned twilio-oai spec."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from twreplay.errors import SpecFetchError
from twreplay.spec import fetch as fetch_module
from twreplay.spec.fetch import (
    DEFAULT_BASE_URL,
    SHA256,
    VERSION_FILE,
    fetch_spec,
    verify_spec_dir,
)
from twreplay.spec.locate import PINNED_VERSION

_ENV = os.environ.get("TWREPLAY_SPEC_DIR")
if not _ENV:
    pytest.skip(
        "TWREPLAY_SPEC_DIR is not set: point it at the spec/json folder of twilio-oai"
        f" {PINNED_VERSION} to run the spec fetch tests",
        allow_module_level=True,
    )
SPEC_DIR = Path(_ENV)
TARGET = "twilio_api_v2010.json"


class SpecServer:
    """A real HTTP server on 127.0.0.1 serving SPEC_DIR, with per-file overrides."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        #: file name -> replacement body (bytes) or HTTP error status (int)
        self.overrides: dict[str, bytes | int] = {}
        handler = partial(_Handler, self, directory=str(SPEC_DIR))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = False
        self.httpd.block_on_close = True
        host, port = self.httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, server_state: SpecServer, *args: object, **kwargs: object) -> None:
        self.state = server_state
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        self.state.requests.append(name)
        override = self.state.overrides.get(name)
        if isinstance(override, int):
            self.send_error(override)
        elif isinstance(override, bytes):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(override)))
            self.end_headers()
            self.wfile.write(override)
        else:
            super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[SpecServer]:
    srv = SpecServer()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    """A writable copy of the real spec folder inside tmp_path."""
    copy = tmp_path / "copy"
    shutil.copytree(SPEC_DIR, copy, copy_function=shutil.copyfile)
    return copy


def _corrupted(name: str) -> bytes:
    data = bytearray((SPEC_DIR / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    return bytes(data)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every entry of `folder` with its content, inode and mtime (to prove nothing was touched)."""
    out = {}
    for p in sorted(folder.iterdir()):
        st = p.stat()
        out[p.name] = (p.read_bytes(), st.st_ino, st.st_mtime_ns)
    return out


def _assert_installed(dest: Path) -> None:
    assert sorted(p.name for p in dest.glob("twilio_*.json")) == sorted(SHA256)
    assert verify_spec_dir(dest) == (PINNED_VERSION, [])
    assert (dest / VERSION_FILE).read_text(encoding="utf-8").strip() == "twilio-oai 2.6.7"
    assert sorted(p.name for p in dest.iterdir()) == sorted([*SHA256, VERSION_FILE])


def test_table_is_the_pinned_release() -> None:
    assert len(SHA256) == 55
    assert list(SHA256) == sorted(SHA256)
    assert sorted(p.name for p in SPEC_DIR.glob("twilio_*.json")) == sorted(SHA256)
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in SHA256.values())
    expected_url = "https://raw.githubusercontent.com/twilio/twilio-oai/2.6.7/spec/json"
    assert expected_url == DEFAULT_BASE_URL


def test_fetch_over_http_installs_every_verified_file(tmp_path: Path, server: SpecServer) -> None:
    dest = tmp_path / "cache"
    messages: list[str] = []
    assert fetch_spec(dest, base_url=server.base_url, progress=messages.append) == dest
    _assert_installed(dest)
    for name in SHA256:
        assert (dest / name).read_bytes() == (SPEC_DIR / name).read_bytes()
    assert sorted(server.requests) == sorted(SHA256)
    assert all(any(name in m for m in messages) for name in SHA256)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_fetch_from_source_dir_uses_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("fetch_spec(source_dir=...) must not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    dest = tmp_path / "nested" / "cache"
    assert fetch_spec(dest, source_dir=SPEC_DIR) == dest
    _assert_installed(dest)
    assert [p.name for p in dest.parent.iterdir()] == ["cache"]


def test_default_dest_is_the_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    dest = fetch_spec(source_dir=SPEC_DIR)
    assert dest == tmp_path / "xdg" / "twreplay" / "twilio-oai" / PINNED_VERSION
    _assert_installed(dest)


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        pytest.param(_corrupted(TARGET), "checksum mismatch", id="altered-bytes"),
        pytest.param(b"", "checksum mismatch", id="empty-body"),
        pytest.param(404, "HTTP 404", id="not-found"),
        pytest.param(500, "HTTP 500", id="server-error"),
    ],
)
def test_bad_file_from_server_fails_and_installs_nothing(
    tmp_path: Path, server: SpecServer, override: bytes | int, expected: str
) -> None:
    server.overrides[TARGET] = override
    dest = tmp_path / "cache"
    with pytest.raises(SpecFetchError) as info:
        fetch_spec(dest, base_url=server.base_url)
    message = str(info.value)
    assert TARGET in message
    assert expected in message
    assert "twreplay spec fetch --from DIR" in message
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_file_keeps_the_previous_install_unchanged(tmp_path: Path, server: SpecServer) -> None:
    dest = tmp_path / "cache"
    fetch_spec(dest, source_dir=SPEC_DIR)
    before = _snapshot(dest)
    inode = dest.stat().st_ino
    server.overrides[TARGET] = _corrupted(TARGET)
    with pytest.raises(SpecFetchError, match=TARGET):
        fetch_spec(dest, base_url=server.base_url)
    assert dest.stat().st_ino == inode
    assert _snapshot(dest) == before
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]
    assert TARGET in server.requests


def test_unreachable_server_names_the_first_file(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dest = tmp_path / "cache"
    with pytest.raises(SpecFetchError) as info:
        fetch_spec(dest, base_url=f"http://127.0.0.1:{port}", timeout=5)
    message = str(info.value)
    assert message.startswith(f"{next(iter(SHA256))}: download failed")
    assert "twreplay spec fetch" in message
    assert list(tmp_path.iterdir()) == []


def test_refetch_replaces_a_stale_install(tmp_path: Path, server: SpecServer) -> None:
    dest = tmp_path / "cache"
    dest.mkdir()
    (dest / "twilio_old_v1.json").write_text("{}")
    (dest / TARGET).write_text("{}")
    fetch_spec(dest, base_url=server.base_url)
    _assert_installed(dest)
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]


def test_tampered_or_missing_source_file_fails(tmp_path: Path, spec_copy: Path) -> None:
    (spec_copy / TARGET).write_bytes(_corrupted(TARGET))
    dest = tmp_path / "cache"
    with pytest.raises(SpecFetchError) as info:
        fetch_spec(dest, source_dir=spec_copy)
    assert str(spec_copy / TARGET) in str(info.value)
    assert "checksum mismatch" in str(info.value)
    assert not dest.exists()

    (spec_copy / TARGET).unlink()
    with pytest.raises(SpecFetchError, match=f"{TARGET}: missing from"):
        fetch_spec(dest, source_dir=spec_copy)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]


def test_missing_source_dir_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SpecFetchError, match="does not exist"):
        fetch_spec(tmp_path / "cache", source_dir=tmp_path / "nowhere")
    assert list(tmp_path.iterdir()) == []


def test_failed_swap_restores_the_previous_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "cache"
    fetch_spec(dest, source_dir=SPEC_DIR)
    (dest / "marker").write_text("previous install")
    before = _snapshot(dest)
    real_rename = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        name = Path(src).name
        if Path(dst) == dest and name.startswith(".cache.tmp-") and not name.endswith("-old"):
            raise OSError("simulated failure")
        real_rename(src, dst)

    monkeypatch.setattr(fetch_module.os, "rename", rename)
    with pytest.raises(SpecFetchError, match="simulated failure"):
        fetch_spec(dest, source_dir=SPEC_DIR)
    assert _snapshot(dest) == before
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]


def test_interrupt_midway_leaves_no_temp_folder(tmp_path: Path) -> None:
    calls: list[str] = []

    def interrupt(message: str) -> None:
        calls.append(message)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_spec(tmp_path / "cache", source_dir=SPEC_DIR, progress=interrupt)
    assert len(calls) == 3
    assert list(tmp_path.iterdir()) == []


def test_dest_that_is_a_file_is_refused(tmp_path: Path) -> None:
    dest = tmp_path / "cache"
    dest.write_text("not a folder")
    with pytest.raises(SpecFetchError, match="not a folder"):
        fetch_spec(dest, source_dir=SPEC_DIR)
    assert dest.read_text() == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["cache"]


def test_verify_real_folder_is_the_pinned_version() -> None:
    assert verify_spec_dir(SPEC_DIR) == (PINNED_VERSION, [])


def test_verify_names_tampered_missing_and_extra_files(spec_copy: Path) -> None:
    (spec_copy / TARGET).write_bytes(_corrupted(TARGET))
    (spec_copy / "twilio_voice_v1.json").unlink()
    assert verify_spec_dir(spec_copy) == (None, [TARGET, "twilio_voice_v1.json"])

    shutil.copyfile(SPEC_DIR / TARGET, spec_copy / TARGET)
    shutil.copyfile(SPEC_DIR / "twilio_voice_v1.json", spec_copy / "twilio_voice_v1.json")
    assert verify_spec_dir(spec_copy) == (PINNED_VERSION, [])
    (spec_copy / "twilio_extra_v9.json").write_text("{}")
    (spec_copy / "README.md").write_text("not a spec file")
    assert verify_spec_dir(spec_copy) == (None, ["twilio_extra_v9.json"])


@pytest.mark.parametrize(
    "make",
    [pytest.param(lambda p: p / "nowhere", id="missing"), pytest.param(lambda p: p, id="empty")],
)
def test_verify_empty_or_missing_folder_lists_every_file(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    assert verify_spec_dir(make(tmp_path)) == (None, sorted(SHA256))
