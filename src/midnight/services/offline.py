"""Orders rung while the till was offline: taken when they arrive, and decided on when they can't be.

The till keeps each order in the browser with its idempotency key and sends it when the server is
back. `take` records it as of when it was rung (prices then, only lots that had arrived by then, on
its own business day), exactly once per key. If the server can't record it as rung — the stock is
not there, an item was taken off, the price differs from what the customer paid, its day was closed,
card was taken offline beyond what the owner allows — it is kept as waiting for a manager, with
what the customer paid, and shown on the till and in the X report until `decide` accepts it (the
sale stands as rung, stock drawn as far as there is any) or refunds it. Nothing sent is dropped.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.commands.offline import DecideOffline, OfflineOrderIn, OfflineQuery
from midnight.commands.till import LineIn
from midnight.db import drawers as drawers_db
from midnight.db import menu as menu_db
from midnight.db import modifiers as modifiers_db
from midnight.db import offline as offline_db
from midnight.db import orders as orders_db
from midnight.db import stores as stores_db
from midnight.db.offline import OfflineInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain import modifiers, offline
from midnight.domain import order as rules
from midnight.domain.errors import (
    Conflict,
    Forbidden,
    InsufficientStock,
    InvalidInput,
    MidnightError,
    NotFound,
)
from midnight.domain.lot import MovementKind
from midnight.domain.menu import scale_recipe
from midnight.domain.money import minor_digits, to_minor
from midnight.domain.offline import Decision, OfflineState
from midnight.domain.order import refund_methods
from midnight.domain.people import Permission
from midnight.domain.pricing import LineInput, Method, Tender, price_order, settle
from midnight.domain.quantity import format_quantity, parse_quantity
from midnight.services import quotes
from midnight.services import tenders as tenders_svc
from midnight.services.context import Context
from midnight.services.days import current_business_date
from midnight.services.orders import (
    OrderBody,
    check_day_open,
    given_tenders,
    insert_order,
    parked_under,
    pay_in,
    replace_lines,
    stopped_at,
)
from midnight.services.stock import draw_in

__all__ = ["OfflineInfo", "decide", "list_offline", "take"]


def _plain(value: Any) -> Any:
    """The order in a form where equal values are equal: "18", "18.0" and "18.00" are one amount."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _as_sent(cmd: OfflineOrderIn) -> dict[str, Any]:
    """The order as kept (and fingerprinted): quantities as decimals ("2", "0.125"), so that reading
    it back parses to the same order (milli-units would be read as a thousand times as many)."""
    data: dict[str, Any] = _plain(cmd.model_dump())
    for line, parsed in zip(data["lines"], cmd.lines, strict=True):
        line["quantity"] = format_quantity(parsed.quantity)
    return data


def _digest(cmd: OfflineOrderIn) -> str:
    return hashlib.sha256(json.dumps(_as_sent(cmd), sort_keys=True).encode()).hexdigest()


def _replayed(conn: Connection, store_id: int, key: str, digest: str) -> OfflineInfo | None:
    row = offline_db.by_key(conn, store_id, key)
    if row is None:
        online = orders_db.order_by_key(conn, store_id, key)
        if online is not None and rules.OrderState(orders_db.order_row(conn, online[0]).state).was_paid:
            # The till carries an order's key offline when the connection drops while it is being
            # paid: if that payment did reach the server, the order is already on the books. (A parked
            # order under the key, still open, is settled by this one: see `_record`.)
            raise Conflict(
                f"this order is already recorded as order #{online[0]} (its payment reached the server "
                "before the connection dropped): nothing was recorded again",
                field="idempotency_key",
            )
        return None
    if row.request_hash != digest:
        raise Conflict(
            f"idempotency key {key!r} was already used for a different offline order ({row.local_number})",
            field="idempotency_key",
        )
    return offline_db.info_by_key(conn, store_id, key, replayed=True)


