"""Dependencies point inward: walk the imports and keep them so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("starlette", "uvicorn", "sqlmodel", "sqlalchemy", "redis", "websockets", "asyncpg", "aiosqlite")


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, wherever the import is (functions too), relative ones
    resolved, and `from package import name` counted as `package.name` as well."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("server/domain"), ids=lambda p: p.name)
def test_domain_is_pure(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in FRAMEWORKS or n.startswith("server.")}
    bad -= {n for n in bad if n.startswith(("server.domain", "server.errors"))}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("moderation"), ids=lambda p: p.name)
def test_moderation_imports_nothing_from_server(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in (*FRAMEWORKS, "server")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/web"), ids=lambda p: p.name)
def test_web_never_talks_to_a_broker_or_store_implementation(path: Path) -> None:
    import server.store

    public = {f"server.store.{name}" for name in server.store.__all__}  # the package's own API
    bad = {
        n
        for n in imports_of(path) - public
        if n.startswith(("server.broker.memory", "server.broker.redis", "server.store.", "redis", "sqlmodel"))
    }
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/service"), ids=lambda p: p.name)
def test_services_do_not_know_the_web(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.startswith(("server.web", "server.hub", "starlette"))}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/service"), ids=lambda p: p.name)
def test_services_reach_the_database_only_through_the_store(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in ("sqlalchemy", "sqlmodel", "asyncpg", "aiosqlite")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/web"), ids=lambda p: p.name)
def test_web_reaches_the_domain_only_through_services(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.startswith("server.domain")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/hub"), ids=lambda p: p.name)
def test_the_hub_knows_no_service_store_or_web(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.startswith(("server.service", "server.store", "server.web"))}
    assert not bad, f"{path.name} imports {bad}"


def test_the_import_walk_sees_what_the_layers_forbid(tmp_path: Path) -> None:
    """The walk itself: function-level, relative and `from package import module` imports count."""
    probe = ROOT / "server" / "web" / "_probe_for_test_layers.py"
    probe.write_text("def f():\n    from ..domain import roles\n    from server import store\n", encoding="utf-8")
    try:
        found = imports_of(probe)
    finally:
        probe.unlink()
    assert {"server.domain.roles", "server.store"} <= found, found


def test_no_grab_bag_modules() -> None:
    names = {p.stem for p in modules("server") + modules("moderation")}
    assert not names & {"utils", "helpers", "misc", "common"}


def test_the_recount_script_needs_only_python() -> None:
    """Citizens run server/recount.py with a plain Python 3, without installing Plenária."""
    import sys

    names = {n.split(".")[0] for n in imports_of(ROOT / "server" / "recount.py")}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}, names


# Services that still hold ORM rows (server/store/*_tables.py) instead of domain values from a
# repository (docs/architecture.md, "How a service talks to the store"). The list only shrinks:
# a new service uses repositories, and one converted is taken off it.
# decisions.py: the decision-vote hooks read a poll through a Protocol a `Poll` satisfies.
STILL_ON_ROWS: set[str] = set()
TABLES = ("server.store.tables", "server.store.poll_tables", "server.store.qa_tables", "server.store.answer_tables")


@pytest.mark.parametrize("path", modules("server/service"), ids=lambda p: p.name)
def test_services_get_domain_values_from_repositories(path: Path) -> None:
    on_rows = any(n.startswith(TABLES) for n in imports_of(path))
    if path.name in STILL_ON_ROWS:
        assert on_rows, f"{path.name} no longer holds ORM rows: take it off STILL_ON_ROWS"
    else:
        assert not on_rows, f"{path.name} imports ORM rows: add a repository returning domain values"
