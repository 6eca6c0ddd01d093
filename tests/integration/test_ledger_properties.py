"""Random sequences of everything a shop does to stock; the ledger's invariants after every step.

Invariants (DESIGN.md): conservation per product, no negative on-hand, no use_by lot drawn past
its effective expiry, FEFO order, all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, event, settings
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from midnight.commands.catalog import AddProduct
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers
from midnight.commands.stock import (
    CountLot,
    DrawStock,
    MoveLot,
    OpenPack,
    ReceiveLot,
    WriteOff,
    WriteOffExpired,
)
from midnight.commands.till import (
    AddMenuItem,
    ParkedQuery,
    ParkOrder,
    PayOrder,
    PlaceOrder,
    RefundOrder,
    VoidOrder,
)
from midnight.db import tables as t
from midnight.domain.clock import FixedClock, local_date
from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput
from midnight.domain.quantity import SCALE, format_quantity, parse_quantity
from midnight.services import catalog, menu, modifiers, orders, stock
from midnight.services.context import Context, open_context
from midnight.settings import Settings
from tests.conftest import NOW, PostgresServer, make_template, shop_from

EXAMPLES = int(os.environ.get("MIDNIGHT_PROPERTY_EXAMPLES", "300"))
EXAMPLES_PG = int(os.environ.get("MIDNIGHT_PROPERTY_EXAMPLES_PG", "40"))
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None  # RAM disk: fsync costs nothing
_template: Path | None = None


def template() -> Path:
    global _template
    if _template is None:
        _template = make_template(Path(tempfile.mkdtemp(dir=SCRATCH)))
    return _template


SKUS = ("MILK", "PINE", "LETTUCE")
# Milk and tins are counted one by one: they arrive and sell whole (the kitchen may use part of one).
UNITS = {"MILK": "each", "PINE": "each", "LETTUCE": "kg"}
LOCATIONS = ("shelf", "fridge", "freezer", "store room")
quantities = st.integers(min_value=1, max_value=4000).map(format_quantity)
deliveries = st.integers(min_value=1000, max_value=6000)  # milli; whole units for products sold by each
sales = st.integers(min_value=1, max_value=9000).map(format_quantity)
whole_sales = st.integers(min_value=1, max_value=9).map(str)


PRICES = {"TIN": 1800, "SALAD": 3850}
DELTAS = {"LARGE": 500, "EXTRA-MILK": 300, "NO-LETTUCE": -200, "COLD": 100}
RECIPES = {"TIN": {"PINE": 1000}, "SALAD": {"LETTUCE": 150, "MILK": 500}}


def modifier_choices(item: str) -> st.SearchStrategy[list[str]]:
    """What a customer may ask for: the tin cold or not; the salad large or not, with up to two extras."""
    if item == "TIN":
        return st.sampled_from([[], ["COLD"]])
    size = st.sampled_from([[], ["LARGE"]])
    extras = st.lists(st.sampled_from(["EXTRA-MILK", "NO-LETTUCE"]), max_size=2, unique=True)
    return st.tuples(size, extras).map(lambda chosen: chosen[0] + chosen[1])


def made_of(item: str, mods: list[str], milli_sold: int) -> dict[str, int]:
    """What a line draws, worked out by hand: scale, then leave out, then add (half up to a milli)."""
    per_unit = {sku: Decimal(milli) for sku, milli in RECIPES[item].items()}
    if "LARGE" in mods:
        per_unit = {
            sku: (q * Decimal("1.5")).to_integral_value(rounding="ROUND_HALF_UP")
            for sku, q in per_unit.items()
        }
    if "NO-LETTUCE" in mods:
        per_unit.pop("LETTUCE")
    if "EXTRA-MILK" in mods:
        per_unit["MILK"] = per_unit.get("MILK", Decimal(0)) + 500
    return {
        sku: int((q * milli_sold / SCALE).to_integral_value(rounding="ROUND_HALF_UP"))
        for sku, q in per_unit.items()
    }


class LedgerMachine(RuleBasedStateMachine):
    lots = Bundle("lots")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=SCRATCH))
        self.clock = FixedClock(NOW)
        self.ctx = self.make_shop()
        for product in (
            AddProduct(
                sku="MILK", name="Milk", expiry_kind="use_by", shelf_life_days=5, opened_shelf_life_days=2
            ),
            AddProduct(
                sku="PINE",
                name="Pineapple",
                expiry_kind="best_before",
                shelf_life_days=300,
                opened_shelf_life_days=4,
            ),
            AddProduct(sku="LETTUCE", name="Lettuce", unit="kg", expiry_kind="use_by", shelf_life_days=4),
        ):
            catalog.add_product(self.ctx, product)
        menu.add_menu_item(
            self.ctx,
            AddMenuItem(
                code="TIN",
                name="Pineapple tin",
                price="18",
                product="PINE",
                markdown_days=1,
                markdown_percent="25",
            ),
        )
        # The salad's recipe draws half a carton of milk: recipes may draw fractions of a whole unit.
        menu.add_menu_item(
            self.ctx,
            AddMenuItem(
                code="SALAD",
                name="Salad",
                price="38.50",
                recipe=[{"sku": "LETTUCE", "quantity": "0.15"}, {"sku": "MILK", "quantity": "0.5"}],
            ),
        )
        # Modifiers: a large salad draws 1.5x, extra milk adds half a carton, "no lettuce" leaves it out;
        # a tin served cold changes only its price.
        for code, name in (("SIZE", "Size"), ("EXTRAS", "Extras"), ("SERVE", "Serve")):
            modifiers.add_group(
                self.ctx, AddModifierGroup(code=code, name=name, max=2 if code == "EXTRAS" else 1)
            )
        for group, option in (
            ("SIZE", AddModifierOption(code="LARGE", name="Large", price="5", effect="scale", factor="1.5")),
            (
                "EXTRAS",
                AddModifierOption(
                    code="EXTRA-MILK",
                    name="Extra milk",
                    price="3",
                    effect="add",
                    product="MILK",
                    quantity="0.5",
                ),
            ),
            (
                "EXTRAS",
                AddModifierOption(
                    code="NO-LETTUCE", name="No lettuce", price="-2", effect="remove", product="LETTUCE"
                ),
            ),
            ("SERVE", AddModifierOption(code="COLD", name="Cold", price="1")),
        ):
            modifiers.add_option(self.ctx, group, option)
        modifiers.offer(self.ctx, "SALAD", OfferModifiers(groups=["SIZE", "EXTRAS"]))
        modifiers.offer(self.ctx, "TIN", OfferModifiers(groups=["SERVE"]))
        self.movement_ids: list[int] = []
        self.open_orders: list[int] = []
        self.parked: dict[int, tuple[str, int]] = {}  # order -> (its key, its revision)
        self.paid_orders: list[int] = []
        self.keys = 0
        self.refused: Exception | None = None

    def make_shop(self) -> Context:
        return shop_from(template(), self.dir / "shop.db", self.clock)

    def teardown(self) -> None:
        self.ctx.db.dispose()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers -------------------------------------------------------------------------
    def count_movements(self) -> int:
        with self.ctx.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.movements)).scalar_one())

    def new_movements(self, before: int) -> None:
        with self.ctx.db.read() as conn:
            self.movement_ids += list(
                conn.execute(select(t.movements.c.id).where(t.movements.c.id > before)).scalars()
            )

    def last_id(self) -> int:
        with self.ctx.db.read() as conn:
            return int(conn.execute(select(func.coalesce(func.max(t.movements.c.id), 0))).scalar_one())

    def sellable(
        self, sku: str, allow_bb: bool, whole: bool = False
    ) -> list[tuple[dt.date, dt.datetime, int, int]]:
        """Sellable lots worked out here, independently of the domain code, in FEFO order, with what
        each can give. A sale of something counted each takes whole units of unopened lots only."""
        today = self.ctx.today()
        with self.ctx.db.read() as conn:
            rows = conn.execute(
                select(
                    t.lots.c.id,
                    t.lots.c.on_hand,
                    t.lots.c.effective_expiry,
                    t.lots.c.received_at,
                    t.lots.c.opened_at,
                    t.products.c.expiry_kind,
                )
                .join(t.products)
                .where(t.products.c.sku == sku, t.lots.c.on_hand > 0)
            ).all()
        usable = [
            (r, r.on_hand - r.on_hand % SCALE if whole else r.on_hand)
            for r in rows
            if not (whole and r.opened_at is not None)
        ]
        return sorted(
            (r.effective_expiry, r.received_at, r.id, gives)
            for r, gives in usable
            if gives > 0 and (r.effective_expiry >= today or (r.expiry_kind == "best_before" and allow_bb))
        )

    def attempt(self, action, *expected: type[Exception]) -> object:  # type: ignore[no-untyped-def]
        """Run an action; an expected refusal must write nothing."""
        before_count, before_last = self.count_movements(), self.last_id()
        self.refused = None
        try:
            result = action()
        except expected as exc:
            assert self.count_movements() == before_count
            self.refused = exc
            return None
        self.new_movements(before_last)
        return result

    # --- rules ---------------------------------------------------------------------------
    @initialize(
        target=lots,
        deliveries=st.lists(
            st.tuples(st.sampled_from(SKUS), deliveries, st.integers(-2, 8), st.integers(0, 4)),
            min_size=2,
            max_size=8,
        ),
    )
    def stock_the_shop(self, deliveries: list[tuple[str, int, int, int]]):  # type: ignore[no-untyped-def]
        """Start every run with several lots, so sales split across lots from the first step."""
        return multiple(
            *(
                self.receive(sku, qty, expires_in, back, "shelf", 100)
                for sku, qty, expires_in, back in deliveries
            )
        )

    @rule(
        target=lots,
        sku=st.sampled_from(SKUS),
        qty=deliveries,
        expires_in=st.integers(-2, 8),
        back=st.integers(0, 4),
        location=st.sampled_from(LOCATIONS),
        cost=st.integers(0, 5000),
    )
    def receive(self, sku: str, qty: int, expires_in: int, back: int, location: str, cost: int) -> int:
        today = self.ctx.today()
        received = today - dt.timedelta(days=back)
        expires = max(received, today + dt.timedelta(days=expires_in))
        milli = qty - qty % SCALE if UNITS[sku] == "each" else qty
        before = self.last_id()
        got = stock.receive(
            self.ctx,
            ReceiveLot(
                sku=sku,
                quantity=format_quantity(milli),
                expires=expires,
                received=received,
                location=location,
                cost=Decimal(cost) / 100,
            ),
        )
        self.new_movements(before)
        return got.lot.id

    @rule(sku=st.sampled_from(SKUS), qty=sales, allow_bb=st.booleans(), kind=st.sampled_from(["sell", "use"]))
    def draw(self, sku: str, qty: str, allow_bb: bool, kind: str) -> None:
        candidates = self.sellable(sku, allow_bb, whole=kind == "sell" and UNITS[sku] == "each")
        wanted = parse_quantity(qty)
        action = stock.sell if kind == "sell" else stock.use
        command = DrawStock(sku=sku, quantity=qty, allow_past_best_before=allow_bb)
        # Part of a carton or a tin is never sold over the counter, whatever the stock.
        part_of_one = kind == "sell" and UNITS[sku] == "each" and wanted % SCALE != 0
        refusal = InvalidInput if part_of_one else InsufficientStock
        result = self.attempt(lambda: action(self.ctx, command), refusal)
        if part_of_one:
            assert result is None and isinstance(self.refused, InvalidInput)
            event("sale refused: not a whole unit")
            return
        if result is None:
            event("draw refused: not enough sellable stock")
            assert sum(c[3] for c in candidates) < wanted
            return
        draws = result.draws  # type: ignore[attr-defined]
        event(f"draw from {min(len(draws), 3)}{'+' if len(draws) >= 3 else ''} lot(s)")
        # FEFO: the lots drawn are the first ones in expiry order, all but the last emptied.
        assert [d.lot_id for d in draws] == [c[2] for c in candidates[: len(draws)]]
        for draw, candidate in zip(draws[:-1], candidates, strict=False):
            assert int(draw.quantity * 1000) == candidate[3]
        assert sum(int(d.quantity * 1000) for d in draws) == wanted

    @rule(target=lots, lot=lots)
    def open_pack(self, lot: int) -> int:
        opened = self.attempt(lambda: stock.open_pack(self.ctx, lot, OpenPack()), Conflict)
        return opened.id if opened is not None else lot  # type: ignore[attr-defined]

    @rule(target=lots, lot=lots, qty=quantities, location=st.sampled_from(LOCATIONS))
    def move(self, lot: int, qty: str, location: str) -> int:
        moved = self.attempt(
            lambda: stock.move(self.ctx, lot, MoveLot(quantity=qty, location=location)),
            Conflict,
            InvalidInput,
        )
        return moved.id if moved is not None else lot  # type: ignore[attr-defined]

    @rule(lot=lots, qty=quantities)
    def waste(self, lot: int, qty: str) -> None:
        self.attempt(
            lambda: stock.write_off(self.ctx, lot, WriteOff(quantity=qty, reason="damaged")), Conflict
        )

    @rule()
    def waste_expired(self) -> None:
        self.attempt(lambda: stock.write_off_expired(self.ctx, WriteOffExpired()))

    @rule(lot=lots, qty=st.integers(0, 6000).map(format_quantity))
    def count(self, lot: int, qty: str) -> None:
        self.attempt(lambda: stock.count(self.ctx, lot, CountLot(quantity=qty)))

    @precondition(lambda self: self.movement_ids)
    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        movement = data.draw(st.sampled_from(self.movement_ids))
        self.attempt(lambda: stock.undo(self.ctx, movement), Conflict)

    @rule(sku=st.sampled_from(SKUS), qty=whole_sales, allow_bb=st.booleans())
    def sell_again(self, sku: str, qty: str, allow_bb: bool) -> None:
        """Sales (of whole units) are most of what a shop does; weight them up."""
        self.draw(sku, qty, allow_bb, "sell")

    # --- the till --------------------------------------------------------------------------
    def count_orders(self) -> int:
        with self.ctx.db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.orders)).scalar_one())

    def till(self, action, *expected: type[Exception]) -> object:  # type: ignore[no-untyped-def]
        """Like attempt(), and a refused till action leaves no order behind either."""
        before = self.count_orders()
        result = self.attempt(action, *expected)
        if result is None:
            assert self.count_orders() == before
        return result

    @rule(
        item=st.sampled_from(["TIN", "SALAD"]),
        qty=st.integers(1, 3),
        pay_now=st.booleans(),
        discount=st.sampled_from([None, "10%", "1.50"]),
        data=st.data(),
    )
    def ring_up(self, item: str, qty: int, pay_now: bool, discount: str | None, data: st.DataObject) -> None:
        self.keys += 1
        key = f"till-{self.keys}"
        mods = data.draw(modifier_choices(item))
        command = PlaceOrder(
            lines=[{"code": item, "quantity": qty, "modifiers": mods}],
            discount=discount,
            discount_reason="test" if discount else None,
            payments=[{"method": "cash", "amount": "200"}] if pay_now else None,
        )

        def place() -> orders.OrderInfo:
            return orders.place_order(self.ctx, key, command)

        order = self.till(place, InsufficientStock)
        if order is None:
            event("order refused: not enough stock")
            return
        assert isinstance(order, orders.OrderInfo)
        assert order.lines[0].unit_price == PRICES[item] + sum(DELTAS[m] for m in mods)
        (self.paid_orders if pay_now else self.open_orders).append(order.id)
        if pay_now:
            self.drew_what_the_lines_make(order)
            event("paid with modifiers" if mods else "paid without modifiers")
        # A retry with the same key writes nothing and returns the same order.
        before = self.count_movements()
        again = place()
        assert again.id == order.id and again.replayed and self.count_movements() == before

    def drew_what_the_lines_make(self, order: orders.OrderInfo) -> None:
        """A paid order's lines drew exactly their recipes with their modifiers applied."""
        with self.ctx.db.read() as conn:
            rows = conn.execute(
                select(t.order_lines.c.line_no, t.products.c.sku, func.sum(t.movements.c.quantity))
                .join(t.movements, t.movements.c.order_line_id == t.order_lines.c.id)
                .join(t.products, t.products.c.id == t.movements.c.product_id)
                .where(t.order_lines.c.order_id == order.id, t.movements.c.refund_id.is_(None))
                .group_by(t.order_lines.c.line_no, t.products.c.sku)
            ).all()
        drawn = {(no, sku): -int(q) for no, sku, q in rows}
        wanted = {
            (line.line_no, sku): milli
            for line in order.lines
            for sku, milli in made_of(
                line.code, [m.code for m in line.modifiers], int(line.quantity * SCALE)
            ).items()
        }
        assert drawn == wanted

    # --- parked orders ------------------------------------------------------------------------
    @rule(item=st.sampled_from(["TIN", "SALAD"]), qty=st.integers(1, 3), data=st.data())
    def park(self, item: str, qty: int, data: st.DataObject) -> None:
        self.keys += 1
        key = f"table-{self.keys}"
        command = ParkOrder(
            lines=[{"code": item, "quantity": qty, "modifiers": data.draw(modifier_choices(item))}],
            label=f"Table {self.keys}",
        )
        before = self.count_movements()
        parked = self.till(lambda: orders.park_order(self.ctx, key, command))
        assert isinstance(parked, orders.OrderInfo) and parked.revision == 1
        assert self.count_movements() == before  # a parked order draws nothing
        self.parked[parked.id] = (key, parked.revision)

    @precondition(lambda self: self.parked)
    @rule(data=st.data(), item=st.sampled_from(["TIN", "SALAD"]), qty=st.integers(1, 3), stale=st.booleans())
    def change_parked(self, data: st.DataObject, item: str, qty: int, stale: bool) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.parked)))
        key, revision = self.parked[order_id]
        command = ParkOrder(
            lines=[{"code": item, "quantity": qty, "modifiers": data.draw(modifier_choices(item))}],
            # A stale copy is another till's edit, never a retry of this till's own earlier request
            # (which, sent again as it was, is answered with what it did: idempotency).
            label=f"Table for order {order_id}" + (" (other till)" if stale else ""),
            revision=revision - 1 if stale else revision,
        )
        changed = self.till(lambda: orders.park_order(self.ctx, key, command), Conflict)
        if stale:
            assert changed is None  # another till's older copy never overwrites
            return
        assert isinstance(changed, orders.OrderInfo)
        assert changed.id == order_id and changed.revision == revision + 1
        self.parked[order_id] = (key, changed.revision)

    @precondition(lambda self: self.parked)
    @rule(data=st.data(), void=st.booleans())
    def settle_parked(self, data: st.DataObject, void: bool) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.parked)))
        key, revision = self.parked[order_id]
        if void:
            self.till(lambda: orders.void_order(self.ctx, order_id, VoidOrder(reason="left")))
            del self.parked[order_id]
            return
        current = orders.get_order(self.ctx, order_id)
        command = PlaceOrder(
            lines=[
                {"code": ln.code, "quantity": str(ln.quantity), "modifiers": [m.code for m in ln.modifiers]}
                for ln in current.lines
            ],
            payments=[{"method": "cash", "amount": "500"}],
            revision=revision,
        )
        paid = self.till(lambda: orders.place_order(self.ctx, key, command), InsufficientStock)
        if paid is None:
            event("parked order refused: not enough stock")
            return
        assert isinstance(paid, orders.OrderInfo) and paid.id == order_id and paid.parked_at is None
        del self.parked[order_id]
        self.paid_orders.append(order_id)
        self.drew_what_the_lines_make(paid)
        event("parked order paid")

    @invariant()
    def parked_orders_are_open_listed_and_drew_nothing(self) -> None:
        listed = {o.id for o in orders.parked_orders(self.ctx, ParkedQuery(limit=1000)).items}
        assert listed == set(self.parked)
        with self.ctx.db.read() as conn:
            drew = conn.execute(
                select(func.count())
                .select_from(t.movements)
                .join(t.order_lines, t.order_lines.c.id == t.movements.c.order_line_id)
                .where(t.order_lines.c.order_id.in_(sorted(self.parked)))
            ).scalar_one()
            states = set(
                conn.execute(select(t.orders.c.state).where(t.orders.c.id.in_(sorted(self.parked)))).scalars()
            )
        assert drew == 0 and states <= {"open"}

    @invariant()
    def every_order_has_its_own_number_on_its_day(self) -> None:
        tz = self.ctx.store.tz
        with self.ctx.db.read() as conn:
            rows = conn.execute(select(t.orders.c.created_at, t.orders.c.call_number)).all()
        seen = [(local_date(at, tz), number) for at, number in rows]
        assert all(number is not None for _, number in seen)
        assert len(set(seen)) == len(seen)

    @precondition(lambda self: self.open_orders)
    @rule(data=st.data(), void=st.booleans())
    def settle_open_order(self, data: st.DataObject, void: bool) -> None:
        order_id = data.draw(st.sampled_from(self.open_orders))
        self.open_orders.remove(order_id)
        if void:
            self.till(lambda: orders.void_order(self.ctx, order_id, VoidOrder(reason="changed mind")))
            return
        payment = PayOrder(payments=[{"method": "cash", "amount": "200"}])
        paid = self.till(lambda: orders.pay_order(self.ctx, order_id, payment), InsufficientStock)
        if paid is None:
            self.open_orders.append(order_id)  # still open, nothing written
        else:
            self.paid_orders.append(order_id)

    @precondition(lambda self: self.paid_orders)
    @rule(data=st.data(), part=st.booleans())
    def refund(self, data: st.DataObject, part: bool) -> None:
        order_id = data.draw(st.sampled_from(self.paid_orders))
        command = RefundOrder(reason="test", lines=[{"line": 1, "quantity": "1"}] if part else None)
        self.till(lambda: orders.refund_order(self.ctx, order_id, command), Conflict)

    @invariant()
    def money_balances(self) -> None:
        """Payments less refunds equal the net sales of paid orders; no order refunds more than it took."""
        with self.ctx.db.read() as conn:
            taken = dict(
                conn.execute(
                    select(t.payments.c.order_id, func.sum(t.payments.c.applied)).group_by(
                        t.payments.c.order_id
                    )
                ).all()
            )
            given = dict(
                conn.execute(
                    select(t.refunds.c.order_id, func.sum(t.refunds.c.amount)).group_by(t.refunds.c.order_id)
                ).all()
            )
            rows = conn.execute(select(t.orders.c.id, t.orders.c.state, t.orders.c.total)).all()
        sold = {r.id: r.total for r in rows if r.state in ("paid", "partly_refunded", "refunded")}
        assert sum(taken.values()) - sum(given.values()) == sum(sold.values()) - sum(given.values())
        for order_id, state, total in rows:
            assert taken.get(order_id, 0) == (total if order_id in sold else 0), state
            assert given.get(order_id, 0) <= taken.get(order_id, 0)
            if state == "refunded":
                assert given.get(order_id, 0) == total

    @rule(days=st.integers(1, 3))
    def next_day(self, days: int) -> None:
        self.clock.advance(dt.timedelta(days=days))

    # --- invariants ----------------------------------------------------------------------
    @invariant()
    def conservation_per_product(self) -> None:
        with self.ctx.db.read() as conn:
            by_kind: dict[tuple[int, str], int] = {
                (p, k): int(q)
                for p, k, q in conn.execute(
                    select(
                        t.movements.c.product_id, t.movements.c.kind, func.sum(t.movements.c.quantity)
                    ).group_by(t.movements.c.product_id, t.movements.c.kind)
                )
            }
            held = dict(
                conn.execute(
                    select(t.lots.c.product_id, func.sum(t.lots.c.on_hand)).group_by(t.lots.c.product_id)
                ).all()
            )
        for product_id, on_hand in held.items():

            def total(kind: str, pid: int = product_id) -> int:
                return by_kind.get((pid, kind), 0)

            received, sold, used, wasted = total("receive"), -total("sell"), -total("use"), -total("waste")
            assert received == on_hand + sold + used + wasted - total("adjust")
            assert total("open") == 0 and total("move") == 0  # transfers net to nothing

    @invariant()
    def lots_match_their_movements_and_never_go_negative(self) -> None:
        with self.ctx.db.read() as conn:
            sums = dict(
                conn.execute(
                    select(t.movements.c.lot_id, func.sum(t.movements.c.quantity)).group_by(
                        t.movements.c.lot_id
                    )
                ).all()
            )
            for lot_id, on_hand in conn.execute(select(t.lots.c.id, t.lots.c.on_hand)):
                assert on_hand >= 0
                assert sums.get(lot_id, 0) == on_hand

    @invariant()
    def no_use_by_lot_was_drawn_past_its_expiry(self) -> None:
        tz = self.ctx.store.tz
        with self.ctx.db.read() as conn:
            rows = conn.execute(
                select(t.movements.c.at, t.lots.c.effective_expiry)
                .join(t.lots, t.lots.c.id == t.movements.c.lot_id)
                .join(t.products, t.products.c.id == t.lots.c.product_id)
                .where(
                    t.movements.c.kind.in_(["sell", "use"]),
                    t.movements.c.quantity < 0,
                    t.movements.c.reverses_id.is_(None),
                    t.products.c.expiry_kind == "use_by",
                )
            ).all()
        for at, effective in rows:
            assert local_date(at, tz) <= effective


class PostgresLedgerMachine(LedgerMachine):
    """The same machine on PostgreSQL: a fresh database copied from a template per run."""

    server: PostgresServer | None = None

    def make_shop(self) -> Context:
        assert self.server is not None
        self.database = self.server.create()
        settings = Settings(secret_key_file=str(self.dir / "secret.key"))
        return open_context(
            settings, url=self.server.url_for(self.database), clock=self.clock, actor="tester"
        )

    def teardown(self) -> None:
        super().teardown()
        assert self.server is not None
        self.server.drop(self.database)


def machine_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


LedgerMachine.TestCase.settings = machine_settings(EXAMPLES)
TestLedgerProperties = LedgerMachine.TestCase


def test_ledger_properties_on_postgresql(postgres: PostgresServer) -> None:
    PostgresLedgerMachine.server = postgres
    run_state_machine_as_test(PostgresLedgerMachine, settings=machine_settings(EXAMPLES_PG))