def _till_total(ctx: Context, cmd: OfflineOrderIn) -> int:
    """What the till's own lines come to (its unit prices times quantities), in minor units."""
    currency = ctx.store.currency
    inputs = [
        LineInput(to_minor(li.unit_price, currency, field=f"lines.{n}.unit_price"), li.quantity)
        for n, li in enumerate(cmd.lines, start=1)
    ]
    return price_order(inputs, None, ctx.money).total


def take(ctx: Context, key: str, cmd: OfflineOrderIn) -> OfflineInfo:
    """An order rung offline, as it arrives: recorded as rung, or kept waiting for a decision.

    Refused outright (nothing kept, the till keeps it and shows why) only when the order itself is
    malformed: its lines don't add up to its total, its payments don't cover it, or it names an item
    the shop never had. Anything the server can't record as rung is kept, waiting, with what was paid.
    """
    ctx.require(Permission.SELL)
    digest = _digest(cmd)
    with ctx.db.read() as conn:
        existing = _replayed(conn, ctx.store.id, key, digest)
        if existing is not None:
            return existing
        card_limit = stores_db.offline_card_limit(conn, ctx.store.id)
    now = ctx.now()
    total = to_minor(cmd.total, ctx.store.currency, field="total")
    # A tender the shop never had is not a till's order (a retired one is: it may predate the retiring).
    given = tenders_svc.named(ctx, given_tenders(ctx, cmd.payments), retired_too=True)
    offline.check_as_rung(_till_total(ctx, cmd), total, given, ctx.money)
    problem: str | None = None
    try:
        rung_at = offline.check_rung_at(cmd.rung_at, now)
    except InvalidInput as exc:
        # The till's clock is wrong (or the order is very old): the customer paid all the same.
        problem, rung_at = exc.message, min(cmd.rung_at, now)
    row = {
        "store_id": ctx.store.id,
        "idempotency_key": key,
        "request_hash": digest,
        "local_number": cmd.local_number,
        "till": cmd.till,
        "rung_at": rung_at,
        "rung_by": cmd.rung_by,
        "sent_by": ctx.actor,
        "received_at": now,
        "request": json.dumps(_as_sent(cmd), sort_keys=True, ensure_ascii=False),
        "amount_paid": min(total, sum(t.amount for t in given)),
    }
    if problem is None:
        try:
            return _record(ctx, key, digest, cmd, row, given, card_limit)
        except IntegrityError:
            return _after_race(ctx, key, digest)
        except Forbidden:
            raise
        except NotFound as exc:
            if exc.field == "code":  # no such item, ever: not a till's order (items are never deleted)
                raise InvalidInput(
                    f"{exc.message}: the till's menu is not this shop's", field="lines"
                ) from None
            problem = exc.message
        except MidnightError as exc:
            problem = _as_problem(ctx, exc, rung_at)
    # Refused as rung: kept with what the customer paid, for a manager to decide on.
    try:
        with ctx.db.write() as conn:
            existing = _replayed(conn, ctx.store.id, key, digest)
            if existing is not None:
                return existing
            offline_db.insert_offline(conn, {**row, "state": OfflineState.WAITING.value, "problem": problem})
            return _info(conn, ctx, key)
    except IntegrityError:
        return _after_race(ctx, key, digest)


def _repriced(conn: Connection, cmd: OfflineOrderIn, rung_at: dt.datetime, now: dt.datetime) -> list[str]:
    """Items whose price when the till says the order was rung is not their price now."""
    codes = [li.code for li in cmd.lines]
    try:
        then = menu_db.menu_items(conn, codes, rung_at, active_only=False)
        current = menu_db.menu_items(conn, codes, now, active_only=False)
    except MidnightError:
        return []  # an item unknown or unpriced then: recording it says so
    return sorted(code for code, item in then.items() if item.price != current[code].price)


