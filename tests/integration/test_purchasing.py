"""Suppliers, purchase orders sent through the outbox, and receiving against them by scan."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.counter import ContactPolicyIn
from midnight.commands.purchasing import (
    AddSupplier,
    CancelOrder,
    EditPurchaseOrder,
    FinishReceiving,
    NewPurchaseOrder,
    OrderQuery,
    ReceiveAgainstOrder,
    RefuseDelivery,
    SupplyProduct,
)
from midnight.db import tables as t
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.people import Actor, Role
from midnight.domain.purchasing import OrderState, parse_order_number
from midnight.services import catalog, notify, purchase_orders, receiving, suppliers
from midnight.services.context import Context
from tests.conftest import TODAY
from tests.integration.helpers import add_milk, add_pineapple, ledger_matches_lots
from tests.receiver import Receiver

PINE_GS1 = "(01)04006381333931(17)271231(10)L2412A"  # TODAY is Wednesday 2026-11-25


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def dairy(ctx: Context, *contacts: str, minimum: str = "0") -> suppliers.SupplierInfo:
    add_milk(ctx)
    add_pineapple(ctx)
    found = suppliers.add_supplier(
        ctx,
        build(
            AddSupplier,
            {
                "name": "Kowloon Dairy 九龍奶品",
                "delivery_days": ["mon", "thu"],
                "lead_time_days": 1,
                "minimum_order": minimum,
                "contacts": list(contacts),
            },
        ),
    )
    suppliers.supply_product(
        ctx,
        "kowloon dairy 九龍奶品",
        build(SupplyProduct, {"sku": "MILK", "pack_size": "12", "cost": "14.50", "supplier_code": "KD-1L"}),
    )
    suppliers.supply_product(
        ctx, str(found.id), build(SupplyProduct, {"sku": "PINE", "pack_size": "24", "cost": "9"})
    )
    return found


def order(ctx: Context, **fields: object) -> purchase_orders.OrderDetail:
    data = {
        "supplier": "Kowloon Dairy 九龍奶品",
        "lines": [{"sku": "MILK", "quantity": "24"}, {"sku": "PINE", "quantity": "24"}],
    }
    return purchase_orders.new_order(ctx, build(NewPurchaseOrder, {**data, **fields}))


def test_a_supplier_delivers_on_its_days_after_its_lead_time(ctx: Context) -> None:
    found = dairy(ctx)
    assert found.delivery_days == (0, 3) and found.lead_time_days == 1
    draft = order(ctx)
    # ordered on Wednesday with a day's lead time: Thursday is the first delivery day it can make
    assert draft.head.delivery_date == dt.date(2026, 11, 26)
    assert draft.head.state is OrderState.DRAFT
    assert [(ln.sku, ln.quantity, ln.pack_size, ln.unit_cost, ln.supplier_code) for ln in draft.lines] == [
        ("MILK", 24000, 12000, 1450, "KD-1L"),
        ("PINE", 24000, 24000, 900, ""),
    ]
    assert draft.head.total == 24 * 1450 + 24 * 900


def test_bad_supplier_input_is_refused_with_what_was_wrong(ctx: Context) -> None:
    dairy(ctx)
    with pytest.raises(InvalidInput, match="weekday") as bad_day:
        suppliers.add_supplier(ctx, build(AddSupplier, {"name": "Fish", "delivery_days": ["someday"]}))
    assert bad_day.value.field == "delivery_days"
    with pytest.raises(Conflict, match="already a supplier"):
        suppliers.add_supplier(
            ctx, build(AddSupplier, {"name": "KOWLOON DAIRY 九龍奶品", "delivery_days": ["tue"]})
        )
    with pytest.raises(InvalidInput, match="lead_time_days"):
        build(AddSupplier, {"name": "Fish", "delivery_days": ["tue"], "lead_time_days": 99})
    with pytest.raises(InvalidInput, match="packs of 12: order 12 or 24, not 13"):
        order(ctx, lines=[{"sku": "MILK", "quantity": "13"}])
    catalog.add_product(ctx, AddProduct(sku="EGG", name="Eggs", expiry_kind="use_by", shelf_life_days=14))
    with pytest.raises(InvalidInput, match="does not sell EGG") as not_sold:
        order(ctx, lines=[{"sku": "EGG", "quantity": "1"}])
    assert not_sold.value.field == "lines.1.sku"
    # a field names the line from 1, as the command parser does, so a form can point at the line
    with pytest.raises(NotFound, match="NOPE") as unknown:
        order(ctx, lines=[{"sku": "MILK", "quantity": "12"}, {"sku": "NOPE", "quantity": "1"}])
    assert unknown.value.field == "lines.2.sku"
    with pytest.raises(InvalidInput) as parsed:
        order(ctx, lines=[{"sku": "MILK", "quantity": "12"}, {"sku": "PINE", "quantity": "-1"}])
    assert parsed.value.field == "lines.2.quantity"
    draft = order(ctx)
    with pytest.raises(InvalidInput, match="packs of 24") as packs:
        purchase_orders.edit_order(
            ctx,
            draft.head.id,
            build(
                EditPurchaseOrder,
                {"lines": [{"sku": "MILK", "quantity": "0"}, {"sku": "PINE", "quantity": "5"}]},
            ),
        )
    assert packs.value.field == "lines.2.quantity"
    with pytest.raises(NotFound, match="no supplier"):
        order(ctx, supplier="Nobody")
    # a supplier is named by its number or its name, so no name is a number; no number is too big
    for digits in ("5", "١٢", "²"):
        with pytest.raises(InvalidInput, match="only digits") as numeric:
            suppliers.add_supplier(ctx, build(AddSupplier, {"name": digits, "delivery_days": ["tue"]}))
        assert numeric.value.field == "name"
    for ref in ("99999999999999999999999", "9223372036854775808", "²", "١"):
        with pytest.raises(NotFound) as far:
            order(ctx, supplier=ref)
        assert far.value.field == "supplier"
    for ref in ("PO-²", "-1", "po--1", "١", "99999999999999999999999"):
        with pytest.raises(InvalidInput, match="named like PO-00012"):
            parse_order_number(ref)
    assert [parse_order_number(r) for r in ("PO-00012", "po12", "PO 12", "12")] == [12] * 4


def test_an_edit_names_each_line_once_and_records_only_what_changed(ctx: Context) -> None:
    dairy(ctx)
    draft = order(ctx)
    for twice in ([("MILK", "12"), ("MILK", "0")], [("MILK", "12"), ("MILK", "24")]):
        with pytest.raises(InvalidInput, match="MILK is on the order twice") as repeated:
            purchase_orders.edit_order(
                ctx,
                draft.head.id,
                build(EditPurchaseOrder, {"lines": [{"sku": s, "quantity": q} for s, q in twice]}),
            )
        assert repeated.value.field == "lines.2.sku"
    same = purchase_orders.edit_order(
        ctx,
        draft.head.id,
        build(EditPurchaseOrder, {"lines": [{"sku": "MILK", "quantity": "24"}], "note": ""}),
    )
    assert [e.action for e in same.events] == ["created"]  # the form saved as it was: nothing to record
    changed = purchase_orders.edit_order(
        ctx, draft.head.id, build(EditPurchaseOrder, {"lines": [{"sku": "MILK", "quantity": "36"}]})
    )
    assert changed.events[-1].detail == "36 MILK"


def test_the_csv_a_supplier_opens_runs_no_formula(ctx: Context) -> None:
    dairy(ctx)
    suppliers.supply_product(
        ctx,
        "Kowloon Dairy 九龍奶品",
        build(
            SupplyProduct, {"sku": "PINE", "pack_size": "24", "cost": "9", "supplier_code": "=HYPERLINK(1)"}
        ),
    )
    draft = order(ctx)
    rows = list(csv.DictReader(io.StringIO(purchase_orders.csv_text(draft, "HKD"))))
    assert [r["supplier_code"] for r in rows] == ["KD-1L", "'=HYPERLINK(1)"]


def test_a_delivery_date_the_supplier_does_not_deliver_on_is_kept_with_a_warning(ctx: Context) -> None:
    dairy(ctx)  # delivers Mon and Thu, the day after ordering; TODAY is Wednesday 2026-11-25
    assert order(ctx).warnings == ()  # its next delivery day, Thu 2026-11-26
    friday = order(ctx, delivery_date="2026-11-27")
    assert friday.head.delivery_date == dt.date(2026, 11, 27)
    assert friday.warnings == (
        "they deliver on Mon, Thu, not on Fridays: the next delivery day is 2026-11-30",
    )
    today = order(ctx, delivery_date="2026-11-25")
    assert today.warnings == (
        "ordered today, the earliest they deliver is Thu 2026-11-26 (1 day after ordering, on Mon, Thu)",
    )
    edited = purchase_orders.edit_order(
        ctx, friday.head.id, build(EditPurchaseOrder, {"delivery_date": "2026-11-30"})
    )
    assert edited.warnings == ()


def test_the_same_form_sent_twice_makes_one_order(ctx: Context) -> None:
    dairy(ctx)
    first = order(ctx, key="po-form-1")
    again = order(ctx, key="po-form-1")
    assert first.head.id == again.head.id
    assert len(purchase_orders.list_orders(ctx, OrderQuery()).items) == 1
    # the same key with another request is refused: never someone else's order answered as this one
    with pytest.raises(Conflict, match="used for another request") as reused:
        order(ctx, key="po-form-1", note="another order")
    assert reused.value.field == "key"
    assert len(purchase_orders.list_orders(ctx, OrderQuery()).items) == 1


def test_an_edit_made_while_the_order_is_being_sent_stops_the_send(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The supplier's message is written from the order as read, outside the write lock: an edit
    that lands between the two must not leave a sent order that differs from what was sent."""
    dairy(ctx)
    draft = order(ctx)
    writing = purchase_orders.csv_text

    def edited_meanwhile(*args: object) -> str:
        text = writing(*args)  # type: ignore[arg-type]
        purchase_orders.edit_order(ctx, draft.head.id, build(EditPurchaseOrder, {"note": "ring first"}))
        return text

    monkeypatch.setattr(purchase_orders, "csv_text", edited_meanwhile)
    with pytest.raises(Conflict, match="changed while it was being sent"):
        purchase_orders.send_order(ctx, draft.head.id)
    monkeypatch.setattr(purchase_orders, "csv_text", writing)
    assert purchase_orders.order_detail(ctx, draft.head.id).head.state is OrderState.DRAFT
    sent = purchase_orders.send_order(ctx, draft.head.id)  # looked at again and sent: as it now is
    assert sent.order.head.note == "ring first"


