"""History benchmark: what people read must not grow with years of history.

Builds one year of a busy stand through the services (about 300 paid orders a day, daily
deliveries, refunds, voids, write-offs, customers and held items, notifications, each day closed
but the last 15), then copies it into a one-year and a three-year database by SQL, with ids offset
and dates shifted back a year at a time, so the newest year, and so today's pages, are the same at
both sizes. Then, warm, through the real HTTP stack in-process (TestClient), it times every page and
list people use at both sizes, interleaved call by call, and prints the medians and the growth
ratio (3 years / 1 year); closing a day is timed on the 15 days left open. Paid orders and undoing a
movement are timed through the service layer the same way: a write must not read history either.
SQLite WAL with synchronous=NORMAL throughout: durability is not what is measured.

    python bench/history.py [--days 365] [--repeat 30] [--keep DIR | --reuse DIR]

Building a year through the services takes minutes: --keep DIR keeps the databases, --reuse DIR
times them again without building (on copies: timing writes orders and closes days). With
--days N < 365 only N days go through the services and the year is made of copies of them (the
output says so).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import text

from midnight.api import create_app
from midnight.commands.catalog import AddProduct
from midnight.commands.counter import AddCustomer, AddTarget, EditTemplate, HoldItem, PickUp, ReturnHold
from midnight.commands.people import AddUser, CreateToken
from midnight.commands.stock import ReceiveLot, WriteOffExpired
from midnight.commands.till import AddMenuItem, CloseDay, PlaceOrder, RefundOrder, VoidOrder
from midnight.db import paging
from midnight.domain.clock import FixedClock, start_of_day
from midnight.domain.errors import InsufficientStock
from midnight.services import (
    catalog,
    customers,
    holds,
    menu,
    notify,
    orders,
    people,
    reports,
    schedule,
    stock,
)
from midnight.services.context import Adapters, Context, open_context
from midnight.settings import Settings

TODAY = dt.date(2026, 11, 25)
SETTINGS = Settings(sqlite_synchronous="NORMAL")  # durability is not what is measured
TZ = ZoneInfo(SETTINGS.timezone)
ORDERS_PER_DAY = 300
UNCLOSED_DAYS = 15  # the newest days are left open, so closing a day can be timed this many times
REGULARS = 5  # customers who come back every year: their holds span the whole history
PASSWORD = "bench pass phrase"
SEARCH = "chan"  # one customer in eight has this surname


@dataclass(frozen=True)
class Stocked:
    sku: str
    name: str
    unit: str
    kind: str
    shelf_life: int
    cost: str
    location: str


PRODUCTS = (
    Stocked("PINE-567", "Tinned pineapple 567 g", "each", "best_before", 365, "9.50", "shelf"),
    Stocked("CORN-400", "Sweetcorn 400 g", "each", "best_before", 540, "6.00", "shelf"),
    Stocked("NOODLE", "Instant noodles", "each", "best_before", 240, "4.20", "shelf"),
    Stocked("LEMON-TEA", "Lemon tea carton", "each", "best_before", 120, "5.50", "fridge"),
    Stocked("COLA", "Cola can", "each", "best_before", 270, "4.00", "fridge"),
    Stocked("MILK-1L", "Fresh milk 1 L", "each", "use_by", 7, "18.00", "fridge"),
    Stocked("BREAD", "White bread loaf", "each", "use_by", 3, "14.00", "shelf"),
    Stocked("HAM-SLICE", "Sliced ham", "kg", "use_by", 6, "120.00", "fridge"),
    Stocked("LETTUCE", "Iceberg lettuce", "each", "use_by", 5, "8.00", "fridge"),
    Stocked("EGGS-10", "Eggs, box of 10", "each", "best_before", 21, "22.00", "fridge"),
    Stocked("DRESSING", "Thousand island dressing", "each", "best_before", 90, "25.00", "shelf"),
)

# code, price, category, product sold 1:1 or recipe, markdown (days, percent), weight in orders
MENU: tuple[tuple[str, str, str, str | dict[str, str], tuple[int, str] | None, int], ...] = (
    ("TIN", "18", "tins", "PINE-567", (2, "30"), 7),
    ("CORN", "15", "tins", "CORN-400", (3, "20"), 5),
    ("NOODLES", "8", "tins", "NOODLE", None, 14),
    ("LEMON-TEA", "9", "drinks", "LEMON-TEA", None, 20),
    ("COLA", "8", "drinks", "COLA", None, 14),
    ("MILK", "24", "drinks", "MILK-1L", (5, "20"), 10),
    (
        "SALAD",
        "38",
        "kitchen",
        {"LETTUCE": "0.25", "HAM-SLICE": "0.05", "DRESSING": "0.05", "EGGS-10": "0.1"},
        None,
        12,
    ),
    ("HAM-SANDWICH", "26", "kitchen", {"BREAD": "0.1", "HAM-SLICE": "0.04"}, None, 18),
)
PRICES = {code: Decimal(price) for code, price, *_ in MENU}
MARKED_DOWN = {code for code, _, _, _, markdown, _ in MENU if markdown}
CODES = [code for code, *_ in MENU]
WEIGHTS = [weight for *_, weight in MENU]
SURNAMES = ["Chan", "Wong", "Lee", "Cheung", "Lau", "Ng", "Ho", "Leung"]


class QuietNotifier:
    """Every message 'sent' at once: the outbox ends up as a shop's would, with nothing leaving the machine."""

    def send(self, url: str, subject: str, body: str) -> str | None:
        return None


