"""Buying right: what to order from a supplier for its next delivery, and which lots will expire unsold.

Both read the ledger's daily demand (db/demand), forecast it (adapters/forecaster, outside any
transaction) and ask the domain (domain/planning): the newsvendor order per product, and the FEFO
projection of today's lots. Accepting a suggestion makes a draft purchase order that remembers what
was suggested, for the "suggested vs ordered" report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from midnight.adapters import forecaster
from midnight.commands.planning import AcceptSuggestions, SuggestQuery, UnsoldQuery
from midnight.commands.purchasing import NewPurchaseOrder, OrderLineIn
from midnight.db import catalog as catalog_db
from midnight.db import demand as demand_db
from midnight.db import planning as planning_db
from midnight.db import purchasing as purchasing_db
from midnight.db.planning import NearLot, Selling
from midnight.db.purchasing import SupplierInfo, SupplierProduct
from midnight.domain import demand, planning
from midnight.domain import purchasing as rules
from midnight.domain.clock import start_of_day
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.forecasting import fill_censored
from midnight.domain.lot import LotView
from midnight.domain.money import cost_of
from midnight.domain.people import Permission
from midnight.domain.product import Product
from midnight.domain.purchasing import MAX_LINES
from midnight.domain.quantity import SCALE, parse_quantity, to_decimal
from midnight.services import purchase_orders
from midnight.services.context import Context
from midnight.services.purchase_orders import OrderDetail

HISTORY_DAYS = 140  # 16 weeks for the models and the 28 days they are chosen on (commands/forecasts)
HORIZON = forecaster.HORIZON
# An ingredient has no price of its own (it is sold inside dishes): running out stops every dish
# that needs it, so it is covered at this service level unless the owner set one.
INGREDIENT_SERVICE = 0.90
FAR = dt.date(9999, 12, 31)
MARKDOWN_PERCENT = 30  # the reduce-to-clear suggested when an item has no rule of its own
DEEPEST_MARKDOWN = 70  # a deeper one is suggested 20 points at a time, to here; then the kitchen
NEAR_LOTS = 500  # the "will expire unsold" list judges at most this many lots (soonest first)


@dataclass(frozen=True)
class SuggestedLine:
    """One product's suggestion; quantities in the product's unit (exact decimals), money minor units."""

    sku: str
    name: str
    unit: str
    pack_size: Decimal
    unit_cost: int
    on_hand: Decimal  # good stock now
    on_order: Decimal  # still to come on open orders before this delivery
    usable: Decimal  # of that, what will still be there and good for the days covered
    demand: Decimal  # forecast demand over the days covered (the mean)
    target: Decimal  # what stock should reach for those days, at the service level
    days_covered: int
    service_level: float
    service_from: str  # "owner" (set on the product), "margin" (price vs cost), "ingredient"
    method: str  # the forecast's model
    quantity: Decimal  # to order, whole packs
    packs: int
    cost: int
    raised_for_minimum: bool  # packs added to reach the supplier's minimum order


@dataclass(frozen=True)
class Suggestions:
    supplier: SupplierInfo
    order_by: dt.date  # today: an order placed now
    delivery: dt.date  # when it arrives
    lasts_until: dt.date  # the delivery after next
    lines: list[SuggestedLine]
    total: int
    minimum_order: int


def _product_history(read: demand_db.Ledger, product_id: int) -> list[float]:
    h = demand.history(read.days[product_id], read.trading, read.on_hand_after[product_id])
    return fill_censored([None if v is None else v / SCALE for v in h.days])


def _forecasts(
    ctx: Context, products: Sequence[Product], today: dt.date
) -> tuple[dict[int, list[planning.DayDemand]], dict[int, str]]:
    """Each product's daily demand from today for HORIZON days, and the model that forecast it."""
    if not products:
        return {}, {}
    first = today - dt.timedelta(days=HISTORY_DAYS)
    with ctx.db.read() as conn:
        read = demand_db.ledger(conn, [p.id for p in products], first, HISTORY_DAYS, ctx.store.tz)
    series = {str(p.id): _product_history(read, p.id) for p in products}
    shut = demand.shut_weekdays(read.trading, first)
    selling = [(today + dt.timedelta(days=i)).weekday() not in shut for i in range(HORIZON)]
    result = forecaster.forecast(series, HORIZON)  # outside any transaction: the slow part
    daily = {
        p.id: planning.daily_demand(result[str(p.id)].mean, result[str(p.id)].high, selling) for p in products
    }
    return daily, {p.id: result[str(p.id)].method for p in products}


def _ratio(item: SupplierProduct, level: int | None, sells: Selling | None) -> tuple[float, str]:
    if level is not None:
        return level / 1000, "owner"
    if sells is None:
        return INGREDIENT_SERVICE, "ingredient"
    return planning.critical_ratio(item.unit_cost, sells.unit_price), "margin"