def test_sending_delivers_the_order_with_its_csv_once_and_records_who(
    ctx: Context, receiver: Receiver
) -> None:
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json"], allow_private_addresses=True))
    dairy(ctx, receiver.url("orders"), minimum="600")
    draft = order(ctx)
    with pytest.raises(Conflict, match=r"below the supplier.s minimum order of HK\$600\.00"):
        purchase_orders.send_order(ctx, draft.head.id)
    purchase_orders.edit_order(
        ctx, draft.head.id, build(EditPurchaseOrder, {"lines": [{"sku": "MILK", "quantity": "36"}]})
    )
    sent = purchase_orders.send_order(ctx, draft.head.id)
    assert sent.order.head.state is OrderState.SENT and sent.messages == 1
    assert [e.action for e in sent.order.events] == ["created", "edited", "sent"]
    with pytest.raises(Conflict, match="only a draft is sent"):
        purchase_orders.send_order(ctx, draft.head.id)
    with pytest.raises(Conflict, match="only a draft can be changed"):
        purchase_orders.edit_order(
            ctx, draft.head.id, build(EditPurchaseOrder, {"lines": [{"sku": "MILK", "quantity": "12"}]})
        )

    assert [d.state for d in purchase_orders.deliveries(ctx, draft.head.id)] == ["pending"]
    notify.deliver(ctx)
    notify.deliver(ctx)
    assert len(receiver.messages) == 1
    (reached,) = purchase_orders.deliveries(ctx, draft.head.id)  # the page says the supplier got it
    assert reached.state == "sent" and reached.attempts == 1
    message = receiver.messages[0]
    assert "PO-" in str(message["title"]) and "36 each Fresh milk 1 L (your code KD-1L) = 3 x 12" in str(
        message["message"]
    )
    (attached,) = message["attachments"]  # type: ignore[misc]
    assert attached["filename"] == f"{sent.order.number}.csv"
    rows = list(csv.DictReader(io.StringIO(base64.b64decode(attached["base64"]).decode("utf-8-sig"))))
    assert [(r["sku"], r["quantity"], r["packs"], r["unit_cost"], r["line_cost"]) for r in rows] == [
        ("MILK", "36", "3", "14.50", "522.00"),
        ("PINE", "24", "1", "9.00", "216.00"),
    ]


