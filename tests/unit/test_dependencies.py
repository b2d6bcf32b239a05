"""`pip install .` alone runs the server: what it imports is what pyproject.toml declares.

Nothing may work by transitive luck, as the async engine once did: SQLAlchemy 2.1 installs
greenlet only with its asyncio extra, and only Playwright (a test dependency) pulled it in.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from functools import cache
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.unit.test_layers import ROOT, imports_of, modules

OURS = {"server", "moderation", "plenaria_static"}
# Loaded only because a declared dependency tries an optional import and does without it when it
# fails (so `pip install .` alone still runs): httpx imports its CLI (httpx[cli]: click, pygments,
# rich) at import time, inside `try: ... except ImportError`.
OPTIONAL_TRIES = {"pygments": "httpx"}

# Imports everything the server loads in production: the app with its SQLite store started
# and stopped, the asyncpg and Redis backends, and uvicorn's HTTP and websocket protocols as
# the CLI configures them. Prints the top-level names of the installed modules it loaded.
LOAD_THE_SERVER = """
import asyncio, json, sys, sysconfig, tempfile
before = set(sys.modules)
from dataclasses import replace
import uvicorn
from sqlalchemy.ext.asyncio import create_async_engine
from server.cli import uvicorn_options
from server.broker.redis import RedisBroker
from server.settings import Settings
from server.web.app import create_app

async def start_and_stop(app):
    async with app.router.lifespan_context(app):
        pass
    await create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none").dispose()

with tempfile.TemporaryDirectory() as folder:
    settings = replace(Settings(), database_url=f"sqlite:///{folder}/deps.db")
    app = create_app(settings)
    asyncio.run(start_and_stop(app))
    uvicorn.Config(app, **uvicorn_options(settings, access_log=False)).load()
installed = (sysconfig.get_path("purelib"), sysconfig.get_path("platlib"))
new = {name: getattr(sys.modules[name], "__file__", None) or "" for name in set(sys.modules) - before}
print(json.dumps(sorted({name.split(".")[0] for name, file in new.items() if file.startswith(installed)})))
"""


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in project["dependencies"]]


def runtime_closure() -> set[str]:
    """Every distribution `pip install .` brings in, with the extras and markers that apply here."""
    found: set[tuple[str, frozenset[str]]] = set()
    pending = [(requirement.name, frozenset(requirement.extras)) for requirement in declared()]
    while pending:
        name, extras = pending.pop()
        key = canonicalize_name(name)
        if (key, extras) in found:
            continue
        found.add((key, extras))
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            wanted = requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in ("", *extras)
            )
            if wanted:
                pending.append((requirement.name, frozenset(requirement.extras)))
    return {key for key, _ in found}


@cache
def distributions_of(module: str) -> set[str]:
    return {canonicalize_name(name) for name in metadata.packages_distributions().get(module, [])}


def third_party(names: set[str]) -> set[str]:
    return {name for name in names if name not in sys.stdlib_module_names and name not in OURS}


def test_every_third_party_import_is_declared_directly() -> None:
    direct = {canonicalize_name(requirement.name) for requirement in declared()}
    imported = third_party({
        name.split(".")[0] for folder in ("server", "moderation") for path in modules(folder)
        for name in imports_of(path)
    })
    assert {"starlette", "pydantic", "sqlalchemy"} <= imported  # the walk sees the imports
    undeclared = {module: distributions_of(module) for module in imported if not distributions_of(module) & direct}
    assert not undeclared, f"imported by server/ or moderation/ but not in [project].dependencies: {undeclared}"


def test_the_running_server_loads_only_what_the_runtime_install_brings() -> None:
    loaded = subprocess.run([sys.executable, "-c", LOAD_THE_SERVER], capture_output=True, text=True,
                            timeout=60, cwd=ROOT, check=True)
    modules_loaded = third_party(set(json.loads(loaded.stdout)))
    # drivers really loaded; httptools: uvicorn parses HTTP with it once installed (it declines h11)
    assert {"aiosqlite", "asyncpg", "greenlet", "redis", "httptools"} <= modules_loaded
    closure = runtime_closure()
    stray = {module: distributions_of(module) for module in modules_loaded
             if not distributions_of(module) & closure and OPTIONAL_TRIES.get(module) not in closure}
    assert not stray, f"the server loads these, which `pip install .` alone would not install: {stray}"