def _pending_lots(
    product: Product, pending: list[tuple[dt.date, int]], arrives: dt.date, tz: object
) -> list[LotView]:
    """What open orders bring by this delivery, as lots dated by the product's shelf life (an order
    already sent for the same delivery counts: what is suggested is on top of it)."""
    found = []
    for i, (day, milli) in enumerate(pending):
        if day > arrives:
            continue  # comes after this delivery: it is for the days after
        expires = day + dt.timedelta(days=product.shelf_life_days) if product.shelf_life_days else FAR
        at = start_of_day(day, tz) + dt.timedelta(hours=12)  # type: ignore[arg-type]
        found.append(LotView(-(i + 1), milli, expires, at, product.expiry_kind))
    return found


def suggest(ctx: Context, query: SuggestQuery) -> Suggestions:
    """What to order now from a supplier for its next delivery, product by product."""
    ctx.require(Permission.PURCHASE)
    today, now = ctx.today(), ctx.now()
    with ctx.db.read() as conn:
        supplier = purchasing_db.supplier(conn, purchasing_db.supplier_id_by_name(conn, query.supplier))
        items = purchasing_db.all_supplier_products(conn, supplier.id, MAX_LINES)
        ids = [item.product_id for item in items]
        products = catalog_db.products_by_ids(conn, ids)
        levels = planning_db.service_levels(conn, ids)
        lots = planning_db.good_lots(conn, ids, today)
        pending = planning_db.on_order(conn, ids)
        sold = planning_db.selling(conn, ids, now)
    arrives = rules.next_delivery(supplier.delivery_days, supplier.lead_time_days, today)
    lasts_until = rules.delivery_after(supplier.delivery_days, arrives)
    daily, methods = _forecasts(ctx, list(products.values()), today)
    lines = []
    for item in items:
        product = products[item.product_id]
        ratio, source = _ratio(item, levels.get(item.product_id), sold.get(item.product_id))
        coming = _pending_lots(product, pending.get(item.product_id, []), arrives, ctx.store.tz)
        days = daily[item.product_id]
        suggestion = planning.suggest_order(
            lots[item.product_id] + coming,
            days,
            today,
            arrives=arrives,
            lasts_until=lasts_until,
            pack_size=item.pack_size,
            shelf_life_days=product.shelf_life_days,
            ratio=ratio,
        )
        lead = (arrives - today).days
        covered = days[lead : lead + suggestion.days_covered]
        lines.append(
            SuggestedLine(
                sku=item.sku,
                name=item.name,
                unit=item.unit,
                pack_size=to_decimal(item.pack_size),
                unit_cost=item.unit_cost,
                on_hand=to_decimal(sum(lot.on_hand for lot in lots[item.product_id])),
                on_order=to_decimal(sum(lot.on_hand for lot in coming)),
                usable=to_decimal(suggestion.usable),
                demand=to_decimal(round(sum(d.mean for d in covered))),
                target=to_decimal(suggestion.target),
                days_covered=suggestion.days_covered,
                service_level=ratio,
                service_from=source,
                method=methods[item.product_id],
                quantity=to_decimal(suggestion.quantity),
                packs=suggestion.packs,
                cost=cost_of(item.unit_cost, suggestion.quantity),
                raised_for_minimum=False,
            )
        )
    packs = planning.meet_minimum(
        [line.packs for line in lines],
        [cost_of(line.unit_cost, parse_quantity(line.pack_size)) for line in lines],
        supplier.minimum_order,
    )
    final = []
    for line, count in zip(lines, packs, strict=True):
        if count != line.packs:
            milli = count * parse_quantity(line.pack_size)
            line = replace(
                line,
                quantity=to_decimal(milli),
                packs=count,
                cost=cost_of(line.unit_cost, milli),
                raised_for_minimum=True,
            )
        final.append(line)
    return Suggestions(
        supplier, today, arrives, lasts_until, final, sum(line.cost for line in final), supplier.minimum_order
    )


def accept(ctx: Context, cmd: AcceptSuggestions) -> OrderDetail:
    """A draft order from the suggestions: each line at what was suggested unless the person changed
    it (0 leaves it out), and what was suggested kept on the line."""
    ctx.require(Permission.PURCHASE)
    digest = purchase_orders.request_digest("accept", cmd)
    with ctx.db.read() as conn:
        if (earlier := purchase_orders.replayed(conn, cmd.key, digest)) is not None:
            return earlier  # a retry: the suggestions may have moved since, the draft made stands
    found = suggest(ctx, SuggestQuery(supplier=cmd.supplier))
    changed: dict[str, Decimal] = {}
    with ctx.db.read() as conn:
        for i, change in enumerate(cmd.changes, start=1):
            sku = catalog_db.product_by_code(conn, change.sku).sku
            if sku in changed:  # "12, then 24": which one was meant is not for the server to guess
                raise InvalidInput(f"{sku} is changed twice: give it once", field=f"changes.{i}.sku")
            changed[sku] = to_decimal(change.quantity)
    known = {line.sku for line in found.lines}
    unknown = sorted(set(changed) - known)
    if unknown:
        raise Conflict(
            f"{found.supplier.name} does not sell {', '.join(unknown)}: add it to their list first"
        )
    lines = []
    for line in found.lines:
        quantity = changed.get(line.sku, line.quantity)
        if quantity > 0:
            lines.append(OrderLineIn(sku=line.sku, quantity=quantity))
    if not lines:
        raise Conflict(
            f"nothing to order from {found.supplier.name} for {found.delivery}: every suggestion is 0"
        )
    return purchase_orders.new_order(
        ctx,
        NewPurchaseOrder(
            supplier=str(found.supplier.id),
            lines=lines,
            delivery_date=found.delivery,
            note=cmd.note,
            key=cmd.key,
        ),
        suggested={line.sku: parse_quantity(line.quantity, allow_zero=True) for line in found.lines},
        request_hash=digest,
    )