def test_a_gs1_scan_receives_a_lot_with_its_batch_and_expiry_against_the_order(ctx: Context) -> None:
    dairy(ctx)
    draft = order(ctx)
    with pytest.raises(Conflict, match="send it first"):
        receiving.receive(
            ctx, draft.head.id, build(ReceiveAgainstOrder, {"code": PINE_GS1, "quantity": "24"})
        )
    purchase_orders.send_order(ctx, draft.head.id)
    taken = receiving.receive(
        ctx,
        draft.head.id,
        build(ReceiveAgainstOrder, {"code": PINE_GS1, "quantity": "24", "location": "shelf"}),
    )
    lot = taken.received.lot
    assert (lot.sku, lot.expiry_date, lot.batch, lot.supplier, lot.quantity) == (
        "PINE",
        dt.date(2027, 12, 31),
        "L2412A",
        "Kowloon Dairy 九龍奶品",
        Decimal("24"),
    )
    assert lot.unit_cost == 900  # the order line's cost
    assert taken.order.head.state is OrderState.PARTLY_RECEIVED
    assert taken.line is not None and taken.line.received == 24000
    with ctx.db.read() as conn:
        reference = conn.execute(
            select(t.movements.c.reference).where(t.movements.c.lot_id == lot.id)
        ).scalar_one()
    assert reference == taken.order.number
    assert ledger_matches_lots(ctx)


