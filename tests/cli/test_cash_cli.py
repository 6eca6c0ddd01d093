"""Cash drawers, closing the day with a count, and finding a held item by its code, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import Cli


@pytest.fixture
def bar(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "bar.db")
    c("product", "add", "PINE", "Tinned pineapple", "--kind", "best_before", "--shelf-life", "365")
    c("receive", "PINE", "10", "--cost", "9")
    c("menu", "add", "TIN", "Tinned pineapple", "--price", "18", "--product", "PINE")
    return c


def test_a_shift_open_pay_out_close_by_notes_and_coins(bar: Cli) -> None:
    out = bar("drawer", "open", "Till 1", "--float", "200")
    assert "Till 1, cli" in out and "HK$200.00" in out
    bar("order", "new", "TIN", "--cash", "20")
    assert "pay-out of HK$5.00 recorded: ice" in bar("drawer", "pay-out", "5", "--reason", "ice")
    shown = bar("drawer", "show")
    assert "Expected in drawer" in shown and "HK$213.00" in shown and "pay-out HK$5.00 by cli: ice" in shown
    closed = bar("drawer", "close", "--count", "100=2", "--count", "10=1", "--count", "2=1")
    assert "Counted" in closed and "HK$212.00" in closed and "HK$1.00 short" in closed
    listed = bar.json("drawer", "list")
    assert listed[0]["count"]["over_short"] == -100  # type: ignore[index]
    err = bar("drawer", "pay-in", "5", "--reason", "x", code=2)
    assert "cli has no drawer open" in err and "--" not in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["drawer", "close", "--counted", "1"], "no drawer open"),
        (["drawer", "open", "Till 1", "--float", "-5"], "must not be negative"),
        (["drawer", "close", "--count", "100x2"], "must look like VALUE=PIECES"),
    ],
)
def test_bad_drawer_input_is_one_line(bar: Cli, args: list[str], said: str) -> None:
    err = bar(*args, code=2)
    assert err.startswith("error: ") and said in err and err.count("\n") == 1


def test_the_z_report_closes_the_day_named_with_the_count(bar: Cli) -> None:
    bar("order", "new", "TIN", "--cash", "20")
    out = bar("report", "z", "--date", "2026-11-25", "--counted", "18")
    assert "business day Wed 2026-11-25" in out and "Cash counted" in out and "exact" in out
    again = bar("report", "z", "--date", "2026-11-25", code=2)
    assert "Wed 2026-11-25 was already closed" in again
    assert bar.json("report", "z", "--date", "2026-11-25", "--reprint")["cash_counted"] == 1800  # type: ignore[index]
    assert "Missing option '--date'" in bar("report", "z", code=2)


def test_hold_for_someone_new_and_find_it_by_its_code(bar: Cli) -> None:
    err = bar("hold", "add", "keys", "--for", "Mrs Lee", code=2)
    assert "no customer is called 'Mrs Lee'" in err
    out = bar("hold", "add", "keys", "--for", "Mrs Lee", "--new-customer")
    assert "added customer #1: Mrs Lee" in out
    code = out.split("pickup code: ")[1].split()[0]
    found = bar("hold", "find", code)
    assert "keys for Mrs Lee" in found
    assert "no item waiting has the pickup code" in bar(
        "hold", "find", "000000" if code != "000000" else "111111", code=2
    )
