"""Notifications delivered through Apprise for real, to an HTTP receiver on loopback.

The receiver is on the shop's own machine (127.0.0.1) and takes json:// messages, neither of which
staff may use for a customer by default: each test that delivers to it first lets them, as an
owner would with `midnight notify contacts --private --scheme json`.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from midnight.adapters.secrets import PREFIX as SEALED
from midnight.adapters.templates import TemplateFailed
from midnight.commands import build
from midnight.commands.catalog import AddProduct, PageQuery
from midnight.commands.counter import (
    AddCustomer,
    AddTarget,
    ContactPolicyIn,
    DigestTime,
    EditTemplate,
    HoldItem,
    MessageQuery,
)
from midnight.commands.stock import ReceiveLot
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Forbidden, InvalidInput
from midnight.domain.messages import MAX_ATTEMPTS
from midnight.domain.people import Actor, Role
from midnight.services import catalog, customers, holds, notify, schedule, stock
from midnight.services.context import Context, open_context
from midnight.worker import NotifyWorker
from tests.conftest import TODAY
from tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def allow_receiver(ctx: Context) -> None:
    """The owner lets staff type json:// addresses on the shop's own network (where the receiver is)."""
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json"], allow_private_addresses=True))


def messages(ctx: Context, state: str | None = None) -> list[notify.Delivery]:
    return notify.messages_page(ctx, MessageQuery(state=state)).items


def states(ctx: Context) -> list[str]:
    return [m.state for m in messages(ctx)]


def add_customer(ctx: Context, name: str, url: str, **fields: object) -> customers.CustomerInfo:
    return customers.add_customer(ctx, build(AddCustomer, {"name": name, "contacts": [url], **fields}))


def test_item_waiting_arrives_once_with_its_code(ctx: Context, receiver: Receiver) -> None:
    allow_receiver(ctx)
    add_customer(ctx, "Mr Chan", receiver.url("chan"), nickname="663")
    new = holds.hold_item(
        ctx, HoldItem(description="envelope with keys", for_customer="663", shelf_slot="B2")
    )
    sent = notify.deliver(ctx)
    assert [d.state for d in sent] == ["sent"]
    assert len(receiver.messages) == 1
    message = receiver.messages[0]
    assert new.code in str(message["message"]) and "envelope with keys" in str(message["message"])
    assert notify.deliver(ctx) == [] and len(receiver.messages) == 1  # nothing is sent twice
    with ctx.db.read() as conn:
        kept = conn.execute(select(t.outbox.c.body)).scalar_one()
    assert new.code not in ctx.adapters.box.open(kept)  # not kept once delivered


def test_a_failing_receiver_makes_the_message_retry_and_succeed_later(
    ctx: Context, receiver: Receiver, clock: FixedClock
) -> None:
    allow_receiver(ctx)
    add_customer(ctx, "Ms Wong", receiver.url())
    holds.hold_item(ctx, HoldItem(description="parcel", for_customer="Ms Wong"))
    receiver.fail_next = 1
    first = notify.deliver(ctx)
    assert [(d.state, d.attempts) for d in first] == [("pending", 1)] and first[0].error
    assert notify.deliver(ctx) == []  # backing off: not due yet
    clock.advance(dt.timedelta(seconds=31))
    assert [d.state for d in notify.deliver(ctx)] == ["sent"]
    assert len(receiver.messages) == 1 and states(ctx) == ["sent"]


def test_a_message_that_keeps_failing_is_marked_failed_and_visible(
    ctx: Context, receiver: Receiver, clock: FixedClock
) -> None:
    allow_receiver(ctx)
    add_customer(ctx, "Ms Wong", receiver.url())
    holds.hold_item(ctx, HoldItem(description="parcel", for_customer="Ms Wong"))
    receiver.fail_next = 100
    for _ in range(MAX_ATTEMPTS):
        notify.deliver(ctx)
        clock.advance(dt.timedelta(hours=2))
    assert states(ctx) == ["failed"] and messages(ctx, "failed")[0].error
    assert messages(ctx, "failed")[0].attempts == MAX_ATTEMPTS
    with pytest.raises(InvalidInput, match="state must be one of"):
        messages(ctx, "lost")