def local(day: dt.date, hours: float) -> dt.datetime:
    """An instant `hours` into a local day of the store."""
    return start_of_day(day, TZ) + dt.timedelta(hours=hours)


def daily_need() -> dict[str, Decimal]:
    """Expected use of each product a day, from the menu's weights (about 1.3 lines an order)."""
    units_per_order = Decimal("1.3") * Decimal("1.15")
    need: dict[str, Decimal] = {p.sku: Decimal(0) for p in PRODUCTS}
    total = sum(WEIGHTS)
    for _, _, _, made_of, _, weight in MENU:
        sold = ORDERS_PER_DAY * units_per_order * weight / total
        recipe = {made_of: "1"} if isinstance(made_of, str) else made_of
        for sku, quantity in recipe.items():
            need[sku] += sold * Decimal(quantity)
    return need


# --- building history through the services --------------------------------------------------------


class Shop:
    """One stand's days, replayed through the services on a moved clock."""

    def __init__(self, ctx: Context, seed: int) -> None:
        self.clock = FixedClock(ctx.now())
        self.ctx = ctx.at(self.clock, "bench")
        self.rng = random.Random(seed)
        self.need = daily_need()
        self.customers: list[int] = []
        self.pickups: dict[dt.date, list[tuple[float, int, str | None, str]]] = {}
        self.counts = {"orders": 0, "out_of_stock": 0, "voids": 0, "refunds": 0, "holds": 0}

    def at(self, instant: dt.datetime) -> None:
        self.clock.instant = instant

    def open_shop(self, day: dt.date) -> None:
        self.at(local(day, 6))
        ctx = self.ctx
        people.add_user(ctx, AddUser(name="owner", role="owner", password=PASSWORD))
        for p in PRODUCTS:
            catalog.add_product(
                ctx,
                AddProduct(
                    sku=p.sku, name=p.name, unit=p.unit, expiry_kind=p.kind, shelf_life_days=p.shelf_life
                ),
            )
        for code, price, category, made_of, markdown, _ in MENU:
            menu.add_menu_item(
                ctx,
                AddMenuItem(
                    code=code,
                    name=code.replace("-", " ").title(),
                    price=price,
                    category=category,
                    product=made_of if isinstance(made_of, str) else None,
                    recipe=[{"sku": s, "quantity": q} for s, q in made_of.items()]
                    if isinstance(made_of, dict)
                    else None,
                    markdown_days=markdown[0] if markdown else None,
                    markdown_percent=markdown[1] if markdown else None,
                ),
            )
        notify.edit_template(
            ctx,
            EditTemplate(
                event="item_waiting",
                language="en",
                subject="{{ store }}: {{ description }} is waiting for you",
                body=(
                    "Dear {{ customer }},\n{{ description | capitalize }} is on shelf {{ shelf_slot }} at "
                    "{{ store }}.{% if hold_until %} We keep it until {{ hold_until }}.{% endif %}\n"
                    "Show this code at the counter: {{ code }}\n{% for n in range(3) %}-{% endfor %}\n"
                    "Thank you for shopping with us."
                ),
            ),
        )
        notify.add_target(ctx, AddTarget(url="mailto://staff@bench.invalid", label="staff"))
        for _ in range(REGULARS):
            self.new_customer(regular=True)

    def new_customer(self, *, regular: bool = False) -> None:
        n = len(self.customers) + 1
        rng = self.rng
        surname = SURNAMES[n % len(SURNAMES)]
        birthday = dt.date(1960 + rng.randrange(45), rng.randrange(1, 13), rng.randrange(1, 29))
        greet = rng.random() < 0.2
        info = customers.add_customer(
            self.ctx,
            AddCustomer(
                name=f"{'Regular' if regular else 'Customer'} {surname} {n}",
                nickname=f"c{n}",
                phone=f"9{n:07d}",
                contacts=[f"mailto://c{n}@bench.invalid"],
                birthday=birthday if greet else None,
                birthday_greeting=greet,
                language="zh-Hant" if rng.random() < 0.3 else "en",
            ),
        )
        self.customers.append(info.id)

    def deliveries(self, day: dt.date) -> None:
        """Each morning: perishables topped up for the day, long-life stock when it runs low."""
        self.at(local(day, 6.5))
        with self.ctx.db.read() as conn:
            held = dict(
                conn.execute(
                    text(
                        "SELECT p.sku, SUM(l.on_hand) FROM lots l JOIN products p ON p.id = l.product_id "
                        "WHERE l.on_hand > 0 AND l.effective_expiry >= :today GROUP BY p.sku"
                    ),
                    {"today": day.isoformat()},
                ).all()
            )
        for p in PRODUCTS:
            on_hand = Decimal(held.get(p.sku, 0)) / 1000
            need = self.need[p.sku]
            if p.kind == "use_by":
                wanted = need * Decimal("1.25") - on_hand
            else:
                wanted = need * 12 if on_hand < need * 3 else Decimal(0)
            if wanted <= 0:
                continue
            quantity = math.ceil(wanted) if p.unit == "each" else wanted.quantize(Decimal("0.001"))
            stock.receive(
                self.ctx,
                ReceiveLot(
                    sku=p.sku, quantity=str(quantity), cost=p.cost, location=p.location, supplier="Wing"
                ),
            )

    def sale(self, key: str, *, pay: bool = True) -> int | None:
        rng = self.rng
        lines = 1 if rng.random() < 0.72 else (2 if rng.random() < 0.85 else 3)
        codes = list(dict.fromkeys(rng.choices(CODES, WEIGHTS, k=lines)))
        quantities = [1 if rng.random() < 0.85 else 2 for _ in codes]
        gross = sum(PRICES[c] * q for c, q in zip(codes, quantities, strict=True))
        if not pay:
            payments = None
        elif rng.random() < 0.4 and not MARKED_DOWN.intersection(codes):  # a card pays exactly
            payments = [{"method": "card", "amount": str(gross)}]
        else:
            tendered = gross if rng.random() < 0.2 else (gross // 50 + 1) * 50
            payments = [{"method": "cash", "amount": str(tendered)}]
        command = PlaceOrder(
            lines=[{"code": c, "quantity": q} for c, q in zip(codes, quantities, strict=True)],
            payments=payments,
        )
        try:
            return orders.place_order(self.ctx, key, command).id
        except InsufficientStock:
            self.counts["out_of_stock"] += 1
            return None

    def hold(self, day: dt.date) -> None:
        rng = self.rng
        regular = rng.random() < 0.4
        pool = self.customers[:REGULARS] if regular else self.customers[-60:]
        recipient = rng.choice(pool)
        left_by = f"#{rng.choice(self.customers)}" if rng.random() < 0.5 else "Ms Wong"
        what = rng.choice(["an envelope with keys", "an umbrella", "a parcel", "a book", "a lunch box"])
        new = holds.hold_item(
            self.ctx,
            HoldItem(
                description=what,
                for_customer=f"#{recipient}",
                left_by=left_by,
                shelf_slot=f"{'ABC'[rng.randrange(3)]}{rng.randrange(1, 9)}",
            ),
        )
        self.counts["holds"] += 1
        fate = rng.random()
        if fate < 0.8:
            later, how = rng.choice([1, 1, 2, 3]), "code"
        elif fate < 0.9:
            later, how = rng.choice([1, 2]), "identity"
        else:
            later, how = 4, "return"
        when = 9 + rng.random() * 12
        self.pickups.setdefault(day + dt.timedelta(days=later), []).append((when, new.hold.id, new.code, how))

    def hand_over(self, hold_id: int, code: str | None, how: str) -> None:
        if how == "code":
            holds.pick_up(self.ctx, hold_id, PickUp(code=code))
        elif how == "identity":
            holds.pick_up(self.ctx, hold_id, PickUp(identity_checked=True))
        else:
            holds.return_to_sender(self.ctx, hold_id, ReturnHold(note="not collected"))

    def day(self, day: dt.date, *, close: bool) -> None:
        rng = self.rng
        self.deliveries(day)
        self.at(local(day, 7.75))
        schedule.run(self.ctx)  # the morning digest, reminders, and delivering what is queued
        events: list[tuple[float, int, Callable[[], None]]] = []
        paid_today: list[int] = []
        for n in range(ORDERS_PER_DAY):

            def ring(n: int = n) -> None:
                found = self.sale(f"{day}-{n}")
                if found is not None:
                    paid_today.append(found)
                    self.counts["orders"] += 1

            events.append((8 + rng.random() * 14, 0, ring))
        for n in range(2):

            def void(n: int = n) -> None:
                found = self.sale(f"{day}-void-{n}", pay=False)
                if found is not None:
                    orders.void_order(self.ctx, found, VoidOrder(reason="customer left"))
                    self.counts["voids"] += 1

            events.append((9 + rng.random() * 12, 1, void))

        def refund() -> None:
            if paid_today:
                orders.refund_order(self.ctx, rng.choice(paid_today), RefundOrder(reason="wrong item"))
                self.counts["refunds"] += 1

        events.append((15 + rng.random() * 6, 2, refund))
        for _ in range(2):
            events.append((9 + rng.random() * 11, 3, self.new_customer))
        for _ in range(3):
            events.append((9 + rng.random() * 11, 4, lambda: self.hold(day)))
        for when, hold_id, code, how in self.pickups.pop(day, []):
            events.append((when, 5, lambda h=hold_id, c=code, w=how: self.hand_over(h, c, w)))
        for hour, _, action in sorted(events, key=lambda e: (e[0], e[1])):
            self.at(local(day, hour))
            action()
        self.at(local(day, 23))
        stock.write_off_expired(self.ctx, WriteOffExpired())
        if close:
            self.at(local(day, 23.5))
            reports.close_day(self.ctx, CloseDay(date=day))


def build(path: Path, days: int) -> None:
    ctx = open_context(SETTINGS, url=f"sqlite:///{path}", clock=FixedClock(local(TODAY, 0)), actor="bench")
    ctx.adapters = Adapters(ctx.adapters.renderer, QuietNotifier(), ctx.adapters.box)
    first = TODAY - dt.timedelta(days=days - 1)
    shop = Shop(ctx, seed=663)
    shop.open_shop(first)
    start = time.perf_counter()
    for n in range(days):
        day = first + dt.timedelta(days=n)
        shop.day(day, close=day <= TODAY - dt.timedelta(days=UNCLOSED_DAYS))
        if (n + 1) % 30 == 0 or n + 1 == days:
            took = time.perf_counter() - start
            print(
                f"  built {n + 1} days, {shop.counts['orders']:,} paid orders in {took:.0f} s "
                f"({shop.counts['orders'] / took:,.0f} orders/s, {(n + 1) / took * 60:.1f} days/min)",
                flush=True,
            )
    ctx.db.dispose()
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in shop.counts.items())
    print(f"  through the services: {counts}")


