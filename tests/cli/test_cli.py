"""The CLI through Typer's runner: each command, --json, and one clear line for bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli.app import CliState
from midnight.domain.clock import FixedClock
from tests.conftest import NOW, TODAY

runner = CliRunner()


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.clock = FixedClock(NOW)

    def __call__(self, *args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["--db", str(self.db), *args], obj=CliState(clock=self.clock, user="cli"))
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result.stdout if code == 0 else result.stderr

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json"))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "cli.db")
    c("init")
    c("product", "add", "MILK", "Fresh milk 鮮奶", "--shelf-life", "7", "--opened-shelf-life", "3")
    c("product", "add", "PINE", "Tinned pineapple", "--kind", "best_before", "--barcode", "4006381333931")
    return c


def ledger(cli: Cli, *args: str) -> list[dict[str, object]]:
    """Every movement, newest first, following the ledger's pages as a script would."""
    movements: list[dict[str, object]] = []
    cursor: list[str] = []
    while True:
        page = cli.json("ledger", *args, "--limit", "1000", *cursor)
        movements += page["items"]  # type: ignore[index]
        if page["next_cursor"] is None:  # type: ignore[index]
            return movements
        cursor = ["--cursor", page["next_cursor"]]  # type: ignore[index]


def last_movement(cli: Cli, *args: str) -> dict[str, object]:
    return cli.json("ledger", *args, "--limit", "1")["items"][0]  # type: ignore[index,no-any-return]


def ledger_size(cli: Cli) -> int:
    return len(ledger(cli))


def test_init_reports_the_default_store(tmp_path: Path) -> None:
    out = Cli(tmp_path / "x.db").json("init")
    assert out == {
        "store": "Midnight Express",
        "timezone": "Asia/Hong_Kong",
        "currency": "HKD",
        "locale": "en_HK",
    }


def test_receive_sell_and_see_stock(cli: Cli) -> None:
    out = cli("receive", "MILK", "6", "--expires", "2026-11-28", "--cost", "18.50", "--location", "fridge")
    assert "received lot 1: 6 each of MILK into fridge, expires 2026-11-28" in out
    cli("receive", "MILK", "4", "--expires", "2026-11-26")
    sold = cli.json("sell", "MILK", "5")
    assert [(d["lot_id"], d["quantity"]) for d in sold["draws"]] == [(2, "4"), (1, "1")]  # type: ignore[index]
    stock = cli.json("stock", "MILK")
    assert stock[0]["on_hand"] == "5" and stock[0]["lots"][0]["location"] == "fridge"  # type: ignore[index]
    assert "MILK" in cli("stock")
    assert "fridge" in cli("stock", "--lots")


def test_product_list_and_show(cli: Cli) -> None:
    products = cli.json("product", "list")
    assert [p["sku"] for p in products] == ["MILK", "PINE"]  # type: ignore[index]
    shown = cli.json("product", "show", "4006381333931")
    assert shown["product"]["sku"] == "PINE"  # type: ignore[index]
    assert "Fresh milk 鮮奶" in cli("product", "show", "MILK")


def test_locations(cli: Cli) -> None:
    cli("location", "add", "Back fridge", "--kind", "fridge")
    assert "Back fridge" in [loc["name"] for loc in cli.json("location", "list")]  # type: ignore[index]


def test_open_move_count_waste_undo(cli: Cli) -> None:
    cli("receive", "MILK", "6", "--expires", "2026-12-01")
    opened = cli.json("open", "1")
    assert opened["effective_expiry"] == "2026-11-28"  # type: ignore[index]
    moved = cli.json("move", "1", "2", "freezer")
    assert moved["location"] == "freezer"  # type: ignore[index]
    assert "adjustment -1" in cli("count", "1", "2")
    out = cli("waste", "1", "1", "--reason", "spilt")
    assert "wrote off 1 of MILK from lot 1 (spilt)" in out
    last = last_movement(cli, "MILK")
    assert "undo of movement" in cli("undo", str(last["id"]))


def test_waste_expired_and_the_board(cli: Cli) -> None:
    cli("receive", "MILK", "3", "--cost", "10", "--received", "2026-11-15", "--expires", "2026-11-20")
    cli("receive", "MILK", "2", "--expires", "2026-11-26")
    board = cli.json("expiring", "--days", "3")
    assert [lot["status"] for lot in board["lots"]] == ["expired", "soon"]  # type: ignore[index]
    out = cli("waste", "--expired", "--yes")
    assert "total written off: 1 lot(s), HK$30.00" in out
    assert [lot["status"] for lot in cli.json("expiring")["lots"]] == ["soon"]  # type: ignore[index]


