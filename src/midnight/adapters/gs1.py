"""Reading what a scanner sends at receiving: GS1-128 / DataMatrix element strings, or a bare EAN.

Parsing is biip's (a well-kept GS1 parser); this module only turns its answer into what receiving
needs — the product's GTIN, the batch (AI 10) and the dates (AI 17 expiry, AI 15 best before) —
and refuses what it can't read with a message that says why.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import biip
from biip.gs1_messages import GS1Message

from midnight.domain.errors import InvalidInput

FNC1 = "\x1d"  # the group separator scanners send between variable-length fields
CONFIG = biip.ParseConfig(separator_chars=[FNC1])


@dataclass(frozen=True)
class Scan:
    """What one scan says about a delivered item."""

    gtin: str  # as the product's barcode is kept: 13 digits (EAN-13), or 8/12/14 when that is what it is
    batch: str | None = None  # AI 10
    expiry: dt.date | None = None  # AI 17: the use-by or expiry date
    best_before: dt.date | None = None  # AI 15

    @property
    def date(self) -> dt.date | None:
        """The date the lot is received with: expiry when printed, else best before."""
        return self.expiry or self.best_before

    @property
    def needs_date(self) -> bool:
        return self.date is None


def _gtin_text(gtin: biip.gtin.Gtin) -> str:
    """A GTIN inside a 14-digit (01) field, as the digits on the product's own barcode: an EAN-8,
    UPC-A (12) or EAN-13 loses the zeros the field pads it with; a GTIN-14 stays 14."""
    short = {
        biip.gtin.GtinFormat.GTIN_8: gtin.as_gtin_8,
        biip.gtin.GtinFormat.GTIN_12: gtin.as_gtin_12,
        biip.gtin.GtinFormat.GTIN_13: gtin.as_gtin_13,
    }.get(gtin.format)
    return short() if short is not None else gtin.value


DATE_AIS = {"17": "expiry date", "15": "best-before date", "11": "production date", "13": "packaging date"}


def _why(error: object) -> str:
    """biip's reason, in words: a date field that does not match its pattern is a date that can't be."""
    text = str(error)
    found = re.search(r"Failed to match '(\d{2})(\d*)' with GS1 AI \((\d{2})\)", text)
    if found and found.group(3) in DATE_AIS:
        return f"the {DATE_AIS[found.group(3)]} in ({found.group(3)}) is {found.group(2)!r}, not a real date YYMMDD"
    return text


def read(code: str) -> Scan:
    """Parse one scan; a GS1 string with (01) fills the product, batch and dates at once."""
    text = code.strip()
    if not text:
        raise InvalidInput("nothing was scanned", field="code")
    if len(text) > 200:
        raise InvalidInput("a scan is at most 200 characters", field="code")
    if text.startswith("("):
        try:
            message = GS1Message.parse_hri(text)
        except Exception as exc:  # biip's ParseError and friends: say what it said
            raise InvalidInput(f"can't read the GS1 code {text!r}: {_why(exc)}", field="code") from exc
    else:
        result = biip.parse(text, config=CONFIG)
        if result.gs1_message is None:
            if result.gtin is not None:
                return Scan(gtin=_gtin_text(result.gtin))
            why = result.gtin_error or result.gs1_message_error or "not a barcode biip knows"
            raise InvalidInput(f"can't read the scan {text!r}: {_why(why)}", field="code")
        message = result.gs1_message
    if len(message.element_strings.filter(ai="01")) > 1:  # two codes read as one: say so, take neither
        raise InvalidInput(
            f"the scan {text[:60]!r} holds more than one product's code (01): scan one pack at a time",
            field="code",
        )
    found = message.element_strings.get(ai="01")
    if found is not None and found.gtin is None and found.gtin_error:
        raise InvalidInput(f"can't read the GS1 code {text!r}: {found.gtin_error}", field="code")
    if found is None or found.gtin is None:
        raise InvalidInput(f"the GS1 code {text!r} names no product: it has no (01) GTIN", field="code")
    batch = message.element_strings.get(ai="10")
    expiry = message.element_strings.get(ai="17")
    best = message.element_strings.get(ai="15")
    return Scan(
        gtin=_gtin_text(found.gtin),
        batch=batch.value if batch is not None else None,
        expiry=expiry.date if expiry is not None else None,
        best_before=best.date if best is not None else None,
    )
