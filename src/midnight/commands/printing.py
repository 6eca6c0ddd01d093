"""Printers and tills: set them up, print a receipt again, open the drawer, see what was printed."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from midnight.commands import Command, Refused
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import Flag, Id, Limit, Parsed, Reason, TillName, words
from midnight.domain.printing import JobState, PrinterKind, TextMode, parse_paper, parse_pin
from midnight.domain.text import clean_text

PrinterName = Annotated[str, words(100, required=True, example="Counter")]
Address = Annotated[
    str,
    Parsed(
        lambda v, f: clean_text(v, f, limit=200, required=True),
        {
            "type": "string",
            "maxLength": 200,
            "examples": ["192.168.1.50", "192.168.1.50:9100", "04b8:0202", "/dev/ttyUSB0:19200"],
            "description": "network: HOST[:PORT] (port 9100 unless given); usb: VID:PID in hex; "
            "serial: /dev/DEVICE[:BAUD] (9600 unless given).",
        },
    ),
]
Kind = Annotated[
    PrinterKind,
    Parsed(lambda v, f: PrinterKind.parse(v), {"type": "string", "enum": [k.value for k in PrinterKind]}),
]
Mode = Annotated[
    TextMode,
    Parsed(
        lambda v, f: TextMode.parse(v),
        {
            "type": "string",
            "enum": [m.value for m in TextMode],
            "description": "How Chinese is printed: latin (code pages only, Chinese as ?), gb18030 or "
            "big5 (the printer's Chinese mode), image (drawn as a picture: any printer).",
        },
    ),
]
Paper = Annotated[int, Parsed(parse_paper, {"type": "integer", "enum": [58, 80], "description": "mm"})]
DrawerPin = Annotated[
    int | None,
    Parsed(
        parse_pin,
        {
            "anyOf": [{"type": "integer", "enum": [2, 5]}, {"type": "null"}],
            "description": "The pin the printer kicks the cash drawer on (2 or 5); null: no drawer.",
        },
    ),
]


def _printer_or_none(value: Any, field: str) -> str | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "none")):
        return None
    return clean_text(value, field, limit=100, required=True)


OptionalPrinter = Annotated[
    str | None,
    Parsed(
        _printer_or_none,
        {"anyOf": [{"type": "string", "maxLength": 100}, {"type": "null"}], "examples": ["Counter"]},
    ),
]


class AddPrinter(Command):
    name: PrinterName
    kind: Kind
    address: Address
    paper_mm: Paper = 80
    text_mode: Mode = TextMode.LATIN


class ChangePrinter(Command):
    """Only what is given changes. A new kind needs its address."""

    kind: Kind | None = None
    address: Address | None = None
    paper_mm: Paper | None = None
    text_mode: Mode | None = None
    active: Flag | None = None

    @model_validator(mode="after")
    def _kind_needs_address(self) -> Self:
        if self.kind is not None and self.address is None:
            raise Refused("a printer reached another way needs its new address too", "address")
        return self


class AddTill(Command):
    name: TillName


class SetTill(Command):
    """Only what is given changes; printer or drawer_pin null (or "none") takes it off."""

    printer: OptionalPrinter = Field(default=None, description="Its receipt printer; null: none.")
    drawer_pin: DrawerPin = None
    auto_print: Flag | None = Field(default=None, description="Print every sale's receipt by itself.")


class PrintReceipt(Command):
    """Print an order's receipt (again): on a till's receipt printer, or a printer named; with neither,
    on the printer of the till the order was rung on, or the shop's only receipt printer."""

    till: TillName | None = None
    printer: PrinterName | None = None

    @model_validator(mode="after")
    def _one_place(self) -> Self:
        if self.till is not None and self.printer is not None:
            raise Refused("print on a till's printer or on a printer named, not both", "printer")
        return self


class KickDrawer(Command):
    """Open the cash drawer without a sale ("no sale"): who and why are recorded."""

    reason: Reason = Field(examples=["change for the float"])


class PrintJobQuery(PageQuery):
    state: JobState | None = None
    order: Id | None = Field(default=None, description="Only this order's receipts and tickets.")
    limit: Limit = 50
