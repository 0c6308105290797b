"""Checking whole cassettes against the spec, and rendering the findings for people and machines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cassette import CassetteFile, Interaction
from .errors import CassetteFormatError
from .spec.index import SpecIndex
from .validation import ERROR, Finding, check_interaction


@dataclass(frozen=True, slots=True)
class InteractionReport:
    file: Path
    interaction: Interaction
    operation_id: str | None
    findings: tuple[Finding, ...]


@dataclass(slots=True)
class ValidationReport:
    """Everything `twreplay validate` found, in the order it found it."""

    profile: str
    files: int = 0
    checked: int = 0  # Twilio interactions checked
    skipped: int = 0  # non-Twilio interactions
    items: list[InteractionReport] = field(default_factory=list)  # only those with findings
    unreadable: list[CassetteFormatError] = field(default_factory=list)
    covered: dict[str, set[str]] = field(default_factory=dict)  # host -> operation ids seen

    def add_cassette(self, cassette: CassetteFile, index: SpecIndex) -> None:
        self.files += 1
        for interaction in cassette.interactions:
            checked = check_interaction(
                index,
                method=interaction.method,
                url=interaction.uri,
                request_headers=interaction.request_headers,
                request_body=interaction.request_body,
                status=interaction.status,
                response_headers=interaction.response_headers,
                response_body=interaction.response_body,
                profile=self.profile,
                from_cassette=True,
            )
            if not checked.twilio:
                self.skipped += 1
                continue
            self.checked += 1
            op_id = checked.match.operation.operation_id if checked.match else None
            if checked.match is not None:
                op = checked.match.operation
                self.covered.setdefault(op.host, set()).add(op.operation_id)
            if checked.findings:
                self.items.append(
                    InteractionReport(cassette.path, interaction, op_id, checked.findings)
                )

    @property
    def findings(self) -> list[tuple[InteractionReport, Finding]]:
        return [(item, f) for item in self.items for f in item.findings]

    @property
    def errors(self) -> int:
        return sum(1 for _, f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return 2
        return 1 if self.errors else 0

    # -- rendering ---------------------------------------------------------------------------
    def render_text(self) -> str:
        out: list[str] = []
        for err in self.unreadable:
            out.append(f"error: {err}")
        current: Path | None = None
        for item in self.items:
            if item.file != current:
                current = item.file
                out.append(str(item.file))
            it = item.interaction
            where = f" (line {it.line})" if it.line else ""
            op = item.operation_id or "no operation"
            out.append(f"  interaction {it.index}{where}: {it.method} {it.uri} [{op}]")
            for f in item.findings:
                out.append(f"    {f.describe()}")
        out.append(self.summary())
        return "\n".join(out)

    def summary(self) -> str:
        n = len(self.findings)
        parts = [
            f"{_plural(self.checked, 'Twilio interaction')} checked in {_plural(self.files, 'file')}"
            f" (profile {self.profile}):"
        ]
        if n:
            parts.append(
                f"{_plural(n, 'finding')} ({_plural(self.errors, 'error')},"
                f" {_plural(self.warnings, 'warning')}) in {_plural(len(self.items), 'interaction')}"
            )
        else:
            parts.append("no findings")
        tail = []
        if self.skipped:
            tail.append(f"{_plural(self.skipped, 'non-Twilio interaction')} skipped")
        if self.unreadable:
            tail.append(f"{_plural(len(self.unreadable), 'file')} could not be read")
        return " ".join(parts) + ("; " + "; ".join(tail) if tail else "") + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "files": self.files,
            "checked": self.checked,
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "unreadable": [
                {"file": e.path, "line": e.line, "message": e.detail} for e in self.unreadable
            ],
            "findings": [
                {
                    "file": str(item.file),
                    "interaction": item.interaction.index,
                    "line": item.interaction.line,
                    "method": item.interaction.method,
                    "url": item.interaction.uri,
                    **f.to_dict(),
                }
                for item, f in self.findings
            ],
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def coverage_table(
    index: SpecIndex, covered: dict[str, set[str]], show_all: bool
) -> dict[str, Any]:
    """Per host and API version: the operations the cassettes exercise, out of all there are."""
    by_key: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for op in index.operations():
        seen = covered.get(op.host, set())
        total, hit = by_key.setdefault((op.host, op.api_version), (set(), set()))
        total.add(op.operation_id)
        if op.operation_id in seen:
            hit.add(op.operation_id)
    rows = [
        {
            "host": host,
            "version": version,
            "covered": sorted(hit),
            "uncovered": sorted(total - hit),
            "total": len(total),
        }
        for (host, version), (total, hit) in sorted(by_key.items())
        if show_all or hit
    ]
    all_total = sum(len(t) for t, _ in by_key.values())
    all_hit = sum(len(h) for _, h in by_key.values())
    return {"rows": rows, "covered": all_hit, "total": all_total}


def render_coverage(table: dict[str, Any]) -> str:
    rows = table["rows"]
    width = max([len(r["host"]) for r in rows] + [len("total")])
    lines = [f"{'host':<{width}}  {'version':<10}  covered  total  percent"]
    for r in rows:
        n = len(r["covered"])
        lines.append(
            f"{r['host']:<{width}}  {r['version']:<10}  {n:>7}  {r['total']:>5}"
            f"  {100 * n / r['total']:>6.1f}%"
        )
    pct = 100 * table["covered"] / table["total"] if table["total"] else 0.0
    lines.append(
        f"{'total':<{width}}  {'':<10}  {table['covered']:>7}  {table['total']:>5}  {pct:>6.1f}%"
    )
    return "\n".join(lines)


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False)