def test_a_worker_killed_between_send_and_mark_never_sends_twice(
    tmp_path: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "crash.db"
    ctx = open_context(url=f"sqlite:///{db}", actor="test")
    allow_receiver(ctx)
    add_customer(ctx, "Mr Chan", receiver.url())
    holds.hold_item(ctx, HoldItem(description="keys", for_customer="Mr Chan"))
    ctx.db.dispose()
    key = tmp_path / "crash.db.key"  # addresses and messages are sealed with a key beside the database
    assert key.exists() and key.stat().st_mode & 0o777 == 0o600
    receiver.delay = 30  # the message arrives, but the answer is slow: the worker is mid-send
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            from midnight.services import notify
            from midnight.services.context import open_context
            notify.deliver(open_context(url="sqlite:///{db}", actor="worker"))
        """),
        ],
        env={**os.environ},
    )
    try:
        assert receiver.arrived.wait(60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)
    receiver.delay = 0
    monkeypatch.setenv("MIDNIGHT_OUTBOX_LEASE_SECONDS", "0")
    time.sleep(0.01)
    ctx = open_context(url=f"sqlite:///{db}", actor="test")
    try:
        assert notify.deliver(ctx) == []
        assert states(ctx) == ["uncertain"]
        assert "not sent again" in (messages(ctx)[0].error or "")
    finally:
        ctx.db.dispose()
    assert len(receiver.messages) == 1


def test_the_daily_schedule_queues_each_event_once(ctx: Context, receiver: Receiver) -> None:
    allow_receiver(ctx)
    notify.add_target(ctx, AddTarget(url=receiver.url("staff"), label="kitchen"))
    catalog.add_product(ctx, AddProduct(sku="MILK", name="Milk", shelf_life_days=7, reorder_point="10"))
    stock.receive(ctx, ReceiveLot(sku="MILK", quantity=4, cost="10", expires=TODAY))
    stock.receive(ctx, ReceiveLot(sku="MILK", quantity=2, cost="10", expires=TODAY + dt.timedelta(days=2)))
    add_customer(
        ctx,
        "Mr Chan",
        receiver.url("chan"),
        birthday="1960-11-25",
        birthday_greeting=True,
        language="zh-Hant",
    )
    add_customer(ctx, "Ms Wong", receiver.url("wong"), birthday="1970-11-25")  # not opted in
    holds.hold_item(
        ctx, HoldItem(description="umbrella", for_customer="Mr Chan", hold_until=TODAY + dt.timedelta(days=1))
    )
    assert notify.set_digest_time(ctx, DigestTime(time="09:00")) == "09:00"  # it is 10:00 in Hong Kong
    assert schedule.queue_due(ctx) == 4  # overdue warning, birthday, digest, low stock
    assert schedule.queue_due(ctx) == 0  # the same day again: nothing new
    notify.deliver(ctx)
    by_title: dict[str, dict[str, object]] = {}
    for m in receiver.messages:
        by_title.setdefault(str(m["title"]), m)
    titles = " | ".join(by_title)
    assert (
        "expiry digest" in titles
        and "low stock" in titles
        and "生日快樂" in titles
        and "請盡快領取" in titles
    )
    assert "Ms Wong" not in " ".join(str(m["message"]) for m in receiver.messages)
    digest = next(m for t_, m in by_title.items() if "digest" in t_)
    assert "4 each Milk" in str(digest["message"])
    low = next(m for t_, m in by_title.items() if "low stock" in t_)
    assert "MILK Milk: 6 (reorder at 10)" in str(low["message"])


def test_the_digest_waits_for_its_time(ctx: Context, receiver: Receiver) -> None:
    allow_receiver(ctx)
    notify.add_target(ctx, AddTarget(url=receiver.url("staff")))
    notify.set_digest_time(ctx, DigestTime(time="11:00"))  # it is 10:00
    assert schedule.queue_due(ctx) == 0
    with pytest.raises(InvalidInput, match="digest time must be HH:MM"):
        notify.set_digest_time(ctx, DigestTime(time="seven"))


def test_templates_are_editable_and_checked(ctx: Context, receiver: Receiver) -> None:
    notify.edit_template(
        ctx,
        EditTemplate(
            event="item_waiting",
            language="en",
            subject="{{ store }} has it",
            body="Code {{ code }} for {{ customer }}.",
        ),
    )
    allow_receiver(ctx)
    add_customer(ctx, "Ms Wong", receiver.url())
    new = holds.hold_item(ctx, HoldItem(description="parcel", for_customer="Ms Wong"))
    notify.deliver(ctx)
    assert receiver.messages[0]["message"] == f"Code {new.code} for Ms Wong."
    assert receiver.messages[0]["title"] == "Midnight Express has it"
    with pytest.raises(TemplateFailed, match="the subject template has a mistake on line 1") as broken:
        notify.edit_template(ctx, EditTemplate(event="item_waiting", subject="{{ broken", body="x"))
    assert isinstance(broken.value, InvalidInput) and broken.value.field == "subject"
    with pytest.raises(InvalidInput, match="event must be one of"):
        notify.edit_template(ctx, EditTemplate(event="party", subject="x", body="y"))
    with pytest.raises(InvalidInput, match="Apprise"):
        notify.add_target(ctx, AddTarget(url="nonsense"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("Code {{ code }} for {{ password }}", "uses {{ password }}, which this message does not have"),
        ("{% include 'other' %}", "may not include, import or extend other templates"),
        ("{{ code.__class__.__mro__ }}", "not allowed"),
        ("{% for i in range(100000) %}{% endfor %}", "range() may count at most 10000 numbers"),
        (
            "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}{{ '' }}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "the body template took longer than",
        ),
    ],
)
def test_a_template_that_does_not_work_on_sample_data_is_refused(
    ctx: Context, body: str, reason: str
) -> None:
    with pytest.raises(TemplateFailed, match=re.escape(reason)) as refused:
        notify.edit_template(ctx, EditTemplate(event="item_waiting", subject="{{ store }}", body=body))
    assert refused.value.field == "body"
    with ctx.db.read() as conn:
        assert conn.execute(select(t.message_templates.c.id)).all() == []  # nothing saved


def test_a_template_that_fails_on_real_data_sends_the_standard_wording(
    ctx: Context, receiver: Receiver
) -> None:
    # Fine on the sample ("Mr Chan 陳先生" has a second word); a one-word name has none.
    notify.edit_template(
        ctx,
        EditTemplate(
            event="item_waiting",
            subject="{{ store }}",
            body="Dear {{ customer.split()[1] }}, code {{ code }}",
        ),
    )
    allow_receiver(ctx)
    add_customer(ctx, "Wong", receiver.url())
    new = holds.hold_item(ctx, HoldItem(description="parcel", for_customer="Wong"))
    history = [(e.action, e.detail) for e in new.hold.history]
    assert history[0][0] == "hold" and history[1][0] == "hold"
    assert "the shop's item_waiting template failed" in history[1][1]
    assert "the standard wording was sent" in history[1][1]
    notify.deliver(ctx)
    body = str(receiver.messages[0]["message"])
    assert body.startswith("Hello Wong, parcel is waiting for you") and new.code in body


def test_customer_contacts_follow_the_owners_policy(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="json:// addresses cannot be used as contacts here"):
        add_customer(ctx, "X", "json://hooks.example.com/x")
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json", "mailto"]))
    add_customer(ctx, "Public hook", "json://hooks.example.com/x")
    with pytest.raises(InvalidInput, match=re.escape("127.0.0.1, a loopback address")):
        add_customer(ctx, "Loopback", "json://127.0.0.1:9/x")  # the kind is allowed, the network is not
    with pytest.raises(InvalidInput, match="tgram:// addresses cannot be used"):
        add_customer(ctx, "Chat", "tgram://123456789:ABCdefGhIJKlmnOPQRstuVWXyz/42")  # not chosen any more
    policy = notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json"], allow_private_addresses=True))
    assert policy.schemes == ["json"] and policy.allow_private_addresses and not policy.default
    add_customer(ctx, "Loopback", "json://127.0.0.1:9/x")
    back = notify.set_contact_policy(ctx, ContactPolicyIn())
    assert back.default and not back.allow_private_addresses and "mailto" in back.schemes
    with pytest.raises(InvalidInput, match="not a kind of address Apprise knows: nosuch"):
        notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["nosuch"]))
    staff = ctx.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        notify.set_contact_policy(staff, ContactPolicyIn(allow_private_addresses=True))


def test_staff_targets_may_be_any_kind_but_not_on_the_shops_network_unless_allowed(ctx: Context) -> None:
    target = notify.add_target(ctx, AddTarget(url="json://shop:s3cretpass@hooks.example.com/digest"))
    assert target.to == "json://shop:****@hooks.example.com/digest?method=POST"
    with pytest.raises(InvalidInput, match=re.escape("127.0.0.1, a loopback address")):
        notify.add_target(ctx, AddTarget(url="json://127.0.0.1:9/staff"))
    notify.set_contact_policy(ctx, ContactPolicyIn(allow_private_addresses=True))
    notify.add_target(ctx, AddTarget(url="json://127.0.0.1:9/staff"))
    listed = notify.list_targets(ctx, PageQuery()).items
    assert [x.to for x in listed] == [target.to, "json://127.0.0.1:9/staff?method=POST"]
    with ctx.db.read() as conn:
        assert all("s3cretpass" not in url for url in conn.execute(select(t.notify_targets.c.url)).scalars())
    staff = ctx.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        notify.add_target(staff, AddTarget(url="mailto://kwan@example.com"))


def test_addresses_are_shown_masked_and_delivered_with_their_credentials(
    ctx: Context, receiver: Receiver
) -> None:
    allow_receiver(ctx)
    who = add_customer(ctx, "Ms Wong", receiver.url("wong", credentials="shop:s3cretpass"))
    shown = f"json://shop:****@127.0.0.1:{receiver.port}/wong?method=POST"
    assert who.contacts == [shown]
    staff = ctx.acting_as(Actor("kwan", Role.STAFF))
    assert customers.get_customer(staff, "Ms Wong").contacts == [shown]
    holds.hold_item(staff, HoldItem(description="parcel", for_customer="Ms Wong"))
    assert [m.to for m in messages(ctx)] == [shown]
    assert [d.to for d in notify.deliver(ctx)] == [shown]
    assert receiver.authorizations == ["Basic " + base64.b64encode(b"shop:s3cretpass").decode()]
    with ctx.db.read() as conn:
        stored = [
            *conn.execute(select(t.customer_contacts.c.url)).scalars(),
            *conn.execute(select(t.outbox.c.url, t.outbox.c.subject, t.outbox.c.body)).one(),
        ]
    assert all(text.startswith(SEALED) and "s3cretpass" not in text for text in stored)  # sealed at rest


def test_a_stored_address_the_owner_no_longer_allows_is_not_sent_to(ctx: Context, receiver: Receiver) -> None:
    allow_receiver(ctx)
    add_customer(ctx, "Ms Wong", receiver.url())
    holds.hold_item(ctx, HoldItem(description="parcel", for_customer="Ms Wong"))
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json"], allow_private_addresses=False))
    attempted = notify.deliver(ctx)
    assert [(d.state, d.attempts) for d in attempted] == [("pending", 1)]
    assert "loopback" in (attempted[0].error or "")
    assert receiver.messages == []


def test_the_outbox_and_the_schedule_are_for_owners(ctx: Context) -> None:
    staff = ctx.acting_as(Actor("kwan", Role.STAFF))
    for call in (
        lambda: notify.messages_page(staff, MessageQuery()),
        lambda: notify.deliver(staff),
        lambda: schedule.run(staff),
        lambda: schedule.queue_due(staff),
        lambda: notify.edit_template(staff, EditTemplate(event="birthday", subject="x", body="y")),
        lambda: notify.set_digest_time(staff, DigestTime(time="07:30")),
    ):
        with pytest.raises(Forbidden):
            call()


def test_the_outbox_lists_page_by_page(ctx: Context, receiver: Receiver) -> None:
    allow_receiver(ctx)
    add_customer(ctx, "Ms Wong", receiver.url())
    for n in range(5):
        holds.hold_item(ctx, HoldItem(description=f"parcel {n}", for_customer="Ms Wong"))
    ids: list[int] = []
    cursor = None
    while True:
        page = notify.messages_page(ctx, MessageQuery(limit=2, cursor=cursor))
        ids += [m.id for m in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert ids == [m.id for m in messages(ctx)] and ids == sorted(ids, reverse=True) and len(ids) == 5


def test_the_background_worker_queues_and_delivers(ctx: Context, receiver: Receiver) -> None:
    allow_receiver(ctx)
    add_customer(ctx, "Ms Wong", receiver.url())
    new = holds.hold_item(ctx, HoldItem(description="parcel", for_customer="Ms Wong"))
    # Started by whoever runs the server; it sends as the shop, whatever that person's role.
    worker = NotifyWorker(ctx.acting_as(Actor("kwan", Role.STAFF)), interval=0.05)
    worker.start()
    try:
        assert receiver.arrived.wait(60)
    finally:
        worker.stop()
    assert new.code in str(receiver.messages[0]["message"]) and states(ctx) == ["sent"]
