"""midnight forecast show / backtest through Typer's runner, on a shop seeded through the services."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli import output as cli_output
from midnight.cli.app import CliState
from midnight.commands.catalog import AddProduct
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.domain.clock import FixedClock, start_of_day
from midnight.services import catalog, stock
from midnight.services.context import Context
from tests.conftest import NOW, TODAY, shop_from

runner = CliRunner()
DAYS = 56
WEEK = [3, 2, 2, 3, 4, 6, 5]


def run(db: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", str(db), *args], obj=CliState(clock=FixedClock(NOW), user="cli"))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result.stdout if code == 0 else result.stderr


def at(ctx: Context, clock: FixedClock, day: int, hour: int) -> None:
    clock.instant = start_of_day(TODAY - dt.timedelta(days=DAYS - day), ctx.store.tz) + dt.timedelta(
        hours=hour
    )


@pytest.fixture(scope="module")
def seeded(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lemon tea sold every day for 8 weeks on a weekly pattern (the shop shut on day 30); buns
    only just added. Made once for the module: the commands only read it."""
    path = tmp_path_factory.mktemp("forecast") / "shop.db"
    clock = FixedClock(NOW)
    ctx = shop_from(template_db, path, clock)
    at(ctx, clock, 0, 8)
    catalog.add_product(
        ctx, AddProduct(sku="TEA", name="Lemon tea 檸檬茶", expiry_kind="best_before", shelf_life_days=365)
    )
    catalog.add_product(
        ctx, AddProduct(sku="BUN", name="Pineapple bun", expiry_kind="best_before", shelf_life_days=3)
    )
    stock.receive(ctx, ReceiveLot(sku="TEA", quantity=500, cost="3"))
    for d in range(DAYS):
        if d != 30:
            at(ctx, clock, d, 12)
            stock.sell(ctx, DrawStock(sku="TEA", quantity=WEEK[d % 7] + d % 2))
    ctx.db.dispose()
    return path


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    shutil.copyfile(seeded, tmp_path / "shop.db")
    return tmp_path / "shop.db"


def test_forecast_show_lists_each_product_and_one_product_by_day(db: Path) -> None:
    found = json.loads(run(db, "forecast", "show", "--json"))
    tea = next(f for f in found if f["sku"] == "TEA")
    assert (tea["history_days"], tea["closed_days"], tea["out_of_stock_days"]) == (DAYS, 1, 0)
    assert (
        tea["method"] != "WeekdayAverage" and len(tea["days"]) == 14 and tea["days"][0]["date"] == str(TODAY)
    )
    bun = next(f for f in found if f["sku"] == "BUN")
    assert bun["history_days"] == 0 and bun["total"] == "0" and bun["method"] == "WeekdayAverage"
    listing = run(db, "forecast", "show")
    assert "TEA" in listing and "Lemon tea 檸檬茶" in listing and tea["method"] in listing
    one = run(db, "forecast", "show", "--product", "TEA", "--horizon", "3")
    assert (
        f"TEA Lemon tea 檸檬茶: {tea['method']}, learned from {DAYS} days (1 closed, 0 out of stock)" in one
    )
    assert f"{TODAY:%a %Y-%m-%d}" in one and "Total" in one and "–" in one  # an interval per day


def test_forecast_backtest_prints_wape_and_mase_per_method_and_clean_json(db: Path) -> None:
    out = run(db, "forecast", "backtest", "--json")
    result = json.loads(out)  # nothing but JSON on stdout: no progress bar in it
    assert result["baseline"] == "SeasonalNaive" and result["days"] == 28
    assert result["methods"][0] == "SeasonalNaive" and result["methods"][-1] == "Chosen"
    tea = next(p for p in result["products"] if p["sku"] == "TEA")
    assert tea["scored_days"] == 27 and {s["method"] for s in tea["scores"]} == set(result["methods"])
    bun = next(p for p in result["products"] if p["sku"] == "BUN")
    assert bun["scores"] == [] and bun["chosen"] == ""
    table = run(db, "forecast", "backtest")
    assert "Overall" in table and "SeasonalNaive" in table and "too little history" in table
    naive = next(s for s in tea["scores"] if s["method"] == "SeasonalNaive")
    assert f"{naive['wape']:.3f} / {naive['mase']:.2f}" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "--horizon", "30"), "error: horizon must be between 1 and 14, got 30"),
        (("show", "--days", "-3"), "error: days must be between 7 and 730, got -3"),
        (("show", "--product", "NOPE"), "error: unknown SKU NOPE"),
        (("backtest", "--days", "20"), "error: days must be between 35 and 730, got 20"),
        (("backtest", "--days", "many"), "error: days must be"),
    ],
)
def test_a_bad_argument_is_one_clear_line(db: Path, args: tuple[str, ...], message: str) -> None:
    err = run(db, "forecast", *args, code=2)
    assert err.startswith(message) and err.count("\n") == 1


def test_the_progress_bar_goes_to_a_watching_terminal_on_stderr_never_into_json(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli_output, "err_console", Console(file=screen, force_terminal=True, width=100))
    result = json.loads(run(db, "forecast", "backtest", "--json"))
    assert [p["sku"] for p in result["products"]] == ["BUN", "TEA"]
    assert "Backtesting" in screen.getvalue() and "2/2" in screen.getvalue()