def test_import_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "lots.csv"
    path.write_text("sku,quantity,expires\nMILK,2,2026-11-30\nPINE,1,2027-01-01\n", encoding="utf-8")
    assert "imported 2 lots" in cli("import", str(path))
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,quantity,expires\nMILK,2,2026-11-30\nMILK,x,2026-11-30\n", encoding="utf-8")
    err = cli("import", str(bad), code=2)
    assert "bad.csv: 1 bad row(s), nothing imported" in err and "row 3: quantity must be a number" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sell", "NOPE", "1"], "unknown SKU NOPE"),
        (["sell", "MILK", "-3"], "quantity must be greater than zero, got -3"),
        (["sell", "MILK", "0"], "quantity must be greater than zero, got 0"),
        (["sell", "MILK", "1"], "not enough sellable stock of MILK: wanted 1, available 0"),
        (
            ["receive", "MILK", "2", "--expires", "2026-02-30"],
            "expires 2026-02-30 is not a real calendar date",
        ),
        (["receive", "MILK", "2", "--expires", "30/11/2026"], "expires must be a date like 2026-12-31"),
        (["receive", "MILK", "2", "--received", "2027-01-01"], "in the future"),
        (["receive", "MILK", "abc"], "quantity must be a number"),
        (["receive", "MILK", "0.5", "--expires", "2026-11-30"], "MILK is counted in whole units"),
        (["receive", "PINE", "1"], "no default shelf life"),
        (["product", "add", "EGG", "Eggs", "--barcode", "4006381333932"], "bad check digit"),
        (["product", "add", "EGG", "Eggs", "--kind", "sell_by"], "use_by or best_before"),
        (["waste", "1", "1"], "reason is required"),
        (["waste"], "give a LOT and QTY"),
        (["open", "77"], "no lot 77"),
        (["undo", "5"], "no movement 5"),
        (["move", "1", "1", "roof"], "unknown location 'roof'"),
        (["import", "/nonexistent.csv"], "cannot read"),
        (["expiring", "--days", "-2"], "days must be between"),
    ],
)
def test_bad_input_prints_one_line_exits_2_and_writes_nothing(
    cli: Cli, args: list[str], message: str
) -> None:
    cli("receive", "MILK", "1", "--expires", "2026-11-20", "--received", "2026-11-15")
    before = ledger_size(cli)
    err = cli(*args, code=2)
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1
    assert ledger_size(cli) == before


def test_usage_errors_are_one_line_too(cli: Cli) -> None:
    err = cli("sell", code=2)
    assert err == "error: Missing argument 'SKU'\n"


def test_the_actor_is_recorded(cli: Cli) -> None:
    cli("receive", "MILK", "1", "--expires", "2026-11-30")
    assert last_movement(cli)["actor"] == "cli"


def test_demo_loads_a_shop_with_history_and_a_board(tmp_path: Path) -> None:
    c = Cli(tmp_path / "demo.db")
    assert "demo loaded: 10 products, 90 days" in c("demo")
    board = c.json("expiring", "--days", "3")
    statuses = {lot["status"] for lot in board["lots"]}  # type: ignore[index]
    assert {"expired", "soon"} <= statuses
    assert len(ledger(c)) > 1000  # more than one page: every page is followed
    shelf = c("hold", "list")
    assert "Letter 信" in shelf and "Mr Chan 陳先生" in shelf  # regulars leave things for each other
    buying = c("po", "list")  # an order to receive at the door and a draft to send
    assert "Kowloon Dairy" in buying and "sent" in buying and "draft" in buying
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()  # the demo's history ends on the CLI's clock
    closed = c("report", "z", "--date", yesterday, "--counted", "0", code=2)
    assert "already closed" in closed  # yesterday's Z exists
    err = c("demo", code=2)
    assert "already has products" in err


def test_the_kitchen_uses_stock_fefo(cli: Cli) -> None:
    cli("receive", "MILK", "2", "--expires", "2026-11-30")
    cli("receive", "MILK", "2", "--expires", "2026-11-27")
    assert "used 1.5 of MILK" in cli("use", "MILK", "1.5")
    used = last_movement(cli, "MILK")
    assert used["kind"] == "use" and used["lot_id"] == 2 and used["quantity"] == "-1.5"
    assert "wanted 9, available 2.5" in cli("use", "MILK", "9", code=2)
