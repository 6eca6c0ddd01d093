import datetime as dt
import re
import unicodedata

import pytest
from sqlalchemy import select

from midnight.commands import build
from midnight.commands.counter import (
    AddCustomer,
    CustomerQuery,
    Dispose,
    Extend,
    HoldItem,
    PickUp,
    ReturnHold,
    ShelfQuery,
)
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.hold import HoldState
from midnight.domain.people import Actor, Role
from midnight.services import customers, holds
from midnight.services.context import Context
from tests.conftest import TODAY

CHAN_CONTACT = "mailto://chan:hunter22secret@example.com"


@pytest.fixture
def counter(ctx: Context) -> Context:
    customers.add_customer(
        ctx,
        AddCustomer(
            name="Mr Chan 陳先生",
            nickname="663",
            phone="+852 9123 4567",
            contacts=[CHAN_CONTACT],
            language="zh-Hant",
        ),
    )
    customers.add_customer(ctx, AddCustomer(name="Ms Wong", contacts=["mailto://wong@example.com"]))
    return ctx


def names(page: list[customers.CustomerInfo]) -> list[str]:
    return [c.name for c in page]


def test_customers_are_found_by_name_nickname_or_phone(counter: Context) -> None:
    assert names(customers.search_customers(counter, CustomerQuery(q="陳")).items) == ["Mr Chan 陳先生"]
    assert names(customers.search_customers(counter, CustomerQuery(q="663")).items) == ["Mr Chan 陳先生"]
    assert names(customers.search_customers(counter, CustomerQuery(q="9123")).items) == ["Mr Chan 陳先生"]
    assert customers.get_customer(counter, "663").language == "zh-Hant"
    assert customers.get_customer(counter, "#2").name == "Ms Wong"
    with pytest.raises(NotFound):
        customers.get_customer(counter, "nobody")


def test_customer_search_pages_through_everyone(counter: Context) -> None:
    for n in range(5):
        customers.add_customer(counter, AddCustomer(name=f"Mr Lee {n}"))
    seen: list[str] = []
    cursor = None
    while True:
        page = customers.search_customers(counter, CustomerQuery(q="mr", limit=2, cursor=cursor))
        assert len(page.items) <= 2
        seen += names(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == names(customers.search_customers(counter, CustomerQuery(q="mr")).items)
    assert sorted(seen) == sorted(["Mr Chan 陳先生", *(f"Mr Lee {n}" for n in range(5))])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"contacts": ["nonsense"]}, "not a notification address Apprise understands"),
        ({"contacts": ["not a url"]}, "cannot contain spaces"),
        ({"phone": "call me"}, "not a phone number"),
        ({"birthday_greeting": True}, "needs a birthday"),
        ({"language": "fr"}, "language must be one of"),
        ({"birthday": "2000-02-30"}, "not a real calendar date"),
        ({"notes": "x" * 2001}, "notes must be at most 2000 characters"),
        ({"name": "Mr\u202eChan"}, "text-direction control"),
        ({"name": "Ms\u200bWong"}, "zero-width space"),
        ({"name": "Ms\x07Wong"}, "control character"),
        ({"name": " "}, "name must not be empty"),
    ],
)
def test_bad_customers_are_refused(counter: Context, fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        customers.add_customer(counter, build(AddCustomer, {"name": "X", **fields}))


def test_customer_text_is_stored_nfc_and_notes_keep_their_lines(counter: Context) -> None:
    decomposed = unicodedata.normalize("NFD", "Élodie Ça")
    notes = "prefers the back door\n" + "x" * 1970
    who = customers.add_customer(counter, AddCustomer(name=decomposed, notes=notes))
    assert who.name == "Élodie Ça" and unicodedata.is_normalized("NFC", who.name)
    assert customers.get_customer(counter, f"#{who.id}").notes == notes


@pytest.mark.parametrize(
    ("contact", "message"),
    [
        ("json://hooks.example.com/chan", "json:// addresses cannot be used as contacts here"),
        ("xml://hooks.example.com/chan", "xml:// addresses cannot be used as contacts here"),
        ("form://hooks.example.com/chan", "form:// addresses cannot be used as contacts here"),
        ("json://127.0.0.1:9/chan", "json:// addresses cannot be used as contacts here"),
        ("ntfys://10.1.2.3/chan", "10.1.2.3, a private address"),
        ("ntfys://127.0.0.1/chan", "127.0.0.1, a loopback address"),
        ("ntfys://169.254.169.254/chan", "169.254.169.254, a link-local address"),
        ("mailto://chan@localhost", "localhost, a local network name"),
    ],
)
def test_customer_contacts_must_be_personal_and_public_by_default(
    counter: Context, contact: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)) as refused:
        customers.add_customer(counter, AddCustomer(name="X", contacts=[contact]))
    assert refused.value.field == "contacts"
    assert names(customers.search_customers(counter, CustomerQuery(q="x")).items) == []


