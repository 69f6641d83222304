"""Which package modules a stage's code runs: read from its script's imports, never kept by hand.

A stage's code hash (tools/stage_code.py, checked by tests/test_tracking.py) covers its script
and every dramabatch module the script imports, followed transitively inside the package. Imports
are read from the source (``ast``), including the ones inside functions (lazy imports of optional
backends run too), and importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, so
those count as well. A module added to a stage is covered as soon as something in the stage
imports it; nobody edits a list.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "dramabatch"


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute dotted name an ``ImportFrom`` reads from (relative levels resolved)."""
    if not node.level:
        return node.module or ""
    here = module.split(".") if is_package else module.split(".")[:-1]
    base = here[: len(here) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def module_name(path: Path, src: Path) -> tuple[str, bool]:
    """(dotted module name, is it a package's ``__init__``) of a file under ``src``."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def imported_names(path: Path, module: str = "", is_package: bool = False) -> set[str]:
    """Every dotted name ``path`` imports, anywhere in the file (``from a import b`` gives both
    ``a`` and ``a.b``: ``b`` may be a submodule)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, is_package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {n for n in names if n}


def _file_of(name: str, src: Path) -> Path | None:
    """The file that defines module ``name`` under ``src`` (None: not a module, e.g. a class)."""
    base = src.joinpath(*name.split("."))
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: k + 1]) for k in range(len(parts))]


def package_closure(script: Path, src: Path, package: str = PACKAGE) -> list[Path]:
    """The package's files that ``script`` runs when imported: its imports inside ``package``,
    followed transitively, parents' ``__init__`` included; sorted, relative paths stable."""
    seen: dict[str, Path] = {}
    todo = sorted(imported_names(script))
    while todo:
        name = todo.pop()
        if name.split(".")[0] != package:
            continue
        for candidate in _with_parents(name):
            path = _file_of(candidate, src)
            if path is None or candidate in seen:
                continue
            seen[candidate] = path
            module, is_package = module_name(path, src)
            todo.extend(imported_names(path, module, is_package))
    return sorted(seen.values())
