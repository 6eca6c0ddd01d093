"""The Typer application, its global options and its one error path."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from typer import Abort

# Typer carries its own copy of click; its usage errors derive from this class.
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from midnight.commands import build
from midnight.db.paging import Page
from midnight.domain.clock import Clock
from midnight.domain.errors import InvalidInput, MidnightError, parse_id
from midnight.services.context import Context, open_context
from midnight.services.people import local_actor
from midnight.settings import Settings

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print one clear line to stderr and stop."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


class MidnightGroup(TyperGroup):
    """Turns every error a person can cause into one line on stderr and exit code 2."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: Any = None,
        complete_var: Any = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except MidnightError as exc:
            fail(exc.message)
        except ClickException as exc:
            fail(exc.format_message().rstrip("."), EXIT_BAD_INPUT)
        except Abort:
            fail("aborted", EXIT_FAILURE)
        except DBAPIError as exc:
            fail(f"database error: {exc.orig}", EXIT_FAILURE)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else 0)
        return result


@dataclass
class CliState:
    """What the commands share; tests hand in a fixed clock through `obj`."""

    clock: Clock | None = None
    db: str | None = None
    user: str | None = None
    settings: Settings = field(default_factory=Settings)
    _context: Context | None = None

    def context(self) -> Context:
        if self._context is None:
            opened = open_context(self.settings, url=self.url(), clock=self.clock, actor=self.user)
            # The CLI acts as a named user (--user / MIDNIGHT_USER) with that user's role.
            self._context = opened.acting_as(local_actor(opened, self.user or self.settings.user), local=True)
        return self._context

    def close(self) -> None:
        """Let go of the database (a process that runs commands in-process, as tests do)."""
        if self._context is not None:
            self._context.db.dispose()
            self._context = None

    def url(self) -> str:
        if not self.db:
            return self.settings.database_url
        return self.db if "://" in self.db else f"sqlite:///{self.db}"


app = typer.Typer(
    cls=MidnightGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Midnight Express: perishable stock, FEFO and waste for a small food shop.",
)


@app.callback()
def _options(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help="SQLite file or database URL (default: MIDNIGHT_DATABASE_URL).")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Who is doing this (default: MIDNIGHT_USER).")
    ] = None,
) -> None:
    state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    if db:
        state.db = db
    if user:
        state.user = user
    ctx.obj = state


def context_of(ctx: typer.Context) -> Context:
    state: CliState = ctx.find_root().obj
    return state.context()


def command(model: type[M], values: Mapping[str, object]) -> M:
    """The command from the options given; options not given take the command's defaults."""
    return build(model, {key: value for key, value in values.items() if value is not None})


def record_id(text: str, what: str) -> int:
    """A record number as typed: "12" or "#12"."""
    return parse_id(text, what)


def sku_quantities(values: list[str], field: str) -> list[dict[str, str]]:
    """SKU=QTY arguments (a recipe, an order's lines) as the command's list of {sku, quantity}."""
    out = []
    for value in values:
        sku, sep, quantity = value.partition("=")
        if not sep or not sku.strip() or not quantity.strip():
            raise InvalidInput(f"{field} must look like SKU=QTY, got {value!r}", field=field)
        out.append({"sku": sku.strip(), "quantity": quantity.strip()})
    return out


def every(fetch: Callable[[str | None], Page[T]]) -> Iterator[T]:
    """All items of a paged list, page by page (each page one bounded query)."""
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
NUMBERS_AS_ARGS = {"ignore_unknown_options": True}  # so "-3" reaches the parser and gets a clear message
