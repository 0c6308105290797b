"""The layering of ARCHITECTURE.md, and the public API's shape."""

from __future__ import annotations

import ast
from pathlib import Path

import twreplay

PACKAGE = Path(twreplay.__file__).parent
ADAPTERS = {
    "cli",
    "__main__",
    "replay",
    "pytest_plugin",
    "_pytest_fixtures",
    "server",
    "http_client",
}
# What the pure core may not import: outside adapters' libraries and our own adapters.
FORBIDDEN = {
    "vcr",
    "pytest",
    "_pytest",
    "pytest_recording",
    "requests",
    "aiohttp",
    "httpx",
    "urllib3",
    "uvicorn",
    "starlette",
    "http.server",
    "argparse",
    "click",
    "twilio",
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return ".".join(rel.parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    pkg_parts = _module_name(path).split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
                found.add("twreplay." + module if module else "twreplay")
                found.update(f"twreplay.{module}.{a.name}".replace("..", ".") for a in node.names)
            elif node.module:
                found.add(node.module)
    return found


def core_modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if _module_name(p).split(".")[0] not in ADAPTERS
        and p.name != "__init__.py"
        or (p.name == "__init__.py" and p.parent != PACKAGE)
    ]


def test_core_imports_no_adapter_library_and_no_adapter() -> None:
    assert len(core_modules()) >= 8
    problems = []
    for path in core_modules():
        for name in _imports(path):
            top = name.split(".")[0]
            if name in FORBIDDEN or top in FORBIDDEN:
                problems.append(f"{path.name} imports {name}")
            if top == "twreplay" and name.split(".")[1:2] and name.split(".")[1] in ADAPTERS:
                problems.append(f"{path.name} imports the adapter {name}")
    assert problems == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch) -> None:
    bad = PACKAGE / "spec" / "_probe_tmp.py"
    bad.write_text("import vcr\nfrom ..cli import main\n")
    try:
        imports = _imports(bad)
        assert "vcr" in imports
        assert any(n.startswith("twreplay.cli") for n in imports)
    finally:
        bad.unlink()


def test_public_api_is_sorted_and_complete() -> None:
    assert twreplay.__all__ == sorted(twreplay.__all__)
    for name in twreplay.__all__:
        assert getattr(twreplay, name) is not None
    names = set(twreplay.__all__)
    exported = {n for n in dir(twreplay) if not n.startswith("_")} - {
        "annotations",
        "TYPE_CHECKING",
        "Any",
        "import_module",
    }
    modules = {n for n in exported if type(getattr(twreplay, n)).__name__ == "module"}
    assert names - {"__version__"} == exported - modules


def test_import_is_lazy() -> None:
    import subprocess
    import sys

    code = "import sys, twreplay; print(sorted(m for m in ('vcr', 'requests', 'jsonschema') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