# --- more years by copying ------------------------------------------------------------------------

# Copied once, as they are: the shop, its catalogue, menu, people and settings.
STATIC = (
    "stores",
    "locations",
    "products",
    "menu_items",
    "recipe_lines",
    "menu_prices",
    "users",
    "user_events",
    "api_tokens",
    "login_attempts",
    "notify_targets",
    "message_templates",
)
# Copied once per period, parents first: {column: the table whose id it holds}, the instants and
# dates in it (shifted), the texts that must stay unique (tagged with the period).
HISTORY: dict[str, tuple[dict[str, str], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "customers": ({}, ("created_at",), (), ()),
    "customer_contacts": ({"id": "customer_contacts"}, (), (), ()),
    "lots": (
        {"id": "lots", "parent_lot_id": "lots"},
        ("received_at", "opened_at"),
        ("expiry_date", "effective_expiry"),
        (),
    ),
    "orders": (
        {"id": "orders"},
        ("created_at", "paid_at", "voided_at"),
        ("business_date",),
        ("idempotency_key",),
    ),
    "order_lines": ({"id": "order_lines", "order_id": "orders"}, (), (), ()),
    "refunds": ({"id": "refunds", "order_id": "orders"}, ("at",), ("business_date",), ()),
    "refund_lines": (
        {"id": "refund_lines", "refund_id": "refunds", "order_line_id": "order_lines"},
        (),
        (),
        (),
    ),
    "payments": ({"id": "payments", "order_id": "orders"}, ("at",), ("business_date",), ()),
    "movements": (
        {
            "id": "movements",
            "lot_id": "lots",
            "pair_id": "movements",
            "reverses_id": "movements",
            "order_line_id": "order_lines",
            "refund_id": "refunds",
        },
        ("at", "recorded_at"),
        ("business_date",),
        (),
    ),
    "day_closes": ({"id": "day_closes"}, ("closed_at",), ("business_date",), ()),
    "holds": ({"id": "holds"}, ("created_at", "closed_at"), ("hold_until",), ()),
    "hold_events": ({"id": "hold_events", "hold_id": "holds"}, ("at",), (), ()),
    "outbox": (
        {"id": "outbox"},
        ("next_attempt_at", "claimed_at", "sent_at", "created_at"),
        (),
        ("event_key",),
    ),
}


def _shift_report(report: str, days: int) -> str:
    data = json.loads(report)
    day = dt.date.fromisoformat(data["business_date"]) - dt.timedelta(days=days)
    data["business_date"] = day.isoformat()
    if data.get("closed_at"):
        closed = dt.datetime.fromisoformat(data["closed_at"]) - dt.timedelta(days=days)
        data["closed_at"] = closed.isoformat()
    return json.dumps(data)


def _changes(shift: int, off: dict[str, int], tag: str) -> dict[str, dict[str, str]]:
    """How each history table's columns change in a copy `shift` days back, ids offset by `off`."""

    def ts(col: str) -> str:  # '2026-11-25 03:04:05.123456' keeps its exact text form
        return f"date(substr({col}, 1, 10), '-{shift} days') || substr({col}, 11)" if shift else col

    def tagged(col: str) -> str:
        return f"{col} || '{tag}'" if tag else col

    def customer(col: str) -> str:  # regulars are the same people in every year
        return f"CASE WHEN {col} <= {REGULARS} THEN {col} ELSE {col} + {off['customers']} END"

    def person(col: str) -> str:  # and keep the names people know them by
        return f"CASE WHEN id <= {REGULARS} THEN {col} ELSE {tagged(col)} END"

    changes: dict[str, dict[str, str]] = {}
    for table, (refs, instants, dates, texts) in HISTORY.items():
        found = {col: f"{col} + {off[target]}" for col, target in refs.items()}
        found |= {col: ts(col) for col in instants}
        found |= {col: f"date({col}, '-{shift} days')" if shift else col for col in dates}
        found |= {col: tagged(col) for col in texts}
        changes[table] = found
    changes["customers"] |= {col: person(col) for col in ("name", "name_key", "nickname", "nickname_key")}
    changes["customers"] |= {"id": customer("id"), "birthday": "birthday"}  # a birthday stays put
    changes["customer_contacts"]["customer_id"] = customer("customer_id")
    changes["holds"] |= {col: customer(col) for col in ("for_customer_id", "left_by_customer_id")}
    changes["lots"]["on_hand"] = "0"  # the copied movements add it back, through the trigger
    changes["day_closes"]["report"] = f"shift_report(report, {shift})"
    return changes


def _columns(conn: sqlite3.Connection, table: str, changes: dict[str, str]) -> list[str]:
    """A table's columns; one holding a date or an instant that this copy would not shift is refused."""
    found = []
    for _, name, kind, *_ in conn.execute(f"PRAGMA table_info({table})"):
        if kind.upper() in ("DATE", "DATETIME") and name not in changes:
            raise SystemExit(f"{table}.{name} is a {kind.lower()} this benchmark does not know how to shift")
        found.append(name)
    return found


def _fmt(instant: dt.datetime) -> str:
    """An instant as SQLAlchemy stores it in SQLite: naive UTC text with microseconds."""
    utc = instant.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"


def extend(base: Path, target: Path, span: int, periods: int) -> None:
    """`periods` copies of the `span` days in `base`, each `span` days before the next, the newest last.

    Ids grow with time as in a real shop (older copies get lower ids). What a copy still held at its
    end — stock in lots, items on the shelf, messages queued — would have been sold, handed over or
    sent in the following days, which the copy lacks: a stock take zeroes the lots, the items go back,
    the messages count as sent. Days the base left open are closed in every copy but the newest.
    """
    for suffix in ("", "-wal", "-shm", ".key", ".writers"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(f"{base}.key", f"{target}.key")  # contacts and messages are sealed with it
    open_context(SETTINGS, url=f"sqlite:///{target}", actor="bench").db.dispose()  # the schema
    conn = sqlite3.connect(target, isolation_level=None)
    conn.create_function("shift_report", 2, _shift_report, deterministic=True)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")  # checked as a whole at the end
    conn.execute("ATTACH DATABASE ? AS src", (str(base),))
    tables = {r[0] for r in conn.execute("SELECT name FROM src.sqlite_master WHERE type = 'table'")}
    unknown = tables - set(STATIC) - set(HISTORY) - {"alembic_version"}
    if unknown:
        raise SystemExit(f"tables this benchmark does not know how to copy: {sorted(unknown)}")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM locations")
    conn.execute("DELETE FROM stores")
    for table in STATIC:
        conn.execute(f"INSERT INTO {table} SELECT * FROM src.{table} ORDER BY id")
    stride = {
        t: int(conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM src.{t}").fetchone()[0]) + 10_000
        for t in HISTORY
    }
    last = TODAY
    for k in range(periods):
        shift = span * (periods - 1 - k)
        off = {t: k * stride[t] for t in HISTORY}
        changes = _changes(shift, off, f" y{k}" if shift else "")
        # The regulars (and their addresses) are copied with the oldest period only.
        once = (
            {"customers": f"id > {REGULARS}", "customer_contacts": f"customer_id > {REGULARS}"} if k else {}
        )
        for table in HISTORY:
            columns = _columns(conn, table, changes[table])
            select = ", ".join(changes[table].get(c, c) for c in columns)
            where = f"WHERE {once[table]}" if table in once else ""
            conn.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} FROM src.{table} {where} ORDER BY id"
            )
        if shift:
            end = _fmt(local(last - dt.timedelta(days=shift), 23.9))
            _settle_copy(conn, off, stride, end)
    conn.execute("COMMIT")
    broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
    if broken:
        raise SystemExit(f"copy broke references: {broken}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    ctx = open_context(SETTINGS, url=f"sqlite:///{target}", actor="bench")
    for k in range(periods - 1):
        shift = span * (periods - 1 - k)
        for n in range(UNCLOSED_DAYS - 1, -1, -1):
            day = TODAY - dt.timedelta(days=shift + n)
            closing = ctx.at(FixedClock(local(day, 23.5)), "bench")
            reports.close_day(closing, CloseDay(date=day))
    ctx.db.dispose()


def _settle_copy(conn: sqlite3.Connection, off: dict[str, int], stride: dict[str, int], end: str) -> None:
    """The end of a copied period: stock counted to zero, items returned, queued messages sent."""
    first, upto = off["lots"], off["lots"] + stride["lots"]
    left = conn.execute(
        "SELECT id, product_id, on_hand, unit_cost FROM lots WHERE id > ? AND id <= ? AND on_hand > 0",
        (first, upto),
    ).fetchall()
    conn.executemany(
        "INSERT INTO movements (store_id, at, recorded_at, kind, lot_id, product_id, quantity, unit_cost, reason, "
        "reference, actor) VALUES (1, ?, ?, 'adjust', ?, ?, ?, ?, 'stock take', 'end of copied period', 'bench')",
        [(end, end, lot_id, product_id, -on_hand, cost) for lot_id, product_id, on_hand, cost in left],
    )
    first, upto = off["holds"], off["holds"] + stride["holds"]
    waiting = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM holds WHERE id > ? AND id <= ? AND state = 'waiting'", (first, upto)
        )
    ]
    conn.executemany(
        "UPDATE holds SET state = 'returned', closed_at = ? WHERE id = ?", [(end, h) for h in waiting]
    )
    conn.executemany(
        "INSERT INTO hold_events (store_id, hold_id, at, actor, action, detail) "
        "VALUES (1, ?, ?, 'bench', 'returned', 'end of copied period')",
        [(h, end) for h in waiting],
    )
    first, upto = off["outbox"], off["outbox"] + stride["outbox"]
    conn.execute(
        "UPDATE outbox SET state = 'sent', sent_at = created_at, attempts = 1 "
        "WHERE id > ? AND id <= ? AND state IN ('pending', 'sending')",
        (first, upto),
    )