def _record(
    ctx: Context,
    key: str,
    digest: str,
    cmd: OfflineOrderIn,
    row: dict[str, Any],
    given: list[Tender],
    card_limit: int | None,
) -> OfflineInfo:
    """Record the order as if it had arrived when it was rung: its prices, stock and day then.

    Its cash goes into the drawer of whoever sends it; the kitchen gets no ticket (the food was
    handed over when it was rung)."""
    total = to_minor(cmd.total, ctx.store.currency, field="total")
    offline.check_offline_tenders(total, given, card_limit, ctx.money)
    late = stopped_at(ctx, row["rung_at"])
    tenders = tenders_svc.named(late, given)
    # Through the parser again, so as a decimal: a bare int would be read as whole units, not milli.
    lines = [
        LineIn(code=li.code, quantity=format_quantity(li.quantity), note=li.note, modifiers=li.modifiers)
        for li in cmd.lines
    ]
    with ctx.db.write() as conn:
        existing = _replayed(conn, ctx.store.id, key, digest)
        if existing is not None:
            return existing
        check_day_open(late, conn, field="rung_at")
        now = ctx.now()
        offline.check_recordable_as_rung(row["rung_at"], now, _repriced(conn, cmd, row["rung_at"], now))
        body = OrderBody(lines, cmd.note, [None] * len(lines), None, digest)
        extra: dict[str, object] = {"till": cmd.till, "offline_number": cmd.local_number}
        parked = parked_under(
            conn, ctx.store.id, key
        )  # a table reopened, then paid while the connection was down
        if parked is not None:
            order_id = replace_lines(late, conn, parked, body, extra)
        else:
            order_id = insert_order(late, conn, key, body, extra)
        pay_in(late, conn, order_id, tenders, total, into_drawer=True, to_kitchen=False)
        offline_db.insert_offline(conn, {**row, "state": OfflineState.RECORDED.value, "order_id": order_id})
        return _info(conn, ctx, key)


def _as_problem(ctx: Context, exc: MidnightError, rung_at: dt.datetime) -> str:
    """Why it waits, as a manager reads it (the till's own wording is for a customer at the counter)."""
    if exc.field == "expected_total":
        at = rung_at.astimezone(ctx.store.tz)
        return f"at the prices of {at:%Y-%m-%d %H:%M}: {exc.message.split(';')[0]}"
    return exc.message


def _info(conn: Connection, ctx: Context, key: str) -> OfflineInfo:
    found = offline_db.info_by_key(conn, ctx.store.id, key)
    assert found is not None
    return found


def _after_race(ctx: Context, key: str, digest: str) -> OfflineInfo:
    """The same order sent twice at once (two tabs, a retry after a lost answer): the first one counts."""
    with ctx.db.read() as conn:
        existing = _replayed(conn, ctx.store.id, key, digest)
    if existing is None:
        raise Conflict("the offline order could not be recorded; send it again", field="idempotency_key")
    return existing


def list_offline(ctx: Context, query: OfflineQuery) -> Page[OfflineInfo]:
    """Offline orders in one state (default: waiting for a decision), oldest first."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return offline_db.listed(
            conn, ctx.store.id, query.state or OfflineState.WAITING, cursor=query.cursor, limit=query.limit
        )


def get_offline(ctx: Context, offline_id: int) -> OfflineInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return offline_db.info(conn, ctx.store.id, offline_id)


def waiting(ctx: Context) -> tuple[int, int]:
    """How many offline orders wait for a decision, and what their customers paid."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return offline_db.waiting_summary(conn, ctx.store.id)


def decide(ctx: Context, offline_id: int, cmd: DecideOffline) -> OfflineInfo:
    """Accept a waiting offline order (the sale stands as the till rang it, at the prices it showed,
    its stock drawn as far as there is any on record) or refund it (the money goes back the way it
    was paid). Either way it becomes an order on the books with the customer's payments."""
    ctx.require(Permission.REFUND)
    with ctx.db.write() as conn:
        row = offline_db.row(conn, ctx.store.id, offline_id, for_update=True)
        offline.check_decidable(OfflineState(row.state), row.id)
        asked = OfflineOrderIn.model_validate(json.loads(row.request))
        order_id, short = _book(ctx, conn, row, asked, cmd)
        note = cmd.note if not short else f"{cmd.note} — not drawn, no stock on record: {', '.join(short)}"
        offline_db.resolve(
            conn,
            row.id,
            {
                "state": offline.after(cmd.decision).value,
                "order_id": order_id,
                "resolved_at": ctx.now(),
                "resolved_by": ctx.actor,
                "resolution_note": note,
            },
        )
        return offline_db.info(conn, ctx.store.id, row.id)


