"""Where each rule lives, checked: anyone can run these, and they fail when a layer leaks.

- the entry points (api/, web/, cli/) hold no SQL: they build a command and call a service;
- the domain imports no framework (no SQL, web, templates, notification or hashing library);
- no order or hold state is spelled out as a string outside the domain: they are enums there;
- every service that changes something checks a permission in the service, not only in a router.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "midnight"
ENTRY_POINTS = ("api", "web", "cli")
FRAMEWORKS = (
    "sqlalchemy",
    "fastapi",
    "starlette",
    "pydantic",
    "jinja2",
    "apprise",
    "argon2",
    "typer",
    "alembic",
)
STATES = {
    # OrderState and HoldState values (domain/order.py, domain/hold.py)
    "paid",
    "void",
    "partly_refunded",
    "refunded",
    "waiting",
    "picked_up",
    "returned",
    "disposed",
}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.IGNORECASE)


def python_files(*parts: str) -> list[Path]:
    return sorted((SRC.joinpath(*parts)).rglob("*.py"))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("layer", ENTRY_POINTS)
def test_entry_points_hold_no_sql(layer: str) -> None:
    allowed = {"midnight.db.paging", "sqlalchemy.exc"}  # the Page a service returns; the CLI's error path
    offenders = []
    for path in python_files(layer):
        relative = path.relative_to(SRC)
        offenders += [
            f"{relative} imports {module}"
            for module in imported_modules(path)
            if module.startswith(("sqlalchemy", "midnight.db")) and module not in allowed
        ]
        offenders += [
            f"{relative}:{line} {value[:40]!r}" for line, value in string_constants(path) if SQL.search(value)
        ]
    assert offenders == []


def test_the_domain_imports_no_framework() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {module}"
        for path in python_files("domain")
        for module in imported_modules(path)
        if module.split(".")[0] in FRAMEWORKS or module.startswith(("midnight.db", "midnight.services"))
    ]
    assert offenders == []


def string_constants(path: Path) -> list[tuple[int, str]]:
    """String literals, but not docstrings and not the names of CLI commands ("void" is a verb there)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    verbs = {
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "command"
        for arg in node.args
    }
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings | verbs
    ]


def test_no_order_or_hold_state_is_a_string_outside_the_domain() -> None:
    offenders = []
    for path in python_files():
        relative = path.relative_to(SRC)
        if relative.parts[0] == "domain" or relative.parts[:2] == ("db", "migrations"):
            continue  # the enums themselves; migrations are frozen history
        offenders += [
            f"{relative}:{line} {value!r}" for line, value in string_constants(path) if value in STATES
        ]
    assert offenders == []


def test_no_template_compares_a_state_or_a_role_by_its_spelling() -> None:
    templates = sorted((SRC / "web" / "templates").glob("*.html"))
    offenders = [
        f"{path.name}: {word}"
        for path in templates
        for word in ("state ==", "role.value ==", '== "owner"', "== 'owner'")
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_routers_call_services_and_never_check_permissions_themselves() -> None:
    offenders = [
        f"{path.relative_to(SRC)}"
        for layer in ("api", "web")
        for path in python_files(layer)
        if ".require(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
