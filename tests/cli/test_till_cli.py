"""Till commands through the CLI: menu, orders, refunds, receipts, reports, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.cli.test_cli import Cli, ledger_size
from tests.conftest import TODAY


@pytest.fixture
def bar(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "bar.db")
    c("product", "add", "PINE", "Tinned pineapple", "--kind", "best_before", "--shelf-life", "365")
    c("product", "add", "LETTUCE", "Lettuce", "--unit", "kg", "--shelf-life", "5")
    c("product", "add", "HAM", "Ham slice", "--shelf-life", "5")
    c("receive", "PINE", "10", "--cost", "9")
    c("receive", "LETTUCE", "2", "--cost", "20")
    c("receive", "HAM", "20", "--cost", "1.5")
    c("menu", "add", "TIN", "Tinned pineapple 罐頭菠蘿", "--price", "18", "--product", "PINE")
    c(
        "menu",
        "add",
        "SALAD",
        "廚師沙律 Chef's salad",
        "--price",
        "38",
        "--recipe",
        "LETTUCE=0.1",
        "--recipe",
        "HAM=2",
    )
    return c


def test_menu_list_show_and_price(bar: Cli) -> None:
    items = bar.json("menu", "list")
    assert [i["code"] for i in items] == ["TIN", "SALAD"] or [i["code"] for i in items] == ["SALAD", "TIN"]  # type: ignore[index]
    assert "HK$38.00" in bar("menu", "list")
    assert "0.1 kg LETTUCE" in bar("menu", "show", "SALAD")
    assert "TIN now HK$20.00" in bar("menu", "price", "TIN", "20")
    assert [p["price"] for p in bar.json("menu", "show", "TIN")["prices"]] == [2000, 1800]  # type: ignore[index]


def test_an_item_taken_off_the_menu_is_not_sold_until_it_is_put_back(bar: Cli) -> None:
    assert "TIN is off the menu" in bar("menu", "off", "TIN")
    refused = bar("order", "new", "TIN", "--cash", "20", code=2)
    assert "menu item TIN is not on sale" in refused
    assert "TIN is on the menu again at HK$18.00" in bar("menu", "on", "TIN")
    assert "Order #1" in bar("order", "new", "TIN", "--cash", "20")


def test_reduce_to_clear_is_set_and_cleared_from_the_cli(bar: Cli) -> None:
    said = bar("menu", "markdown", "TIN", "--days", "3", "--percent", "40")
    assert "TIN: 40% off from 3 day(s) before expiry" in said
    assert "40% off from 3 day(s)" in bar("menu", "show", "TIN")
    assert "a markdown needs both days" in bar("menu", "markdown", "TIN", "--days", "3", code=2)
    assert "not both" in bar("menu", "markdown", "TIN", "--clear", "--days", "3", code=2)
    assert "TIN: no reduce to clear" in bar("menu", "markdown", "TIN", "--clear")


def test_ring_up_pay_cash_and_see_the_receipt(bar: Cli) -> None:
    out = bar("order", "new", "SALAD:2:no onion", "TIN", "--cash", "100")
    assert "Order #1" in out and "TOTAL" in out and "HK$94.00" in out and "Change" in out and "HK$6.00" in out
    assert "(no onion)" in out
    assert bar.json("stock", "HAM")[0]["on_hand"] == "16"  # type: ignore[index]
    receipt = bar("receipt", "1", "--width", "58")
    assert max(len(line) for line in receipt.splitlines()) <= 32


def test_retrying_with_the_same_key_records_one_order(bar: Cli) -> None:
    bar("order", "new", "TIN", "--key", "till-1-0007", "--cash", "20")
    out = bar("order", "new", "TIN", "--key", "till-1-0007", "--cash", "20")
    assert "already recorded with this key; nothing new written" in out
    assert len(bar.json("order", "list")) == 1  # type: ignore[arg-type]
    err = bar("order", "new", "TIN:2", "--key", "till-1-0007", "--cash", "40", code=2)
    assert "already used for a different order" in err


def test_open_then_pay_split_then_refund(bar: Cli) -> None:
    order = bar.json("order", "new", "SALAD", "--line-discount", "1:10%:staff")
    assert order["state"] == "open" and order["total"] == 3420  # type: ignore[index]
    paid = bar.json("order", "pay", "1", "--card", "20", "--cash", "20")
    assert paid["state"] == "paid" and [p["change"] for p in paid["payments"]] == [0, 580]  # type: ignore[index]
    # Money goes back the way it came: never more to a method than it paid.
    err = bar("order", "refund", "1", "--method", "card", "--reason", "hair", code=2)
    assert "only HK$20.00 of this order's card payment is left to refund" in err and err.count("\n") == 1
    out = bar("order", "refund", "1", "--reason", "hair")
    assert "refunded HK$20.00 to card and HK$14.20 to cash on order #1 (refunded)" in out
    shown = bar.json("order", "show", "1")
    assert shown["state"] == "refunded"  # type: ignore[index]
    assert [(r["method"], r["amount"]) for r in shown["refunds"]] == [("card", 2000), ("cash", 1420)]  # type: ignore[index]


def test_a_part_refund_to_a_named_method(bar: Cli) -> None:
    bar("order", "new", "SALAD", "TIN", "--card", "18", "--cash", "40")
    out = bar("order", "refund", "1", "--line", "2:1", "--method", "card", "--reason", "dented")
    assert "refunded HK$18.00 to card on order #1 (partly_refunded)" in out
    assert "refunded HK$38.00 to cash on order #1 (refunded)" in bar(
        "order", "refund", "1", "--reason", "hair"
    )


def test_void_and_reports(bar: Cli) -> None:
    bar("order", "new", "TIN", "--cash", "20")
    bar("order", "new", "SALAD")
    assert "order #2 voided" in bar("order", "void", "2", "--reason", "left")
    x = bar.json("report", "x")
    assert (x["orders"], x["voids"], x["net_sales"], x["cash_expected"]) == (1, 1, 1800, 1800)  # type: ignore[index]
    out = bar("report", "z", "--date", "2026-11-25")
    assert "Z report (day closed)" in out and "Cash expected in drawer" in out
    assert "business day Wed 2026-11-25" in out
    err = bar("report", "z", "--date", "2026-11-25", code=2)
    assert "2026-11-25 was already closed" in err
    assert "Z report" in bar("report", "z", "--date", "2026-11-25", "--reprint")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["order", "new", "NOPE"], "unknown menu item NOPE"),
        (["order", "new", "TIN:-1"], "line 1: quantity must be greater than zero"),
        (["order", "new", "TIN:x"], "line 1: quantity must be a number"),
        (["order", "new", "SALAD:30", "--cash", "2000"], "not enough sellable stock of LETTUCE"),
        (["order", "new", "TIN", "--cash", "5"], "short of the total"),
        (["order", "new", "TIN", "--discount", "10%"], "needs a reason"),
        (["order", "new", "TIN", "--line-discount", "3:10%:x"], "names no line"),
        (["order", "pay", "99", "--cash", "5"], "no order #99"),
        (["order", "pay", "abc", "--cash", "5"], "order must be a number"),
        (["order", "pay", "99999999999999999999", "--cash", "5"], "order must be a number from 1 to"),
        (["order", "refund", "1", "--reason", "x"], "no order #1"),
        (["menu", "add", "X", "X", "--price", "-1", "--product", "PINE"], "must not be negative"),
        (["menu", "add", "X", "X", "--price", "1", "--recipe", "HAM"], "must look like SKU=QTY"),
        (["receipt", "1"], "no order #1"),
        (["report", "x", "--date", "2026-02-30"], "not a real calendar date"),
        (["report", "z", "--date", "2027-01-01"], "has not started yet"),
    ],
)
def test_bad_till_input_prints_one_line_exits_2_and_writes_nothing(
    bar: Cli, args: list[str], message: str
) -> None:
    ledger = ledger_size(bar)
    err = bar(*args, code=2)
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert ledger_size(bar) == ledger
    assert bar.json("order", "list") == []


def test_a_named_tender_and_a_paper_sale_from_the_command_line(bar: Cli) -> None:
    assert "the till now takes Octopus" in bar("tender", "add", "Octopus")
    out = bar("order", "new", "TIN", "--other", "octopus=18")
    assert "Octopus" in out and "HK$18.00" in out
    assert "TENDER=AMOUNT" in bar("order", "new", "TIN", "--other", "18", code=2)
    assert "it takes Octopus" in bar("order", "new", "TIN", "--other", "FPS=18", code=2)
    assert "Octopus" in bar("tender", "list")
    assert "no longer takes Octopus" in bar("tender", "retire", "OCTOPUS")
    # a paper sale from before the menu had the item is refused, and says why (the CLI's clock is NOW)
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    err = bar("order", "new", "TIN", "--cash", "20", "--sold-at", f"{yesterday} 12:00", code=2)
    assert "had no price yet at that time" in err
    err = bar("order", "new", "TIN", "--cash", "20", "--sold-at", "lunchtime", code=2)
    assert "like 2026-11-24 13:05" in err
