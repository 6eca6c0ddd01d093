"""GET /api/forecasts (paged) and /api/forecasts/backtest: owner only, documented, bounded input."""

from __future__ import annotations

import datetime as dt

from midnight.commands.catalog import AddProduct
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.domain.clock import FixedClock, start_of_day
from midnight.services import catalog, stock
from tests.conftest import NOW, TODAY
from tests.e2e.conftest import Api, assert_error

DAYS = 35


def seed(api: Api, clock: FixedClock) -> None:
    """Tea sold at noon for five weeks; water stocked but never sold."""
    ctx = api.ctx

    def at(day: int, hour: int) -> None:
        clock.instant = start_of_day(TODAY - dt.timedelta(days=DAYS - day), ctx.store.tz) + dt.timedelta(
            hours=hour
        )

    at(0, 8)
    for sku in ("TEA", "WATER"):
        catalog.add_product(
            ctx, AddProduct(sku=sku, name=sku.title(), expiry_kind="best_before", shelf_life_days=365)
        )
        stock.receive(ctx, ReceiveLot(sku=sku, quantity=200, cost="2"))
    for d in range(DAYS):
        at(d, 12)
        stock.sell(ctx, DrawStock(sku="TEA", quantity=2 + d % 7))
    clock.instant = NOW


def test_forecasts_page_by_sku_and_one_product(api: Api, clock: FixedClock) -> None:
    seed(api, clock)
    first = api.as_owner("GET", "/api/forecasts", params={"limit": 1, "horizon": 7})
    assert first.status_code == 200, first.text
    body = first.json()
    (tea,) = body["items"]
    assert tea["sku"] == "TEA" and tea["history_days"] == DAYS and tea["method"] == "WeekdayAverage"
    assert len(tea["days"]) == 7 and tea["days"][0] == {
        "date": str(TODAY),
        "mean": "2",
        "low": None,
        "high": None,
    }
    assert tea["total"] == str(sum(2 + d % 7 for d in range(DAYS - 35, DAYS - 28)))  # the last 4 weeks repeat
    rest = api.as_owner("GET", "/api/forecasts", params={"limit": 1, "cursor": body["next_cursor"]}).json()
    assert [f["sku"] for f in rest["items"]] == ["WATER"] and rest["next_cursor"] is None
    assert rest["items"][0]["total"] == "0" and rest["items"][0]["history_days"] == DAYS
    one = api.as_owner("GET", "/api/forecasts", params={"sku": "WATER"}).json()
    assert [f["sku"] for f in one["items"]] == ["WATER"]


def test_backtest_scores_each_method_against_seasonal_naive(api: Api, clock: FixedClock) -> None:
    seed(api, clock)
    response = api.as_owner("GET", "/api/forecasts/backtest", params={"days": 35})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["baseline"] == "SeasonalNaive" and body["methods"] == [
        "SeasonalNaive",
        "WeekdayAverage",
        "Chosen",
    ]
    tea = next(p for p in body["products"] if p["sku"] == "TEA")
    # A weekly pattern repeating exactly: every method that repeats the weeks is exact.
    assert tea["scored_days"] == 28 and {(s["method"], s["wape"]) for s in tea["scores"]} == {
        ("SeasonalNaive", 0.0),
        ("WeekdayAverage", 0.0),
        ("Chosen", 0.0),
    }
    water = next(p for p in body["products"] if p["sku"] == "WATER")
    assert all(s["wape"] is None for s in water["scores"])  # nothing sold: nothing to weigh errors by


def test_forecasts_are_the_owners_and_bad_bounds_say_what_is_wrong(api: Api) -> None:
    assert_error(api.as_staff("GET", "/api/forecasts"), 403, "forbidden")
    assert_error(api.as_staff("GET", "/api/forecasts/backtest"), 403, "forbidden")
    assert_error(
        api.as_owner("GET", "/api/forecasts", params={"horizon": 15}),
        422,
        "invalid_input",
        "horizon must be between 1 and 14, got 15",
        "horizon",
    )
    assert_error(
        api.as_owner("GET", "/api/forecasts/backtest", params={"days": 3}),
        422,
        "invalid_input",
        "days must be between 35 and 730, got 3",
        "days",
    )
    assert_error(
        api.as_owner("GET", "/api/forecasts", params={"sku": "NOPE"}), 404, "not_found", "unknown SKU NOPE"
    )


def test_the_openapi_document_describes_the_answers(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    ok = schema["paths"]["/api/forecasts"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ForecastPage"}
    models = schema["components"]["schemas"]
    assert "out_of_stock_days" in models["ProductForecastOut"]["properties"]
    assert "mase" in models["ScoreOut"]["properties"] and "BacktestOut" in models
    params = {p["name"] for p in schema["paths"]["/api/forecasts/backtest"]["get"]["parameters"]}
    assert params == {"sku", "days"}
