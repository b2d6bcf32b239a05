"""moderation/ is pure: stdlib only, and nothing from server/."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "moderation"


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """(top-level module, level) for every import in `path`; level > 0 is relative."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name.split(".")[0], 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append(((node.module or "").split(".")[0], node.level))
    return found


def test_package_has_modules() -> None:
    assert (PACKAGE / "__init__.py").is_file()
    assert len(list(PACKAGE.glob("*.py"))) >= 5


def test_only_stdlib_and_own_imports() -> None:
    offenders: list[str] = []
    for path in sorted(PACKAGE.glob("*.py")):
        for module, level in imported_modules(path):
            if level > 0:
                continue  # relative: inside the package
            allowed = module in sys.stdlib_module_names or module in {"moderation", "__future__"}
            if module == "server" or not allowed:
                offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_no_dynamic_imports_of_server() -> None:
    for path in PACKAGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import_module" not in source, path.name
        assert "__import__" not in source, path.name
