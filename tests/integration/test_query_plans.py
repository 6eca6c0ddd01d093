"""Reads bounded by what they show: every statement a page, a list or a report runs reaches the
tables that grow with history (orders, movements, payments ...) through an index, or reads them in
index order and stops at its LIMIT — never a full scan. Checked with SQLite's own query plans for
the statements exactly as the services send them. (bench/history.py measures the same at 1 and 3
years of a busy stand.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from midnight.commands.catalog import AddProduct, BoardQuery, LedgerQuery, StockQuery
from midnight.commands.counter import AddCustomer, HoldItem, MessageQuery, ShelfQuery
from midnight.commands.forecasts import BacktestQuery, ForecastQuery
from midnight.commands.planning import UnsoldQuery
from midnight.commands.purchasing import OrderQuery as PurchaseOrderQuery
from midnight.commands.stock import ReceiveLot, WriteOff
from midnight.commands.till import (
    AddMenuItem,
    CloseDay,
    OrderQuery,
    Period,
    PlaceOrder,
    RefundOrder,
    VoidOrder,
)
from midnight.domain.order import OrderState
from midnight.services import (
    analytics,
    buying_reports,
    catalog,
    customers,
    forecasts,
    holds,
    menu,
    notify,
    orders,
    planning,
    purchase_orders,
    reports,
    stock,
    views,
)
from midnight.services.context import Context
from tests.conftest import TODAY

GROWING = (
    "orders",
    "order_lines",
    "payments",
    "refunds",
    "refund_lines",
    "movements",
    "lots",
    "holds",
    "hold_events",
    "outbox",
    "login_attempts",
    "purchase_orders",
    "purchase_order_lines",
    "purchase_order_events",
    "purchase_receipts",
)


@contextmanager
def statements(ctx: Context) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not many:
            seen.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", capture)


# Columns with a handful of values: an index lookup on them alone still reads a share of history.
COARSE = re.compile(r"\((?:(?:kind|state|ok|active)=\? AND )*(?:kind|state|ok|active)=\?\)$")


def full_scans(ctx: Context, statement: str, parameters: Any) -> list[str]:
    with ctx.db.engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    ordered_page = "LIMIT" in statement.upper() and not any("TEMP B-TREE" in s for s in plan)
    bad = []
    for step in plan:
        words = step.split()
        if len(words) < 2 or words[1] not in GROWING or ordered_page:
            continue
        if words[0] == "SCAN" or (words[0] == "SEARCH" and COARSE.search(step)):
            bad.append(f"{step}  <-  {' '.join(statement.split())[:160]}")
    return bad


@pytest.fixture
def busy(sqlite_ctx: Context) -> Context:
    ctx = sqlite_ctx
    catalog.add_product(
        ctx, AddProduct(sku="PINE", name="Tinned pineapple", expiry_kind="best_before", shelf_life_days=365)
    )
    catalog.add_product(ctx, AddProduct(sku="HAM", name="Ham", unit="kg", shelf_life_days=5))
    menu.add_menu_item(
        ctx,
        AddMenuItem(
            code="TIN", name="Tin", price="18", product="PINE", markdown_days=2, markdown_percent="30"
        ),
    )
    menu.add_menu_item(
        ctx,
        AddMenuItem(
            code="SANDWICH", name="Ham sandwich", price="26", recipe=[{"sku": "HAM", "quantity": "0.05"}]
        ),
    )
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=500, cost="9"))
    stock.receive(ctx, ReceiveLot(sku="HAM", quantity=20, cost="120"))
    for n in range(30):
        orders.place_order(
            ctx,
            f"k{n}",
            PlaceOrder(
                lines=[{"code": "TIN"}, {"code": "SANDWICH"}],
                payments=[{"method": "cash" if n % 2 else "card", "amount": "50" if n % 2 else "44"}],
            ),
        )
    orders.refund_order(ctx, 1, RefundOrder(reason="dented", method="card"))
    opened = orders.place_order(ctx, "open", PlaceOrder(lines=[{"code": "TIN"}]))
    orders.void_order(ctx, opened.id, VoidOrder(reason="left"))
    stock.write_off(
        ctx, views.product_stock(ctx, "HAM").lots[0].id, WriteOff(quantity="0.5", reason="dropped")
    )
    chan = customers.add_customer(ctx, AddCustomer(name="Mr Chan", nickname="663"))
    for n in range(5):
        holds.hold_item(ctx, HoldItem(description=f"letter {n}", for_customer=f"#{chan.id}"))
    return ctx


READS: dict[str, Callable[[Context], object]] = {
    "x report": lambda c: reports.x_report(c),
    "orders, first page": lambda c: orders.list_orders(c, OrderQuery(limit=10)),
    "orders of a day": lambda c: orders.list_orders(c, OrderQuery(date=TODAY, limit=10)),
    "open orders": lambda c: orders.list_orders(c, OrderQuery(state=OrderState.OPEN, limit=10)),
    "one order": lambda c: orders.get_order(c, 3),
    "stock": lambda c: views.stock(c, StockQuery()),
    "one product's stock": lambda c: views.stock(c, StockQuery(sku="PINE")),
    "expiry board": lambda c: views.expiring(c, BoardQuery(days=7)),
    "board by state": lambda c: views.expiring(c, BoardQuery(days=365, state="later")),
    "ledger": lambda c: views.ledger(c, LedgerQuery(limit=20)),
    "a product's ledger": lambda c: views.ledger(c, LedgerQuery(sku="PINE", limit=20)),
    "the shelf": lambda c: holds.shelf(c, ShelfQuery()),
    "every hold": lambda c: holds.shelf(c, ShelfQuery(all_items=True)),
    "a customer's holds": lambda c: holds.shelf(c, ShelfQuery(all_items=True, customer="663")),
    "outbox": lambda c: notify.messages_page(c, MessageQuery()),
    "sales by item": lambda c: analytics.sales_by_item(
        c, Period(start=TODAY - dt.timedelta(days=6), end=TODAY)
    ),
    "sales by hour": lambda c: analytics.sales_by_hour(
        c, Period(start=TODAY - dt.timedelta(days=6), end=TODAY)
    ),
    "waste": lambda c: analytics.waste_by_product(c, Period(start=TODAY - dt.timedelta(days=365), end=TODAY)),
    # the demand of 140 days, each day's movements along ix_movements_at (db/demand.py)
    "forecasts": lambda c: forecasts.forecast_products(c, ForecastQuery()),
    "one product's forecast": lambda c: forecasts.forecast_products(c, ForecastQuery(sku="HAM")),
    "backtest": lambda c: forecasts.backtest(c, BacktestQuery()),
    # buying (issue 12): the period's receipts by time, its write-offs by business day, its orders
    "waste share": lambda c: buying_reports.waste_share(
        c, Period(start=TODAY - dt.timedelta(days=6), end=TODAY)
    ),
    "forecast vs actual": lambda c: buying_reports.forecast_vs_actual(
        c, Period(start=TODAY - dt.timedelta(days=7), end=TODAY - dt.timedelta(days=1))
    ),
    "suggested vs ordered": lambda c: buying_reports.suggested_vs_ordered(
        c, Period(start=TODAY - dt.timedelta(days=30), end=TODAY)
    ),
    "will expire unsold": lambda c: planning.will_expire_unsold(c, UnsoldQuery()),
    "purchase orders": lambda c: purchase_orders.list_orders(c, PurchaseOrderQuery(state="sent")),
}


# The shelf shows the items waiting, overdue first: it reads the waiting ones (what is on the shelf
# now, along ix_holds_state_hold_until), not the history of everything ever held.
ON_THE_SHELF = "SEARCH holds USING INDEX ix_holds_state_hold_until (state=?)"


@pytest.mark.parametrize("name", list(READS))
def test_reads_reach_growing_tables_through_an_index(busy: Context, name: str) -> None:
    with statements(busy) as seen:
        READS[name](busy)
    assert seen, "nothing was read?"
    problems = [
        problem for statement, parameters in seen for problem in full_scans(busy, statement, parameters)
    ]
    assert [p for p in problems if not (name == "the shelf" and p.startswith(ON_THE_SHELF))] == []


def test_closing_the_day_and_paying_an_order_read_no_history(busy: Context) -> None:
    with statements(busy) as seen:
        orders.place_order(
            busy,
            "one more",
            PlaceOrder(lines=[{"code": "TIN"}], payments=[{"method": "card", "amount": "18"}]),
        )
        reports.close_day(busy, CloseDay(date=TODAY))
    problems = [
        problem for statement, parameters in seen for problem in full_scans(busy, statement, parameters)
    ]
    assert problems == []
