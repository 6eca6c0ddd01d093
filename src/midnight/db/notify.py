"""The outbox, staff notification targets and message templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.messages import Event, MessageState


@dataclass(frozen=True)
class Delivery:
    id: int
    event: str
    to: str  # the address with its credentials masked
    state: str
    attempts: int
    error: str | None


@dataclass(frozen=True)
class Target:
    id: int
    to: str  # masked
    label: str
    active: bool


@dataclass(frozen=True)
class Outgoing:
    """One message to one address, as sealed for the outbox."""

    sealed_url: str
    display: str
    subject: str  # sealed
    body: str  # sealed
    attachment_name: str | None = None
    attachment: str | None = None  # sealed (text: a CSV)


def enqueue(
    conn: Connection, store_id: int, event_key: str, event: Event, messages: list[Outgoing], now: dt.datetime
) -> int:
    """Add one row per address, in the caller's transaction; an event already queued for an address is
    skipped (event keys are unique per address)."""
    o = t.outbox.c
    done = set(conn.execute(select(o.url).where(o.store_id == store_id, o.event_key == event_key)).scalars())
    added = 0
    for message in messages:
        if message.sealed_url in done:  # sealing is deterministic: the same address seals the same
            continue
        conn.execute(
            insert(t.outbox).values(
                store_id=store_id,
                event_key=event_key,
                event=event.value,
                url=message.sealed_url,
                display=message.display,
                subject=message.subject,
                body=message.body,
                attachment_name=message.attachment_name,
                attachment=message.attachment,
                state=MessageState.PENDING.value,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        done.add(message.sealed_url)
        added += 1
    return added


def queued_keys(conn: Connection, keys: list[str]) -> set[str]:
    """Which of these events are already in the outbox (for any address)."""
    if not keys:
        return set()
    o = t.outbox.c
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(conn.execute(select(o.event_key).where(o.event_key.in_(chunk)).distinct()).scalars())
    return found


def mark_stale_uncertain(conn: Connection, older_than: dt.datetime) -> None:
    o = t.outbox.c
    conn.execute(
        update(t.outbox)
        .where(o.state == MessageState.SENDING.value, o.claimed_at < older_than)
        .values(
            state=MessageState.UNCERTAIN.value,
            last_error="the worker stopped after sending began; not sent again",
        )
    )


def due(conn: Connection, now: dt.datetime, limit: int) -> list[AnyRow]:
    o = t.outbox.c
    return list(
        conn.execute(
            select(t.outbox)
            .where(o.state == MessageState.PENDING.value, o.next_attempt_at <= now)
            .order_by(o.id)
            .limit(limit)
        ).all()
    )


def claim(conn: Connection, message_id: int, now: dt.datetime) -> bool:
    o = t.outbox.c
    claimed = conn.execute(
        update(t.outbox)
        .where(o.id == message_id, o.state == MessageState.PENDING.value)
        .values(state=MessageState.SENDING.value, claimed_at=now)
    ).rowcount
    return bool(claimed)


def mark_sent(conn: Connection, message_id: int, at: dt.datetime, attempts: int, body: str) -> None:
    conn.execute(
        update(t.outbox)
        .where(t.outbox.c.id == message_id)
        .values(state=MessageState.SENT.value, sent_at=at, attempts=attempts, body=body)
    )


def mark_failed(
    conn: Connection, message_id: int, state: MessageState, attempts: int, error: str, retry_at: dt.datetime
) -> None:
    conn.execute(
        update(t.outbox)
        .where(t.outbox.c.id == message_id)
        .values(state=state.value, attempts=attempts, last_error=error, next_attempt_at=retry_at)
    )


def messages(
    conn: Connection, state: MessageState | None, *, cursor: str | None, limit: int
) -> paging.Page[Delivery]:
    o = t.outbox.c
    query = (
        select(o.id, o.event, o.display, o.state, o.attempts, o.last_error)
        .order_by(o.id.desc())
        .limit(limit + 1)
    )
    if state is not None:
        query = query.where(o.state == state.value)
    if cursor is not None:
        (before,) = paging.decode("messages", cursor, [int])
        query = query.where(o.id < before)
    found = [
        Delivery(r.id, r.event, r.display, r.state, r.attempts, r.last_error) for r in conn.execute(query)
    ]
    return paging.page(found, limit, "messages", lambda d: [d.id])


def messages_for(conn: Connection, event_key: str, limit: int) -> list[Delivery]:
    """The messages queued for one event (a purchase order sent to each of its supplier's
    addresses), oldest first; by the (event_key, url) unique index."""
    o = t.outbox.c
    rows = conn.execute(
        select(o.id, o.event, o.display, o.state, o.attempts, o.last_error)
        .where(o.event_key == event_key)
        .order_by(o.id)
        .limit(limit)
    )
    return [Delivery(r.id, r.event, r.display, r.state, r.attempts, r.last_error) for r in rows]


# --- targets --------------------------------------------------------------------------------------


def insert_target(conn: Connection, sealed_url: str, display: str, label: str) -> Target:
    target_id = int(
        conn.execute(
            insert(t.notify_targets).values(url=sealed_url, display=display, label=label, active=True)
        ).inserted_primary_key.id  # type: ignore[union-attr]
    )
    return Target(target_id, display, label, True)


def targets(conn: Connection, *, cursor: str | None, limit: int) -> paging.Page[Target]:
    n = t.notify_targets.c
    query = select(n.id, n.display, n.label, n.active).order_by(n.id).limit(limit + 1)
    if cursor is not None:
        (after,) = paging.decode("targets", cursor, [int])
        query = query.where(n.id > after)
    found = [Target(r.id, r.display, r.label, r.active) for r in conn.execute(query)]
    return paging.page(found, limit, "targets", lambda target: [target.id])


def active_targets(conn: Connection) -> list[tuple[str, str]]:
    """(sealed url, display) of every active staff target."""
    n = t.notify_targets.c
    return [(r.url, r.display) for r in conn.execute(select(n.url, n.display).where(n.active.is_(True)))]


def deactivate_target(conn: Connection, target_id: int) -> None:
    done = conn.execute(
        update(t.notify_targets).where(t.notify_targets.c.id == target_id).values(active=False)
    ).rowcount
    if not done:
        raise NotFound(f"no notification target {target_id}", field="target")


# --- templates ------------------------------------------------------------------------------------


def template(conn: Connection, event: Event, language: str) -> tuple[str, str] | None:
    m = t.message_templates.c
    row = conn.execute(
        select(m.subject, m.body).where(m.event == event.value, m.language == language)
    ).first()
    return None if row is None else (row.subject, row.body)


def save_template(
    conn: Connection, event: Event, language: str, subject: str, body: str, actor: str, now: dt.datetime
) -> None:
    m = t.message_templates.c
    values = {"subject": subject, "body": body, "updated_at": now, "actor": actor}
    found = conn.execute(select(m.id).where(m.event == event.value, m.language == language)).first()
    if found:
        conn.execute(update(t.message_templates).where(m.id == found.id).values(values))
    else:
        conn.execute(insert(t.message_templates).values(event=event.value, language=language, **values))