def _booking_key(conn: Connection, store_id: int, r: AnyRow) -> str:
    """The key the order is booked under: the till's own, unless an order already holds it (a parked
    order voided since it was carried offline), when it is booked beside that one under its own."""
    if orders_db.order_by_key(conn, store_id, r.idempotency_key) is None:
        return str(r.idempotency_key)
    return f"offline-order-{r.id}"


def _book(
    ctx: Context, conn: Connection, r: AnyRow, asked: OfflineOrderIn, cmd: DecideOffline
) -> tuple[int, list[str]]:
    """The order as the till rang it, paid as the customer paid; accepted, its stock drawn (what there
    is); refunded, its money given back. Returns the order and what could not be drawn."""
    currency = ctx.store.currency
    now = ctx.now()
    rung_at: dt.datetime = r.rung_at
    # Only what each item is (name, recipe): the prices are the till's. Read as the items are now, so
    # an item off the menu since, or priced only after the till's clock said, can still be decided.
    items = menu_db.menu_items(conn, [li.code for li in asked.lines], now, active_only=False)
    options = modifiers_db.groups_of(conn, [item.id for item in items.values()])
    inputs, lines, chosen = [], [], []
    for n, li in enumerate(asked.lines, start=1):
        item = items[li.code]
        by_code = {o.code: o for g in options.get(item.id, ()) for o in g.options}
        picked = [by_code[c] for c in li.modifiers if c in by_code]
        unit = to_minor(li.unit_price, currency, field=f"line {n} price")
        inputs.append(LineInput(unit, li.quantity))
        lines.append((item, li, unit, picked))
        chosen.append(picked)
    priced = price_order(inputs, None, ctx.money)
    total = to_minor(asked.total, currency, field="total")
    if priced.total != total:
        raise Conflict(
            f"the till's lines come to {ctx.money(priced.total)}, not the {ctx.money(total)} it took: "
            "this one can only be looked into by hand",
            field="total",
        )
    rung_day = current_business_date(conn, ctx.store.id, rung_at.astimezone(ctx.store.tz).date())
    closed = orders_db.closed_days_from(conn, ctx.store.id, rung_day)
    # On its own day unless that was closed, or is further back than any till stays offline.
    too_old = now - rung_at > offline.MAX_AGE
    day = (
        current_business_date(conn, ctx.store.id, ctx.today()) if rung_day in closed or too_old else rung_day
    )
    key = _booking_key(conn, ctx.store.id, r)
    order_id, line_ids = orders_db.insert_order(
        conn,
        {
            "store_id": ctx.store.id,
            "idempotency_key": key,
            "request_hash": r.request_hash,
            "state": rules.OrderState.OPEN.value,
            "created_at": rung_at,
            "entered_at": now,
            "actor": r.sent_by,
            "note": f"rung offline ({r.local_number}); {cmd.decision.value}ed by {ctx.actor}: {cmd.note}",
            "gross": priced.gross,
            "markdowns": 0,
            "line_discounts": 0,
            "order_discount": 0,
            "total": priced.total,
            "call_number": orders_db.next_call_number(conn, ctx.store.id, day),
            "till": r.till,
            "offline_number": r.local_number,
            **orders_db.discount_columns(None),
        },
        [
            {
                "line_no": n,
                "menu_item_id": item.id,
                "name": item.name,
                "quantity": li.quantity,
                "unit_price": unit,
                "modifier_price": sum(o.price_delta for o in picked),
                "note": li.note,
                "gross": p.gross,
                "markdown": 0,
                "discount": 0,
                "net": p.net,
                **orders_db.discount_columns(None),
            }
            for n, ((item, li, unit, picked), p) in enumerate(zip(lines, priced.lines, strict=True), start=1)
        ],
        want_ids=True,
    )
    modifiers_db.insert_line_modifiers(
        conn,
        ctx.store.id,
        [
            {
                "order_line_id": line_id,
                "position": n,
                "option_id": o.id,
                "code": o.code,
                "group_name": o.group_name,
                "name": o.name,
                "price_delta": o.price_delta,
            }
            for line_id, picked in zip(line_ids, chosen, strict=True)
            for n, o in enumerate(picked, start=1)
        ],
    )
    short: list[str] = []
    if cmd.decision is Decision.ACCEPT:
        for line_id, (item, li, _, picked) in zip(line_ids, lines, strict=True):
            try:
                recipe = modifiers.modified_recipe(item.name, item.recipe, picked)
            except InvalidInput:
                recipe = item.recipe
            for sku, needed in scale_recipe(recipe, li.quantity):
                missing = _draw_what_there_is(ctx, conn, order_id, line_id, sku, needed)
                if missing:
                    short.append(f"{format_quantity(missing)} {sku}")
    tenders = _as_taken(conn, ctx, given_tenders(ctx, asked.payments))
    settled = settle(total, tenders, ctx.money)
    drawer = drawers_db.drawer_for_sale(conn, ctx.store.id, r.sent_by)
    orders_db.insert_payments(
        conn,
        ctx.store.id,
        [
            {
                "order_id": order_id,
                "method": s.method.value,
                "tender": s.name,
                "drawer_session_id": drawer if s.method is Method.CASH else None,
                "tendered": s.tendered,
                "applied": s.applied,
                "change": s.change,
                "at": rung_at,
                "business_date": day,
                "actor": r.sent_by,
            }
            for s in settled
        ],
    )
    orders_db.mark_paid(
        conn,
        order_id,
        {
            "paid_at": rung_at,
            "day": day,
            "gross": priced.gross,
            "markdowns": 0,
            "line_discounts": 0,
            "order_discount_": 0,
            "total": priced.total,
        },
    )
    if cmd.decision is Decision.REFUND:
        _refund_all(ctx, conn, order_id, line_ids, lines, cmd.note)
    # No kitchen ticket: the food was handed over when the order was rung.
    return order_id, short


