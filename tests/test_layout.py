"""The package layout (#15): rooms instead of prefixes, no import cycles, old paths for a release."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

SORKIT = Path(__file__).resolve().parents[1] / "sorkit"

#: Old module paths kept as thin re-exports for one release (listed in the CHANGELOG).
SHIMS = {
    "sorkit.appmode": ("sorkit.app", ["open_app_register", "add_dom_hooks", "serve", "Server"]),
    "sorkit.overview": ("sorkit.reports.overview", ["unit_overview", "counts_by_status"]),
    "sorkit.frames": ("sorkit.search.frames", ["hierarchy", "unit_frame", "UNIT_COLUMNS"]),
}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    """Every sorkit module ``tree`` imports, at the top or inside functions (lazy imports)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name.split(".")[0] == "sorkit")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if name == "sorkit":
                for alias in node.names:
                    sub = SORKIT / alias.name
                    is_module = sub.is_dir() or sub.with_suffix(".py").exists()
                    found.append(f"sorkit.{alias.name}" if is_module else "sorkit")
            elif name.startswith("sorkit."):
                found.append(name)
        visit(node)

    visit(tree)
    return found


def _top(module: str) -> str:
    """The top-level module or package of a dotted name (``sorkit`` for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "sorkit"


def top_level_graph() -> dict[str, set[str]]:
    """Which top-level modules/packages of sorkit import which (TYPE_CHECKING imports aside)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in sorted(SORKIT.rglob("*.py")):
        parts = list(path.relative_to(SORKIT.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        for target in _imported(ast.parse(path.read_text()), module, is_package):
            if _top(target) != _top(module):
                graph[_top(module)].add(_top(target))
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_no_import_cycle_between_top_level_modules_and_packages() -> None:
    graph = top_level_graph()
    assert graph["register"] >= {"engine", "search", "history"}  # the graph sees lazy imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_at_most_about_twenty_modules_directly_in_sorkit() -> None:
    flat = sorted(p.stem for p in SORKIT.glob("*.py") if p.stem != "__init__")
    shims = {name.split(".")[1] for name in SHIMS}
    assert len(set(flat) - shims) <= 20, flat
    for prefix in ("app", "cli", "demo", "search"):  # the prefixes that said "package"
        assert [m for m in flat if m.startswith(prefix) and m not in shims] == []


@pytest.mark.parametrize("old", sorted(SHIMS))
def test_old_paths_still_import_for_one_release(old: str) -> None:
    new, names = SHIMS[old]
    shim, target = importlib.import_module(old), importlib.import_module(new)
    assert "kept for one release" in " ".join((shim.__doc__ or "").split())
    for name in names:
        assert getattr(shim, name) is getattr(target, name)


@pytest.mark.parametrize(
    "path",
    ["sorkit.engine", "sorkit.search", "sorkit.history", "sorkit.reports", "sorkit.demo"],
)
def test_packages_that_kept_their_path_export_the_old_names(path: str) -> None:
    package = importlib.import_module(path)
    assert package.__all__
    for name in package.__all__:
        assert getattr(package, name) is not None


_SQL = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX|SEQUENCE|VIEW)|ALTER\s+TABLE|DROP\s+TABLE|CHECKPOINT|"
    r"(ATTACH|DETACH)\s+(DATABASE\s+)?['\"\w])",
    re.S,
)


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of a module (f-strings by their literal parts)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
            found.append((node.lineno, " ".join(str(p) for p in parts)))
    return found


def sql_outside_store() -> list[str]:
    """``file:line`` of every SQL statement written outside ``sorkit/store/``."""
    hits = []
    for path in sorted(SORKIT.rglob("*.py")):
        if path.relative_to(SORKIT).parts[0] == "store":
            continue
        for line, text in _strings(ast.parse(path.read_text())):
            if _SQL.search(text):
                hits.append(f"{path.relative_to(SORKIT.parent)}:{line}")
    return hits


def test_no_sql_outside_the_store() -> None:
    assert sql_outside_store() == []


def test_the_sql_finder_finds_sql() -> None:
    tree = ast.parse(
        'q = "SELECT a FROM t"\nw = f"DELETE FROM {x} WHERE 1"\nok = "Vælg fra listen"'
    )
    found = {
        stmt.targets[0].id: any(_SQL.search(text) for _, text in _strings(stmt))
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name)
    }
    assert found == {"q": True, "w": True, "ok": False}


def _calls(method: str) -> set[str]:
    """The sorkit modules outside the store that call ``<something>.store.<method>(...)`` or
    ``store.<method>(...)``."""
    found = set()
    for path in sorted(SORKIT.rglob("*.py")):
        if path.relative_to(SORKIT).parts[0] == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
                and "store" in ast.unparse(node.func.value)
            ):
                found.add(str(path.relative_to(SORKIT.parent)))
    return found


def test_one_write_path() -> None:
    assert _calls("write") == {"sorkit/engine/commit.py"}
    assert _calls("bulk_load") == {"sorkit/engine/commit.py"}
    assert _calls("bulk_import") == {"sorkit/engine/commit.py"}
    # Restore fills a new temporary file before it becomes anyone's register.
    assert _calls("load_parquet") == {"sorkit/engine/commit.py", "sorkit/backup.py"}


def test_nothing_outside_the_register_touches_its_private_members() -> None:
    private = re.compile(r"\breg\w*\._\w+")
    hits = [
        f"{path.relative_to(SORKIT.parent)}:{n}"
        for path in sorted(SORKIT.rglob("*.py"))
        if path.name != "register.py" and path.relative_to(SORKIT).as_posix() != "engine/commit.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if private.search(line)
    ]
    assert hits == []


def test_the_register_api_is_typed() -> None:
    from sorkit.register import Register

    def annotations(name: str) -> dict[str, Any]:
        sig = inspect.signature(getattr(Register, name))
        found = {p.name: p.annotation for p in sig.parameters.values() if p.name != "self"}
        return {**found, "return": sig.return_annotation}

    assert annotations("plan") == {"change": "Change", "return": "Plan"}
    assert annotations("apply")["plan"] == "Plan"
    assert annotations("apply")["return"] == "Applied"
    assert annotations("earliest_date") == {"operation": "str", "return": "dt.date"}


def test_the_widgets_do_not_import_the_engine() -> None:
    for path in sorted((SORKIT / "widgets").glob("*.py")):
        imported = _imported(ast.parse(path.read_text()), f"sorkit.widgets.{path.stem}", False)
        assert not [m for m in imported if m.startswith("sorkit.engine")], path.name
