"""Where Twilio's spec lives: explicit folder, then $TWREPLAY_SPEC_DIR, then the user cache."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SpecNotFoundError

#: The twilio-oai release twreplay is built and tested against.
PINNED_VERSION = "2.6.7"
SPEC_GLOB = "twilio_*.json"
ENV_VAR = "TWREPLAY_SPEC_DIR"


def cache_root() -> Path:
    """The user cache folder for twreplay (honours XDG_CACHE_HOME)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "twreplay" / "twilio-oai"


def cache_dir(version: str = PINNED_VERSION) -> Path:
    """The folder `twreplay spec fetch` installs the given spec version into."""
    return cache_root() / version


def _has_spec(path: Path) -> bool:
    return path.is_dir() and any(path.glob(SPEC_GLOB))


def _why_not(path: Path) -> str:
    if not path.exists():
        return "does not exist"
    if not path.is_dir():
        return "not a folder"
    return f"no {SPEC_GLOB} files in it"


def find_spec_dir(spec_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder holding Twilio's `twilio_*.json` files.

    Order: the explicit `spec_dir`, then `$TWREPLAY_SPEC_DIR`, then the user cache. An explicit
    folder or environment variable that is set but wrong is an error rather than silently
    skipped, so a typo never falls back to a stale cached spec.
    """
    looked: list[tuple[str, Path | None, str]] = []
    if spec_dir is not None:
        path = Path(spec_dir).expanduser()
        if _has_spec(path):
            return path
        raise SpecNotFoundError([("spec_dir argument / --spec-dir", path, _why_not(path))])
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if _has_spec(path):
            return path
        raise SpecNotFoundError([(f"${ENV_VAR}", path, _why_not(path))])
    looked.append((f"${ENV_VAR}", None, "not set"))
    cached = cache_dir()
    if _has_spec(cached):
        return cached
    looked.append(("user cache", cached, _why_not(cached)))
    raise SpecNotFoundError(looked)
