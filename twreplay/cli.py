"""The `twreplay` command line: validate, coverage, spec."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ._version import __version__
from .cassette import iter_cassette_paths, load_cassette
from .errors import CassetteFormatError, SpecNotFoundError, TwreplayError
from .report import ValidationReport, coverage_table, dumps, render_coverage
from .spec.index import SpecIndex
from .spec.schema import DEFAULT_PROFILE, PROFILES

DEFAULT_PATHS = ["cassettes"]


class _Parser(argparse.ArgumentParser):
    """argparse with 'did you mean' for mistyped commands and exit status 2 on usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        if "invalid choice" in message and "'" in message:
            wrong = message.split("'")[1]
            choices = [a for act in self._actions if act.choices for a in act.choices]
            close = difflib.get_close_matches(wrong, [str(c) for c in choices], n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_spec_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--spec-dir",
        metavar="DIR",
        help="folder with Twilio's twilio_*.json files (default: $TWREPLAY_SPEC_DIR, then the"
        " user cache filled by `twreplay spec fetch`)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="twreplay",
        description="Record, validate and replay Twilio API traffic.",
    )
    parser.add_argument("--version", action="version", version=f"twreplay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("validate", help="check cassettes against Twilio's spec")
    p.add_argument("paths", nargs="*", metavar="PATH", help="cassette files or folders")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--profile", choices=PROFILES, default=DEFAULT_PROFILE)
    _add_spec_dir(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("coverage", help="which spec operations the cassettes exercise")
    p.add_argument("paths", nargs="*", metavar="PATH", help="cassette files or folders")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--all", action="store_true", help="list every host, covered or not")
    _add_spec_dir(p)
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("audit", help="find credentials and personal data in cassettes")
    p.add_argument("paths", nargs="*", metavar="PATH", help="cassette files or folders")
    p.add_argument("--format", choices=["text", "json"], default="text")
    _add_spec_dir(p)
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("scrub", help="scrub cassettes in place (idempotent)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="cassette files or folders")
    p.add_argument("--check", action="store_true", help="only report what would change")
    _add_spec_dir(p)
    p.set_defaults(func=cmd_scrub)

    p = sub.add_parser("serve", help="an HTTP mock of every Twilio domain")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=4010, help="port (default 4010; 0 picks a free one)")
    p.add_argument("--cassettes", metavar="DIR", help="answer from these cassettes first")
    p.add_argument(
        "--no-synthetic",
        action="store_true",
        help="answer Twilio's 404 instead of a synthetic answer",
    )
    p.add_argument("--log-format", choices=["text", "json"], default="text")
    _add_spec_dir(p)
    p.set_defaults(func=cmd_serve)

    spec = sub.add_parser("spec", help="install or describe Twilio's OpenAPI spec")
    spec_sub = spec.add_subparsers(dest="spec_command", metavar="SUBCOMMAND", parser_class=_Parser)
    spec_sub.required = True
    p = spec_sub.add_parser("fetch", help="install the pinned spec into the user cache")
    p.add_argument("--from", dest="source", metavar="DIR", help="install from a local copy")
    p.add_argument("--dest", metavar="DIR", help="install here instead of the user cache")
    p.set_defaults(func=cmd_spec_fetch)
    p = spec_sub.add_parser("info", help="say which spec is in use")
    _add_spec_dir(p)
    p.set_defaults(func=cmd_spec_info)
    return parser


# ---------------------------------------------------------------------------------------------


class _Progress:
    """A one-line progress bar on stderr, only when it is a terminal and there is much to do."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.on = total >= 20 and sys.stderr.isatty()

    def step(self, done: int, name: str) -> None:
        if self.on:
            width = 30
            filled = width * done // self.total
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} ")
            sys.stderr.flush()

    def close(self) -> None:
        if self.on:
            sys.stderr.write("\r" + " " * 60 + "\r")
            sys.stderr.flush()


def _scan(paths: list[str], index: SpecIndex, profile: str) -> ValidationReport:
    report = ValidationReport(profile=profile)
    files = list(iter_cassette_paths(paths or DEFAULT_PATHS))
    progress = _Progress(len(files))
    for n, path in enumerate(files, 1):
        progress.step(n, str(path))
        try:
            cassette = load_cassette(path)
        except CassetteFormatError as exc:
            report.unreadable.append(exc)
            continue
        try:
            report.add_cassette(cassette, index)
        except Exception as exc:  # a shape no check foresaw: report the file, check the others
            report.unreadable.append(CassetteFormatError(path, f"could not be checked ({exc!r})"))
    progress.close()
    return report


def _paths_missing(command: str, paths: list[str]) -> bool:
    """Say which of the given (or default) paths do not exist; True if any."""
    missing = [p for p in (paths or DEFAULT_PATHS) if not os.path.exists(p)]
    if missing:
        print(f"twreplay {command}: no such file or folder: {', '.join(missing)}", file=sys.stderr)
    return bool(missing)


def cmd_validate(args: argparse.Namespace) -> int:
    if _paths_missing("validate", args.paths):
        return 2
    report = _scan(args.paths, SpecIndex(args.spec_dir), args.profile)
    print(dumps(report.to_json()) if args.format == "json" else report.render_text())
    return report.exit_code


def cmd_coverage(args: argparse.Namespace) -> int:
    if _paths_missing("coverage", args.paths):
        return 2
    index = SpecIndex(args.spec_dir)
    report = _scan(args.paths, index, DEFAULT_PROFILE)
    for err in report.unreadable:
        print(f"error: {err}", file=sys.stderr)
    table = coverage_table(index, report.covered, args.all)
    print(dumps(table) if args.format == "json" else render_coverage(table))
    return 0


def _optional_index(spec_dir: str | None) -> SpecIndex | None:
    """The spec if it can be found: scrubbing and auditing work without it, with less precision."""
    try:
        return SpecIndex(spec_dir)
    except SpecNotFoundError:
        if spec_dir:
            raise
        print(
            "twreplay: Twilio's spec was not found; personal-data fields are judged by name only"
            " (run `twreplay spec fetch`).",
            file=sys.stderr,
        )
        return None


def cmd_audit(args: argparse.Namespace) -> int:
    from .audit import audit_paths

    if _paths_missing("audit", args.paths):
        return 2
    files = list(iter_cassette_paths(args.paths or DEFAULT_PATHS))
    leaks, unreadable, count = audit_paths(files, _optional_index(args.spec_dir))
    if args.format == "json":
        print(
            dumps(
                {
                    "files": count,
                    "leaks": [leak.to_dict() for leak in leaks],
                    "unreadable": [str(e) for e in unreadable],
                }
            )
        )
    else:
        for err in unreadable:
            print(f"error: {err}")
        for leak in leaks:
            print(leak.describe())
        state = f"{len(leaks)} finding{'s' if len(leaks) != 1 else ''}" if leaks else "clean"
        print(f"{count} cassette{'s' if count != 1 else ''} audited: {state}.")
        if leaks:
            print("Fix: `twreplay scrub PATH` replaces them with fakes; then audit again.")
    if unreadable:
        return 2
    return 1 if leaks else 0


def cmd_scrub(args: argparse.Namespace) -> int:
    import yaml

    from .cassette import write_atomic
    from .scrub import scrub_cassette_text

    if _paths_missing("scrub", args.paths):
        return 2
    index = _optional_index(args.spec_dir)
    changed_files = 0
    failed = False
    for path in iter_cassette_paths(args.paths or DEFAULT_PATHS):
        try:
            load_cassette(path)  # a malformed cassette is named with its line, and left alone
            new_text, changed = scrub_cassette_text(path.read_text(encoding="utf-8"), index)
        except CassetteFormatError as exc:
            print(f"error: {exc}")
            failed = True
            continue
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            print(f"error: {path}: cannot be scrubbed ({str(exc).splitlines()[0]})")
            failed = True
            continue
        if new_text is None:
            continue
        changed_files += 1
        verb = "would scrub" if args.check else "scrubbed"
        print(f"{path}: {verb} {changed} interaction{'s' if changed != 1 else ''}")
        if not args.check:
            write_atomic(path, new_text)
    if not changed_files:
        print("nothing to scrub.")
    if failed:
        return 2
    return 1 if args.check and changed_files else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve

    if args.cassettes and not os.path.isdir(args.cassettes):
        print(f"twreplay serve: no such folder: {args.cassettes}", file=sys.stderr)
        return 2
    return serve(
        host=args.host,
        port=args.port,
        cassettes=args.cassettes,
        synthetic=not args.no_synthetic,
        spec_dir=args.spec_dir,
        log_format=args.log_format,
    )


def cmd_spec_fetch(args: argparse.Namespace) -> int:
    from .spec.fetch import fetch_spec

    dest = fetch_spec(
        Path(args.dest) if args.dest else None,
        source_dir=Path(args.source) if args.source else None,
        progress=lambda name: print(f"  {name}", file=sys.stderr),
    )
    print(f"Installed Twilio's spec into {dest}")
    return 0


def cmd_spec_info(args: argparse.Namespace) -> int:
    from .spec.fetch import verify_spec_dir

    index = SpecIndex(args.spec_dir)
    version, differing = verify_spec_dir(index.spec_dir)
    if version:
        version_text = f"twilio-oai {version} (checksums match)"
    else:
        marker = index.spec_dir / "VERSION"
        stated = marker.read_text().strip().splitlines()[0] if marker.is_file() else "unknown"
        version_text = f"{stated} (differs from the pinned release in {len(differing)} files)"
    counts: dict[str, int] = {}
    for op in index.operations():
        counts[op.host] = counts.get(op.host, 0) + 1
    print(f"source:     {index.spec_dir}")
    print(f"version:    {version_text}")
    print(f"files:      {len(index.file_names())}")
    print(f"hosts:      {len(counts)}")
    print(f"operations: {sum(counts.values())}")
    for host in sorted(counts):
        print(f"  {host:<32} {counts[host]:>4}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except TwreplayError as exc:
        print(f"twreplay: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