# --- will expire unsold ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """What to do about stock that will not sell in time."""

    kind: str  # "markdown" (reduce to clear on the till), "kitchen" (use it in dishes), "check"
    text: str
    item: str | None = None  # the menu item a markdown applies to
    percent: int | None = None
    price: int | None = None  # a unit's price once reduced
    starts: dt.date | None = None  # the first day of the markdown


@dataclass(frozen=True)
class UnsoldLot:
    lot_id: int
    sku: str
    name: str
    unit: str
    location: str
    expires: dt.date  # its last good day
    left: Decimal  # units the forecast says will still be there at the end of it
    cost: int
    action: Action

    @property
    def markdown_days(self) -> int | None:
        """A suggested markdown as the menu item's rule: reduced from this many days before the date."""
        return (self.expires - self.action.starts).days if self.action.starts else None


@dataclass(frozen=True)
class WillExpire:
    today: dt.date
    until: dt.date
    lots: list[UnsoldLot]
    units_cost: int
    judged: int  # lots looked at (at most NEAR_LOTS, soonest first)


def _action(lot: NearLot, left: int, sells: Selling | None, today: dt.date) -> Action:
    if sells is None:
        return Action(
            "kitchen",
            f"use {to_decimal(left)} {lot.unit} in the kitchen by {lot.effective_expiry} (a special, the staff meal)",
        )
    expires = lot.effective_expiry
    if not sells.markdown_bp:
        percent, starts = MARKDOWN_PERCENT, max(today, expires - dt.timedelta(days=1))
        text = f"reduce {sells.name} {percent}% from {starts} to clear (set its markdown on the menu)"
    else:
        # already reduced: the suggestion changes the rule (a button that set it again would do nothing)
        current = sells.markdown_bp // 100
        since = expires - dt.timedelta(days=sells.markdown_days or 0)
        if since > today:
            percent, starts = current, today
            text = f"{sells.name} is reduced {current}% from {since}: start it today, to sell more in time"
        elif current < DEEPEST_MARKDOWN:
            percent, starts = min(current + 20, DEEPEST_MARKDOWN), since
            text = f"{sells.name} is already reduced {current}% from {since}: go deeper, or use the rest in the kitchen"
        else:
            return Action(
                "kitchen",
                f"{sells.name} is already reduced {current}%: use {to_decimal(left)} {lot.unit} in the kitchen "
                f"by {expires}",
            )
    price = sells.unit_price - sells.unit_price * percent // 100
    return Action("markdown", text, sells.code, percent, price, starts)


def will_expire_unsold(ctx: Context, query: UnsoldQuery) -> WillExpire:
    """Lots the forecast says will reach their date with stock left, with what to do about each."""
    ctx.require(Permission.READ_STOCK)
    today, now = ctx.today(), ctx.now()
    until = today + dt.timedelta(days=query.days - 1)
    with ctx.db.read() as conn:
        near = planning_db.near_lots(conn, today, until, NEAR_LOTS)
        ids = sorted({lot.product_id for lot in near})
        products = catalog_db.products_by_ids(conn, ids)
        lots = planning_db.good_lots(conn, ids, today)
        sold = planning_db.selling(conn, ids, now)
    daily, _ = _forecasts(ctx, list(products.values()), today)
    by_id = {lot.lot_id: lot for lot in near}
    found = []
    for pid in ids:
        projected = [d.mean for d in daily[pid]]
        for unsold in planning.expire_unsold(lots[pid], projected, today):
            lot = by_id.get(unsold.lot_id)
            if lot is None:
                continue  # beyond the list's days (or its first NEAR_LOTS lots)
            found.append(
                UnsoldLot(
                    lot.lot_id,
                    lot.sku,
                    lot.name,
                    lot.unit,
                    lot.location,
                    lot.effective_expiry,
                    to_decimal(unsold.left),
                    cost_of(lot.unit_cost, unsold.left),
                    _action(lot, unsold.left, sold.get(pid), today),
                )
            )
    found.sort(key=lambda u: (u.expires, u.sku, u.lot_id))
    return WillExpire(today, until, found, sum(u.cost for u in found), len(near))
