"""Notifications delivered through Apprise for real, to an HTTP receiver on loopback."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from midnight.db import tables as t
from midnight.domain.errors import InvalidInput
from midnight.notify import outbox, schedule
from midnight.services import catalog, customers, holds, stock
from midnight.services.context import Context
from tests.conftest import TODAY
from tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def states(ctx: Context) -> list[str]:
    return [m.state for m in outbox.messages(ctx)]


def test_item_waiting_arrives_once_with_its_code(ctx: Context, receiver: Receiver) -> None:
    customers.add_customer(ctx, "Mr Chan", nickname="663", contacts=[receiver.url("chan")])
    new = holds.hold_item(ctx, "envelope with keys", "663", shelf_slot="B2")
    sent = outbox.deliver(ctx)
    assert [d.state for d in sent] == ["sent"]
    assert len(receiver.messages) == 1
    message = receiver.messages[0]
    assert new.code in str(message["message"]) and "envelope with keys" in str(message["message"])
    assert outbox.deliver(ctx) == [] and len(receiver.messages) == 1  # nothing is sent twice
    with ctx.db.read() as conn:
        assert new.code not in conn.execute(select(t.outbox.c.body)).scalar_one()  # not kept once delivered


def test_a_failing_receiver_makes_the_message_retry_and_succeed_later(
    ctx: Context, receiver: Receiver, clock
) -> None:  # type: ignore[no-untyped-def]
    customers.add_customer(ctx, "Ms Wong", contacts=[receiver.url()])
    holds.hold_item(ctx, "parcel", "Ms Wong")
    receiver.fail_next = 1
    first = outbox.deliver(ctx)
    assert [(d.state, d.attempts) for d in first] == [("pending", 1)] and first[0].error
    assert outbox.deliver(ctx) == []  # backing off: not due yet
    clock.advance(dt.timedelta(seconds=31))
    assert [d.state for d in outbox.deliver(ctx)] == ["sent"]
    assert len(receiver.messages) == 1 and states(ctx) == ["sent"]


def test_a_message_that_keeps_failing_is_marked_failed_and_visible(
    ctx: Context, receiver: Receiver, clock
) -> None:  # type: ignore[no-untyped-def]
    customers.add_customer(ctx, "Ms Wong", contacts=[receiver.url()])
    holds.hold_item(ctx, "parcel", "Ms Wong")
    receiver.fail_next = 100
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver(ctx)
        clock.advance(dt.timedelta(hours=2))
    assert states(ctx) == ["failed"] and outbox.messages(ctx, state="failed")[0].error


def test_a_worker_killed_between_send_and_mark_never_sends_twice(tmp_path: Path, receiver: Receiver) -> None:
    db = tmp_path / "crash.db"
    from midnight.services.context import open_context

    ctx = open_context(url=f"sqlite:///{db}", actor="test")
    customers.add_customer(ctx, "Mr Chan", contacts=[receiver.url()])
    holds.hold_item(ctx, "keys", "Mr Chan")
    ctx.db.dispose()
    receiver.delay = 30  # the message arrives, but the answer is slow: the worker is mid-send
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            from midnight.notify import outbox
            from midnight.services.context import open_shop
            outbox.deliver(open_shop(url="sqlite:///{db}", actor="worker"))
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
    receiver.delay = 0
    os.environ["MIDNIGHT_OUTBOX_LEASE_SECONDS"] = "0"
    try:
        time.sleep(0.01)
        ctx = open_context(url=f"sqlite:///{db}", actor="test")
        assert outbox.deliver(ctx) == []
        assert states(ctx) == ["uncertain"]
        assert "not sent again" in (outbox.messages(ctx)[0].error or "")
    finally:
        del os.environ["MIDNIGHT_OUTBOX_LEASE_SECONDS"]
        ctx.db.dispose()
    assert len(receiver.messages) == 1


def test_the_daily_schedule_queues_each_event_once(ctx: Context, receiver: Receiver, clock) -> None:  # type: ignore[no-untyped-def]
    schedule.add_target(ctx, receiver.url("staff"), "kitchen")
    catalog.add_product(ctx, "MILK", "Milk", shelf_life_days=7, reorder_point="10")
    stock.receive(ctx, "MILK", 4, cost="10", expires=TODAY)
    stock.receive(ctx, "MILK", 2, cost="10", expires=TODAY + dt.timedelta(days=2))
    customers.add_customer(
        ctx,
        "Mr Chan",
        birthday="1960-11-25",
        birthday_greeting=True,
        language="zh-Hant",
        contacts=[receiver.url("chan")],
    )
    customers.add_customer(
        ctx, "Ms Wong", birthday="1970-11-25", contacts=[receiver.url("wong")]
    )  # not opted in
    holds.hold_item(ctx, "umbrella", "Mr Chan", hold_until=TODAY + dt.timedelta(days=1))
    schedule.set_digest_time(ctx, "09:00")  # it is 10:00 in Hong Kong
    assert schedule.queue_due(ctx) == 4  # overdue warning, birthday, digest, low stock
    assert schedule.queue_due(ctx) == 0  # the same day again: nothing new
    outbox.deliver(ctx)
    by_path = {}
    for m in receiver.messages:
        by_path.setdefault(str(m["title"]), m)
    titles = " | ".join(by_path)
    assert (
        "expiry digest" in titles
        and "low stock" in titles
        and "生日快樂" in titles
        and "請盡快領取" in titles
    )
    digest = next(m for t_, m in by_path.items() if "digest" in t_)
    assert "4 each Milk" in str(digest["message"])
    low = next(m for t_, m in by_path.items() if "low stock" in t_)
    assert "MILK Milk: 6 (reorder at 10)" in str(low["message"])


def test_the_digest_waits_for_its_time(ctx: Context, receiver: Receiver) -> None:
    schedule.add_target(ctx, receiver.url("staff"))
    schedule.set_digest_time(ctx, "11:00")  # it is 10:00
    assert schedule.queue_due(ctx) == 0


def test_templates_are_editable_and_checked(ctx: Context, receiver: Receiver) -> None:
    schedule.edit_template(
        ctx, "item_waiting", "en", "{{ store }} has it", "Code {{ code }} for {{ customer }}."
    )
    customers.add_customer(ctx, "Ms Wong", contacts=[receiver.url()])
    new = holds.hold_item(ctx, "parcel", "Ms Wong")
    outbox.deliver(ctx)
    assert receiver.messages[0]["message"] == f"Code {new.code} for Ms Wong."
    with pytest.raises(InvalidInput, match="not a valid template"):
        schedule.edit_template(ctx, "item_waiting", "en", "{{ broken", "x")
    with pytest.raises(InvalidInput, match="event must be one of"):
        schedule.edit_template(ctx, "party", "en", "x", "y")
    with pytest.raises(InvalidInput, match="Apprise"):
        schedule.add_target(ctx, "nonsense")
