"""The package's layering: imports only go down (dramabatch.LAYERS), no cycles between rooms, and
no cycle between modules anywhere (imports inside functions included: a lazy import that closes a
loop is still a loop, only hidden until the function runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

import dramabatch
from dramabatch.workflow.rerun.stagecode import _file_of, imported_names, module_name

SRC = Path(dramabatch.__file__).resolve().parents[1]


def _floors(layers) -> dict[str, int]:
    floors: dict[str, int] = {}
    for k, floor in enumerate(layers):
        for name in (floor if isinstance(floor, tuple) else (floor,)):
            floors[name] = k
    return floors


def _room(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "dramabatch" else None


def package_edges(src: Path) -> list[tuple[str, str, str]]:
    """(importing file, its room, imported room) for every import between rooms."""
    edges = []
    for path in sorted((src / "dramabatch").rglob("*.py")):
        module, is_package = module_name(path, src)
        here = _room(module)
        for name in imported_names(path, module, is_package):
            there = _room(name)
            if here and there and there != here:
                edges.append((str(path.relative_to(src)), here, there))
    return edges


def violations(src: Path, layers) -> list[str]:
    """Upward imports, imports between rooms of one floor, and rooms outside the layers."""
    floors = _floors(layers)
    found = []
    rooms = {p.name for p in (src / "dramabatch").iterdir() if (p / "__init__.py").is_file()}
    found += [f"room {r} is in no floor of LAYERS" for r in sorted(rooms - set(floors))]
    for path, here, there in package_edges(src):
        if here not in floors or there not in floors:
            continue
        if floors[there] > floors[here]:
            found.append(f"{path}: {here} imports {there}, a later stage (upward)")
        elif floors[there] == floors[here]:
            found.append(f"{path}: {here} imports {there}, a room beside it on its floor")
    return sorted(set(found))


def cycles(src: Path) -> list[list[str]]:
    """Every cycle of the room graph (depth-first, each reported once by its smallest room)."""
    graph: dict[str, set[str]] = {}
    for _, here, there in package_edges(src):
        graph.setdefault(here, set()).add(there)
    found = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                found.append([*path, start])
            elif nxt not in path and nxt > start:
                walk(start, nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


def _module_of(name: str, src: Path) -> str | None:
    """The dotted module ``name`` runs: itself when a module or package, else (a class or function
    imported from a module) the module it lives in; None outside the package."""
    while name:
        if _file_of(name, src) is not None:
            return name
        name = name.rpartition(".")[0]
    return None


def module_edges(src: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports, anywhere in the file. ``from a import b``
    reads a module ``a.b`` when there is one, else ``a``; parents' ``__init__`` run by a dotted
    import are not edges (a submodule's parent is already importing when it runs)."""
    graph: dict[str, set[str]] = {}
    for path in sorted((src / "dramabatch").rglob("*.py")):
        module, is_package = module_name(path, src)
        names = imported_names(path, module, is_package)
        targets = set()
        for name in names:
            if not name.startswith("dramabatch"):
                continue
            target = _module_of(name, src)
            # ``from a import b`` also yields ``a``: keep it only when b is not a module of a
            if target and not any(n.startswith(target + ".") and _file_of(n, src) for n in names):
                targets.add(target)
            elif target and _file_of(name, src):
                targets.add(target)
        graph[module] = targets - {module}
    return graph


def module_cycles(src: Path) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted."""
    graph = module_edges(src)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_cycle_between_modules():
    graph = module_edges(SRC)
    found = module_cycles(SRC)
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports between them, "
          f"cycles: {len(found)}")
    assert not found, "\n".join(" <-> ".join(group) for group in found)


def test_module_cycle_hidden_in_a_function_is_found(tmp_path):
    # compose.py imported beats at the top, beats imported compose back inside a function:
    # the room check saw nothing (one room), the module check must
    src = _tree(tmp_path, {"__init__.py": "", "script/__init__.py": "",
                           "script/compose.py": "from .beats import beat_segments\n"
                                                "def build_script():\n    pass\n",
                           "script/beats.py": "def beat_segments():\n"
                                              "    from .compose import build_script\n"
                                              "    return build_script()\n",
                           "script/other.py": "from .compose import build_script\n"})
    assert module_cycles(src) == [["dramabatch.script.beats", "dramabatch.script.compose"]]
    # the same two modules with the loop cut (primitives in their own module): no cycle
    (src / "dramabatch/script/beats.py").write_text(
        "def beat_segments():\n    from .other import build_script\n")
    (src / "dramabatch/script/other.py").write_text("def build_script():\n    pass\n")
    assert module_cycles(src) == []


def test_imports_only_go_down():
    found = violations(SRC, dramabatch.LAYERS)
    print(f"{len(package_edges(SRC))} imports between rooms checked, {len(found)} violations")
    assert not found, "\n".join(found)


def test_no_cycle_between_rooms():
    assert cycles(SRC) == []


def test_every_module_stays_small():
    sizes = {str(p.relative_to(SRC)): len(p.read_text(encoding="utf-8").splitlines())
             for p in (SRC / "dramabatch").rglob("*.py")}
    largest = max(sizes, key=sizes.get)
    print(f"largest module: {largest}, {sizes[largest]} lines")
    assert sizes[largest] <= 300, f"{largest} has {sizes[largest]} lines (split it by concept)"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / "dramabatch" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


LAYERS = ("base", "speech", "render", ("workflow", "demo"))


@pytest.mark.parametrize("files, expected", [
    # a stage importing a later stage, relative and absolute, at the top or inside a function
    ({"speech/a.py": "from ..render import videos\n"}, "speech imports render, a later stage"),
    ({"base/a.py": "def f():\n    import dramabatch.speech.x\n"}, "base imports speech"),
    ({"render/a.py": "from dramabatch.workflow.smk.job import run_step\n"},
     "render imports workflow, a later stage"),
    ({"demo/a.py": "from ..workflow import smk\n"}, "demo imports workflow, a room beside it"),
    ({"extras/__init__.py": "", "extras/a.py": "x = 1\n"}, "room extras is in no floor"),
])
def test_checker_catches_what_it_must(tmp_path, files, expected):
    files = {**{f"{r}/__init__.py": "" for r in ("base", "speech", "render", "workflow", "demo")},
             "__init__.py": "", **files}
    found = violations(_tree(tmp_path, files), LAYERS)
    assert any(expected in v for v in found), found


def test_checker_finds_a_cycle(tmp_path):
    src = _tree(tmp_path, {"__init__.py": "", "a/__init__.py": "", "b/__init__.py": "",
                           "a/x.py": "from ..b import y\n", "b/y.py": "from ..a import x\n"})
    assert cycles(src) == [["a", "b", "a"]]
    assert violations(src, ("a", "b"))  # and the layering names the upward half


def test_downward_imports_pass(tmp_path):
    src = _tree(tmp_path, {"__init__.py": "", "base/__init__.py": "", "speech/__init__.py": "",
                           "render/__init__.py": "", "workflow/__init__.py": "",
                           "demo/__init__.py": "",
                           "render/a.py": "from ..speech.b import c\nfrom ..base import d\n",
                           "workflow/w.py": "from dramabatch.render.a import f\n"})
    assert violations(src, LAYERS) == []
