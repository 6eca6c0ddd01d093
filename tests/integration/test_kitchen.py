"""The kitchen: what paying or sending an order asks of each station, what a change sends, bump and recall."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from midnight.commands import build
from midnight.commands.till import ParkOrder, PayOrder, PlaceOrder, VoidOrder
from midnight.db import tables as t
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.people import Actor, Role
from midnight.domain.printing import JobKind
from midnight.services import kitchen, menu, orders
from midnight.services.context import Context
from midnight.services.kitchen import TicketInfo
from tests.integration.test_query_plans import statements
from tests.integration.till_setup import add_modifiers, open_snack_bar, stock_up


@pytest.fixture
def bar(ctx: Context) -> Context:
    """The snack bar with a kitchen that makes the salad (the tin is handed over as it is)."""
    open_snack_bar(ctx)
    stock_up(ctx)
    add_modifiers(ctx)
    kitchen.add_station(ctx, "Kitchen")
    kitchen.set_item_station(ctx, "SALAD", "Kitchen")
    return ctx


def line(code: str, quantity: Any = 1, *mods: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "quantity": quantity, "modifiers": list(mods), **extra}


def cash(amount: str) -> list[dict[str, str]]:
    return [{"method": "cash", "amount": amount}]


def sell(ctx: Context, key: str, *lines: dict[str, Any], **fields: Any) -> orders.OrderInfo:
    return orders.place_order(ctx, key, build(PlaceOrder, {"lines": list(lines), **fields}))


def park(ctx: Context, key: str, *lines: dict[str, Any], **fields: Any) -> orders.OrderInfo:
    body = {"lines": list(lines), "label": "Table 4", **fields}
    return orders.park_order(ctx, key, build(ParkOrder, body))


def waiting(ctx: Context, station: str = "Kitchen") -> list[TicketInfo]:
    return kitchen.board(ctx, station).waiting.items


def items(ticket: TicketInfo) -> list[tuple[Decimal, str, str, str]]:
    return [(i.quantity, i.name, i.modifiers, i.note) for i in ticket.items]


SALAD = "廚師沙律 Chef's salad"


def test_paying_an_order_with_a_kitchen_item_tickets_its_station_with_modifiers_and_notes(
    bar: Context,
) -> None:
    order = sell(
        bar,
        "k1",
        line("SALAD", 2, "LARGE", "ADD-EGG", note="no onion"),
        line("TIN"),
        line("SALAD", 1),
        payments=cash("200"),
    )
    (ticket,) = waiting(bar)
    assert ticket.order_id == order.id and ticket.call_number == order.call_number == 1
    assert ticket.station == "Kitchen" and ticket.label is None and not ticket.follow_up
    assert items(ticket) == [
        (Decimal(2), SALAD, "Large 大, Add egg 加蛋", "no onion"),
        (Decimal(1), SALAD, "", ""),
    ]  # the tin is not made in the kitchen


def test_items_not_made_in_the_kitchen_send_no_ticket(bar: Context) -> None:
    sell(bar, "k1", line("TIN", 2), payments=cash("40"))
    board = kitchen.board(bar, "Kitchen")
    assert board.waiting.items == [] and board.count == 0


def test_two_lines_of_the_same_dish_the_same_way_are_one_dish_on_the_ticket(bar: Context) -> None:
    sell(bar, "k1", line("SALAD", 1, "NO-HAM"), line("SALAD", 2, "NO-HAM"), payments=cash("200"))
    assert items(waiting(bar)[0]) == [(Decimal(3), SALAD, "No ham 走火腿", "")]


def test_an_order_parked_and_sent_is_ticketed_at_once_and_paying_it_sends_nothing_more(bar: Context) -> None:
    parked = park(bar, "t4", line("SALAD", 2), send_to_kitchen=True)
    (ticket,) = waiting(bar)
    assert ticket.label == "Table 4" and ticket.call_number == parked.call_number
    assert items(ticket) == [(Decimal(2), SALAD, "", "")]
    orders.pay_order(bar, parked.id, build(PayOrder, {"payments": cash("100")}))
    assert [t.id for t in waiting(bar)] == [ticket.id]


def test_an_order_parked_without_sending_asks_nothing_until_it_is_paid(bar: Context) -> None:
    parked = park(bar, "t4", line("SALAD", 2))
    assert waiting(bar) == []
    orders.pay_order(bar, parked.id, build(PayOrder, {"payments": cash("100")}))
    assert [items(t) for t in waiting(bar)] == [[(Decimal(2), SALAD, "", "")]]


def test_a_sent_order_changed_sends_only_what_was_added_and_cancels_what_was_taken_off(bar: Context) -> None:
    first = park(bar, "t4", line("SALAD", 1), send_to_kitchen=True)
    second = park(
        bar, "t4", line("SALAD", 2), line("SALAD", 1, "LARGE"), revision=first.revision, send_to_kitchen=True
    )
    third = park(bar, "t4", line("SALAD", 1, "LARGE"), revision=second.revision, send_to_kitchen=True)
    sent, more, fewer = waiting(bar)
    assert items(sent) == [(Decimal(1), SALAD, "", "")]
    assert items(more) == [(Decimal(1), SALAD, "", ""), (Decimal(1), SALAD, "Large 大", "")]
    assert more.follow_up and fewer.follow_up and not sent.follow_up
    assert items(fewer) == [(Decimal(-2), SALAD, "", "")]  # both plain salads are no longer wanted
    # Sending again what was already sent sends nothing; paying it neither.
    park(bar, "t4", line("SALAD", 1, "LARGE"), line("TIN"), revision=third.revision, send_to_kitchen=True)
    orders.pay_order(bar, third.id, build(PayOrder, {"payments": cash("100")}))
    assert len(waiting(bar)) == 3


def test_a_sent_order_changed_to_have_no_kitchen_dishes_cancels_them(bar: Context) -> None:
    first = park(bar, "t4", line("SALAD", 2), line("TIN"), send_to_kitchen=True)
    park(bar, "t4", line("TIN"), revision=first.revision, send_to_kitchen=True)
    assert [items(t) for t in waiting(bar)] == [[(Decimal(2), SALAD, "", "")], [(Decimal(-2), SALAD, "", "")]]


def test_a_change_left_unsent_is_sent_when_the_order_is_paid(bar: Context) -> None:
    first = park(bar, "t4", line("SALAD", 1), send_to_kitchen=True)
    park(bar, "t4", line("SALAD", 3), revision=first.revision)  # not sent yet
    assert len(waiting(bar)) == 1
    orders.pay_order(bar, first.id, build(PayOrder, {"payments": cash("200")}))
    assert [items(t) for t in waiting(bar)][1] == [(Decimal(2), SALAD, "", "")]


def test_voiding_a_sent_parked_order_cancels_what_the_kitchen_was_making(bar: Context) -> None:
    parked = park(bar, "t4", line("SALAD", 2, "LARGE", note="extra dressing"), send_to_kitchen=True)
    orders.void_order(bar, parked.id, VoidOrder(reason="the table left"))
    sent, cancelled = waiting(bar)
    assert items(cancelled) == [(Decimal(-2), SALAD, "Large 大", "extra dressing")]
    assert cancelled.order_id == sent.order_id == parked.id and cancelled.label == "Table 4"


def test_voiding_an_order_never_sent_sends_nothing(bar: Context) -> None:
    parked = park(bar, "t4", line("SALAD", 2))
    orders.void_order(bar, parked.id, VoidOrder(reason="the table left"))
    assert waiting(bar) == []


def test_a_bumped_ticket_leaves_the_screen_and_recall_brings_it_back(bar: Context) -> None:
    sell(bar, "k1", line("SALAD"), payments=cash("50"))
    bar.clock.advance(dt.timedelta(minutes=1))  # type: ignore[attr-defined]
    sell(bar, "k2", line("SALAD"), payments=cash("50"))
    first, second = waiting(bar)
    done = kitchen.bump(bar, first.id)
    assert done.bumped_at == bar.now() and done.bumped_by == "tester"
    assert kitchen.bump(bar, first.id).bumped_at == done.bumped_at  # a double tap changes nothing
    board = kitchen.board(bar, "Kitchen")
    assert [t.id for t in board.waiting.items] == [second.id] and board.count == 1
    assert [t.id for t in board.bumped] == [first.id]
    back = kitchen.recall(bar, first.id)
    assert back.bumped_at is None and back.bumped_by is None
    assert [t.id for t in waiting(bar)] == [first.id, second.id]  # back in its place by age
    with pytest.raises(Conflict, match="not bumped"):
        kitchen.recall(bar, first.id)


def test_staff_may_see_and_bump_tickets_but_only_the_owner_sets_up_the_kitchen(bar: Context) -> None:
    staff = bar.acting_as(Actor("kwan", Role.STAFF))
    sell(staff, "k1", line("SALAD"), payments=cash("50"))
    (ticket,) = waiting(staff)
    assert kitchen.bump(staff, ticket.id).bumped_by == "kwan"
    assert kitchen.recall(staff, ticket.id).bumped_at is None
    assert [s.name for s in kitchen.list_stations(staff)] == ["Kitchen"]
    with pytest.raises(Forbidden):
        kitchen.add_station(staff, "Bar")
    with pytest.raises(Forbidden):
        kitchen.set_item_station(staff, "TIN", "Kitchen")
    with pytest.raises(Forbidden):
        kitchen.set_station_printer(staff, "Kitchen", None)


def test_a_ticket_that_does_not_exist_or_is_another_shops_is_not_found(bar: Context) -> None:
    for action in (kitchen.bump, kitchen.recall, kitchen.get_ticket):
        with pytest.raises(NotFound, match="no kitchen ticket 999") as missing:
            action(bar, 999)
        assert missing.value.field == "ticket"
    order = sell(bar, "k1", line("SALAD"), payments=cash("50"))
    with bar.db.write() as conn:
        other = conn.execute(
            insert(t.stores).values(
                name="Other shop", timezone="Asia/Hong_Kong", currency="HKD", locale="en_HK"
            )
        ).inserted_primary_key.id
        station = conn.execute(
            insert(t.kitchen_stations).values(store_id=other, name="Kitchen", name_key="kitchen", active=True)
        ).inserted_primary_key.id
        # an order of theirs (a ticket refers only to an order of its own store)
        ours = conn.execute(select(t.orders).where(t.orders.c.id == order.id)).one()._asdict()
        copied = {
            **{k: v for k, v in ours.items() if k != "id"},
            "store_id": other,
            "idempotency_key": "theirs",
        }
        their_order = conn.execute(insert(t.orders).values(**copied)).inserted_primary_key.id
        theirs = conn.execute(
            insert(t.kitchen_tickets).values(
                store_id=other, station_id=station, order_id=their_order, created_at=bar.now(), actor="them"
            )
        ).inserted_primary_key.id
    for action in (kitchen.bump, kitchen.get_ticket):
        with pytest.raises(NotFound):
            action(bar, theirs)
    assert [len(t.items) for t in waiting(bar)] == [1]  # our station's screen shows only ours


def test_a_station_not_known_is_not_found_and_names_are_checked(bar: Context) -> None:
    with pytest.raises(NotFound, match="no kitchen station called Bar"):
        kitchen.board(bar, "Bar")
    with pytest.raises(NotFound, match="no kitchen station called Bar"):
        kitchen.set_item_station(bar, "TIN", "Bar")
    with pytest.raises(Conflict, match="already a station called KITCHEN"):
        kitchen.add_station(bar, "KITCHEN")
    with pytest.raises(InvalidInput, match="can't contain"):
        kitchen.add_station(bar, "Hot/Cold")
    with pytest.raises(InvalidInput, match="must not be empty"):
        kitchen.add_station(bar, "  ")
    assert kitchen.board(bar, "  kitchen ").station.name == "Kitchen"  # however it is typed


def test_the_menu_says_which_station_makes_an_item(bar: Context) -> None:
    assert menu.get_menu_item(bar, "SALAD").kitchen_station == "Kitchen"
    assert menu.get_menu_item(bar, "TIN").kitchen_station is None
    assert kitchen.set_item_station(bar, "SALAD", None).kitchen_station is None
    sell(bar, "k1", line("SALAD"), payments=cash("50"))
    assert waiting(bar) == []


def test_each_station_gets_its_own_ticket(bar: Context) -> None:
    kitchen.add_station(bar, "Cold kitchen")
    kitchen.set_item_station(bar, "TIN", "cold kitchen")
    sell(bar, "k1", line("SALAD"), line("TIN", 2, "COLD"), payments=cash("100"))
    assert [items(t) for t in waiting(bar)] == [[(Decimal(1), SALAD, "", "")]]
    assert [items(t) for t in waiting(bar, "Cold kitchen")] == [
        [(Decimal(2), "Tinned pineapple 罐頭菠蘿", "Cold 凍", "")]
    ]
    assert [(s.name, s.waiting) for s in kitchen.list_stations(bar)] == [("Cold kitchen", 1), ("Kitchen", 1)]


def _add_printer(ctx: Context, name: str, *, active: bool = True) -> int:
    with ctx.db.write() as conn:
        return int(
            conn.execute(
                insert(t.printers).values(
                    store_id=ctx.store.id,
                    name=name,
                    name_key=name.casefold(),
                    kind="network",
                    address="192.168.1.50:9100",
                    paper_mm=80,
                    text_mode="latin",
                    active=active,
                    created_at=ctx.now(),
                )
            ).inserted_primary_key.id
        )


def test_a_station_with_a_printer_queues_each_ticket_to_print_on_it(bar: Context) -> None:
    printer = _add_printer(bar, "Kitchen printer")
    _add_printer(bar, "Old printer", active=False)
    assert kitchen.set_station_printer(bar, "Kitchen", "kitchen PRINTER").printer == "Kitchen printer"
    with pytest.raises(NotFound, match="no printer called Bar printer"):
        kitchen.set_station_printer(bar, "Kitchen", "Bar printer")
    with pytest.raises(Conflict, match="no longer in use"):
        kitchen.set_station_printer(bar, "Kitchen", "Old printer")
    sell(bar, "k1", line("SALAD"), payments=cash("50"))
    sell(bar, "k2", line("TIN"), payments=cash("50"))
    (ticket,) = waiting(bar)
    with bar.db.read() as conn:
        jobs = conn.execute(
            select(t.print_jobs.c.printer_id, t.print_jobs.c.kind, t.print_jobs.c.ticket_id).where(
                t.print_jobs.c.kind == JobKind.KITCHEN.value
            )
        ).all()
    assert [tuple(j) for j in jobs] == [(printer, JobKind.KITCHEN.value, ticket.id)]
    assert kitchen.set_station_printer(bar, "Kitchen", None).printer is None
    bar_station = kitchen.add_station(bar, "Bar", "Kitchen printer")
    assert bar_station.printer == "Kitchen printer"


def test_a_screen_reads_one_page_of_waiting_tickets_oldest_first(bar: Context) -> None:
    for n in range(5):
        bar.clock.advance(dt.timedelta(minutes=1))  # type: ignore[attr-defined]
        sell(bar, f"k{n}", line("SALAD"), payments=cash("50"))
    first = kitchen.board(bar, "Kitchen", limit=2)
    second = kitchen.board(bar, "Kitchen", limit=2, cursor=first.waiting.next_cursor)
    third = kitchen.board(bar, "Kitchen", limit=2, cursor=second.waiting.next_cursor)
    numbers = [t.call_number for b in (first, second, third) for t in b.waiting.items]
    assert numbers == [1, 2, 3, 4, 5] and third.waiting.next_cursor is None
    assert first.count == 5 and first.at == bar.now()
    with bar.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.kitchen_tickets)).scalar_one() == 5
    with pytest.raises(InvalidInput, match="cursor"):
        kitchen.board(bar, "Kitchen", cursor="nonsense")


KITCHEN_GROWING = {"kitchen_tickets", "kitchen_ticket_items", "orders", "order_lines", "print_jobs"}


def test_a_screen_and_a_sale_read_the_tickets_through_their_indexes(sqlite_ctx: Context) -> None:
    """However many tickets a kitchen has made, a poll reads what waits and a sale what its order sent."""
    bar = sqlite_ctx
    open_snack_bar(bar)
    stock_up(bar)
    kitchen.add_station(bar, "Kitchen")
    kitchen.set_item_station(bar, "SALAD", "Kitchen")
    for n in range(8):
        sell(bar, f"k{n}", line("SALAD"), payments=cash("50"))
    for ticket in waiting(bar)[:6]:
        kitchen.bump(bar, ticket.id)
    with statements(bar) as seen:
        board = kitchen.board(bar, "Kitchen", limit=1)
        kitchen.list_stations(bar)
        kitchen.bump(bar, board.waiting.items[0].id)
        sell(bar, "tin", line("TIN"), payments=cash("20"))
        sell(bar, "salad", line("SALAD"), payments=cash("50"))
    assert seen
    scans = []
    for statement, parameters in seen:
        with bar.db.engine.connect() as conn:
            plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        scans += [
            step for step in plan if step.split()[:1] == ["SCAN"] and step.split()[1] in KITCHEN_GROWING
        ]
    assert scans == []
