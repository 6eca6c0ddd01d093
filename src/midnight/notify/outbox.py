"""The outbox: messages written with the event that causes them, delivered later through Apprise.

Delivery is at most once per (event, address): a message is claimed ('sending') and committed
before it is handed to Apprise, and marked 'sent' after. If the worker dies in between, the
message is not sent again: after a lease it is marked 'uncertain' and shown to staff, who can
check with the recipient. A send that fails outright goes back to 'pending' with backoff.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass

import apprise
from sqlalchemy import Connection, insert, select, update

from midnight.db import tables as t
from midnight.domain.errors import InvalidInput
from midnight.services.context import Context

log = logging.getLogger("midnight.notify")
MAX_ATTEMPTS = 8
BASE_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)


def lease() -> dt.timedelta:
    """How long a claimed message may stay 'sending' before it is judged uncertain."""
    return dt.timedelta(seconds=float(os.environ.get("MIDNIGHT_OUTBOX_LEASE_SECONDS", "300")))


def check_url(url: str) -> str:
    """An Apprise URL Apprise itself accepts (pager/SMS gateways, mailto://, tgram://, ntfy://, json://...)."""
    clean = str(url or "").strip()
    if not clean or apprise.Apprise.instantiate(clean) is None:
        raise InvalidInput(f"{clean[:60]!r} is not a notification URL Apprise understands", field="url")
    return clean


def enqueue(
    conn: Connection, event_key: str, event: str, urls: list[str], subject: str, body: str, now: dt.datetime
) -> int:
    """Add one message per address, in the caller's transaction; an event already queued is skipped."""
    added = 0
    for url in urls:
        exists = conn.execute(
            select(t.outbox.c.id).where(t.outbox.c.event_key == event_key, t.outbox.c.url == url)
        ).first()
        if exists:
            continue
        conn.execute(
            insert(t.outbox).values(
                event_key=event_key,
                event=event,
                url=url,
                subject=subject,
                body=body,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        added += 1
    return added


@dataclass(frozen=True)
class Delivery:
    id: int
    event: str
    url: str
    state: str
    attempts: int
    error: str | None


def _send(url: str, subject: str, body: str) -> str | None:
    """Send through Apprise; None on success, else what went wrong."""
    sender = apprise.Apprise()
    if not sender.add(url):
        return "Apprise does not accept this URL"
    with apprise.LogCapture(level=logging.WARNING) as captured:
        ok = sender.notify(title=subject, body=body)
    if ok:
        return None
    return (captured.getvalue().strip().splitlines() or ["delivery failed"])[-1][:500]


def deliver(ctx: Context, *, limit: int = 50) -> list[Delivery]:
    """Send what is due. Safe to run from several workers: each message is claimed before sending."""
    now = ctx.now()
    o = t.outbox.c
    with ctx.db.write() as conn:
        conn.execute(
            update(t.outbox)
            .where(o.state == "sending", o.claimed_at < now - lease())
            .values(state="uncertain", last_error="the worker stopped after sending began; not sent again")
        )
        due = conn.execute(
            select(t.outbox).where(o.state == "pending", o.next_attempt_at <= now).order_by(o.id).limit(limit)
        ).all()
    results = []
    for row in due:
        with ctx.db.write() as conn:
            claimed = conn.execute(
                update(t.outbox)
                .where(o.id == row.id, o.state == "pending")
                .values(state="sending", claimed_at=now)
            ).rowcount
        if not claimed:
            continue
        error = _send(row.url, row.subject, row.body)
        attempts = row.attempts + 1
        with ctx.db.write() as conn:
            if error is None:
                # A pickup code has done its job once delivered: it does not stay in the outbox.
                body = "(delivered; the pickup code is not kept)" if row.event == "item_waiting" else row.body
                conn.execute(
                    update(t.outbox)
                    .where(o.id == row.id)
                    .values(state="sent", sent_at=ctx.now(), attempts=attempts, body=body)
                )
                state = "sent"
            else:
                backoff = min(BASE_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
                state = "failed" if attempts >= MAX_ATTEMPTS else "pending"
                conn.execute(
                    update(t.outbox)
                    .where(o.id == row.id)
                    .values(
                        state=state, attempts=attempts, last_error=error, next_attempt_at=ctx.now() + backoff
                    )
                )
                log.warning("message %s to %s failed (attempt %d): %s", row.id, row.event, attempts, error)
        results.append(Delivery(row.id, row.event, row.url, state, attempts, error))
    return results


def messages(ctx: Context, *, state: str | None = None, limit: int = 100) -> list[Delivery]:
    query = select(t.outbox).order_by(t.outbox.c.id.desc()).limit(limit)
    if state is not None:
        query = query.where(t.outbox.c.state == state)
    with ctx.db.read() as conn:
        return [
            Delivery(r.id, r.event, r.url, r.state, r.attempts, r.last_error) for r in conn.execute(query)
        ]