def test_a_bare_barcode_at_a_door_that_asks_is_refused_until_its_date_is_typed(ctx: Context) -> None:
    dairy(ctx)
    po = order(ctx).head.id
    purchase_orders.send_order(ctx, po)
    asked = {"code": "MILK", "quantity": "12", "ask_date": True}
    with pytest.raises(receiving.DateNeeded, match="has no date: type the date printed on it") as refused:
        receiving.receive(ctx, po, build(ReceiveAgainstOrder, asked))
    assert refused.value.field == "expires"
    assert refused.value.by_shelf_life == TODAY + dt.timedelta(days=7)  # milk keeps 7 days
    assert purchase_orders.order_detail(ctx, po).head.state is OrderState.SENT  # nothing taken in
    taken = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {**asked, "expires": "2026-11-30"}))
    assert taken.received.lot.expiry_date == dt.date(2026, 11, 30)
    # a GS1 scan carries its date, so nothing is asked; and without ask_date the shelf life dates it
    receiving.receive(ctx, po, build(ReceiveAgainstOrder, {**asked, "code": PINE_GS1}))
    plain = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12"}))
    assert plain.received.lot.expiry_date == TODAY + dt.timedelta(days=7)


def test_short_over_substitute_and_refused_are_all_recorded(ctx: Context) -> None:
    dairy(ctx)
    catalog.add_product(
        ctx, AddProduct(sku="MILK-LOW", name="Low-fat milk 1 L", expiry_kind="use_by", shelf_life_days=7)
    )
    draft = order(ctx, lines=[{"sku": "MILK", "quantity": "24"}, {"sku": "PINE", "quantity": "48"}])
    purchase_orders.send_order(ctx, draft.head.id)
    po = draft.head.id
    near = TODAY + dt.timedelta(days=1)
    refused = receiving.refuse(
        ctx,
        po,
        build(
            RefuseDelivery,
            {
                "code": "MILK",
                "quantity": "6",
                "reason": "expires tomorrow: too close",
                "expires": near.isoformat(),
            },
        ),
    )
    assert refused.head.state is OrderState.SENT  # nothing taken in: it could still be cancelled
    taken = receiving.receive(
        ctx, po, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12", "location": "fridge"})
    )
    assert taken.received.lot.expiry_date == TODAY + dt.timedelta(days=7)  # from the product's shelf life
    with pytest.raises(Conflict, match="MILK-LOW is not on this order"):
        receiving.receive(
            ctx, po, build(ReceiveAgainstOrder, {"code": "MILK-LOW", "quantity": "6", "location": "fridge"})
        )
    sub = receiving.receive(
        ctx,
        po,
        build(
            ReceiveAgainstOrder,
            {"code": "MILK-LOW", "quantity": "6", "location": "fridge", "substitute_for": "MILK"},
        ),
    )
    assert sub.kind.value == "substitute"
    assert sub.received.lot.unit_cost == 1450  # not on the supplier's list: at the line it replaces
    over = receiving.receive(
        ctx,
        po,
        build(ReceiveAgainstOrder, {"code": "4006381333931", "quantity": "50", "expires": "2027-06-30"}),
    )
    assert any("2 more PINE than ordered" in w for w in over.warnings)
    with pytest.raises(Conflict, match="finish receiving it instead"):
        purchase_orders.cancel_order(ctx, po, build(CancelOrder, {"reason": "changed my mind"}))
    done = receiving.finish(ctx, po, FinishReceiving())
    assert done.order.head.state is OrderState.RECEIVED and done.order.head.closed_at is not None
    by_sku = {ln.sku: ln for ln in done.order.lines}
    assert by_sku["MILK"].received == 18000 and by_sku["PINE"].received == 50000
    shortfalls = {d.product_id: (d.short, d.over) for d in done.differences}
    assert shortfalls[by_sku["MILK"].product_id] == (6000, 0)
    assert shortfalls[by_sku["PINE"].product_id] == (0, 2000)
    assert done.order.events[-1].detail == "short 6 MILK (6 refused at the door); over 2 PINE"
    kinds = [(r.sku, r.kind, r.quantity, r.reason) for r in done.order.receipts.items]
    assert kinds == [
        ("MILK", "refused", 6000, "expires tomorrow: too close"),
        ("MILK", "received", 12000, ""),
        ("MILK-LOW", "substitute", 6000, "for MILK"),
        ("PINE", "received", 50000, ""),
    ]
    with pytest.raises(Conflict, match="nothing can be received"):
        receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "1"}))


