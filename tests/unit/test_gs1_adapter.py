"""What a scanner sends at receiving, read by biip: product, batch and dates in one scan."""

from __future__ import annotations

import datetime as dt

import pytest

from midnight.adapters.gs1 import FNC1, Scan, read
from midnight.domain.errors import InvalidInput


def test_a_gs1_128_scan_with_ai_17_gives_the_product_and_its_expiry() -> None:
    scan = read("]C1010489102816445617261231")
    assert scan == Scan(gtin="4891028164456", expiry=dt.date(2026, 12, 31))
    assert scan.date == dt.date(2026, 12, 31) and not scan.needs_date


def test_batch_and_best_before_after_a_group_separator_and_in_printed_form() -> None:
    scan = read(f"01048910281644561726123110ABC123{FNC1}15270101")
    assert (scan.batch, scan.expiry, scan.best_before) == (
        "ABC123",
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 1),
    )
    printed = read("(01)04891028164456(15)270131(10)B7")
    assert (printed.gtin, printed.batch, printed.date) == ("4891028164456", "B7", dt.date(2027, 1, 31))


def test_a_bare_ean_13_picks_the_product_and_asks_for_the_date() -> None:
    scan = read(" 4891028164456 ")
    assert scan.gtin == "4891028164456" and scan.needs_date


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("4891028164451", "check digit"),
        ("hello", "can't read the scan"),
        ("(01)123", "can't read the GS1 code"),
        ("(17)261231", "no (01) GTIN"),
        ("(01)00012345678905(17)270930(10)G1(01)04891028164456(17)271231", "more than one product's code"),
        ("(01)04891028164456(17)261322", "the expiry date in (17) is '261322', not a real date YYMMDD"),
        ("", "nothing was scanned"),
        ("0" * 201, "at most 200"),
    ],
)
def test_what_can_not_be_read_is_refused_with_the_reason(code: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=says.replace("(", r"\(").replace(")", r"\)")):
        read(code)


@pytest.mark.parametrize(
    ("code", "gtin"),
    [
        ("(01)00000096385074(17)261231", "96385074"),  # an EAN-8 in the 14-digit field
        ("(01)00012345678905(17)261231", "012345678905"),  # a UPC-A
        ("04006381333931", "4006381333931"),  # a bare GTIN-14 of an EAN-13
        ("(01)14006381333938", "14006381333938"),  # a case's own GTIN-14 stays 14
    ],
)
def test_a_gtin_comes_back_as_the_digits_on_the_products_own_barcode(code: str, gtin: str) -> None:
    assert read(code).gtin == gtin


def test_a_raw_scan_with_a_separator_between_variable_fields_is_read() -> None:
    """The batch (AI 10) has no fixed length: a date after it needs the group separator."""
    for code in ("]C1010400638133393110ABC\x1d17261231", "010400638133393110ABC\x1d17261231"):
        scan = read(code)
        assert (scan.gtin, scan.batch, scan.date) == ("4006381333931", "ABC", dt.date(2026, 12, 31))
