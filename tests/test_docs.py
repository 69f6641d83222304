"""The docs must match what the code does: generated tables, links, named modules and claims.

README.md is a newcomer's page; the reference lives in config/README.md (generated from the
schema and the tracking code) and the topics in docs/*.md. These tests fail when a generated
table is stale, a relative link or a named module points nowhere, a stage's docstring names
imports it does not have, or the README grows back into a manual.
"""

import ast
import re
import sys
import tomllib
from pathlib import Path

import yaml

from dramabatch.workflow.rerun.stagecode import imported_names, module_name

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
sys.path.insert(0, str(REPO / "tools"))

from config_reference import TARGET, reference, reruns, section  # noqa: E402

README = REPO / "README.md"
#: Every page a reader may follow: the README, the configuration reference, the topic pages.
PAGES = [README, REPO / "config" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
ROOMS = sorted(p.name for p in (SRC / "dramabatch").iterdir() if (p / "__init__.py").is_file())


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_config_reference_matches_schema():
    assert TARGET == REPO / "config" / "README.md"
    assert section(_text(TARGET)) == reference().strip(), (
        "config/README.md's reference is stale: run .venv/bin/python tools/config_reference.py "
        "--write")


def test_rerun_table_matches_the_tracking_table():
    assert section(_text(TARGET), "reruns") == reruns().strip(), (
        "config/README.md's rerun table is stale: run .venv/bin/python tools/config_reference.py "
        "--write")


def test_every_schema_key_is_documented_in_the_reference():
    ref = reference()
    for key in ("manifest", "transcribe.model", "tts.engine", "render.encoder",
                "shorts.max_count", "skip"):
        assert f"`{key}`" in ref, key


def test_readme_is_a_newcomers_page():
    """At most 250 lines, and no generated reference: those tables live in config/README.md."""
    text = _text(README)
    assert len(text.splitlines()) <= 250
    assert "<!--" not in text and "| `download.retries` |" not in text


def test_readme_names_the_two_commands_and_ci_runs_the_second():
    readme = _text(README)
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (REPO / ".ci/run").read_text()
    targets = re.findall(r"^([\w-]+):", _text(REPO / "Makefile"), re.M)
    assert {"demo", "test"} <= set(targets)


def test_ten_settings_in_the_readme_show_the_shipped_defaults():
    """The README's table of the settings people change first: ten keys, each with the value
    config/config.yaml ships (which the schema's default equals, see below)."""
    table = _text(README).split("## The ten settings people change first", 1)[1].split("\n## ")[0]
    rows = re.findall(r"^\| `([\w.]+)` \| `(.*?)` \|", table, re.M)
    assert len(rows) == 10
    cfg = yaml.safe_load(_text(REPO / "config" / "config.yaml"))
    for key, shown in rows:
        value = cfg
        for part in key.split("."):
            value = value[part]
        assert yaml.safe_load(shown) == value, key


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", _text(path), flags=re.S)
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug, n = _slug(heading), 1
        while slug in found:
            slug, n = f"{_slug(heading)}-{n}", n + 1
        found.add(slug)
    return found


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", _text(path), flags=re.S)
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_every_relative_link_resolves():
    """Each relative link (and image) in the README, config/README.md and docs/*.md names a file
    that exists, and its #anchor a heading of that file."""
    broken = []
    for page in PAGES + [REPO / "benchmarks" / "RESULTS.md"]:
        for link in _links(page):
            if re.match(r"[a-z]+:", link):
                continue
            target, _, anchor = link.partition("#")
            path = (page.parent / target).resolve() if target else page
            if not path.exists():
                broken.append(f"{page.relative_to(REPO)}: {link} (no such file)")
            elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
                broken.append(f"{page.relative_to(REPO)}: {link} (no such heading)")
    assert broken == []


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README.parent / link.partition("#")[0]).resolve() for link in _links(README)}
    orphans = [p.name for p in PAGES[1:] if p.resolve() not in linked]
    assert orphans == []


def _named_paths(text: str) -> list[str]:
    """Code files the text names by path: from the repository root, from src/, or from the
    package (``workflow/rerun/stagecode.py``); placeholders (``<id>``) left out."""
    from_root = (r"(?:src|tests|tools|scripts|rules|benchmarks|dramabatch)/[\w./*-]+"
                 r"\.(?:py|smk|sh|json)")
    from_package = rf"(?:{'|'.join(ROOMS)})/[\w/*-]+\.py"
    return re.findall(rf"(?<![\w/.-])({from_root}|{from_package})\b", text)


def _exists(named: str) -> bool:
    first = named.split("/")[0]
    base = SRC if first == "dramabatch" else SRC / "dramabatch" if first in ROOMS else REPO
    return any(base.glob(named))


def _defines(module: Path, name: str) -> bool:
    return bool(re.search(rf"^\s*(?:def|class|async def) {name}\b|^{name}\b.*=|import .*\b{name}\b",
                          _text(module), re.M))