def test_customer_contacts_are_shown_masked_to_everyone(counter: Context) -> None:
    masked = "mailto://chan:****@example.com"
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    for who in (counter, staff):
        assert customers.get_customer(who, "663").contacts == [masked]
        assert customers.search_customers(who, CustomerQuery(q="chan")).items[0].contacts == [masked]
    with counter.db.read() as conn:
        stored = conn.execute(select(t.customer_contacts.c.url, t.customer_contacts.c.display)).all()
    assert all("hunter22secret" not in row.url for row in stored)  # sealed at rest
    assert counter.adapters.box.open(stored[0].url) == CHAN_CONTACT


def test_holding_an_item_gives_a_code_stored_only_hashed_and_tells_the_recipient(counter: Context) -> None:
    new = holds.hold_item(
        counter,
        HoldItem(description="envelope with keys", for_customer="663", left_by="Ms Wong", shelf_slot="B2"),
    )
    assert len(new.code) == 6 and new.code.isdigit()
    assert new.hold.hold_until == TODAY + dt.timedelta(days=30) and new.hold.left_by == "Ms Wong"
    assert new.hold.state is HoldState.WAITING
    assert new.hold.state == "waiting"  # type: ignore[comparison-overlap]  # a StrEnum: equal to its text
    with counter.db.read() as conn:
        stored = conn.execute(select(t.holds.c.code_hash)).scalar_one()
        queued = conn.execute(
            select(t.outbox.c.event, t.outbox.c.body, t.outbox.c.url, t.outbox.c.display)
        ).all()
    assert new.code not in stored
    assert [(q.event, q.display) for q in queued] == [("item_waiting", "mailto://chan:****@example.com")]
    box = counter.adapters.box
    assert box.open(queued[0].url) == CHAN_CONTACT  # delivery uses the real address
    assert new.code not in queued[0].body and "hunter22secret" not in queued[0].url  # sealed at rest
    body = box.open(queued[0].body)
    assert new.code in body and "領取碼" in body  # in the customer's language


def test_pick_up_with_the_code(counter: Context) -> None:
    new = holds.hold_item(counter, HoldItem(description="parcel", for_customer="Ms Wong"))
    done = holds.pick_up(counter, new.hold.id, PickUp(code=new.code))
    assert done.state is HoldState.PICKED_UP and done.history[-1].detail == "with the pickup code"
    with pytest.raises(Conflict, match="already picked up"):
        holds.pick_up(counter, new.hold.id, PickUp(code=new.code))


def test_five_wrong_codes_lock_until_the_owner_unlocks(counter: Context) -> None:
    new = holds.hold_item(counter, HoldItem(description="keys", for_customer="663"))
    wrong = PickUp(code="000000" if new.code != "000000" else "111111")
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput, match=f"{left} {'try' if left == 1 else 'tries'} left"):
            holds.pick_up(counter, new.hold.id, wrong)
    with pytest.raises(InvalidInput, match="now locked"):
        holds.pick_up(counter, new.hold.id, wrong)
    with pytest.raises(Conflict, match="locked after 5 wrong codes"):
        holds.pick_up(counter, new.hold.id, PickUp(code=new.code))
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        holds.unlock(staff, new.hold.id)
    holds.unlock(counter, new.hold.id)
    assert holds.pick_up(staff, new.hold.id, PickUp(code=new.code)).state is HoldState.PICKED_UP
    actions = [e.action for e in holds.get_hold(counter, new.hold.id).history]
    assert actions == ["hold", *["wrong_code"] * 5, "locked", "unlocked", "picked_up"]


