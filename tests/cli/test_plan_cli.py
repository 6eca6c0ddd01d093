"""midnight plan suggest / accept / unsold and the buying reports, through Typer's runner."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli.app import CliState
from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.purchasing import AddSupplier, SupplyProduct
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.domain.clock import FixedClock, start_of_day
from midnight.services import catalog, stock, suppliers
from tests.conftest import NOW, TODAY, shop_from

runner = CliRunner()
DAYS = 21


def run(db: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", str(db), *args], obj=CliState(clock=FixedClock(NOW), user="cli"))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result.stdout if code == 0 else result.stderr


@pytest.fixture(scope="module")
def seeded(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Milk, 10 a day for three weeks; 30 more that are good only until tomorrow; a dairy."""
    path = tmp_path_factory.mktemp("plan") / "shop.db"
    clock = FixedClock(NOW)
    ctx = shop_from(template_db, path, clock)
    catalog.add_product(ctx, AddProduct(sku="MILK", name="Milk", expiry_kind="use_by", shelf_life_days=7))
    clock.instant = start_of_day(TODAY - dt.timedelta(days=DAYS), ctx.store.tz) + dt.timedelta(hours=8)
    stock.receive(
        ctx, ReceiveLot(sku="MILK", quantity=10 * DAYS, cost="1", expires=TODAY + dt.timedelta(days=30))
    )
    for day in range(DAYS, 0, -1):
        clock.instant = start_of_day(TODAY - dt.timedelta(days=day), ctx.store.tz) + dt.timedelta(hours=12)
        stock.sell(ctx, DrawStock(sku="MILK", quantity=10))
    clock.instant = NOW
    stock.receive(ctx, ReceiveLot(sku="MILK", quantity=30, cost="2", expires=TODAY + dt.timedelta(days=1)))
    suppliers.add_supplier(ctx, build(AddSupplier, {"name": "Dairy", "delivery_days": ["mon", "thu"]}))
    suppliers.supply_product(
        ctx, "Dairy", build(SupplyProduct, {"sku": "MILK", "pack_size": "12", "cost": "14.50"})
    )
    ctx.db.dispose()
    return path


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    shutil.copyfile(seeded, tmp_path / "shop.db")
    return tmp_path / "shop.db"


def test_suggest_accept_and_report_what_was_suggested_against_ordered(db: Path) -> None:
    shown = run(db, "plan", "suggest", "Dairy")
    assert "order today for Thu 2026-11-26" in shown and "MILK" in shown
    (line,) = json.loads(run(db, "plan", "suggest", "Dairy", "--json"))["lines"]
    made = run(db, "plan", "accept", "Dairy", "MILK=12")
    assert "draft PO-00001 for Dairy" in made and f"MILK: 12 each (suggested {line['quantity']})" in made
    run(db, "po", "send", "PO-00001")  # a draft has ordered nothing yet
    text = run(db, "report", "suggested-vs-ordered", "--start", str(TODAY), "--end", str(TODAY), "--csv")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert (row["sku"], row["suggested"], row["ordered"]) == ("MILK", line["quantity"], "12")


def test_unsold_lists_the_lot_and_what_to_do(db: Path) -> None:
    listing = run(db, "plan", "unsold", "--days", "3")
    assert "Will expire unsold" in listing and "kitchen" in listing
    found = json.loads(run(db, "plan", "unsold", "--json"))
    assert [(lot["left"], lot["action"]["kind"]) for lot in found["lots"]] == [("10", "kitchen")]


def test_reports_print_tables_and_bad_input_one_clear_line(db: Path) -> None:
    week = ["--start", str(TODAY - dt.timedelta(days=7)), "--end", str(TODAY - dt.timedelta(days=1))]
    assert "WeekdayAverage" in run(db, "report", "forecast-vs-actual", *week)
    assert run(db, "report", "waste-share", *week) == "nothing in that period\n"
    error = run(db, "report", "forecast-vs-actual", "--start", "2026-01-01", "--end", "2026-11-20", code=2)
    assert "at most that many days" in error and len(error.strip().splitlines()) == 1
    assert "no supplier is called 'Nobody'" in run(db, "plan", "suggest", "Nobody", code=2)
    bad = runner.invoke(
        app,
        ["--db", str(db), "plan", "accept", "Dairy", "MILK"],
        obj=CliState(clock=FixedClock(NOW), user="cli"),
    )
    assert bad.exit_code == 2 and "must look like SKU=QTY" in bad.stderr
    assert "days" in run(db, "plan", "unsold", "--days", "30", code=2)
