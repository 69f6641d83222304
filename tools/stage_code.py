"""Hash the code each workflow stage runs, so a behaviour change cannot slip past its version.

    .venv/bin/python tools/stage_code.py          # show stages whose code differs from the record
    .venv/bin/python tools/stage_code.py --write  # record the current hashes and versions

A stage's hash covers scripts/<stage>.py and every package module it runs, found by following its
imports (dramabatch.workflow.rerun.stagecode: no hand-kept list), each parsed and dumped without
docstrings, comments or layout: reformatting or commenting changes nothing, any change to the code
does. tests/test_tracking.py fails while a hash differs from tests/stage_code.json. Then decide:
does the stage now write something different? Bump its STAGE_VERSIONS entry (finished batches
redo it). Only a refactor? Leave the version. Either way run this tool with --write.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
from pathlib import Path

from dramabatch.workflow.rerun.stagecode import package_closure
from dramabatch.workflow.rerun.tracks import STAGE_VERSIONS

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
RECORD = REPO / "tests" / "stage_code.json"


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return tree


def code_hash(path: Path) -> str:
    tree = _strip_docstrings(ast.parse(path.read_text(encoding="utf-8")))
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


def stage_files(stage: str, repo: Path = REPO) -> list[Path]:
    """The stage's script and the package files it runs."""
    script = repo / "scripts" / f"{stage}.py"
    return [script, *package_closure(script, repo / "src")]


def stage_hash(stage: str, repo: Path = REPO) -> str:
    digest = hashlib.sha256()
    for f in stage_files(stage, repo):
        digest.update(f"{f.relative_to(repo)}:{code_hash(f)}\n".encode())
    return digest.hexdigest()[:16]


def current() -> dict:
    return {s: {"version": STAGE_VERSIONS[s], "code": stage_hash(s)} for s in STAGE_VERSIONS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    now = current()
    if args.write:
        RECORD.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    for stage, entry in now.items():
        if recorded.get(stage) != entry:
            print(f"{stage}: recorded {recorded.get(stage)}, now {entry}")


if __name__ == "__main__":
    main()