def test_pick_up_after_an_identity_check_records_who_checked(counter: Context) -> None:
    new = holds.hold_item(counter, HoldItem(description="letter", for_customer="663"))
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(InvalidInput, match="give the pickup code"):
        holds.pick_up(staff, new.hold.id, build(PickUp, {}))
    done = holds.pick_up(staff, new.hold.id, PickUp(identity_checked=True))
    assert done.history[-1].actor == "kwan" and done.history[-1].detail == "identity checked by kwan"


def test_an_expired_code_is_refused(counter: Context, clock: FixedClock) -> None:
    new = holds.hold_item(
        counter, HoldItem(description="letter", for_customer="663", hold_until=TODAY + dt.timedelta(days=1))
    )
    clock.advance(dt.timedelta(days=3))
    with pytest.raises(InvalidInput, match="expired"):
        holds.pick_up(counter, new.hold.id, PickUp(code=new.code))
    assert holds.pick_up(counter, new.hold.id, PickUp(identity_checked=True)).state is HoldState.PICKED_UP


def test_extend_return_and_dispose_with_history(counter: Context, clock: FixedClock) -> None:
    a = holds.hold_item(
        counter,
        HoldItem(description="umbrella", for_customer="Ms Wong", hold_until=TODAY + dt.timedelta(days=2)),
    ).hold
    b = holds.hold_item(
        counter,
        HoldItem(
            description="book",
            for_customer="663",
            left_by="a regular",
            hold_until=TODAY + dt.timedelta(days=2),
        ),
    ).hold
    assert b.left_by == "a regular"
    extended = holds.extend(counter, a.id, Extend(hold_until=TODAY + dt.timedelta(days=9)))
    assert extended.hold_until == TODAY + dt.timedelta(days=9)
    with pytest.raises(InvalidInput, match="extend to a date after"):
        holds.extend(counter, a.id, Extend(hold_until=TODAY))
    with pytest.raises(Conflict, match="dispose of it after that"):
        holds.dispose(counter, b.id, Dispose(reason="never collected"))
    clock.advance(dt.timedelta(days=3))
    staff = counter.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        holds.dispose(staff, b.id, Dispose(reason="never collected"))
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        holds.dispose(counter, b.id, build(Dispose, {"reason": ""}))
    assert holds.dispose(counter, b.id, Dispose(reason="never collected")).state is HoldState.DISPOSED
    assert holds.return_to_sender(staff, a.id, ReturnHold()).state is HoldState.RETURNED
    assert [e.action for e in holds.get_hold(counter, a.id).history] == ["hold", "extended", "returned"]
    with pytest.raises(Conflict, match="already returned"):
        holds.extend(counter, a.id, Extend(hold_until=TODAY + dt.timedelta(days=30)))


def test_the_shelf_shows_waiting_items_overdue_first(counter: Context, clock: FixedClock) -> None:
    late = holds.hold_item(
        counter,
        HoldItem(description="old parcel", for_customer="663", hold_until=TODAY + dt.timedelta(days=1)),
    ).hold
    clock.advance(dt.timedelta(hours=1))
    fresh = holds.hold_item(counter, HoldItem(description="new letter", for_customer="Ms Wong")).hold
    gone = holds.hold_item(counter, HoldItem(description="picked", for_customer="Ms Wong"))
    holds.pick_up(counter, gone.hold.id, PickUp(code=gone.code))
    clock.advance(dt.timedelta(days=2))
    board = holds.shelf(counter, ShelfQuery()).items
    assert [h.id for h in board] == [late.id, fresh.id] and board[0].overdue and not board[1].overdue
    everything = holds.shelf(counter, ShelfQuery(all_items=True)).items
    assert [h.id for h in everything] == [gone.hold.id, fresh.id, late.id]  # newest first
    mine = holds.shelf(counter, ShelfQuery(customer="Ms Wong")).items
    assert [h.id for h in mine] == [fresh.id]


