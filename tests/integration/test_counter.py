import datetime as dt

import pytest
from sqlalchemy import select

from midnight.db import tables as t
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.people import Actor, Role
from midnight.services import customers, holds
from midnight.services.context import Context
from tests.conftest import TODAY


@pytest.fixture
def counter(ctx: Context) -> Context:
    customers.add_customer(
        ctx,
        "Mr Chan 陳先生",
        nickname="663",
        phone="+852 9123 4567",
        contacts=["json://127.0.0.1:9/chan"],
        language="zh-Hant",
    )
    customers.add_customer(ctx, "Ms Wong", contacts=["json://127.0.0.1:9/wong"])
    return ctx


def test_customers_are_found_by_name_nickname_or_phone(counter: Context) -> None:
    assert [c.name for c in customers.search_customers(counter, "陳")] == ["Mr Chan 陳先生"]
    assert [c.name for c in customers.search_customers(counter, "663")] == ["Mr Chan 陳先生"]
    assert [c.name for c in customers.search_customers(counter, "9123")] == ["Mr Chan 陳先生"]
    assert customers.get_customer(counter, "663").language == "zh-Hant"
    with pytest.raises(NotFound):
        customers.get_customer(counter, "nobody")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"contacts": ["not a url"]}, "not a notification URL Apprise understands"),
        ({"phone": "call me"}, "not a phone number"),
        ({"birthday_greeting": True}, "needs a birthday"),
        ({"language": "fr"}, "language must be one of"),
        ({"birthday": "2000-02-30"}, "not a real calendar date"),
    ],
)
def test_bad_customers_are_refused(counter: Context, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInput, match=message):
        customers.add_customer(counter, "X", **kwargs)


def test_holding_an_item_gives_a_code_stored_only_hashed_and_tells_the_recipient(counter: Context) -> None:
    new = holds.hold_item(counter, "envelope with keys", "663", left_by="Ms Wong", shelf_slot="B2")
    assert len(new.code) == 6 and new.code.isdigit()
    assert new.hold.hold_until == TODAY + dt.timedelta(days=30) and new.hold.left_by == "Ms Wong"
    with counter.db.read() as conn:
        stored = conn.execute(select(t.holds.c.code_hash)).scalar_one()
        queued = conn.execute(select(t.outbox.c.event, t.outbox.c.body, t.outbox.c.url)).all()
    assert new.code not in stored
    assert [(q.event, q.url) for q in queued] == [("item_waiting", "json://127.0.0.1:9/chan")]
    assert new.code in queued[0].body and "領取碼" in queued[0].body  # in the customer's language


def test_pick_up_with_the_code(counter: Context) -> None:
    new = holds.hold_item(counter, "parcel", "Ms Wong")
    done = holds.pick_up(counter, new.hold.id, code=new.code)
    assert done.state == "picked_up" and done.history[-1].detail == "with the pickup code"
    with pytest.raises(Conflict, match="already picked up"):
        holds.pick_up(counter, new.hold.id, code=new.code)


def test_five_wrong_codes_lock_until_the_owner_unlocks(counter: Context) -> None:
    new = holds.hold_item(counter, "keys", "663")
    wrong = "000000" if new.code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput, match=f"{left} tries left"):
            holds.pick_up(counter, new.hold.id, code=wrong)
    with pytest.raises(InvalidInput, match="now locked"):
        holds.pick_up(counter, new.hold.id, code=wrong)
    with pytest.raises(Conflict, match="locked after 5 wrong codes"):
        holds.pick_up(counter, new.hold.id, code=new.code)
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        holds.unlock(staff, new.hold.id)
    holds.unlock(counter, new.hold.id)
    assert holds.pick_up(staff, new.hold.id, code=new.code).state == "picked_up"
    actions = [e.action for e in holds.get_hold(counter, new.hold.id).history]
    assert actions == ["hold", *["wrong_code"] * 5, "locked", "unlocked", "picked_up"]


def test_pick_up_after_an_identity_check_records_who_checked(counter: Context) -> None:
    new = holds.hold_item(counter, "letter", "663")
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(InvalidInput, match="give the pickup code"):
        holds.pick_up(staff, new.hold.id)
    done = holds.pick_up(staff, new.hold.id, identity_checked=True)
    assert done.history[-1].actor == "kwan" and done.history[-1].detail == "identity checked by kwan"


def test_an_expired_code_is_refused(counter: Context, clock) -> None:  # type: ignore[no-untyped-def]
    new = holds.hold_item(counter, "letter", "663", hold_until=TODAY + dt.timedelta(days=1))
    clock.advance(dt.timedelta(days=3))
    with pytest.raises(InvalidInput, match="expired"):
        holds.pick_up(counter, new.hold.id, code=new.code)
    assert holds.pick_up(counter, new.hold.id, identity_checked=True).state == "picked_up"


def test_extend_return_and_dispose_with_history(counter: Context, clock) -> None:  # type: ignore[no-untyped-def]
    a = holds.hold_item(counter, "umbrella", "Ms Wong", hold_until=TODAY + dt.timedelta(days=2)).hold
    b = holds.hold_item(
        counter, "book", "663", left_by="a regular", hold_until=TODAY + dt.timedelta(days=2)
    ).hold
    assert holds.extend(counter, a.id, TODAY + dt.timedelta(days=9)).hold_until == TODAY + dt.timedelta(
        days=9
    )
    with pytest.raises(InvalidInput, match="extend to a date after"):
        holds.extend(counter, a.id, TODAY)
    with pytest.raises(Conflict, match="dispose of it after that"):
        holds.dispose(counter, b.id, "never collected")
    clock.advance(dt.timedelta(days=3))
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        holds.dispose(staff, b.id, "never collected")
    with pytest.raises(InvalidInput, match="needs a reason"):
        holds.dispose(counter, b.id, "")
    assert holds.dispose(counter, b.id, "never collected").state == "disposed"
    assert holds.return_to_sender(staff, a.id).state == "returned"
    assert [e.action for e in holds.get_hold(counter, a.id).history] == ["hold", "extended", "returned"]


def test_the_shelf_shows_waiting_items_overdue_first(counter: Context, clock) -> None:  # type: ignore[no-untyped-def]
    late = holds.hold_item(counter, "old parcel", "663", hold_until=TODAY + dt.timedelta(days=1)).hold
    clock.advance(dt.timedelta(hours=1))
    fresh = holds.hold_item(counter, "new letter", "Ms Wong").hold
    gone = holds.hold_item(counter, "picked", "Ms Wong")
    holds.pick_up(counter, gone.hold.id, code=gone.code)
    clock.advance(dt.timedelta(days=2))
    board = holds.shelf(counter)
    assert [h.id for h in board] == [late.id, fresh.id] and board[0].overdue and not board[1].overdue


def test_bad_holds_are_refused(counter: Context) -> None:
    with pytest.raises(NotFound, match="unknown customer"):
        holds.hold_item(counter, "x", "nobody")
    with pytest.raises(InvalidInput, match="description"):
        holds.hold_item(counter, " ", "663")
    with pytest.raises(InvalidInput, match="in the past"):
        holds.hold_item(counter, "x", "663", hold_until="2020-01-01")
    with pytest.raises(NotFound, match="no held item 99"):
        holds.pick_up(counter, 99, code="123456")