def _dotted_exists(dotted: str) -> bool:
    """``dramabatch.a.b[.attr]``: the longest module prefix exists and defines the rest's first
    name (a function, class or constant)."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        base = SRC.joinpath(*parts[:k])
        module = base.with_suffix(".py")
        if not module.is_file():
            module = base / "__init__.py"
        if module.is_file():
            return k == len(parts) or _defines(module, parts[k])
    return False


def test_docs_name_only_modules_and_files_that_exist():
    """Renamed or moved modules leave stale names behind (``workflow/tracking.py``,
    ``speech/check``): every code path and dotted module name in the docs must exist."""
    stale = []
    for page in PAGES + [REPO / "benchmarks" / "RESULTS.md"]:
        text = _text(page)
        stale += [f"{page.name}: {p}" for p in _named_paths(text) if not _exists(p)]
        for dotted in set(re.findall(r"(?<![\w.])dramabatch(?:\.\w+)+", text)):
            if not _dotted_exists(dotted.rstrip(".")):
                stale.append(f"{page.name}: {dotted}")
    assert stale == []


def test_docs_drop_the_module_names_of_the_old_layout():
    """Module and rules names the workflow split and the renames retired (issue 34)."""
    retired = ("progresslogger", "smkfix", "tracking.py", "earcheck", "recap_check",
               "speech/check", "compose.build_script", "report.smk", "package.smk")
    found = [f"{p.name}: {name}" for p in PAGES for name in retired
             if re.search(rf"(?<!\w){re.escape(name)}", _text(p))]
    assert found == []


def _stated_imports(doc: str) -> set[str]:
    """The rooms an ``__init__`` docstring's "Imports:" names, up to the first ';' or sentence
    end, parenthesised remarks left out."""
    stated = doc.split("Imports:", 1)[1]
    stated = re.sub(r"\([^)]*\)", "", stated)
    stated = re.split(r";|\.(?:\s|$)", stated, maxsplit=1)[0]
    return {word for word in re.findall(r"\w+", stated) if word in ROOMS}


def _real_imports(room: str) -> set[str]:
    rooms = set()
    for path in (SRC / "dramabatch" / room).rglob("*.py"):
        module, is_package = module_name(path, SRC)
        for name in imported_names(path, module, is_package):
            parts = name.split(".")
            if parts[0] == "dramabatch" and len(parts) > 1 and parts[1] in ROOMS:
                rooms.add(parts[1])
    return rooms - {room}


def test_each_stage_docstring_states_its_real_imports():
    """Every room's ``__init__`` says "Imports: ..."; the rooms it names are exactly the rooms
    its modules import (function-level imports included)."""
    wrong = {}
    for room in ROOMS:
        doc = ast.get_docstring(ast.parse(_text(SRC / "dramabatch" / room / "__init__.py"))) or ""
        assert "Imports:" in doc, room
        if _stated_imports(doc) != _real_imports(room):
            wrong[room] = (sorted(_stated_imports(doc)), sorted(_real_imports(room)))
    assert wrong == {}, "docstring states (first) vs real imports (second)"


def test_stated_imports_parser_reads_the_forms_in_use():
    """The parser above against the docstring forms the rooms use, so a wrong parse cannot pass
    the test before it by finding nothing on both sides."""
    assert _stated_imports("Imports: base only.") == {"base"}
    assert _stated_imports("Imports: base and render (cue code of voice); never archive.") == {
        "base", "render"}
    assert _stated_imports("Imports: nothing else of dramabatch.") == set()
    assert _stated_imports("Imports: base, script (text\nnormalisation) and voice; never x.") == {
        "base", "script", "voice"}


def test_licence_file_and_package_metadata_agree():
    """LICENSE is the GPL-3.0 text, pyproject.toml says GPL-3.0-or-later, and its URLs stay on
    the project's GitHub organisation."""
    project = tomllib.loads(_text(REPO / "pyproject.toml"))["project"]
    licence = _text(REPO / "LICENSE")
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 3, 29 June 2007" in licence
    assert project["license"] == "GPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    assert project["authors"]
    urls = project["urls"].values()
    assert urls and all(u.startswith("https://github.com/dramabatch/dramabatch") for u in urls)
    assert "GPL" in _text(README).split("## Licence", 1)[1]


def test_config_file_and_schema_defaults_agree():
    """A batch run with its own --configfile from another folder gets the schema's defaults, not
    config/config.yaml's: every value config.yaml sets must be the schema default too."""
    from snakemake.utils import validate

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    defaults = {"manifest": cfg["manifest"]}
    validate(defaults, str(REPO / "config" / "schema.yaml"))

    def differences(ours, schema, path=""):
        if isinstance(ours, dict):
            for key, value in ours.items():
                yield from differences(value, schema.get(key), f"{path}.{key}")
        elif ours != schema:
            yield f"{path}: config.yaml {ours!r}, schema default {schema!r}"

    assert list(differences(cfg, defaults)) == []


def test_results_figures_are_quoted_from_one_place():
    """Measured figures live in benchmarks/RESULTS.md: the docs link there instead of carrying
    benchmark tables of their own (a table with a `wall s` or `peak MB` column)."""
    for page in PAGES:
        assert not re.search(r"^\|.*\b(wall s|peak MB|x realtime)\b", _text(page), re.M), page.name