def test_the_shelf_pages_in_the_same_order(counter: Context, clock: FixedClock) -> None:
    for n in range(5):
        holds.hold_item(
            counter,
            HoldItem(
                description=f"parcel {n}", for_customer="663", hold_until=TODAY + dt.timedelta(days=5 - n)
            ),
        )
        clock.advance(dt.timedelta(minutes=1))
    clock.advance(dt.timedelta(days=3))  # parcels 3 and 4 are overdue now
    whole = [h.id for h in holds.shelf(counter, ShelfQuery()).items]
    paged: list[int] = []
    cursor = None
    while True:
        page = holds.shelf(counter, ShelfQuery(limit=2, cursor=cursor))
        paged += [h.id for h in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert paged == whole and len(whole) == 5 and whole[:2] == [4, 5]


def test_bad_holds_are_refused(counter: Context) -> None:
    with pytest.raises(NotFound, match="no customer is called"):
        holds.hold_item(counter, HoldItem(description="x", for_customer="nobody"))
    with pytest.raises(InvalidInput, match="description"):
        holds.hold_item(counter, build(HoldItem, {"description": " ", "for_customer": "663"}))
    with pytest.raises(InvalidInput, match="description contains a control character"):
        holds.hold_item(counter, build(HoldItem, {"description": "keys\x1b[2J", "for_customer": "663"}))
    with pytest.raises(InvalidInput, match="in the past"):
        holds.hold_item(
            counter, build(HoldItem, {"description": "x", "for_customer": "663", "hold_until": "2020-01-01"})
        )
    with pytest.raises(NotFound, match="no held item 99"):
        holds.pick_up(counter, 99, PickUp(code="123456"))
    with counter.db.read() as conn:
        assert conn.execute(select(t.holds.c.id)).all() == []


# Names compared the Unicode way (NFKC + casefold), the same on SQLite and PostgreSQL.
FOLDED = [
    ("Élodie Ça", "ÉLODIE ÇA"),
    ("Élodie Ça", unicodedata.normalize("NFD", "élodie ça")),  # typed decomposed
    ("Σωκράτης Παπαδόπουλος", "ΣΩΚΡΆΤΗΣ ΠΑΠΑΔΌΠΟΥΛΟΣ"),  # final sigma folds like any sigma
    ("Юлия Ёлкина", "юлия ёлкина"),
    ("Straße Weiß", "STRASSE WEISS"),
]


@pytest.mark.parametrize(("name", "typed"), FOLDED)
def test_customer_names_are_compared_unicode_folded(counter: Context, name: str, typed: str) -> None:
    who = customers.add_customer(counter, AddCustomer(name=name, nickname="Ωμέγα"))
    assert customers.get_customer(counter, typed).id == who.id
    assert customers.get_customer(counter, "ΩΜΈΓΑ").id == who.id  # nickname too
    found = customers.search_customers(counter, CustomerQuery(q=typed.split()[0])).items
    assert [c.id for c in found] == [who.id]
    new = holds.hold_item(counter, HoldItem(description="parcel", for_customer=typed))
    assert new.hold.for_customer_id == who.id and new.hold.for_customer == name


def test_full_width_digits_find_a_nickname(counter: Context) -> None:
    assert customers.get_customer(counter, "６６３").name == "Mr Chan 陳先生"
    assert names(customers.search_customers(counter, CustomerQuery(q="６６")).items) == ["Mr Chan 陳先生"]


def test_two_customers_with_one_folded_name_need_their_number(counter: Context) -> None:
    customers.add_customer(counter, AddCustomer(name="Élodie Ça"))
    second = customers.add_customer(counter, AddCustomer(name="ÉLODIE ÇA"))
    with pytest.raises(InvalidInput, match="2 customers are called"):
        holds.hold_item(counter, HoldItem(description="parcel", for_customer="élodie ça"))
    assert (
        holds.hold_item(
            counter, HoldItem(description="parcel", for_customer=f"#{second.id}")
        ).hold.for_customer_id
        == second.id
    )
