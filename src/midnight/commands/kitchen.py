"""The kitchen: its stations (kitchen, bar), which station makes a menu item, and its tickets."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from midnight.commands import Command
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import Limit, words

StationName = Annotated[str, words(100, required=True, example="Kitchen")]
PrinterName = Annotated[str, words(100, required=True, example="Kitchen printer")]


class AddStation(Command):
    """A place dishes are made, with its own screen (and, if it has one, its own ticket printer)."""

    name: StationName
    printer: PrinterName | None = Field(default=None, description="A printer set up before, by its name.")


class SetStationPrinter(Command):
    printer: PrinterName | None = Field(description="The printer its tickets print on; null: none.")


class SetItemStation(Command):
    station: StationName | None = Field(
        description="The station that makes the item; null: not made in the kitchen (no tickets)."
    )


class TicketQuery(PageQuery):
    """A station's tickets waiting, oldest first."""

    limit: Limit = 24