def test_an_order_that_came_in_full_stays_open_for_the_rest_of_the_delivery_until_finished(
    ctx: Context,
) -> None:
    dairy(ctx)
    draft = order(ctx, lines=[{"sku": "PINE", "quantity": "24"}])
    purchase_orders.send_order(ctx, draft.head.id)
    po = draft.head.id
    taken = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": PINE_GS1, "quantity": "24"}))
    assert taken.complete and taken.order.head.state is OrderState.PARTLY_RECEIVED
    # the driver brought two more, and one dented tin: both recorded against this order
    extra = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": PINE_GS1, "quantity": "2"}))
    assert extra.complete and any("2 more PINE than ordered" in w for w in extra.warnings)
    receiving.refuse(ctx, po, build(RefuseDelivery, {"code": "PINE", "quantity": "1", "reason": "dented"}))
    done = receiving.finish(ctx, po, FinishReceiving())
    assert done.order.head.state is OrderState.RECEIVED
    assert done.order.events[-1].detail == "over 2 PINE"


def test_a_substitute_counts_for_an_ordered_line_only_in_the_same_unit(ctx: Context) -> None:
    dairy(ctx)
    catalog.add_product(ctx, AddProduct(sku="HAM", name="Ham", unit="kg", shelf_life_days=5))
    po = order(ctx).head.id
    purchase_orders.send_order(ctx, po)
    with pytest.raises(InvalidInput, match="HAM is counted in kg and MILK in each") as refused:
        receiving.receive(
            ctx, po, build(ReceiveAgainstOrder, {"code": "HAM", "quantity": "24", "substitute_for": "MILK"})
        )
    assert refused.value.field == "substitute_for"
    with pytest.raises(NotFound) as unknown:
        receiving.receive(
            ctx, po, build(ReceiveAgainstOrder, {"code": "PINE", "quantity": "1", "substitute_for": "NOPE"})
        )
    assert unknown.value.field == "substitute_for"
    with pytest.raises(NotFound) as unknown:
        receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": "NOPE", "quantity": "1"}))
    assert unknown.value.field == "code"
    assert purchase_orders.order_detail(ctx, po).lines[0].received == 0


def test_refusing_checks_the_scan_as_receiving_does(ctx: Context) -> None:
    dairy(ctx)
    po = order(ctx).head.id
    purchase_orders.send_order(ctx, po)
    refusals = [
        ({"code": "MILK", "quantity": "0.5"}, "whole units"),
        (
            {"code": PINE_GS1, "quantity": "1", "expires": "2026-12-30"},
            "the scan says the date is 2027-12-31",
        ),
        ({"code": PINE_GS1, "quantity": "1", "batch": "B"}, "the scan says batch L2412A, not B"),
    ]
    for fields, said in refusals:
        with pytest.raises(InvalidInput, match=said):
            receiving.refuse(ctx, po, build(RefuseDelivery, {**fields, "reason": "x"}))
    assert purchase_orders.order_detail(ctx, po).receipts.items == []