def check(path: Path) -> dict[str, int]:
    """Conservation (every lot's movements add up to its on-hand) and the sizes that matter."""
    conn = sqlite3.connect(path)
    wrong = conn.execute(
        "SELECT COUNT(*) FROM lots l LEFT JOIN (SELECT lot_id, SUM(quantity) AS q FROM movements "
        "GROUP BY lot_id) m ON m.lot_id = l.id WHERE l.on_hand <> COALESCE(m.q, 0)"
    ).fetchone()[0]
    if wrong:
        raise SystemExit(f"{path.name}: {wrong} lots whose movements do not add up to their on-hand")
    sizes = {
        t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
        for t in ("orders", "movements", "lots", "customers", "holds", "outbox", "day_closes")
    }
    span = conn.execute("SELECT MIN(business_date), MAX(business_date) FROM orders").fetchone()
    conn.close()
    sizes["days"] = (dt.date.fromisoformat(span[1]) - dt.date.fromisoformat(span[0])).days + 1
    return sizes


# --- timing ---------------------------------------------------------------------------------------


@dataclass
class Site:
    """One database behind the real app, with an owner's token and a signed-in browser session."""

    label: str
    ctx: Context
    client: TestClient
    headers: dict[str, str]
    regular: int
    deep_order: str
    deep_movement: str

    def get(self, url: str) -> None:
        response = self.client.get(url, headers=self.headers)
        if response.status_code != 200:
            raise SystemExit(f"{self.label} GET {url}: {response.status_code} {response.text[:300]}")

    def close(self, day: dt.date) -> None:
        response = self.client.post("/api/reports/z", json={"date": day.isoformat()}, headers=self.headers)
        if response.status_code != 201:
            raise SystemExit(f"{self.label} close {day}: {response.status_code} {response.text[:300]}")


