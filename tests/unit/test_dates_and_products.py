import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from midnight.domain.clock import FixedClock, parse_date, start_of_day, today
from midnight.domain.errors import InvalidInput
from midnight.domain.product import ExpiryKind, check_barcode, check_sku

HK = ZoneInfo("Asia/Hong_Kong")


def test_today_is_the_local_calendar_date_in_the_store_zone() -> None:
    # 16:30 UTC on the 24th is already 00:30 on the 25th in Hong Kong.
    clock = FixedClock(dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC))
    assert today(clock, HK) == dt.date(2026, 11, 25)


def test_today_rolls_over_when_the_clock_passes_midnight() -> None:
    clock = FixedClock(dt.datetime(2026, 11, 24, 15, 59, tzinfo=dt.UTC))
    assert today(clock, HK) == dt.date(2026, 11, 24)
    clock.advance(dt.timedelta(minutes=2))
    assert today(clock, HK) == dt.date(2026, 11, 25)


def test_start_of_day_is_local_midnight_in_utc() -> None:
    assert start_of_day(dt.date(2026, 11, 25), HK) == dt.datetime(2026, 11, 24, 16, 0, tzinfo=dt.UTC)


def test_fixed_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        FixedClock(dt.datetime(2026, 11, 25))


@pytest.mark.parametrize(
    ("text", "message"),
    [("2026-02-30", "not a real calendar date"), ("25/11/2026", "like 2026-12-31"), ("", "like")],
)
def test_refuses_malformed_or_impossible_dates(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_date(text, field="expires")


@pytest.mark.parametrize("code", ["4006381333931", "96385074", "012345678905", "4006-3813-33931"])
def test_accepts_ean13_ean8_and_upca(code: str) -> None:
    assert check_barcode(code) == code.replace("-", "")


def test_refuses_a_bad_check_digit() -> None:
    with pytest.raises(InvalidInput, match="bad check digit"):
        check_barcode("4006381333932")


@pytest.mark.parametrize("code", ["12345", "40063813339311", "ABCDEFGHIJKLM"])
def test_refuses_barcodes_of_the_wrong_shape(code: str) -> None:
    with pytest.raises(InvalidInput, match="EAN-13, EAN-8 or UPC-A"):
        check_barcode(code)


def test_no_barcode_is_fine() -> None:
    assert check_barcode(None) is None
    assert check_barcode("  ") is None


def test_skus_are_normalised_and_checked() -> None:
    assert check_sku(" pine-567 ") == "PINE-567"
    with pytest.raises(InvalidInput, match="SKU"):
        check_sku("bad sku!")


def test_expiry_kind_parses_friendly_spellings() -> None:
    assert ExpiryKind.parse("best-before") is ExpiryKind.BEST_BEFORE
    with pytest.raises(InvalidInput, match="use_by or best_before"):
        ExpiryKind.parse("sell_by")
