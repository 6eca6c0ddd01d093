"""The daily schedule: expiry digest, low stock, overdue holds, birthdays. Each event is queued once.

Every message has an event key (`expiry_digest:2026-11-25`, `birthday:7:2026-11-25` ...), unique per
address in the outbox, so running the schedule again the same day queues nothing new. What each
message says is read and rendered first; only the queueing happens in a write transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from midnight.commands.catalog import BoardQuery
from midnight.commands.planning import UnsoldQuery
from midnight.db import customers as customers_db
from midnight.db import holds as holds_db
from midnight.db import notify as notify_db
from midnight.db import reports as reports_db
from midnight.db import stock as stock_db
from midnight.db import stores as stores_db
from midnight.db.stock import LotInfo
from midnight.domain.lot import ExpiryStatus
from midnight.domain.messages import Event, MessageState
from midnight.domain.money import cost_of
from midnight.domain.people import Permission
from midnight.domain.quantity import to_decimal
from midnight.services import notify, planning, views
from midnight.services.context import Context

DIGEST_LOTS = 200  # the morning digest names at most this many lots
DIGEST_UNSOLD_DAYS = 7  # and the lots that will expire unsold within this many days


@dataclass(frozen=True)
class Planned:
    """A message decided on, rendered, waiting to be queued."""

    event_key: str
    event: Event
    addresses: list[tuple[str, str]]  # (sealed address, masked form)
    message: notify.Prepared


def _addresses(who: customers_db.Recipient) -> list[tuple[str, str]]:
    return list(zip(who.sealed_urls, who.displays, strict=True))


def _lot(lot: LotInfo) -> dict[str, object]:
    return {
        "id": lot.id,
        "sku": lot.sku,
        "product": lot.product,
        "quantity": lot.quantity,
        "unit": lot.unit,
        "location": lot.location,
        "effective_expiry": lot.effective_expiry,
    }


def _unsold(ctx: Context) -> dict[str, object]:
    """The lots the forecast says will expire unsold in the next days, with what to do about each."""
    found = planning.will_expire_unsold(ctx, UnsoldQuery(days=DIGEST_UNSOLD_DAYS))
    return {
        "unsold_lots": [
            {
                "id": u.lot_id,
                "sku": u.sku,
                "product": u.name,
                "left": u.left,
                "unit": u.unit,
                "location": u.location,
                "expires": u.expires,
                "cost": ctx.money(u.cost),
                "action": u.action.text,
            }
            for u in found.lots[:DIGEST_LOTS]
        ],
        "unsold_cost": ctx.money(found.units_cost),
    }


def _staff_messages(ctx: Context, today: dt.date) -> list[Planned]:
    with ctx.db.read() as conn:
        urls = notify_db.active_targets(conn)
        low = stock_db.below_reorder_point(conn)
        yesterday = today - dt.timedelta(days=1)
        wasted = reports_db.waste(conn, yesterday, yesterday)
    if not urls:
        return []
    lots = [
        lot
        for lot in views.expiring(ctx, BoardQuery(days=3, limit=DIGEST_LOTS)).items
        if lot.status is not ExpiryStatus.EXPIRED
    ]
    digest = {
        "store": ctx.store.name,
        "today": today.isoformat(),
        "today_lots": [_lot(lot) for lot in lots if lot.status is ExpiryStatus.TODAY],
        "soon_lots": [_lot(lot) for lot in lots if lot.status is ExpiryStatus.SOON],
        "wasted_count": len(wasted),
        "wasted_cost": ctx.money(-sum(cost_of(cost, q) for _, _, q, cost in wasted)),
        **_unsold(ctx),
    }
    planned = [
        Planned(
            f"expiry_digest:{today}",
            Event.EXPIRY_DIGEST,
            urls,
            notify.prepare(ctx, Event.EXPIRY_DIGEST, "en", digest),
        )
    ]
    if low:
        products = [
            {"sku": sku, "name": name, "on_hand": to_decimal(held), "reorder_point": to_decimal(point)}
            for sku, name, held, point in low
        ]
        context = {"store": ctx.store.name, "products": products}
        planned.append(
            Planned(
                f"low_stock:{today}",
                Event.LOW_STOCK,
                urls,
                notify.prepare(ctx, Event.LOW_STOCK, "en", context),
            )
        )
    return planned


def _customer_messages(ctx: Context, today: dt.date) -> list[Planned]:
    """Reminders and greetings not yet queued (each pass of the worker asks; only new ones are rendered)."""
    with ctx.db.read() as conn:
        due = holds_db.due_reminders(conn, today)
        born = customers_db.birthday_ids(conn, today.month, today.day)
        keys = [f"item_overdue:{row.id}:{row.hold_until}" for row in due] + [
            f"birthday:{c}:{today}" for c in born
        ]
        done = notify_db.queued_keys(conn, keys)
        due = [row for row in due if f"item_overdue:{row.id}:{row.hold_until}" not in done]
        born = [c for c in born if f"birthday:{c}:{today}" not in done]
        people = customers_db.recipients(conn, sorted({row.for_customer_id for row in due} | set(born)))
    planned = []
    for row in due:
        who = people[row.for_customer_id]
        context = {
            "store": ctx.store.name,
            "customer": who.name,
            "description": row.description,
            "since": row.created_at.astimezone(ctx.store.tz).date().isoformat(),
            "hold_until": row.hold_until.isoformat(),
        }
        message = notify.prepare(ctx, Event.ITEM_OVERDUE, who.language, context)
        planned.append(
            Planned(f"item_overdue:{row.id}:{row.hold_until}", Event.ITEM_OVERDUE, _addresses(who), message)
        )
    for customer_id in born:
        who = people[customer_id]
        message = notify.prepare(
            ctx, Event.BIRTHDAY, who.language, {"store": ctx.store.name, "customer": who.name}
        )
        planned.append(Planned(f"birthday:{who.id}:{today}", Event.BIRTHDAY, _addresses(who), message))
    return planned


def queue_due(ctx: Context) -> int:
    """Queue today's scheduled messages that are due; returns how many were newly queued."""
    ctx.require(Permission.NOTIFY)
    today = ctx.today()
    local_now = ctx.now().astimezone(ctx.store.tz)
    with ctx.db.read() as conn:
        digest_at = stores_db.digest_time(conn, ctx.store.id)
        done = notify_db.queued_keys(conn, [f"expiry_digest:{today}"])
    planned = _customer_messages(ctx, today)
    if local_now.strftime("%H:%M") >= digest_at and not done:
        planned += _staff_messages(ctx, today)
    outgoing = {plan.event_key: notify.sealed(ctx, plan.addresses, plan.message) for plan in planned}
    added = 0
    with ctx.db.write() as conn:
        for plan in planned:
            added += notify.enqueue(ctx, conn, plan.event_key, plan.event, outgoing[plan.event_key])
    return added


def run(ctx: Context) -> dict[str, int]:
    """Queue today's scheduled messages and deliver what is due (owner)."""
    ctx.require(Permission.NOTIFY)
    queued = queue_due(ctx)
    sent = notify.deliver(ctx)
    return {
        "queued": queued,
        "delivered": sum(1 for d in sent if d.state == MessageState.SENT),
        "attempted": len(sent),
    }
