"""Dependencies point inward: walk the imports and keep them so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("starlette", "uvicorn", "sqlmodel", "sqlalchemy", "redis", "websockets", "asyncpg", "aiosqlite")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("server/domain"), ids=lambda p: p.name)
def test_domain_is_pure(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in FRAMEWORKS or n.startswith("server.")}
    bad -= {"server.errors"} | {n for n in bad if n.startswith("server.domain")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("moderation"), ids=lambda p: p.name)
def test_moderation_imports_nothing_from_server(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.split(".")[0] in (*FRAMEWORKS, "server")}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/web"), ids=lambda p: p.name)
def test_web_never_talks_to_a_broker_or_store_implementation(path: Path) -> None:
    bad = {
        n
        for n in imports_of(path)
        if n.startswith(("server.broker.memory", "server.broker.redis", "server.store.", "redis", "sqlmodel"))
    }
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", modules("server/service"), ids=lambda p: p.name)
def test_services_do_not_know_the_web(path: Path) -> None:
    bad = {n for n in imports_of(path) if n.startswith(("server.web", "server.hub", "starlette"))}
    assert not bad, f"{path.name} imports {bad}"


def test_no_grab_bag_modules() -> None:
    names = {p.stem for p in modules("server") + modules("moderation")}
    assert not names & {"utils", "helpers", "misc", "common"}


def test_the_recount_script_needs_only_python() -> None:
    """Citizens run server/recount.py with a plain Python 3, without installing Plenária."""
    import sys

    names = {n.split(".")[0] for n in imports_of(ROOT / "server" / "recount.py")}
    assert names <= set(sys.stdlib_module_names) | {"__future__"}, names