def open_site(label: str, path: Path, now: dt.datetime, stack: contextlib.ExitStack) -> Site:
    ctx = open_context(SETTINGS, url=f"sqlite:///{path}", clock=FixedClock(now), actor="bench")
    owner = ctx.acting_as(people.local_actor(ctx, "owner"))
    token = people.create_token(owner, "owner", CreateToken(label="bench")).token
    client = stack.enter_context(TestClient(create_app(ctx=ctx)))
    client.get("/login")
    form = {"name": "owner", "password": PASSWORD, "csrf": client.cookies["midnight_csrf"]}
    if client.post("/login", data=form, follow_redirects=False).status_code != 303:
        raise SystemExit(f"{label}: could not log in to the web pages")
    conn = sqlite3.connect(path)
    orders_ids = [r[0] for r in conn.execute("SELECT id FROM orders ORDER BY id")]
    movement_ids = [r[0] for r in conn.execute("SELECT id FROM movements ORDER BY id")]
    regular = conn.execute(
        "SELECT for_customer_id FROM holds GROUP BY for_customer_id ORDER BY COUNT(*) DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    # A page a week into history, as reached by following next_cursor from the first page.
    deep_order = paging.encode("orders", [orders_ids[len(orders_ids) // 50]])
    deep_movement = paging.encode("movements", [movement_ids[len(movement_ids) // 50]])
    headers = {"Authorization": f"Bearer {token}"}
    return Site(label, ctx, client, headers, regular, deep_order, deep_movement)


def endpoints(site: Site, closed: dt.date) -> dict[str, str]:
    return {
        "GET /api/orders": "/api/orders",
        "GET /api/orders (deep page)": f"/api/orders?cursor={site.deep_order}",
        "GET /api/orders?date=today": f"/api/orders?date={TODAY}",
        "GET /api/stock": "/api/stock",
        "GET /api/expiring": "/api/expiring",
        "GET /api/movements": "/api/movements",
        "GET /api/movements (deep page)": f"/api/movements?cursor={site.deep_movement}",
        "GET /api/products": "/api/products",
        "GET /api/menu": "/api/menu",
        "GET /api/customers": "/api/customers",
        f"GET /api/customers?q={SEARCH}": f"/api/customers?q={SEARCH}",
        "GET /api/holds": "/api/holds",
        "GET /api/holds?all=true": "/api/holds?all=true",
        "GET /api/holds?customer=#id&all=true": f"/api/holds?customer={quote(f'#{site.regular}')}&all=true",
        "GET /api/notify/messages": "/api/notify/messages",
        "GET /api/reports/x": "/api/reports/x",
        "GET /api/reports/z/{closed day}": f"/api/reports/z/{closed}",
        "GET /till": "/till",
        "GET /stock": "/stock",
        "GET /shelf": "/shelf",
        "GET /reports": "/reports",
    }


def timed(call: Callable[[], None]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]


def time_reads(sites: list[Site], repeat: int) -> dict[str, list[list[float]]]:
    """Every endpoint, warm, the sizes interleaved call by call so a busy moment hits both."""
    closed = TODAY - dt.timedelta(days=UNCLOSED_DAYS + 30)
    results: dict[str, list[list[float]]] = {}
    names = list(endpoints(sites[0], closed))
    for name in names:
        urls = [endpoints(site, closed)[name] for site in sites]
        for _ in range(3):
            for site, url in zip(sites, urls, strict=True):
                site.get(url)
        samples: list[list[float]] = [[] for _ in sites]
        for _ in range(repeat):
            for n, (site, url) in enumerate(zip(sites, urls, strict=True)):
                samples[n].append(timed(lambda site=site, url=url: site.get(url)))
        results[name] = samples
    return results


def place(ctx: Context, key: str, command: PlaceOrder) -> None:
    orders.place_order(ctx, key, command)


def time_orders(sites: list[Site], rounds: int, per_round: int) -> list[list[float]]:
    """Paid one-line orders through the service layer, in alternating rounds."""
    samples: list[list[float]] = [[] for _ in sites]
    for site in sites:  # the day's stock of cola is nearly sold: a delivery first
        stock.receive(site.ctx, ReceiveLot(sku="COLA", quantity=(rounds + 1) * per_round, cost="4.00"))
    command = PlaceOrder(
        lines=[{"code": "COLA", "quantity": 1}], payments=[{"method": "cash", "amount": "10"}]
    )
    for r in range(rounds + 1):
        for n, site in enumerate(sites):
            for i in range(per_round):
                key = f"bench-{site.label}-{r}-{i}"
                took = timed(lambda site=site, key=key: place(site.ctx, key, command))
                if r:  # the first round warms up
                    samples[n].append(took)
    return samples


def time_undo(sites: list[Site], rounds: int, per_round: int) -> list[list[float]]:
    """Undoing a movement through the service layer (a delivery booked by mistake), alternating rounds."""
    samples: list[list[float]] = [[] for _ in sites]
    for r in range(rounds + 1):
        for n, site in enumerate(sites):
            for _ in range(per_round):
                wrong = stock.receive(site.ctx, ReceiveLot(sku="CORN-400", quantity=1, cost="6.00"))
                took = timed(lambda site=site, wrong=wrong: undo(site.ctx, wrong.movement_id))
                if r:
                    samples[n].append(took)
    return samples


def undo(ctx: Context, movement_id: int) -> None:
    stock.undo(ctx, movement_id)


def time_closes(sites: list[Site]) -> list[list[float]]:
    """POST /api/reports/z for each day left open, oldest first (today last); the first one warms up."""
    samples: list[list[float]] = [[] for _ in sites]
    for n in range(UNCLOSED_DAYS - 1, -1, -1):
        day = TODAY - dt.timedelta(days=n)
        for i, site in enumerate(sites):
            took = timed(lambda site=site, day=day: site.close(day))
            if n != UNCLOSED_DAYS - 1:
                samples[i].append(took)
    return samples


def report(results: dict[str, list[list[float]]]) -> None:
    print()
    print(f"{'endpoint':<40} {'1y median':>10} {'3y median':>10} {'3y/1y':>6} {'3y p95':>9}")
    slow, growing = [], []
    for name, (one, three) in results.items():
        m1, _ = summary(one)
        m3, p95 = summary(three)
        ratio = m3 / m1
        print(f"{name:<40} {m1:>8.2f}ms {m3:>8.2f}ms {ratio:>6.2f} {p95:>7.2f}ms")
        if m3 >= 100:
            slow.append(name)
        if ratio > 1.3:
            growing.append(f"{name} ({ratio:.2f}x)")
    print()
    print(
        f"over 100 ms at 3 years: {', '.join(slow) or 'none'}; "
        f"grew more than 1.3x: {', '.join(growing) or 'none'} (targets: < 100 ms, < 1.3x)"
    )


def working_copy(source: Path, directory: Path) -> Path:
    """A copy to time on (timing writes orders and closes days), so a kept database stays as built."""
    target = directory / source.name
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copyfile(f"{source}.key", f"{target}.key")
    return target


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=365, help="days built through the services")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per endpoint and size")
    parser.add_argument("--keep", type=Path, help="build into DIR and keep the databases there")
    parser.add_argument("--reuse", type=Path, help="time the databases kept in DIR, without building")
    args = parser.parse_args(argv)
    if args.keep and args.reuse:
        parser.error("--keep and --reuse do not go together")
    if args.days <= UNCLOSED_DAYS:
        parser.error(f"--days must be more than {UNCLOSED_DAYS}")
    scratch = Path(tempfile.mkdtemp(prefix="midnight-history-"))
    store = args.reuse or args.keep or scratch
    store.mkdir(parents=True, exist_ok=True)
    one, three = store / "1y.db", store / "3y.db"
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, databases in {store}")
    try:
        if not args.reuse:
            base = store / "base.db"
            for suffix in ("", "-wal", "-shm", ".key", ".writers"):
                Path(f"{base}{suffix}").unlink(missing_ok=True)
            print(f"building {args.days} days through the services ({ORDERS_PER_DAY} paid orders a day) ...")
            build(base, args.days)
            per_year = math.ceil(365 / args.days)
            if per_year > 1:
                print(
                    f"  a year is {per_year} copies of these {args.days} days "
                    f"(a year through the services would take too long here)"
                )
            start = time.perf_counter()
            extend(base, one, args.days, per_year)
            extend(base, three, args.days, math.ceil(3 * 365 / args.days))
            print(f"  copied into 1 and 3 years in {time.perf_counter() - start:.0f} s")
        for path in (one, three):
            sizes = check(path)
            print(
                f"  {path.name}: {sizes['days']} days, {sizes['orders']:,} orders, {sizes['movements']:,} "
                f"movements, {sizes['lots']:,} lots, {sizes['customers']:,} customers, {sizes['holds']:,} "
                f"holds, {sizes['outbox']:,} messages; {path.stat().st_size / 2**20:,.0f} MiB; conservation holds"
            )
        now = local(TODAY, 23.75)
        timing = scratch / "timing"
        timing.mkdir()
        with contextlib.ExitStack() as stack:
            sites = [
                open_site(label, working_copy(path, timing), now, stack)
                for label, path in (("1y", one), ("3y", three))
            ]
            results = time_reads(sites, args.repeat)
            writes = {
                "paid one-line order (services.orders.place_order)": time_orders(sites, 10, args.repeat),
                "undo a movement (services.stock.undo)": time_undo(sites, 5, args.repeat),
            }
            results["POST /api/reports/z (close a day)"] = time_closes(sites)
            report(results)
            print("writes, which must not read history either:")
            for name, (one_year, three_years) in writes.items():
                (m1, p1), (m3, p3) = summary(one_year), summary(three_years)
                print(
                    f"  {name}: 1y median {m1:.2f} ms (p95 {p1:.2f}), 3y median {m3:.2f} ms "
                    f"(p95 {p3:.2f}), ratio {m3 / m1:.2f}"
                )
            for site in sites:
                site.ctx.db.dispose()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
