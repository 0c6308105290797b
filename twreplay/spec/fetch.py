"""Install Twilio's OpenAPI spec (twilio-oai, pinned release) into the user cache, verified.

`fetch_spec` downloads every `twilio_*.json` file of the pinned release (or copies it from a local
folder), checks each against the sha256 table below and swaps the finished folder into place in
one rename, so a failure never leaves a half-installed spec. `verify_spec_dir` tells which
release a folder holds.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from ..errors import SpecFetchError
from .locate import PINNED_VERSION, SPEC_GLOB, cache_dir

DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/twilio/twilio-oai/{PINNED_VERSION}/spec/json"
VERSION_FILE = "VERSION"
VERSION_TEXT = f"twilio-oai {PINNED_VERSION}\n"
_CHUNK = 1 << 16

# sha256 of every spec/json/twilio_*.json file of twilio-oai 2.6.7, sorted by file name, in
# `sha256sum` format (regenerate with `sha256sum twilio_*.json` in that release's spec/json).
_SHA256SUMS = """\
10557890848fa4908bdbe3f312aa24e1050aa66b09a9cb02db1d33574642c08d  twilio_accounts_v1.json
99cae87a6bb1725f71363364cbd30282a13140374b2d5f9bdd5bdfa5d4c8a6d7  twilio_api_v2010.json
bd3fb6f26e74a3e5d381d771e8e7591aae56b6c66af66f7bcddefd22e936a774  twilio_assistants_v1.json
200e15bee5da703cca7d07c9542e3d99729e9d9b5f4a70f6d7ed88221d09c50a  twilio_bulkexports_v1.json
fff965e890d6ad519841f985666e80ae68dfede85503982c14571244716fb3c9  twilio_chat_v1.json
ae8020ff991f603dcb305ca268d02eddb687a888394784926c5817ed8ad9114b  twilio_chat_v2.json
d46bacc444398c03de5b84f7cf3e1bfe332bd53c6897e15631170000e98d1277  twilio_chat_v3.json
292f522ed7a3c7571d7479e23b9bc485fb9e463832fad52e9317eb012de177dd  twilio_content_v1.json
c66e9bceb71d58b6a45cf6fcbce033d34bf3d2a415151f68b13fd33b78c18ce7  twilio_content_v2.json
34913a501fc216448067292fe6aaa57fa1589d68e422db95bcf52452349e8241  twilio_conversations_v1.json
cddf747d0ee3643957292f5f3d3941de11ae2fac61edf808e567e21e6e1f8a64  twilio_events_v1.json
ee29ed21273f725dc3f38ab52ccc7e2820e4da1278bd3a5d7cfebf6d89b7fc3e  twilio_flex_v1.json
252974f66eabc244a854a284a60af841d1cf37fcadbd01f58f4b3e836ffa43a8  twilio_flex_v2.json
5d9011d501ac2f0d67e014728fc1674e622a9bd240a4160da34178d0f4ffbd67  twilio_frontline_v1.json
62da09ff26f489733a35ecfbad7ae4ec6dacec81a8a7a68b6a6b7240aaca1ab0  twilio_iam_organizations.json
fc65eef980c742405d4795e4dd589e5ea65992249231c28b59ed2b1bcc17c2b8  twilio_iam_scim.json
fea70127b4d013224e42fdcff56c19519d487e3bb365a2ec85bccae7dd3d2c76  twilio_iam_v1.json
a5ca9a874d8ee516d7a8fed08ac6bbed5b7f2176a921ff53e42193c7cb2c5ba2  twilio_insights_v1.json
2ab2d41cf493a47ef47e71357548c7406ddf79a6afbdba06605503fce3f71e93  twilio_insights_v2.json
84898765c5f1b674f1badd3f11498a088e56be843e21a43f880e256c731c180f  twilio_intelligence_v2.json
7b5430d8b69f4a2b9fe1880b26502230e2ca70bb7909ef8d6d7a3785c0b6960d  twilio_ip_messaging_v1.json
548426606af4d08fc781f7708c5054be482f851d5afcd7df64d28071f13f2c9c  twilio_ip_messaging_v2.json
4f8bffd464c425ae0a140b25267c4b77fc4f10e030736a4e5da39b04be893926  twilio_knowledge_v1.json
c17ebd5371bc3773273c0abf376e378f0f19106097c212bd3f5ee990ba7c6160  twilio_lookups_v1.json
306ca9c1653700ec2e1dd0154dc3bbab7cd0480124e8332e4ac17597771b4120  twilio_lookups_v2.json
390602042b6e380cba00a5926c4c75e639d9bc9ee828505c7c5751529dbb2cbc  twilio_marketplace_v1.json
ef8fb6b6bfee2334d3cad7ca58568a8984165a4337e7dbb1753d1c257a9e8a52  twilio_messaging_v1.json
05846095ee959c6c6bf382cea34fc0bc1e149cba78b42303b3dcb495b101ef4e  twilio_messaging_v2.json
c341a5fff6dffaca336cb661072ec82ee3de5a86d31d95b0d1de8a7734fb2214  twilio_messaging_v3.json
01cbdbcf97463fd1c471fd49108c2ea89762bd5205f3d186637a743ff0b1304f  twilio_monitor_v1.json
9c4c6ced36aa6a1fb26848da1875e96da2b4f9246df809814fe56987b1e6470c  twilio_monitor_v2.json
2d30a1df61483a5f5f1b8e7ae547a135a1db29188bfc149e830242d236c01495  twilio_notify_v1.json
4a2f613a32f2e4a99b86cf0a6010518fd1965f5ec486cbbcd84071f7da485a04  twilio_numbers_v1.json
536709a8886c01ff335d15b9ffd2d71d8f59c1003be2eac7f344325ed5a371d7  twilio_numbers_v2.json
eaee58bf661a0bd302675a7be0128d02ed79bec3053a399b05296012da5262ef  twilio_numbers_v3.json
cdfd7494b4843af251465521546b7a5249bb44d682aa6115e0f7e1529d943710  twilio_oauth_v1.json
ddf7a146cf4992d725314e68814983996a9bcd44f8f99e05a81a189783c0ca34  twilio_oauth_v2.json
eec1185131a7925b88c4d4d7470d88e368c7ee1e08fcedfc847d13a146dd978d  twilio_preview.json
b2cec5b083184be88ee8af1fe1ac56fcc79d156ed53011a22575ba5c1ab9844a  twilio_pricing_v1.json
310c0bcf319ae8f4c03ad42078b4980242db38c1c48cb8e5155cb8903ce862da  twilio_pricing_v2.json
a2e6d27b3ecd5278f562f53c391245cc4e7a18a1625060fffe885cc9fdacce41  twilio_proxy_v1.json
0ec156ca53c7e7255e3062449da4dd47f9c7ab89a7f6d36caa21f0ba138a1290  twilio_routes_v2.json
594d94b79d49ef7658fd8a548075792d12be8253a5a66854290589212d6e9b8d  twilio_serverless_v1.json
06fd9e077399703b09832a1f22cea03ed074d025d275a9d792c58cfcb31a3da1  twilio_studio_v1.json
c52cffd90425d6500ad8b9faecc2ddd13f70312c374e6f62b8b58b23f91fe723  twilio_studio_v2.json
c0baa6eaf932fc01731c8b3f4bb6d72f932a341b198877ac3635b49df678cd89  twilio_supersim_v1.json
0360fe39df8da59ebecefefbeb312aaae2d6e23faf783020486e3a743f499e92  twilio_sync_v1.json
f431d2bc66ba14373a452e0e6d3795cb1576cf6c2e15352b5330b22a4d34d0bf  twilio_taskrouter_v1.json
d34f2c6352fa8060a0b816240b6baa2a6237629e06b60878da06b4429b758c2d  twilio_trunking_v1.json
a0d41b864e3e7b27112effa789e57cfd4a273c481f51adb5b62445517f9e9f29  twilio_trusthub_v1.json
976da0a42d57ad5e9007770570062d3095513a693a3db9fb521d6dae79edf2da  twilio_verify_v2.json
da8940c61610ec684e8cbf08a8156303fe15bf2d7390b341baa8bee3fe6b174d  twilio_verify_v3.json
162f62d432a227cb5aab8da45af7bbfceca5569feff4e26529504583946d1383  twilio_video_v1.json
6b78acd086bed1be82677748fd5c5fcd708786897d0b4f1ddc6e78fa5e30cf58  twilio_voice_v1.json
f3b4aa48e839212b10113b1cfb6acdff7df834ab43acf314ca999ed28f38cbeb  twilio_wireless_v1.json
"""

#: File name -> sha256 hex digest, for every spec file of the pinned twilio-oai release.
SHA256: dict[str, str] = {
    name: digest for digest, name in (line.split() for line in _SHA256SUMS.splitlines())
}

_RETRY_HINT = (
    "Fix: check the network (or HTTPS_PROXY) and run `twreplay spec fetch` again, or get"
    f" spec/json of twilio-oai {PINNED_VERSION} (github.com/twilio/twilio-oai) yourself and run"
    " `twreplay spec fetch --from DIR`."
)
_SOURCE_HINT = (
    "Fix: point `twreplay spec fetch --from DIR` at the spec/json folder of twilio-oai"
    f" {PINNED_VERSION} (github.com/twilio/twilio-oai), or run `twreplay spec fetch` to"
    " download it."
)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_spec_dir(path: Path) -> tuple[str | None, list[str]]:
    """Check `path` against the pinned release's checksums.

    Returns (PINNED_VERSION, []) when every spec file of the release is present and matches and
    no other `twilio_*.json` file is there; otherwise (None, sorted names that are missing,
    differ, cannot be read, or are not part of the release).
    """
    path = Path(path)
    bad: list[str] = []
    for name, expected in SHA256.items():
        try:
            if _sha256_file(path / name) != expected:
                bad.append(name)
        except OSError:
            bad.append(name)
    if path.is_dir():
        bad.extend(p.name for p in path.glob(SPEC_GLOB) if p.name not in SHA256)
    bad.sort()
    return (None if bad else PINNED_VERSION), bad


def _fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _copy_verified(src: BinaryIO, target: Path, name: str, origin: str, hint: str) -> int:
    """Copy `src` into `target` (fsynced) and check its sha256; return the byte count."""
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    actual = digest.hexdigest()
    if actual != SHA256[name]:
        raise SpecFetchError(
            f"{name}: checksum mismatch for {origin} (sha256 {actual}, {size} bytes; expected"
            f" {SHA256[name]}, the twilio-oai {PINNED_VERSION} file). {hint}"
        )
    return size


def _install_file(
    name: str, target: Path, base_url: str, source_dir: Path | None, timeout: float
) -> int:
    """Fetch one spec file into `target`; every failure becomes a SpecFetchError naming it."""
    if source_dir is not None:
        origin = str(source_dir / name)
        try:
            with (source_dir / name).open("rb") as src:
                return _copy_verified(src, target, name, origin, _SOURCE_HINT)
        except FileNotFoundError:
            raise SpecFetchError(f"{name}: missing from {source_dir}. {_SOURCE_HINT}") from None
        except OSError as exc:
            raise SpecFetchError(f"{name}: cannot copy {origin}: {exc}. {_SOURCE_HINT}") from exc
    url = f"{base_url.rstrip('/')}/{name}"
    request = urllib.request.Request(url, headers={"User-Agent": "twreplay-spec-fetch"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return _copy_verified(response, target, name, url, _RETRY_HINT)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise SpecFetchError(
            f"{name}: download failed: HTTP {exc.code} {exc.reason} from {url}. {_RETRY_HINT}"
        ) from None
    except urllib.error.URLError as exc:
        raise SpecFetchError(
            f"{name}: download failed: {exc.reason} ({url}). {_RETRY_HINT}"
        ) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        what = str(exc) or type(exc).__name__
        raise SpecFetchError(f"{name}: download failed: {what} ({url}). {_RETRY_HINT}") from exc


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _swap_into_place(new: Path, dest: Path) -> None:
    """Rename the finished folder `new` to `dest`, replacing a previous install atomically."""
    if not os.path.lexists(dest):
        try:
            os.rename(new, dest)
        except OSError as exc:
            raise SpecFetchError(f"cannot move the new spec into {dest}: {exc}") from exc
        return
    old = new.with_name(new.name + "-old")
    try:
        os.rename(dest, old)
    except OSError as exc:
        raise SpecFetchError(f"cannot move the previous spec at {dest} aside: {exc}") from exc
    try:
        os.rename(new, dest)
    except OSError as exc:
        try:
            os.rename(old, dest)
        except OSError as again:
            raise SpecFetchError(
                f"cannot move the new spec into {dest}: {exc}; restoring the previous install"
                f" failed too ({again}): it is at {old}, rename it back to {dest}."
            ) from exc
        raise SpecFetchError(
            f"cannot move the new spec into {dest}: {exc} (the previous install was kept)"
        ) from exc
    _remove(old)


def fetch_spec(
    dest: Path | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    source_dir: Path | None = None,
    timeout: float = 30.0,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Install the pinned twilio-oai spec into `dest` (default: the user cache) and return it.

    Each file is downloaded from `{base_url}/{name}`, or copied from `source_dir` when given (no
    network), and must match the sha256 table. Everything goes into a temporary folder beside
    `dest` that replaces `dest` in one rename, so on any failure `dest` is left as it was (absent
    or the previous complete install) and no temporary folder remains. Raises SpecFetchError.
    """
    dest = Path(dest).expanduser() if dest is not None else cache_dir()
    source = Path(source_dir).expanduser() if source_dir is not None else None
    if source is not None and not source.is_dir():
        why = "does not exist" if not source.exists() else "is not a folder"
        raise SpecFetchError(f"--from folder {source} {why}. {_SOURCE_HINT}")
    if os.path.lexists(dest) and not dest.is_dir():
        raise SpecFetchError(f"{dest} exists and is not a folder; move it away and retry.")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    except OSError as exc:
        raise SpecFetchError(f"cannot create a temporary folder next to {dest}: {exc}") from exc
    total = len(SHA256)
    try:
        for number, name in enumerate(SHA256, 1):
            size = _install_file(name, tmp / name, base_url, source, timeout)
            if progress is not None:
                progress(f"[{number}/{total}] {name} ({size} bytes, sha256 ok)")
        with (tmp / VERSION_FILE).open("w", encoding="utf-8") as out:
            out.write(VERSION_TEXT)
            out.flush()
            os.fsync(out.fileno())
        _fsync_dir(tmp)
        _swap_into_place(tmp, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        _remove(tmp)
        raise
    return dest