def _as_taken(conn: Connection, ctx: Context, given: list[Tender]) -> list[Tender]:
    """Named tenders as the shop spells them, retired ones too: the customer paid by it then."""
    if not any(t.method is Method.OTHER for t in given):
        return given
    known = {
        tenders_svc.tender_key(r.name): r.name
        for r in orders_db.tenders(conn, ctx.store.id, active_only=False)
    }
    return [
        Tender(t.method, t.amount, known.get(tenders_svc.tender_key(t.name or ""), t.name))
        if t.method is Method.OTHER
        else t
        for t in given
    ]


def _draw_what_there_is(
    ctx: Context, conn: Connection, order_id: int, line_id: int, sku: str, needed: int
) -> int:
    """Draw FEFO as much of `needed` as is on record; return what could not be drawn."""
    try:
        draw_in(
            ctx, conn, MovementKind.SELL, sku, needed, reference=f"order #{order_id}", order_line_id=line_id
        )
        return 0
    except InsufficientStock as exc:
        available = parse_quantity(exc.available, allow_zero=True) if exc.available else 0
    if available > 0:
        draw_in(
            ctx,
            conn,
            MovementKind.SELL,
            sku,
            available,
            reference=f"order #{order_id}",
            order_line_id=line_id,
        )
    return needed - available


