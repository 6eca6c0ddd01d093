"""Order suggestions, accepting them, will-expire-unsold and the buying reports over HTTP (CSV too)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.purchasing import AddSupplier, SupplyProduct
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.domain.clock import FixedClock, start_of_day
from midnight.services import catalog, stock, suppliers
from tests.conftest import NOW, TODAY
from tests.e2e.conftest import Api, assert_error

DAYS = 21


def seed(api: Api, clock: FixedClock) -> None:
    """Milk, 10 a day for three weeks; a supplier delivering Monday and Thursday."""
    ctx = api.ctx
    catalog.add_product(ctx, AddProduct(sku="MILK", name="Milk", expiry_kind="use_by", shelf_life_days=7))
    clock.instant = start_of_day(TODAY - dt.timedelta(days=DAYS), ctx.store.tz) + dt.timedelta(hours=8)
    stock.receive(
        ctx, ReceiveLot(sku="MILK", quantity=10 * DAYS, cost="1", expires=TODAY + dt.timedelta(days=30))
    )
    for day in range(DAYS, 0, -1):
        clock.instant = start_of_day(TODAY - dt.timedelta(days=day), ctx.store.tz) + dt.timedelta(hours=12)
        stock.sell(ctx, DrawStock(sku="MILK", quantity=10))
    clock.instant = NOW
    suppliers.add_supplier(ctx, build(AddSupplier, {"name": "Dairy", "delivery_days": ["mon", "thu"]}))
    suppliers.supply_product(
        ctx, "Dairy", build(SupplyProduct, {"sku": "MILK", "pack_size": "12", "cost": "14.50"})
    )


def test_a_suggestion_is_shown_accepted_into_a_draft_and_reported(api: Api, clock: FixedClock) -> None:
    seed(api, clock)
    shown = api.as_owner("GET", "/api/order-suggestions", params={"supplier": "Dairy"})
    assert shown.status_code == 200, shown.text
    body = shown.json()
    (line,) = body["lines"]
    assert body["delivery"] == "2026-11-26" and line["sku"] == "MILK" and line["quantity"] == "60"
    assert line["packs"] == 5 and line["cost"] == 60 * 1450 and line["service_from"] == "ingredient"
    made = api.as_owner(
        "POST",
        "/api/order-suggestions/accept",
        json={"supplier": "Dairy", "changes": [{"sku": "MILK", "quantity": "36"}]},
    )
    assert made.status_code == 201, made.text
    (ordered,) = made.json()["lines"]
    assert (ordered["quantity"], ordered["suggested"]) == ("36", "60")  # in the unit, as everywhere
    assert made.json()["order"]["number"] == "PO-00001"
    assert api.as_owner("POST", "/api/purchase-orders/PO-00001/send").status_code == 200
    report = api.as_owner(
        "GET",
        "/api/reports/suggested-vs-ordered",
        params={"start": str(TODAY), "end": str(TODAY), "format": "csv"},
    )
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert "suggested-vs-ordered" in report.headers["content-disposition"]
    (row,) = list(csv.DictReader(io.StringIO(report.text)))
    assert (row["sku"], row["suggested"], row["ordered"], row["change"]) == ("MILK", "60", "36", "-40.0")
    as_json = api.as_owner(
        "GET", "/api/reports/suggested-vs-ordered", params={"start": str(TODAY), "end": str(TODAY)}
    )
    assert as_json.json()[0]["ordered"] == "36"


def test_will_expire_unsold_and_the_forecast_report(api: Api, clock: FixedClock) -> None:
    seed(api, clock)
    stock.receive(
        api.ctx, ReceiveLot(sku="MILK", quantity=30, cost="2", expires=TODAY + dt.timedelta(days=1))
    )
    found = api.as_staff("GET", "/api/stock/will-expire-unsold", params={"days": 3})
    assert found.status_code == 200, found.text
    (lot,) = found.json()["lots"]
    assert (lot["left"], lot["cost"], lot["action"]["kind"]) == ("10", 2000, "kitchen")
    week = {"start": str(TODAY - dt.timedelta(days=7)), "end": str(TODAY - dt.timedelta(days=1))}
    (milk,) = api.as_owner("GET", "/api/reports/forecast-vs-actual", params=week).json()
    assert (milk["forecast"], milk["actual"], milk["wape"]) == ("70", "70", "0.0")
    waste = api.as_owner("GET", "/api/reports/waste-share", params={**week, "format": "csv"})
    assert waste.text.splitlines() == ["sku,product,reason,wasted,wasted_cost,received,received_cost,percent"]


def test_bad_input_and_roles(api: Api, clock: FixedClock) -> None:
    seed(api, clock)
    assert_error(
        api.as_owner("GET", "/api/order-suggestions", params={"supplier": "Nobody"}),
        404,
        "not_found",
        "no supplier",
    )
    assert_error(
        api.as_staff("GET", "/api/order-suggestions", params={"supplier": "Dairy"}), 403, "forbidden"
    )
    assert_error(
        api.as_owner("GET", "/api/stock/will-expire-unsold", params={"days": 30}),
        422,
        "invalid_input",
        field="days",
    )
    assert_error(
        api.as_owner(
            "GET",
            "/api/reports/forecast-vs-actual",
            params={"start": str(TODAY - dt.timedelta(days=30)), "end": str(TODAY - dt.timedelta(days=1))},
        ),
        422,
        "invalid_input",
        "at most that many days",
        field="end",
    )
    assert_error(
        api.as_owner(
            "GET",
            "/api/reports/waste-share",
            params={"start": str(TODAY), "end": str(TODAY), "format": "xls"},
        ),
        422,
        "invalid_input",
    )
    assert_error(
        api.as_staff("GET", "/api/reports/waste-share", params={"start": str(TODAY), "end": str(TODAY)}),
        403,
        "forbidden",
    )
    assert_error(
        api.as_owner(
            "POST",
            "/api/order-suggestions/accept",
            json={"supplier": "Dairy", "changes": [{"sku": "MILK", "quantity": "0"}]},
        ),
        409,
        "conflict",
        "every suggestion is 0",
    )
