"""A folder of cassettes as one lookup table for the server (pure).

Answers a request from any cassette under the folder with the same Twilio-aware matching as
`use_cassette`. A server is shared by many clients, so a recorded fake stands for whatever a
request sends in its place for that request only, and identical requests recorded several
times replay in order, then the last repeats.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cassette import iter_cassette_paths, load_cassette
from .errors import CassetteFormatError
from .matching import RequestShape, consistent, shape
from .scrub import restore
from .wire import header


@dataclass(frozen=True, slots=True)
class Recorded:
    file: str
    index: int
    shape: RequestShape
    status: int
    headers: dict[str, list[Any]]
    body: bytes | str


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    source: str  # "file.yaml#3"


class CassetteLibrary:
    def __init__(self, folder: str | Path | None) -> None:
        self.folder = Path(folder) if folder else None
        self.files = 0
        self.errors: list[CassetteFormatError] = []
        self._by_key: dict[tuple[Any, ...], list[Recorded]] = {}
        self._cursor: dict[tuple[Any, ...], int] = {}
        self._lock = threading.Lock()
        if self.folder is not None:
            for path in iter_cassette_paths([self.folder]):
                try:
                    cassette = load_cassette(path, line_numbers=False)
                except CassetteFormatError as exc:
                    self.errors.append(exc)
                    continue
                self.files += 1
                for it in cassette.interactions:
                    s = shape(it.method, it.uri, it.request_body, it.request_headers)
                    if not s.twilio:
                        continue
                    headers = {
                        k: list(v) if isinstance(v, list) else [v]
                        for k, v in it.response_headers.items()
                    }
                    self._by_key.setdefault(s.key, []).append(
                        Recorded(str(path), it.index, s, it.status, headers, it.response_body)
                    )

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_key.values())

    def answer(self, method: str, url: str, headers: Any, body: Any) -> Answer | None:
        live = shape(method, url, body, headers)
        candidates = self._by_key.get(live.key)
        if not candidates:
            return None
        usable = [
            (r, pairs)
            for r in candidates
            if (pairs := consistent(r.shape, live, {}, {})) is not None
        ]
        if not usable:
            return None
        with self._lock:  # in recorded order, then the last again
            n = self._cursor.get(live.key, 0)
            self._cursor[live.key] = n + 1
        recorded, pairs = usable[min(n, len(usable) - 1)]
        raw = recorded.body
        data = raw if isinstance(raw, bytes) else str(raw).encode("utf-8")
        if pairs:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                ctype = header(recorded.headers, "Content-Type") or ""
                data = restore(text, dict(pairs), "json" in ctype).encode("utf-8")
        out_headers = {k: str(v[0]) for k, v in recorded.headers.items() if v}
        return Answer(
            recorded.status, out_headers, data, f"{Path(recorded.file).name}#{recorded.index}"
        )
