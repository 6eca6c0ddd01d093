"""The daily schedule: expiry digest, low stock, overdue holds, birthdays. Each event is queued once.

Every message has an event key (`expiry_digest:2026-11-25`, `birthday:7:2026-11-25` ...), unique per
address in the outbox, so running the schedule again the same day queues nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, and_, extract, func, insert, select, update

from midnight.db import tables as t
from midnight.domain.clock import start_of_day
from midnight.domain.errors import InvalidInput, NotFound
from midnight.domain.lot import ExpiryStatus
from midnight.domain.money import cost_of, format_money
from midnight.domain.people import Permission
from midnight.domain.quantity import to_decimal
from midnight.notify import outbox
from midnight.notify.templates import render, save_template
from midnight.services import views
from midnight.services.context import Context
from midnight.services.customers import customer_info

OVERDUE_WARNING_DAYS = 2


@dataclass(frozen=True)
class Target:
    id: int
    url: str
    label: str
    active: bool


def add_target(ctx: Context, url: str, label: str = "staff") -> Target:
    """Where staff messages go: the expiry digest and low stock (owner)."""
    ctx.require(Permission.NOTIFY)
    clean = outbox.check_url(url)
    with ctx.db.write() as conn:
        target_id = conn.execute(
            insert(t.notify_targets).values(url=clean, label=(label or "staff").strip()[:100], active=True)
        ).inserted_primary_key[0]  # type: ignore[index]
        return Target(int(target_id), clean, label, True)


def list_targets(ctx: Context) -> list[Target]:
    ctx.require(Permission.NOTIFY)
    with ctx.db.read() as conn:
        return [Target(r.id, r.url, r.label, r.active) for r in conn.execute(select(t.notify_targets))]


def remove_target(ctx: Context, target_id: int) -> None:
    ctx.require(Permission.NOTIFY)
    with ctx.db.write() as conn:
        done = conn.execute(
            update(t.notify_targets).where(t.notify_targets.c.id == target_id).values(active=False)
        ).rowcount
    if not done:
        raise NotFound(f"no notification target {target_id}", field="target")


def edit_template(ctx: Context, event: str, language: str, subject: str, body: str) -> None:
    """Change a message template (owner); Jinja2, checked before it is saved."""
    ctx.require(Permission.NOTIFY)
    with ctx.db.write() as conn:
        save_template(conn, event, language, subject, body, ctx.actor, ctx.now())


def set_digest_time(ctx: Context, hhmm: str) -> None:
    ctx.require(Permission.NOTIFY)
    try:
        parsed = dt.time.fromisoformat(hhmm.strip())
    except ValueError:
        raise InvalidInput(f"digest time must be HH:MM, got {hhmm!r}", field="digest_time") from None
    with ctx.db.write() as conn:
        conn.execute(
            update(t.stores).where(t.stores.c.id == ctx.store.id).values(digest_time=parsed.strftime("%H:%M"))
        )


def _staff_urls(conn: Connection) -> list[str]:
    return list(
        conn.execute(select(t.notify_targets.c.url).where(t.notify_targets.c.active.is_(True))).scalars()
    )


def _digest(ctx: Context, conn: Connection, today: dt.date) -> int:
    urls = _staff_urls(conn)
    if not urls:
        return 0
    lots = [lot for lot in views.expiring(ctx, 3) if lot.status is not ExpiryStatus.EXPIRED]
    yesterday = start_of_day(today - dt.timedelta(days=1), ctx.store.tz)
    m = t.movements.c
    wasted = conn.execute(
        select(m.unit_cost, m.quantity).where(
            and_(m.kind == "waste", m.at >= yesterday, m.at < yesterday + dt.timedelta(days=1))
        )
    ).all()
    context = {
        "store": ctx.store.name,
        "today": today.isoformat(),
        "today_lots": [lot for lot in lots if lot.status is ExpiryStatus.TODAY],
        "soon_lots": [lot for lot in lots if lot.status is ExpiryStatus.SOON],
        "wasted_count": len(wasted),
        "wasted_cost": format_money(
            -sum(cost_of(c, q) for c, q in wasted), ctx.store.currency, ctx.store.locale
        ),
    }
    subject, body = render(conn, "expiry_digest", "en", context)
    return outbox.enqueue(conn, f"expiry_digest:{today}", "expiry_digest", urls, subject, body, ctx.now())


def _low_stock(ctx: Context, conn: Connection, today: dt.date) -> int:
    urls = _staff_urls(conn)
    p, lots = t.products.c, t.lots.c
    held = func.coalesce(
        select(func.sum(lots.on_hand)).where(lots.product_id == p.id, t.HAS_STOCK).scalar_subquery(), 0
    )
    rows = conn.execute(
        select(p.sku, p.name, p.reorder_point, held.label("on_hand")).where(
            p.reorder_point.is_not(None), held < p.reorder_point
        )
    ).all()
    if not rows or not urls:
        return 0
    products = [
        {
            "sku": r.sku,
            "name": r.name,
            "on_hand": to_decimal(int(r.on_hand)),
            "reorder_point": to_decimal(r.reorder_point),
        }
        for r in rows
    ]
    subject, body = render(conn, "low_stock", "en", {"store": ctx.store.name, "products": products})
    return outbox.enqueue(conn, f"low_stock:{today}", "low_stock", urls, subject, body, ctx.now())


def _birthdays(ctx: Context, conn: Connection, today: dt.date) -> int:
    c = t.customers.c
    ids = (
        conn.execute(
            select(c.id).where(
                c.birthday_greeting.is_(True),
                extract("month", c.birthday) == today.month,
                extract("day", c.birthday) == today.day,
            )
        )
        .scalars()
        .all()
    )
    added = 0
    for customer_id in ids:
        who = customer_info(conn, customer_id)
        subject, body = render(
            conn, "birthday", who.language, {"store": ctx.store.name, "customer": who.name}
        )
        added += outbox.enqueue(
            conn, f"birthday:{who.id}:{today}", "birthday", who.contacts, subject, body, ctx.now()
        )
    return added


def _overdue(ctx: Context, conn: Connection, today: dt.date) -> int:
    h = t.holds.c
    rows = conn.execute(
        select(h.id, h.description, h.hold_until, h.created_at, h.for_customer_id).where(
            h.state == "waiting", h.hold_until <= today + dt.timedelta(days=OVERDUE_WARNING_DAYS)
        )
    ).all()
    added = 0
    for row in rows:
        who = customer_info(conn, row.for_customer_id)
        context = {
            "store": ctx.store.name,
            "customer": who.name,
            "description": row.description,
            "since": row.created_at.astimezone(ctx.store.tz).date().isoformat(),
            "hold_until": row.hold_until.isoformat(),
        }
        subject, body = render(conn, "item_overdue", who.language, context)
        added += outbox.enqueue(
            conn,
            f"item_overdue:{row.id}:{row.hold_until}",
            "item_overdue",
            who.contacts,
            subject,
            body,
            ctx.now(),
        )
    return added


def queue_due(ctx: Context) -> int:
    """Queue today's scheduled messages that are due; returns how many were newly queued."""
    today = ctx.today()
    local_now = ctx.now().astimezone(ctx.store.tz)
    with ctx.db.write() as conn:
        digest_at = conn.execute(
            select(t.stores.c.digest_time).where(t.stores.c.id == ctx.store.id)
        ).scalar_one()
        added = _overdue(ctx, conn, today) + _birthdays(ctx, conn, today)
        if local_now.strftime("%H:%M") >= digest_at:
            added += _digest(ctx, conn, today) + _low_stock(ctx, conn, today)
        return added