def _refund_all(
    ctx: Context, conn: Connection, order_id: int, line_ids: list[int], lines: list[Any], reason: str
) -> None:
    paid, refunded = orders_db.money_by_way(conn, order_id)
    total = sum(paid.values())
    parts = refund_methods(paid, refunded, None, total, ctx.money) if total else []
    day = current_business_date(conn, ctx.store.id, ctx.today())
    gives_cash = any(w.method is Method.CASH for w, _ in parts)
    drawer = drawers_db.drawer_for_refund(conn, ctx.store.id, ctx.actor, order_id) if gives_cash else None
    refund_ids = [
        orders_db.insert_refund(
            conn,
            {
                "order_id": order_id,
                "method": way.method.value,
                "tender": way.tender,
                "drawer_session_id": drawer if way.method is Method.CASH else None,
                "amount": part,
                "reason": f"rung offline, refunded: {reason}",
                "at": ctx.now(),
                "business_date": day,
                "actor": ctx.actor,
            },
        )
        for way, part in parts
    ]
    if refund_ids:  # an order that came to nothing gives nothing back
        for line_id, (_, li, _, _) in zip(line_ids, lines, strict=True):
            orders_db.insert_refund_line(conn, refund_ids[0], line_id, li.quantity)
    orders_db.set_state(conn, order_id, rules.OrderState.REFUNDED)


@dataclass(frozen=True)
class SnapshotOption:
    code: str
    name: str
    price_delta: int


@dataclass(frozen=True)
class SnapshotGroup:
    code: str
    name: str
    min_choices: int
    max_choices: int
    options: list[SnapshotOption]


@dataclass(frozen=True)
class SnapshotItem:
    code: str
    name: str
    category: str
    price: int  # the menu price
    groups: list[SnapshotGroup]
    # What one unit costs now, priced by the server (services.quotes.prices_now, the figure its till
    # button shows): a reduce-to-clear markdown taken off when the next one sold is near its date.
    # The offline till charges this, so the order it rings is the one the server records.
    unit_price: int


@dataclass(frozen=True)
class Snapshot:
    """What a till needs to keep selling offline: the menu and its prices as they are now, the
    modifiers, the tenders, and whether card may be taken (up to how much)."""

    issued_at: dt.datetime
    store: str
    currency: str
    digits: int
    user: str
    offline_card_limit: int | None
    tenders: list[str]
    items: list[SnapshotItem]


MAX_SNAPSHOT_ITEMS = 1000


def snapshot(ctx: Context) -> Snapshot:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        infos = menu_db.till_items(conn, key=None, currency=ctx.store.currency, limit=MAX_SNAPSHOT_ITEMS)
        groups = modifiers_db.groups_of(conn, [i.id for i in infos])
        card_limit = stores_db.offline_card_limit(conn, ctx.store.id)
        tenders = [row.name for row in orders_db.tenders(conn, ctx.store.id, active_only=True)]
    now = quotes.prices_now(ctx, [i.code for i in infos if i.markdown_days is not None])
    return Snapshot(
        issued_at=ctx.now(),
        store=ctx.store.name,
        currency=ctx.store.currency,
        digits=minor_digits(ctx.store.currency),
        user=ctx.actor,
        offline_card_limit=card_limit,
        tenders=tenders,
        items=[
            SnapshotItem(
                i.code,
                i.name,
                i.category,
                i.price,
                [
                    SnapshotGroup(
                        g.code,
                        g.name,
                        g.min_choices,
                        g.max_choices,
                        [SnapshotOption(o.code, o.name, o.price_delta) for o in g.options if o.active],
                    )
                    for g in groups.get(i.id, ())
                ],
                now.get(i.code, i.price),
            )
            for i in infos
        ],
    )


def set_offline_card_limit(ctx: Context, amount: Decimal | None) -> int | None:
    """Whether (and up to how much per order) card may be taken while the till is offline: None
    refuses card offline, cash only."""
    ctx.require(Permission.PRICES)
    limit = None if amount is None else to_minor(amount, ctx.store.currency, field="limit")
    with ctx.db.write() as conn:
        stores_db.set_offline_card_limit(conn, ctx.store.id, limit)
    return limit


def offline_card_limit(ctx: Context) -> int | None:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return stores_db.offline_card_limit(conn, ctx.store.id)