def test_a_date_far_beyond_the_shelf_life_is_taken_in_with_a_warning_to_check_it(ctx: Context) -> None:
    dairy(ctx)
    po = order(ctx).head.id
    purchase_orders.send_order(ctx, po)
    taken = receiving.receive(
        ctx, po, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12", "expires": "2049-12-31"})
    )
    assert any("MILK is dated 2049-12-31" in w and "check the date" in w for w in taken.warnings)


def test_a_sent_order_can_be_cancelled_and_a_cancelled_one_cannot_be_received(ctx: Context) -> None:
    dairy(ctx)
    draft = order(ctx)
    purchase_orders.send_order(ctx, draft.head.id)
    gone = purchase_orders.cancel_order(
        ctx, draft.head.id, build(CancelOrder, {"reason": "they closed for the holiday"})
    )
    assert gone.head.state is OrderState.CANCELLED and gone.events[-1].detail == "they closed for the holiday"
    with pytest.raises(Conflict, match="cancelled: nothing can be received"):
        receiving.receive(ctx, draft.head.id, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12"}))


def test_a_raw_scan_with_a_group_separator_or_no_prefix_is_received(ctx: Context) -> None:
    dairy(ctx)
    po = order(ctx).head.id
    purchase_orders.send_order(ctx, po)
    for code in (
        "]C1010400638133393110ABC\x1d17271231",
        "010400638133393110ABD\x1d17271231",
        "04006381333931",
    ):
        taken = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": code, "quantity": "1"}))
        assert taken.received.lot.sku == "PINE"
    batches = [r.batch for r in purchase_orders.order_detail(ctx, po).receipts.items]
    assert batches == ["ABC", "ABD", None]


def test_a_delivery_goes_where_the_product_usually_is_unless_told(ctx: Context) -> None:
    dairy(ctx)
    po = order(ctx).head.id
    purchase_orders.send_order(ctx, po)
    first = receiving.receive(
        ctx, po, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12", "location": "fridge"})
    )
    assert first.received.lot.location == "fridge"
    usual = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12"}))
    assert usual.received.lot.location == "fridge"  # where its newest lot in stock is
    never = receiving.receive(ctx, po, build(ReceiveAgainstOrder, {"code": PINE_GS1, "quantity": "24"}))
    assert never.received.lot.location == "shelf"  # no lot of it yet: the shelf


def test_a_scan_whose_gtin_no_product_has_says_so(ctx: Context) -> None:
    dairy(ctx)
    draft = order(ctx)
    purchase_orders.send_order(ctx, draft.head.id)
    with pytest.raises(NotFound, match="GTIN 4006381333948"):
        receiving.receive(
            ctx,
            draft.head.id,
            build(ReceiveAgainstOrder, {"code": "(01)04006381333948(17)271231", "quantity": "1"}),
        )
    with pytest.raises(InvalidInput, match="can't read"):
        receiving.receive(
            ctx,
            draft.head.id,
            build(ReceiveAgainstOrder, {"code": "(01)04006381333932(17)271231", "quantity": "1"}),
        )


def test_staff_receive_but_only_the_owner_manages_suppliers_and_orders(ctx: Context) -> None:
    dairy(ctx)
    draft = order(ctx)
    purchase_orders.send_order(ctx, draft.head.id)
    staff = ctx.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        suppliers.add_supplier(staff, build(AddSupplier, {"name": "Fish", "delivery_days": ["tue"]}))
    with pytest.raises(Forbidden):
        order(staff)
    assert purchase_orders.list_orders(staff, OrderQuery(state="sent")).items[0].id == draft.head.id
    taken = receiving.receive(
        staff, draft.head.id, build(ReceiveAgainstOrder, {"code": PINE_GS1, "quantity": "24"})
    )
    assert taken.order.events[-1].actor == "kwan"
    with pytest.raises(Forbidden):  # a lot's cost is what its waste is counted at: the owner's to change
        receiving.receive(
            staff, draft.head.id, build(ReceiveAgainstOrder, {"code": "MILK", "quantity": "12", "cost": "0"})
        )
