"""Rendering results for people (Rich tables) and programs (JSON)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from midnight.domain.money import format_money

console = Console()
if not console.is_terminal:  # piped or redirected: don't squeeze tables into 80 columns
    console = Console(width=160)
err_console = Console(stderr=True)


class ProgressUpdate(Protocol):
    def __call__(self, done: int, total: int, what: str | None = None) -> None: ...


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressUpdate]:
    """A progress bar on stderr while a person watches; nothing when stderr is not a terminal.
    Each update says how far (done of total) and, if it changed, what is being done."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
        disable=not err_console.is_terminal,
    )
    task = bar.add_task(label, total=None)

    def update(done: int, total: int, what: str | None = None) -> None:
        bar.update(task, completed=done, total=total, description=f"{label} {what}" if what else label)

    with bar:
        yield update


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
    if isinstance(value, PurePath):
        return str(value)
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
