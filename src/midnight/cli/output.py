"""Rendering results for people (Rich tables) and programs (JSON)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from midnight.domain.money import format_money

console = Console()
if not console.is_terminal:  # piped or redirected: don't squeeze tables into 80 columns
    console = Console(width=160)
err_console = Console(stderr=True)


def jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    print(json.dumps(jsonable(value), ensure_ascii=False, indent=2))


def money(minor: int, currency: str, locale: str) -> str:
    return format_money(minor, currency, locale)


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    grid = Table(title=title, show_lines=False)
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*(str(cell) if cell is not None else "" for cell in row))
    console.print(grid)


STATUS_STYLE = {"expired": "bold red", "today": "red", "soon": "yellow", "later": "green"}


def status(text: str) -> str:
    return f"[{STATUS_STYLE.get(text, '')}]{text}[/]"


def warn(messages: list[str]) -> None:
    for message in messages:
        err_console.print(f"[yellow]warning:[/] {message}")
