"""Printers, tills, printed receipts and the cash drawer through the CLI, to a fake network printer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cli import Cli
from tests.fake_printer import CHINESE_MODE, CUT, KICK_PIN_5, FakePrinter, allow_loopback, refused_address


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    allow_loopback(monkeypatch)
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def shop(tmp_path: Path, printer: FakePrinter) -> Cli:
    c = Cli(tmp_path / "shop.db")
    c("product", "add", "PINE", "Tinned pineapple", "--kind", "best_before", "--shelf-life", "365")
    c("receive", "PINE", "10", "--cost", "9")
    c("menu", "add", "TIN", "Tinned pineapple 罐頭菠蘿", "--price", "18", "--product", "PINE")
    out = c("printer", "add", "Counter", "--network", printer.address, "--paper", "58", "--chinese", "big5")
    assert out.strip() == f"added printer Counter: network {printer.address}, 58 mm, Chinese as big5"
    assert c("till", "add", "Till 1").strip() == "added till Till 1"
    out = c("till", "set", "till 1", "--printer", "counter", "--drawer-pin", "5", "--auto-print")
    assert out.strip() == "Till 1: prints on Counter, drawer on pin 5, prints every sale"
    return c


def test_a_receipt_printed_from_the_cli_arrives_in_the_printers_chinese_mode(
    shop: Cli, printer: FakePrinter
) -> None:
    shop("order", "new", "TIN", "--cash", "20")
    out = shop("receipt", "1", "--print", "--till", "Till 1")
    assert out.strip() == "receipt of order #1: done on Counter (job 1)"
    (sent,) = printer.wait_for(1)
    assert CHINESE_MODE in sent and "罐頭菠蘿".encode("big5") in sent and CUT in sent
    assert KICK_PIN_5 not in sent  # a reprint never opens the drawer


def test_drawer_kick_and_a_test_page_then_the_jobs_list(shop: Cli, printer: FakePrinter) -> None:
    assert "drawer: done on Counter" in shop("drawer", "kick", "--till", "Till 1", "--reason", "change")
    assert "test page: done on Counter" in shop("printer", "test", "Counter")
    kick, test_page = printer.wait_for(2)
    assert KICK_PIN_5 in kick and b"Printer: Counter" in test_page
    jobs = shop.json("print-jobs")
    assert [(j["kind"], j["state"], j["reason"]) for j in jobs["items"]] == [  # type: ignore[index]
        ("test", "done", None),
        ("drawer", "done", "change"),
    ]
    listed = shop("print-jobs", "--limit", "1")
    assert "test" in listed and "drawer" not in listed


def test_a_printer_that_cannot_be_reached_is_one_clear_line_and_exit_code_1(shop: Cli) -> None:
    address = refused_address()
    shop("printer", "set", "Counter", "--network", address)
    shop("order", "new", "TIN", "--cash", "20")
    said = shop("receipt", "1", "--print", code=1)
    assert said.strip() == (
        f"error: receipt of order #1 not printed (job 1): Counter (network {address}) refused the "
        "connection: is the printer on, and is its address right?"
    )
    assert shop.json("order", "show", "1")["state"] == "paid"  # type: ignore[index]
    assert "refused the connection" in shop("print-jobs", "--state", "failed")


def test_bad_printer_and_till_settings_are_refused_in_one_line(shop: Cli) -> None:
    assert "VID:PID" in shop("printer", "add", "Back", "--usb", "epson", code=2)
    assert "--network, --usb or --serial" in shop("printer", "add", "Back", code=2)
    assert "one of --network, --usb or --serial" in shop(
        "printer", "add", "Back", "--usb", "04b8:0202", "--serial", "/dev/ttyS0", code=2
    )
    assert "pin 2 or 5" in shop("till", "set", "Till 1", "--drawer-pin", "7", code=2)
    assert "no printer Bar" in shop("till", "set", "Till 1", "--printer", "Bar", code=2)
    assert "--till and --printer go with --print" in shop("receipt", "1", "--till", "Till 1", code=2)
    assert "reason is required" in shop("drawer", "kick", "--till", "Till 1", code=2)
    printers = shop.json("printer", "list")
    assert [(p["name"], p["kind"], p["text_mode"]) for p in printers] == [("Counter", "network", "big5")]  # type: ignore[index]
    tills = shop.json("till", "list")
    assert tills == [  # type: ignore[comparison-overlap]
        {
            "id": 1,
            "name": "Till 1",
            "receipt_printer": "Counter",
            "drawer_pin": 5,
            "auto_print": True,
            "active": True,
        }
    ]
    assert "Till 1: no receipt printer, no cash drawer" in shop(
        "till", "set", "Till 1", "--printer", "none", "--drawer-pin", "none"
    )


def test_a_printer_off_the_shops_network_is_refused_by_the_cli(
    shop: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIDNIGHT_PRINTERS_ON_LOOPBACK")  # as in a shop
    for typed, says in (
        ("169.254.169.254", "169.254.169.254, the cloud's metadata service"),
        ("127.0.0.1:8122", "127.0.0.1, a loopback address"),
        ("[::ffff:127.0.0.1]", "127.0.0.1, a loopback address"),
        ("2130706433", "127.0.0.1, a loopback address"),
    ):
        said = shop("printer", "add", "Probe", "--network", typed, code=2)
        assert says in said and "must be on the shop's own network" in said
        assert says in shop("printer", "set", "Counter", "--network", typed, code=2)
    assert shop("printer", "add", "Back", "--network", "192.168.1.60").strip() == (
        "added printer Back: network 192.168.1.60:9100, 80 mm, Chinese as latin"
    )
