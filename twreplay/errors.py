"""Errors raised by twreplay. Every one says what happened, to what, and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class TwreplayError(Exception):
    """Base class of every error twreplay raises on purpose."""


class SpecNotFoundError(TwreplayError):
    """No copy of Twilio's OpenAPI spec was found in any of the places looked at."""

    def __init__(self, looked: Sequence[tuple[str, Path | None, str]]) -> None:
        self.looked = list(looked)
        lines = ["Twilio's OpenAPI spec (twilio_*.json files) was not found. Looked in:"]
        for source, path, why in self.looked:
            where = str(path) if path is not None else "(not set)"
            lines.append(f"  - {source}: {where} ({why})")
        lines.append(
            "Fix: run `twreplay spec fetch` (or `twreplay spec fetch --from DIR` for a local copy),"
            " or set TWREPLAY_SPEC_DIR to a folder holding the twilio_*.json files."
        )
        super().__init__("\n".join(lines))


class SpecFetchError(TwreplayError):
    """Installing the spec failed; nothing was left half-installed."""


class CassetteFormatError(TwreplayError):
    """A cassette file is not valid YAML or not in vcrpy's cassette shape."""

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(
            f"{where}: {message}. A cassette is vcrpy's YAML: a mapping with `version: 1` and"
            " `interactions:` (a list of request/response pairs). Fix the file, or delete it and"
            " record it again."
        )


class SpecValidationError(TwreplayError):
    """Raised in validate="strict" mode for an interaction that breaks the spec."""

    def __init__(self, message: str, findings: Sequence[object] = ()) -> None:
        self.findings = list(findings)
        super().__init__(message)
