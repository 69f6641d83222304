"""Generate config/README.md's two tables: the configuration reference (from
config/schema.yaml) and what each config key reruns (from dramabatch.workflow.rerun.tracks, the
table the rules' params come from).

    .venv/bin/python tools/config_reference.py          # print both tables
    .venv/bin/python tools/config_reference.py --write  # update config/README.md between markers

config/README.md is where Snakemake's workflow catalog looks for a workflow's configuration docs.
tests/test_docs.py fails when the file and the sources disagree, so neither can drift.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
#: The generated tables' file.
TARGET = REPO / "config" / "README.md"


def _type(spec: dict, defs: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].split("/")[-1]
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    t = spec.get("type", "")
    if t == "array" and "items" in spec:
        return f"list of {_type(spec['items'], defs)}"
    return t


def rows(schema: dict, prefix: str = "", defs: dict | None = None):
    defs = defs if defs is not None else schema.get("$defs", {})
    for key, spec in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        if spec.get("type") == "object" and "properties" in spec:
            yield from rows(spec, f"{name}.", defs)
            continue
        default = spec.get("default", "(required)" if key in schema.get("required", []) else "")
        shown = json.dumps(default, ensure_ascii=False) if default != "(required)" else default
        yield name, _type(spec, defs), shown, spec.get("description", "")


def reference() -> str:
    schema = yaml.safe_load((REPO / "config/schema.yaml").read_text(encoding="utf-8"))
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, typ, default, desc in rows(schema):
        desc = desc.replace("<", "&lt;").replace(">", "&gt;")
        lines.append(f"| `{name}` | {typ} | `{default}` | {desc} |".replace("``", ""))
    sizes = schema.get("$defs", {})
    if sizes:
        lines.append("")
        lines.append("`size` is `{width, height}` in pixels (even numbers); `style` is "
                     "`{font, size (fraction of frame height), colour, outline_colour, outline, "
                     "bold, position (bottom|center|faces), margin}`.")
    return "\n".join(lines)


def reruns() -> str:
    from dramabatch.workflow.rerun.table import rerun_table

    return rerun_table()


#: Generated sections of TARGET: marker name -> generator.
SECTIONS = {"config-reference": reference, "reruns": reruns}


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def section(text: str, name: str = "config-reference") -> str:
    """The text between the ``name`` markers, stripped."""
    start, end = markers(name)
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if not args.write:
        print("\n\n".join(make() for make in SECTIONS.values()))
        return
    text = TARGET.read_text(encoding="utf-8")
    for name, make in SECTIONS.items():
        start, end = markers(name)
        if start not in text:
            sys.exit(f"{TARGET.relative_to(REPO)} has no {start} marker")
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = f"{head}{start}\n{make()}\n{end}{tail}"
    TARGET.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
