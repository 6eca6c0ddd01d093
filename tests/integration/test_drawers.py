"""Cash drawers and closing the day with the cash counted, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from midnight.commands import build
from midnight.commands.cash import CloseDrawer, DrawerMove, DrawerQuery, OpenDrawer
from midnight.commands.till import CloseDay, PlaceOrder, RefundOrder
from midnight.db import tables as t
from midnight.domain import cash
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.people import Actor, Role
from midnight.services import drawers, orders, reports
from midnight.services.context import Context
from tests.integration.till_setup import day, open_snack_bar, stock_up


@pytest.fixture
def shop(ctx: Context) -> Context:
    open_snack_bar(ctx)
    stock_up(ctx)
    return ctx


def staff(ctx: Context, name: str) -> Context:
    return ctx.acting_as(Actor(name, Role.STAFF))


def sell_tin(ctx: Context, key: str, method: str = "cash", tendered: str = "20") -> int:
    order = orders.place_order(
        ctx, key, PlaceOrder(lines=[{"code": "TIN"}], payments=[{"method": method, "amount": tendered}])
    )
    return order.id


def test_expected_cash_is_float_plus_cash_sales_less_refunds_plus_ins_less_outs(shop: Context) -> None:
    kwan = staff(shop, "kwan")
    opened = drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="500"))
    assert opened.is_open and opened.expected == 50000
    sell_tin(kwan, "a")  # HK$18 in cash (HK$20 tendered, HK$2 change)
    sell_tin(kwan, "b", "card", "18")  # card: not in the drawer
    refunded = sell_tin(kwan, "c")
    orders.refund_order(shop.acting_as(Actor("kwan", Role.OWNER)), refunded, RefundOrder(reason="dented"))
    sell_tin(shop, "d")  # someone with no drawer, while kwan's is the shop's only one open: it goes in there
    drawers.record_move(kwan, DrawerMove(kind="in", amount="100", reason="change from the bank"))
    drawers.record_move(kwan, DrawerMove(kind="out", amount="35.50", reason="milk from the corner shop"))
    now = drawers.current(kwan)
    assert now is not None and now.figures is not None
    assert (now.figures.cash_sales, now.figures.cash_refunds) == (5400, 1800)
    assert (now.figures.pay_ins, now.figures.pay_outs) == (10000, 3550)
    assert now.expected == 50000 + 5400 - 1800 + 10000 - 3550

    closed = drawers.close_drawer(kwan, CloseDrawer(counted="600"))
    assert not closed.is_open and closed.count is not None
    assert (closed.count.expected, closed.count.counted, closed.count.over_short) == (60050, 60000, -50)
    assert cash.describe(closed.count.over_short, shop.money) == "HK$0.50 short"
    # A sale after the close is not in the closed drawer: its count stands as recorded.
    sell_tin(kwan, "e")
    assert drawers.get_session(kwan, closed.id).count == closed.count
    assert drawers.get_session(kwan, closed.id).expected == 60050


def test_counting_by_notes_and_coins_adds_up_on_the_server(shop: Context) -> None:
    kwan = staff(shop, "kwan")
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="100"))
    closing = build(
        CloseDrawer,
        {
            "counts": [
                {"value": "50", "count": "1"},
                {"value": "20", "count": 2},
                {"value": "0.5", "count": 20},
            ]
        },
    )
    closed = drawers.close_drawer(kwan, closing)
    assert closed.count is not None
    assert closed.count.counted == 10000 and closed.count.over_short == 0
    assert closed.count.denominations == {5000: 1, 2000: 2, 50: 20}


@pytest.mark.parametrize(
    ("counting", "field", "said"),
    [
        ({"counts": [{"value": "3", "count": 1}]}, "counts", "HK$3.00 is not a note or coin"),
        ({"counts": [{"value": "10", "count": 1}, {"value": "10", "count": 2}]}, "counts", "counted twice"),
        (
            {"counted": "15", "counts": [{"value": "10", "count": 1}]},
            "counted",
            "come to HK$10.00, not HK$15.00",
        ),
        ({}, "counted", "count the cash in the drawer"),
        ({"counted": "1.234"}, "counted", "more decimal places"),
    ],
)
def test_a_count_that_does_not_add_up_is_refused_and_the_drawer_stays_open(
    shop: Context, counting: dict[str, object], field: str, said: str
) -> None:
    kwan = staff(shop, "kwan")
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    with pytest.raises(InvalidInput, match=re.escape(said)) as refused:
        drawers.close_drawer(kwan, build(CloseDrawer, counting))
    assert refused.value.field == field
    assert drawers.current(kwan) is not None


def test_one_open_drawer_per_till_and_per_person(shop: Context) -> None:
    kwan, mei = staff(shop, "kwan"), staff(shop, "mei")
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    with pytest.raises(Conflict, match="already open"):
        drawers.open_drawer(mei, OpenDrawer(till="  till   1 "))  # the same till, typed differently
    with pytest.raises(Conflict, match="kwan already has the drawer of Till 1 open"):
        drawers.open_drawer(kwan, OpenDrawer(till="Till 2"))
    drawers.open_drawer(mei, OpenDrawer(till="Till 2"))
    # Two tills, two drawers: each cashier's cash lands in their own.
    sell_tin(kwan, "k")
    sell_tin(mei, "m1")
    sell_tin(mei, "m2")
    mine, hers = drawers.current(kwan), drawers.current(mei)
    assert mine is not None and hers is not None
    assert (mine.expected, hers.expected) == (1800, 3600)
    drawers.close_drawer(kwan, CloseDrawer(counted="18"))
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="50"))  # free again once closed


def test_staff_handle_only_their_own_drawer_and_see_only_theirs(shop: Context) -> None:
    kwan, mei = staff(shop, "kwan"), staff(shop, "mei")
    theirs = drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    drawers.open_drawer(mei, OpenDrawer(till="Till 2"))
    with pytest.raises(Forbidden, match="kwan's"):
        drawers.record_move(mei, DrawerMove(kind="out", amount="5", reason="x"), theirs.id)
    with pytest.raises(Forbidden):
        drawers.close_drawer(mei, CloseDrawer(counted="0"), theirs.id)
    with pytest.raises(Forbidden):
        drawers.get_session(mei, theirs.id)
    assert [s.opened_by for s in drawers.sessions(mei, DrawerQuery()).items] == ["mei"]
    assert {s.opened_by for s in drawers.sessions(shop, DrawerQuery()).items} == {"kwan", "mei"}
    # the owner may close a drawer someone left open
    closed = drawers.close_drawer(shop, CloseDrawer(counted="0"), theirs.id)
    assert closed.count is not None and closed.count.actor == "tester"


def test_a_closed_drawer_takes_nothing_more_and_closes_once(shop: Context) -> None:
    kwan = staff(shop, "kwan")
    opened = drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    drawers.close_drawer(kwan, CloseDrawer(counted="0"))
    with pytest.raises(Conflict, match="already closed"):
        drawers.close_drawer(kwan, CloseDrawer(counted="0"), opened.id)
    with pytest.raises(Conflict, match="already closed"):
        drawers.record_move(kwan, DrawerMove(kind="in", amount="5", reason="x"), opened.id)
    with pytest.raises(NotFound, match="no drawer open"):
        drawers.record_move(kwan, DrawerMove(kind="in", amount="5", reason="x"))


def test_a_pay_out_sent_twice_with_its_key_is_recorded_once(shop: Context) -> None:
    kwan = staff(shop, "kwan")
    opened = drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="100"))
    move = DrawerMove(kind="out", amount="20", reason="window cleaner", key="form-1")
    first = drawers.record_move(kwan, move, opened.id)
    assert drawers.record_move(kwan, move, opened.id) == first
    with pytest.raises(Conflict, match="different pay-in or pay-out"):
        drawers.record_move(kwan, DrawerMove(kind="out", amount="25", reason="window cleaner", key="form-1"))
    assert [m.amount for m in drawers.moves(kwan, opened.id, DrawerQuery()).items] == [2000]
    assert drawers.get_session(kwan, opened.id).expected == 8000


def test_refused_moves_say_why_in_the_stores_money(shop: Context) -> None:
    kwan = staff(shop, "kwan")
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    with pytest.raises(InvalidInput, match=r"a pay-out must be more than HK\$0.00"):
        drawers.record_move(kwan, DrawerMove(kind="out", amount="0", reason="x"))
    with pytest.raises(InvalidInput, match="reason is required"):
        build(DrawerMove, {"kind": "out", "amount": "5"})
    with pytest.raises(InvalidInput, match="say pay-in or pay-out"):
        build(DrawerMove, {"kind": "sideways", "amount": "5", "reason": "x"})


def test_pay_ins_outs_and_counts_are_append_only(shop: Context) -> None:
    kwan = staff(shop, "kwan")
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    drawers.record_move(kwan, DrawerMove(kind="in", amount="5", reason="x"))
    drawers.close_drawer(kwan, CloseDrawer(counted="5"))
    for table in (t.drawer_moves, t.drawer_counts):
        for statement in (f"UPDATE {table.name} SET id = id", f"DELETE FROM {table.name}"):
            with pytest.raises(DBAPIError, match="append-only"), shop.db.write() as conn:
                conn.execute(text(statement))


def test_the_database_refuses_a_count_that_does_not_add_up(shop: Context) -> None:
    opened = drawers.open_drawer(staff(shop, "kwan"), OpenDrawer(till="Till 1"))
    with pytest.raises(DBAPIError), shop.db.write() as conn:
        conn.execute(
            t.drawer_counts.insert().values(
                session_id=opened.id,
                at=shop.now(),
                actor="x",
                float_amount=0,
                cash_sales=0,
                cash_refunds=0,
                pay_ins=0,
                pay_outs=0,
                expected=100,
                counted=100,
                over_short=0,
            )
        )


def test_two_people_opening_the_same_till_at_once_get_one_drawer(shop: Context) -> None:
    results: list[object] = []

    def open_as(name: str) -> None:
        try:
            results.append(drawers.open_drawer(staff(shop, name), OpenDrawer(till="Till 1")))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=open_as, args=(name,)) for name in ("kwan", "mei")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "SessionInfo"]
    assert len([s for s in drawers.sessions(shop, DrawerQuery()).items if s.is_open]) == 1


# --- closing the day ------------------------------------------------------------------------------


def test_closing_a_day_closes_exactly_the_day_named_with_the_cash_counted(shop: Context, clock) -> None:  # type: ignore[no-untyped-def]
    kwan = staff(shop, "kwan")
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="200"))
    sell_tin(kwan, "y1")
    drawers.record_move(kwan, DrawerMove(kind="out", amount="10", reason="ice"))
    clock.advance(dt.timedelta(days=1))  # the next morning: yesterday is not closed yet
    sell_tin(kwan, "t1", "card", "18")
    yesterday = reports.to_close(shop, day(0))
    assert yesterday.kind == "X" and yesterday.business_date == day(0)
    assert (yesterday.floats, yesterday.pay_outs, yesterday.cash_expected) == (
        20000,
        1000,
        20000 + 1800 - 1000,
    )
    z = reports.close_day(shop, CloseDay(date=day(0), counted="209"))
    assert z.business_date == day(0) and z.kind == "Z"
    assert (z.cash_expected, z.cash_counted, z.over_short) == (20800, 20900, 100)
    assert reports.z_report(shop, day(0)) == z  # recorded as shown, counted cash and all
    assert reports.x_report(shop, day(1)).orders == 1  # today is still open
    assert reports.close_refusal(shop, day(1)) is None
    with pytest.raises(Conflict, match=r"Wed 2026-11-25 was already closed, at 2026-11-26 10:00 by tester"):
        reports.close_day(shop, CloseDay(date=day(0)))
    with pytest.raises(Conflict, match="already closed"):
        reports.to_close(shop, day(0))
    with pytest.raises(InvalidInput, match="has not started yet"):
        reports.close_day(shop, CloseDay(date=day(2)))
    assert reports.close_refusal(shop, day(2)) is not None


def test_closing_a_day_needs_the_day_named(shop: Context) -> None:
    with pytest.raises(InvalidInput, match="date is required"):
        build(CloseDay, {})
    closed = reports.close_day(
        shop, build(CloseDay, {"date": "2026-11-25", "counts": [{"value": "100", "count": 0}]})
    )
    assert closed.cash_counted == 0 and closed.over_short == 0 and closed.cash_pieces == {}
    uncounted = reports.close_day(shop.at(shop.clock, "tester"), CloseDay(date=day(-1)))
    assert uncounted.cash_counted is None and uncounted.over_short is None


def test_drawer_reads_and_the_days_close_reach_history_through_indexes(
    sqlite_ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    from midnight.commands.counter import AddCustomer, FindHold, HoldItem
    from midnight.services import customers, holds
    from tests.integration import test_query_plans as plans

    monkeypatch.setattr(
        plans,
        "GROWING",
        (*plans.GROWING, "drawer_sessions", "drawer_moves", "drawer_counts", "pickup_attempts"),
    )
    shop = sqlite_ctx
    open_snack_bar(shop)
    stock_up(shop)
    kwan = staff(shop, "kwan")
    for n in range(3):
        drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="100"))
        sell_tin(kwan, f"p{n}")
        drawers.record_move(kwan, DrawerMove(kind="out", amount="1", reason="x", key=f"k{n}"))
        drawers.close_drawer(kwan, CloseDrawer(counted="117"))
    opened = drawers.open_drawer(kwan, OpenDrawer(till="Till 1"))
    customers.add_customer(shop, AddCustomer(name="Mr Chan"))
    held = holds.hold_item(shop, HoldItem(description="keys", for_customer="Mr Chan"))
    assert held.code is not None
    with plans.statements(shop) as seen:
        drawers.current(kwan)
        drawers.get_session(kwan, opened.id)
        drawers.sessions(kwan, DrawerQuery(limit=2))
        drawers.sessions(shop, DrawerQuery(limit=2))
        drawers.moves(kwan, opened.id, DrawerQuery())
        drawers.record_move(kwan, DrawerMove(kind="in", amount="1", reason="x", key="again"))
        holds.find_by_code(shop, FindHold(code=held.code))
        reports.close_day(shop, CloseDay(date=day(0)))
        drawers.close_drawer(kwan, CloseDrawer(counted="1"))
    problems = [p for statement, parameters in seen for p in plans.full_scans(shop, statement, parameters)]
    assert problems == []


def test_cash_goes_into_the_drawer_it_physically_meets(shop: Context) -> None:
    """An owner refunding cash with no drawer of their own pays it out of the drawer the sale's cash
    went into; with two drawers open, cash from someone with neither is in no drawer."""
    kwan, mei = staff(shop, "kwan"), staff(shop, "mei")
    till1 = drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="100"))
    sold = sell_tin(kwan, "a")
    drawers.open_drawer(mei, OpenDrawer(till="Till 2", float_amount="100"))
    orders.refund_order(shop, sold, RefundOrder(reason="dented"))  # the owner has no drawer
    now = drawers.get_session(kwan, till1.id)
    assert now.figures is not None and (now.figures.cash_sales, now.figures.cash_refunds) == (1800, 1800)
    sell_tin(shop, "b")  # two drawers open, neither the owner's: in no drawer
    assert drawers.get_session(kwan, till1.id).expected == 10000
    assert drawers.current(mei) is not None and drawers.current(mei).expected == 10000  # type: ignore[union-attr]


def test_the_z_says_how_much_cash_went_into_no_drawer_and_what_the_drawers_were_counted_at(
    shop: Context,
) -> None:
    from midnight.services import reports

    kwan = staff(shop, "kwan")
    sell_tin(kwan, "before")  # before any drawer was opened: in no drawer
    drawers.open_drawer(kwan, OpenDrawer(till="Till 1", float_amount="100"))
    sell_tin(kwan, "in")
    drawers.close_drawer(kwan, CloseDrawer(counted="118"))
    day = reports.x_report(shop)
    assert day.cash_outside_drawers == 1800
    assert (day.drawers_counted, day.drawers_counted_cash) == (1, 11800)
    assert day.cash_expected == 10000 + 3600  # the float and both sales: count all the cash
