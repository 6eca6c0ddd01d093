"""The counter shelf: an item found by its code alone; holding for someone new in one step, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from midnight.commands.counter import AddCustomer, CustomerQuery, FindHold, HoldItem, PickUp
from midnight.db import tables as t
from midnight.domain.customer import UnknownCustomer
from midnight.domain.errors import Conflict, NotFound, TooManyAttempts
from midnight.domain.hold import HoldState, WrongCode
from midnight.domain.people import Actor, Role
from midnight.services import customers, holds
from midnight.services.context import Context


@pytest.fixture
def shelf(ctx: Context) -> Context:
    customers.add_customer(ctx, AddCustomer(name="Mr Chan 陳先生", nickname="663"))
    return ctx


def rows(ctx: Context, table: Any) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_code_alone_finds_the_waiting_item_and_hands_it_over(shelf: Context) -> None:
    other = holds.hold_item(shelf, HoldItem(description="umbrella", for_customer="663"))
    new = holds.hold_item(
        shelf, HoldItem(description="envelope with keys", for_customer="663", shelf_slot="B2")
    )
    assert new.code is not None and new.code != other.code
    found = holds.find_by_code(
        shelf, FindHold(code=f"{new.code[:3]} {new.code[3:]}")
    )  # as typed, with a space
    assert [f.hold.id for f in found] == [new.hold.id]
    assert found[0].refusal is None and found[0].can_hand_over and not found[0].needs_identity
    done = holds.pick_up(shelf, new.hold.id, PickUp(code=new.code, identity_checked=True))
    assert done.state is HoldState.PICKED_UP
    assert done.history[-1].detail == "with the pickup code, identity checked by tester"
    with pytest.raises(WrongCode):  # handed over: its code finds nothing any more
        holds.find_by_code(shelf, FindHold(code=new.code))


def test_wrong_codes_say_how_many_tries_are_left_and_five_stop_look_ups_for_a_while(
    shelf: Context, clock
) -> None:  # type: ignore[no-untyped-def]
    new = holds.hold_item(shelf, HoldItem(description="parcel", for_customer="663"))
    assert new.code is not None
    wrong = "000000" if new.code != "000000" else "111111"
    messages = []
    for _ in range(5):
        with pytest.raises(WrongCode) as refused:
            holds.find_by_code(shelf, FindHold(code=wrong))
        messages.append(refused.value.message)
    assert "no item waiting has the pickup code" in messages[0] and "(4 tries left)" in messages[0]
    assert "(1 try left)" in messages[3] and "no more tries for 15 minutes" in messages[4]
    with pytest.raises(TooManyAttempts, match="try a code again after 10:15") as locked:
        holds.find_by_code(shelf, FindHold(code=new.code))  # even the right one, for now
    assert locked.value.field == "code"
    # someone else at the counter is not stopped; the item itself is not locked
    other = shelf.acting_as(Actor("kwan", Role.STAFF))
    assert holds.find_by_code(other, FindHold(code=new.code))[0].hold.id == new.hold.id
    assert not holds.get_hold(shelf, new.hold.id).locked
    clock.advance(dt.timedelta(minutes=16))
    assert holds.find_by_code(shelf, FindHold(code=new.code))[0].hold.id == new.hold.id
    with pytest.raises(WrongCode, match=r"\(4 tries left\)"):  # the right code started the count again
        holds.find_by_code(shelf, FindHold(code=wrong))


def test_a_mistyped_code_is_not_a_wrong_try(shelf: Context) -> None:
    for typed in ("12345", "abcdef", "1234567"):
        with pytest.raises(Exception, match="six digits"):
            holds.find_by_code(shelf, FindHold(code=typed))
    assert rows(shelf, t.pickup_attempts) == 0


def test_an_expired_or_locked_item_is_found_with_what_to_do(shelf: Context, clock) -> None:  # type: ignore[no-untyped-def]
    expired = holds.hold_item(
        shelf,
        HoldItem(description="cake", for_customer="663", hold_until=shelf.today() + dt.timedelta(days=1)),
    )
    locked = holds.hold_item(shelf, HoldItem(description="book", for_customer="663"))
    assert expired.code and locked.code
    for _ in range(5):
        with pytest.raises(WrongCode):
            holds.pick_up(
                shelf, locked.hold.id, PickUp(code="999999" if locked.code != "999999" else "888888")
            )
    clock.advance(dt.timedelta(days=2))
    (late,) = holds.find_by_code(shelf, FindHold(code=expired.code))
    assert late.can_hand_over and late.needs_identity and "expired" in (late.refusal or "")
    (stuck,) = holds.find_by_code(shelf, FindHold(code=locked.code))
    assert not stuck.can_hand_over and "locked" in (stuck.refusal or "")


def test_look_ups_are_append_only(shelf: Context) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(WrongCode):
        holds.find_by_code(shelf, FindHold(code="000001"))
    for statement in ("UPDATE pickup_attempts SET ok = true", "DELETE FROM pickup_attempts"):
        with pytest.raises(DBAPIError, match="append-only"), shelf.db.write() as conn:
            conn.execute(text(statement))


# --- holding for someone new ------------------------------------------------------------------------


def test_someone_unknown_can_be_added_as_a_customer_in_the_same_step_and_once(shelf: Context) -> None:
    with pytest.raises(UnknownCustomer, match="no customer is called 'Mrs Lee'") as unknown:
        holds.hold_item(shelf, HoldItem(description="cake", for_customer="Mrs Lee", key="form-1"))
    assert unknown.value.addable and unknown.value.field == "customer"
    before = (rows(shelf, t.customers), rows(shelf, t.holds))
    form = HoldItem(description="cake", for_customer="Mrs  Lee", new_customer=True, key="form-1")
    new = holds.hold_item(shelf, form)
    assert new.new_customer and new.code is not None and not new.replayed
    assert new.hold.for_customer == "Mrs Lee"
    assert "(new customer #" in new.hold.history[0].detail
    again = holds.hold_item(shelf, form)  # a double tap, or the browser retrying
    assert again.replayed and again.code is None and again.hold.id == new.hold.id
    assert (rows(shelf, t.customers), rows(shelf, t.holds)) == (before[0] + 1, before[1] + 1)
    assert [c.name for c in customers.search_customers(shelf, CustomerQuery(q="lee")).items] == ["Mrs Lee"]
    # and from now on she is simply known
    later = holds.hold_item(shelf, HoldItem(description="flowers", for_customer="mrs lee", new_customer=True))
    assert not later.new_customer and later.hold.for_customer_id == new.hold.for_customer_id


def test_a_number_is_never_made_into_a_new_customer(shelf: Context) -> None:
    for ref in ("#99", "12345"):
        with pytest.raises(NotFound) as refused:
            holds.hold_item(shelf, HoldItem(description="x", for_customer=ref, new_customer=True))
        assert not getattr(refused.value, "addable", False)
    assert rows(shelf, t.holds) == 0


def test_a_forms_key_used_for_another_item_is_refused(shelf: Context) -> None:
    holds.hold_item(shelf, HoldItem(description="cake", for_customer="663", key="k1"))
    with pytest.raises(Conflict, match="already used to hold another item"):
        holds.hold_item(shelf, HoldItem(description="umbrella", for_customer="663", key="k1"))
    assert rows(shelf, t.holds) == 1


def test_finding_by_code_and_holding_for_someone_new_do_nothing_slow_in_the_write_lock(
    shelf: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def watch(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            assert shelf.db.writing_depth() == 0, f"{name} ran inside a write transaction"
            calls.append(name)
            return fn(*args, **kwargs)

        return wrapped

    for name in ("hash_code", "verify_code"):
        monkeypatch.setattr(holds, name, watch(name, getattr(holds, name)))
    renderer = shelf.adapters.renderer
    monkeypatch.setattr(renderer, "render", watch("render", renderer.render))
    new = holds.hold_item(shelf, HoldItem(description="cake", for_customer="Ms New", new_customer=True))
    assert new.code is not None
    holds.find_by_code(shelf, FindHold(code=new.code))
    assert "hash_code" in calls and "render" in calls and "verify_code" not in calls
