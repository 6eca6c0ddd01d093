"""The schema. Migrations under store/migrations create exactly this (a test compares them)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    literal_column,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.ddl import CreateTable
from sqlalchemy.sql.schema import SchemaItem

from midnight.db.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- the store key ----------------------------------------------------------------------------------
#
# Every table that grows with trade carries its store and has it leading its primary key and every
# unique key, and rows refer to each other within one store (composite foreign keys), so the chain
# can be distributed by store (docs/scaling.md). The ids stay unique across the chain: on PostgreSQL
# from the table's sequence, on SQLite from the rowid (see _sqlite_rowid below).

STORE_KEYED: list[str] = []


def store_keyed(name: str) -> tuple[SchemaItem, ...]:
    """The store key of a table that grows: (store_id, id), id from the table's own sequence."""
    STORE_KEYED.append(name)
    return (
        Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
        Column("id", Integer, Sequence(f"{name}_id_seq"), nullable=False),
        PrimaryKeyConstraint("store_id", "id", name=f"pk_{name}"),
        # Looked up by id alone until every query names its store (then this index goes: a
        # distributed table's rows are found by store first). SQLite's rowid is that index already.
        Index(f"ix_{name}_id", "id").ddl_if(dialect="postgresql"),
    )


@compiles(CreateTable, "sqlite")
def _sqlite_rowid(create: CreateTable, compiler: DDLCompiler, **kw: Any) -> str:
    """On SQLite a store-keyed table's id is its rowid (INTEGER PRIMARY KEY: given by SQLite,
    never reused while the row exists, the fastest key it has), and (store_id, id) is a unique key,
    which is what the composite foreign keys refer to. On PostgreSQL (store_id, id) is the primary
    key itself, as a distributed table's must be."""
    sql = str(compiler.visit_create_table(create, **kw))  # type: ignore[no-untyped-call]
    table = create.element
    if [c.name for c in table.primary_key.columns] != ["store_id", "id"]:
        return sql
    name = table.primary_key.name
    keyed = re.sub(r"(\n\tid INTEGER NOT NULL)(,)", r"\1 PRIMARY KEY\2", sql, count=1)
    keyed = keyed.replace(
        f"CONSTRAINT {name} PRIMARY KEY (store_id, id)",
        f"CONSTRAINT uq_{table.name}_store_id_id UNIQUE (store_id, id)",
    )
    if keyed.count("PRIMARY KEY") != 1 or "UNIQUE (store_id, id)" not in keyed:
        raise RuntimeError(f"could not give {table.name} its rowid key: {sql}")
    return keyed


def same_store(table: str, column: str, parent: str) -> ForeignKeyConstraint:
    """A reference to a row of the same store: (store_id, column) -> parent (store_id, id)."""
    return ForeignKeyConstraint(
        ["store_id", column], [f"{parent}.store_id", f"{parent}.id"], name=f"fk_{table}_{column}_{parent}"
    )


stores = Table(
    "stores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("digest_time", String(5), nullable=False, server_default="07:30"),  # local HH:MM (migration 0004)
    # Which kinds of contact address staff may type, comma-separated (NULL: the personal ones), and
    # whether addresses on the shop's own network are allowed (migration 0005).
    Column("contact_schemes", Text, nullable=True),
    Column("allow_private_addresses", Boolean, nullable=False, server_default=false()),
    # How much one order may take by card (or a named tender) while the till is offline, in minor
    # units; NULL: card is refused offline, only cash is taken (migration 0010).
    Column("offline_card_limit", BigInteger, nullable=True),
    CheckConstraint("offline_card_limit IS NULL OR offline_card_limit >= 0", name="offline_card_limit"),
)

locations = Table(
    "locations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    UniqueConstraint("store_id", "name"),
)

products = Table(
    "products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sku", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("barcode", String(13), nullable=True, unique=True),
    Column("expiry_kind", String(16), nullable=False),
    Column("shelf_life_days", Integer, nullable=True),
    Column("opened_shelf_life_days", Integer, nullable=True),
    Column("reorder_point", BigInteger, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # The name Unicode case-folded (domain.text.fold), so the receiving picker searches in the query (0006).
    Column("name_key", String(200), nullable=False, server_default=""),
    # The share of demand an order should cover, in thousandths (950 = 95%); NULL: from the margin
    # (the newsvendor's critical ratio, docs/buying.md) (0012).
    Column("service_level", Integer, nullable=True),
    CheckConstraint("expiry_kind IN ('use_by', 'best_before')", name="expiry_kind"),
    CheckConstraint("service_level IS NULL OR service_level BETWEEN 500 AND 995", name="service_level"),
    Index("ix_products_name_key_id", "name_key", "id"),
)

lots = Table(
    "lots",
    metadata,
    *store_keyed("lots"),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    # A lot split off another (moved part, opened pack) remembers where it came from.
    Column("parent_lot_id", Integer, nullable=True),
    Column("supplier", String(200), nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("expiry_date", Date, nullable=False),  # as received: never changed
    Column("opened_at", UTCDateTime, nullable=True),
    # The date as most recently corrected (NULL: never), written only with its expiry_corrections row;
    # effective_expiry (what FEFO, the board and the digest read) is recomputed from it then (0006).
    Column("corrected_expiry", Date, nullable=True),
    Column("effective_expiry", Date, nullable=False),
    # Cache of the sum of this lot's movements, kept in the same transaction as each movement.
    Column("on_hand", BigInteger, nullable=False),
    Column("batch", String(64), nullable=True),  # the maker's lot number, as scanned at receiving (0012)
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    Index(
        "ix_lots_sellable",
        "product_id",
        "effective_expiry",
        "received_at",
        "id",
        sqlite_where=text("on_hand > 0"),
        postgresql_where=text("on_hand > 0"),
    ),
    Index(
        "ix_lots_board",
        "effective_expiry",
        "received_at",
        "id",
        sqlite_where=text("on_hand > 0"),
        postgresql_where=text("on_hand > 0"),
    ),
    same_store("lots", "parent_lot_id", "lots"),
)

# Rendered as the literal "on_hand > 0", not as "on_hand > ?": with a bound parameter SQLite must
# re-prepare the statement on every execution to see whether the partial indexes (which hold only
# lots that still have stock) apply, which measured as doubling the cost of the FEFO query.
HAS_STOCK = lots.c.on_hand > literal_column("0")

movements = Table(
    "movements",
    metadata,
    *store_keyed("movements"),
    Column("at", UTCDateTime, nullable=False),  # when it happened (receipts may be back-dated)
    Column("recorded_at", UTCDateTime, nullable=False),  # when it was written
    Column("kind", String(16), nullable=False),
    Column("lot_id", Integer, nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),  # signed milli-units
    Column("unit_cost", BigInteger, nullable=False),  # the lot's cost, so the ledger prices itself
    Column("reason", Text, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("actor", String(100), nullable=False),
    # The other leg of a two-sided movement (move, open): the second leg points at the first.
    Column("pair_id", Integer, nullable=True),
    Column("reverses_id", Integer, nullable=True),
    UniqueConstraint("store_id", "reverses_id"),  # a movement is undone once
    Index("ix_movements_reverses_id", "reverses_id"),  # whether a movement was undone, by its id (0014)
    # Stock drawn for a paid order, or given back by a refund (migration 0002).
    Column("order_line_id", Integer, nullable=True),
    Column("refund_id", Integer, nullable=True),
    # The business day a write-off counts on (as sales and refunds do): after a day is closed, the
    # next one (migration 0005; set on waste movements).
    Column("business_date", Date, nullable=True),
    CheckConstraint("kind IN ('receive', 'sell', 'use', 'open', 'move', 'waste', 'adjust')", name="kind"),
    Index("ix_movements_product_id_id", "product_id", "id"),
    Index("ix_movements_lot_id", "lot_id"),
    Index("ix_movements_at", "at"),
    Index("ix_movements_order_line_id", "order_line_id"),
    Index("ix_movements_refund_id", "refund_id"),  # what a day's refunds put back (migration 0005)
    Index("ix_movements_kind_business_date", "kind", "business_date"),  # a day's write-offs, not its sales
    # Undoing a move or an open finds its other leg; only those legs have a pair (migration 0005).
    Index(
        "ix_movements_pair_id",
        "pair_id",
        sqlite_where=text("pair_id IS NOT NULL"),
        postgresql_where=text("pair_id IS NOT NULL"),
    ),
    same_store("movements", "lot_id", "lots"),
    same_store("movements", "pair_id", "movements"),
    same_store("movements", "reverses_id", "movements"),
    same_store("movements", "order_line_id", "order_lines"),
    same_store("movements", "refund_id", "refunds"),
)

# --- the till (migration 0002) ------------------------------------------------------------------

menu_items = Table(
    "menu_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("category", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    # Refunded units go back to stock (a tin) or to waste (a made salad).
    Column("restockable", Boolean, nullable=False),
    Column("markdown_days", Integer, nullable=True),
    Column("markdown_bp", Integer, nullable=True),  # percent in hundredths: 3000 = 30%
    Column("created_at", UTCDateTime, nullable=False),
    # The name Unicode case-folded (domain.text.fold): the till's search finds items in the query (0008).
    Column("name_key", String(200), nullable=False, server_default=""),
    # Made in the kitchen: paying (or sending a parked order) gives this station a ticket (0010).
    Column("kitchen_station_id", Integer, ForeignKey("kitchen_stations.id"), nullable=True),
    CheckConstraint(
        "(markdown_days IS NULL AND markdown_bp IS NULL) OR "
        "(markdown_days BETWEEN 0 AND 365 AND markdown_bp BETWEEN 1 AND 10000)",
        name="markdown",
    ),
)

recipe_lines = Table(
    "recipe_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("menu_item_id", Integer, ForeignKey("menu_items.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),  # milli-units of the product per unit sold
    UniqueConstraint("menu_item_id", "product_id"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

# Prices are never overwritten: the price at a moment is the newest row before it.
menu_prices = Table(
    "menu_prices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("menu_item_id", Integer, ForeignKey("menu_items.id"), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("effective_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    CheckConstraint("price >= 0", name="price_not_negative"),
    Index("ix_menu_prices_menu_item_id_effective_at", "menu_item_id", "effective_at"),
)

orders = Table(
    "orders",
    metadata,
    *store_keyed("orders"),
    Column("idempotency_key", String(128), nullable=False),
    UniqueConstraint("store_id", "idempotency_key"),  # a till's retry records one sale
    Column("request_hash", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # A sale written on paper and entered afterwards: when it was typed in (created_at is when it was
    # sold). NULL for a sale rung up as it happened (0009).
    Column("entered_at", UTCDateTime, nullable=True),
    Column("actor", String(100), nullable=False),
    Column("note", Text, nullable=False),
    Column("discount_kind", String(8), nullable=True),
    Column("discount_value", BigInteger, nullable=True),  # minor units, or basis points
    Column("discount_reason", Text, nullable=True),
    Column("gross", BigInteger, nullable=False),
    Column("markdowns", BigInteger, nullable=False),
    Column("line_discounts", BigInteger, nullable=False),
    Column("order_discount", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("paid_at", UTCDateTime, nullable=True),
    Column("business_date", Date, nullable=True),  # the day its sale (or void) counts on
    Column("voided_at", UTCDateTime, nullable=True),
    Column("void_reason", Text, nullable=True),
    # The number the customer is called by, counted per business day from 1 (0010).
    Column("call_number", Integer, nullable=True),
    # A parked order (a table, a name, a phone order): its label, and since when it waits to be
    # reopened on any till (NULL once paid or voided); every change of its lines counts a revision.
    Column("label", String(100), nullable=True),
    Column("parked_at", UTCDateTime, nullable=True),
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("till", String(100), nullable=True),  # the till it was rung on, if the device is one
    Column("offline_number", String(32), nullable=True),  # rung while offline: the till's own number
    CheckConstraint("state IN ('open', 'paid', 'void', 'partly_refunded', 'refunded')", name="state"),
    CheckConstraint(
        "gross >= 0 AND markdowns >= 0 AND line_discounts >= 0 AND order_discount >= 0 AND total >= 0",
        name="amounts_not_negative",
    ),
    CheckConstraint("total = gross - markdowns - line_discounts - order_discount", name="total_adds_up"),
    Index("ix_orders_business_date", "business_date"),
    Index("ix_orders_state_id", "state", "id"),
    Index(
        "ix_orders_parked",
        "store_id",
        "parked_at",
        "id",
        sqlite_where=text("parked_at IS NOT NULL"),
        postgresql_where=text("parked_at IS NOT NULL"),
    ),
)

order_lines = Table(
    "order_lines",
    metadata,
    *store_keyed("order_lines"),
    Column("order_id", Integer, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("menu_item_id", Integer, ForeignKey("menu_items.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", BigInteger, nullable=False),  # milli-units of the menu item
    Column("unit_price", BigInteger, nullable=False),  # the price it was sold at, modifiers included
    # What the chosen modifiers added to (or took off) one unit's price (0010): the item's own price
    # is unit_price - modifier_price, and that is what a reduce-to-clear markdown is a share of.
    Column("modifier_price", BigInteger, nullable=False, server_default="0"),
    Column("note", Text, nullable=False),
    Column("discount_kind", String(8), nullable=True),
    Column("discount_value", BigInteger, nullable=True),
    Column("discount_reason", Text, nullable=True),
    Column("gross", BigInteger, nullable=False),
    Column("markdown", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("net", BigInteger, nullable=False),
    UniqueConstraint("store_id", "order_id", "line_no"),
    Index("ix_order_lines_order_id_line_no", "order_id", "line_no"),  # an order's lines, by its id (0014)
    CheckConstraint("quantity > 0 AND unit_price >= 0 AND line_no >= 1", name="quantity_and_price"),
    CheckConstraint(
        "gross >= 0 AND markdown >= 0 AND discount >= 0 AND net >= 0", name="amounts_not_negative"
    ),
    CheckConstraint("net = gross - markdown - discount", name="net_adds_up"),
    same_store("order_lines", "order_id", "orders"),
)

# Ways of paying besides cash and card, named by the owner; they pay exactly, like a card (0009).
tenders = Table(
    "tenders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("name", String(40), nullable=False),
    Column("name_key", String(40), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    UniqueConstraint("store_id", "name_key", name="uq_tenders_store_id_name_key"),
)

payments = Table(
    "payments",
    metadata,
    *store_keyed("payments"),
    Column("order_id", Integer, nullable=False),
    Column("method", String(8), nullable=False),
    Column("tender", String(40), nullable=True),  # the named tender of an "other" payment (0009)
    Column("tendered", BigInteger, nullable=False),
    Column("applied", BigInteger, nullable=False),
    Column("change", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    CheckConstraint("tendered > 0 AND applied >= 0 AND change >= 0", name="amounts"),
    CheckConstraint("applied + change = tendered", name="tendered_adds_up"),
    Index("ix_payments_order_id", "order_id"),
    Index("ix_payments_business_date", "business_date"),
    Index("ix_payments_actor_at", "actor", "at"),
    # the cash drawer a cash payment went into (0009); NULL: none open, or not cash
    Column("drawer_session_id", Integer, nullable=True),
    Index(
        "ix_payments_drawer_session_id", "drawer_session_id"
    ),  # the cash a drawer session took (migration 0007)
    same_store("payments", "order_id", "orders"),
)

refunds = Table(
    "refunds",
    metadata,
    *store_keyed("refunds"),
    Column("order_id", Integer, nullable=False),
    Column("method", String(8), nullable=False),
    Column("tender", String(40), nullable=True),  # the named tender it went back by (0009)
    Column("amount", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
    Index("ix_refunds_order_id", "order_id"),
    Index("ix_refunds_business_date", "business_date"),
    Index("ix_refunds_actor_at", "actor", "at"),  # the cash a drawer session gave back (migration 0007)
    # the cash drawer a cash refund came out of (0009); NULL: none open, or not cash
    Column("drawer_session_id", Integer, nullable=True),
    Index("ix_refunds_drawer_session_id", "drawer_session_id"),
    same_store("refunds", "order_id", "orders"),
)

refund_lines = Table(
    "refund_lines",
    metadata,
    *store_keyed("refund_lines"),
    Column("refund_id", Integer, nullable=False),
    Column("order_line_id", Integer, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index("ix_refund_lines_refund_id", "refund_id"),
    Index("ix_refund_lines_order_line_id", "order_line_id"),
    same_store("refund_lines", "refund_id", "refunds"),
    same_store("refund_lines", "order_line_id", "order_lines"),
)

day_closes = Table(
    "day_closes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("closed_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("report", Text, nullable=False),  # the Z report as JSON, exactly as printed
    UniqueConstraint("store_id", "business_date"),
)

# --- people (migration 0003) ---------------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(8), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # A short PIN to switch to this user on a shared till (argon2), wrong tries in a row, and when
    # too many locked it (0010).
    Column("pin_hash", String(200), nullable=True),
    Column("pin_failures", Integer, nullable=False, server_default="0"),
    Column("pin_locked_at", UTCDateTime, nullable=True),
    CheckConstraint("role IN ('owner', 'staff')", name="role"),
    CheckConstraint("pin_failures >= 0", name="pin_failures_not_negative"),
)

# Bearer tokens for programs and web sessions; only a SHA-256 of the secret is stored.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("kind", String(8), nullable=False),  # "api" or "session"
    Column("label", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
    # A session begun on a till (0011): by a PIN, or on a browser set up as a till (its device). It
    # may sell, but not hand out lasting access (tokens, users, devices) without the password again;
    # revoking its device ends it.
    Column("by_pin", Boolean, nullable=False, server_default=false()),
    Column("device_id", Integer, nullable=True),
    CheckConstraint("kind IN ('api', 'session')", name="kind"),
    Index("ix_api_tokens_device_id", "device_id"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_login_attempts_name_address_at", "name", "address", "at"),
    Index("ix_login_attempts_address_at", "address", "at"),  # failures from one address (0005)
)

# Who changed which user, and how: the audit trail of people.
user_events = Table(
    "user_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),
)

# A lot's expiry date corrected: who, when, from, to and why (migration 0006). Append-only.
expiry_corrections = Table(
    "expiry_corrections",
    metadata,
    *store_keyed("expiry_corrections"),
    Column("lot_id", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("from_date", Date, nullable=False),
    Column("to_date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    CheckConstraint("from_date <> to_date", name="changes_the_date"),
    Index("ix_expiry_corrections_lot_id_id", "lot_id", "id"),
    same_store("expiry_corrections", "lot_id", "lots"),
)

# --- the counter shelf and notifications (migration 0004) ----------------------------------------

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("nickname", String(64), nullable=True),  # e.g. a staff number such as "663"
    Column("phone", String(32), nullable=True),
    Column("birthday", Date, nullable=True),
    Column("birthday_greeting", Boolean, nullable=False),
    Column("language", String(8), nullable=False),  # "en" or "zh-Hant"
    Column("notes", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Unicode case-folded (NFKC + casefold) forms, so "ÉLODIE" finds "Élodie" on SQLite too (0005).
    Column("name_key", String(200), nullable=False, server_default=""),
    Column("nickname_key", String(64), nullable=True),
    Index("ix_customers_name_key_id", "name_key", "id"),
    Index("ix_customers_nickname_key", "nickname_key"),
)

customer_contacts = Table(
    "customer_contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column(
        "url", Text, nullable=False
    ),  # an Apprise URL, encrypted (adapters/secrets): it may hold credentials
    Column("display", Text, nullable=False, server_default=""),  # the same with credentials masked (0005)
    Index("ix_customer_contacts_customer_id", "customer_id"),  # a customer's addresses (0005)
)

holds = Table(
    "holds",
    metadata,
    *store_keyed("holds"),
    Column("description", String(500), nullable=False),
    Column("for_customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("left_by_customer_id", Integer, ForeignKey("customers.id"), nullable=True),
    Column("left_by", String(200), nullable=False),
    Column("shelf_slot", String(32), nullable=False),
    Column("photo_path", String(500), nullable=True),
    Column("hold_until", Date, nullable=False),
    Column("code_hash", String(200), nullable=False),  # argon2 of the six-digit pickup code
    Column("wrong_tries", Integer, nullable=False),
    Column("locked", Boolean, nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    CheckConstraint("state IN ('waiting', 'picked_up', 'returned', 'disposed')", name="state"),
    CheckConstraint("wrong_tries >= 0", name="wrong_tries_not_negative"),
    Index("ix_holds_state_hold_until", "state", "hold_until"),
    Index("ix_holds_for_customer_id_id", "for_customer_id", "id"),  # a customer's history (0005)
    # The pickup code sealed (deterministic AES-SIV), so the code alone finds its item (0007); and the
    # key of the form that held it, so a retried form holds it once (0007).
    Column("code_lookup", String(100), nullable=True),
    Column("idempotency_key", String(128), nullable=True),
    Index("ix_holds_code_lookup", "code_lookup"),
    Index("ix_holds_store_id_idempotency_key", "store_id", "idempotency_key", unique=True),
)

hold_events = Table(
    "hold_events",
    metadata,
    *store_keyed("hold_events"),
    Column("hold_id", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_hold_events_hold_id", "hold_id"),
    same_store("hold_events", "hold_id", "holds"),
)

notify_targets = Table(
    "notify_targets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),  # where staff messages (the expiry digest, low stock) go, encrypted
    Column("display", Text, nullable=False, server_default=""),  # credentials masked (0005)
    Column("label", String(100), nullable=False),
    Column("active", Boolean, nullable=False),
)

message_templates = Table(
    "message_templates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    UniqueConstraint("event", "language"),
)

# Written in the same transaction as the event that causes it; delivered later by the worker.
outbox = Table(
    "outbox",
    metadata,
    *store_keyed("outbox"),
    Column("event_key", String(200), nullable=False),
    Column("event", String(32), nullable=False),
    Column("url", Text, nullable=False),  # encrypted, like the message itself (0005)
    Column("display", Text, nullable=False, server_default=""),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False),  # pending, sending, sent, failed, uncertain
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # A file sent with the message (a purchase order's CSV), sealed like the body (0012).
    Column("attachment_name", String(200), nullable=True),
    Column("attachment", Text, nullable=True),
    UniqueConstraint("store_id", "event_key", "url"),
    Index("ix_outbox_event_key", "event_key"),  # (0014)
    CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'uncertain')", name="state"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
)

# --- cash drawers and finding held items by code (migration 0007) ---------------------------------

# Look-ups of a held item by its code alone: wrong ones in a row lock a person's look-ups a while.
pickup_attempts = Table(
    "pickup_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("actor", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_pickup_attempts_actor_at", "actor", "at"),
)

# A till's drawer from its float to its closing count. The cash payments and refunds recorded against
# it count in it (0009); one open session per till and per person (the partial unique indexes).
drawer_sessions = Table(
    "drawer_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("till", String(100), nullable=False),
    Column("till_key", String(100), nullable=False),  # folded: "till 1" is "Till 1"
    Column("opened_by", String(100), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("business_date", Date, nullable=False),  # the day its float counts on
    Column("float_amount", BigInteger, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),  # set once, with its drawer_counts row
    CheckConstraint("float_amount >= 0", name="float_not_negative"),
    Index(
        "ix_drawer_sessions_open_till",
        "store_id",
        "till_key",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
        postgresql_where=text("closed_at IS NULL"),
    ),
    Index(
        "ix_drawer_sessions_open_person",
        "store_id",
        "opened_by",
        unique=True,
        sqlite_where=text("closed_at IS NULL"),
        postgresql_where=text("closed_at IS NULL"),
    ),
    Index("ix_drawer_sessions_opened_by_id", "opened_by", "id"),
    Index("ix_drawer_sessions_business_date", "business_date"),
)

# Cash put in or taken out for something other than a sale, with why. Append-only.
drawer_moves = Table(
    "drawer_moves",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("drawer_sessions.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("business_date", Date, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("idempotency_key", String(128), nullable=True),
    CheckConstraint("kind IN ('in', 'out')", name="kind"),
    CheckConstraint("amount > 0", name="amount_positive"),
    Index("ix_drawer_moves_session_id_id", "session_id", "id"),
    Index("ix_drawer_moves_business_date", "business_date"),
    Index("ix_drawer_moves_idempotency_key", "idempotency_key", unique=True),
)

# The closing count of a session: what it should have held and why, what was counted. Append-only.
drawer_counts = Table(
    "drawer_counts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("drawer_sessions.id"), nullable=False, unique=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("float_amount", BigInteger, nullable=False),
    Column("cash_sales", BigInteger, nullable=False),
    Column("cash_refunds", BigInteger, nullable=False),
    Column("pay_ins", BigInteger, nullable=False),
    Column("pay_outs", BigInteger, nullable=False),
    Column("expected", BigInteger, nullable=False),
    Column("counted", BigInteger, nullable=False),
    Column("over_short", BigInteger, nullable=False),
    Column("denominations", Text, nullable=True),  # JSON {minor value: pieces}, if counted so
    CheckConstraint(
        "float_amount >= 0 AND cash_sales >= 0 AND cash_refunds >= 0 AND pay_ins >= 0 AND pay_outs >= 0 "
        "AND counted >= 0",
        name="amounts_not_negative",
    ),
    CheckConstraint(
        "expected = float_amount + cash_sales - cash_refunds + pay_ins - pay_outs", name="expected_adds_up"
    ),
    CheckConstraint("over_short = counted - expected", name="over_short_adds_up"),
)


# --- the till that keeps selling (migration 0010) ------------------------------------------------

# Modifier groups (size; add-ons; "no X"), shared by the menu items they are attached to.
modifier_groups = Table(
    "modifier_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("min_choices", Integer, nullable=False),  # 1 or more: required
    Column("max_choices", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint(
        "min_choices >= 0 AND max_choices >= 1 AND min_choices <= max_choices AND max_choices <= 20",
        name="choices",
    ),
)

# One choice in a group: its price change and what it does to the recipe drawn from stock.
modifier_options = Table(
    "modifier_options",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("modifier_groups.id"), nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("price_delta", BigInteger, nullable=False),  # minor units per unit sold; may be negative
    Column("effect", String(8), nullable=False),  # none, add (a product), remove (one), scale (all)
    Column("product_id", Integer, ForeignKey("products.id"), nullable=True),
    Column("quantity", BigInteger, nullable=True),  # add: milli-units of the product per unit sold
    Column("factor_bp", Integer, nullable=True),  # scale: in ten-thousandths (15000 = 1.5x the recipe)
    Column("active", Boolean, nullable=False),
    CheckConstraint("effect IN ('none', 'add', 'remove', 'scale')", name="effect"),
    CheckConstraint(
        "(effect = 'none' AND product_id IS NULL AND quantity IS NULL AND factor_bp IS NULL) OR "
        "(effect = 'add' AND product_id IS NOT NULL AND quantity > 0 AND factor_bp IS NULL) OR "
        "(effect = 'remove' AND product_id IS NOT NULL AND quantity IS NULL AND factor_bp IS NULL) OR "
        "(effect = 'scale' AND product_id IS NULL AND quantity IS NULL AND factor_bp BETWEEN 1 AND 100000)",
        name="effect_fields",
    ),
    Index("ix_modifier_options_group_id_position", "group_id", "position"),
)

menu_item_modifiers = Table(
    "menu_item_modifiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("menu_item_id", Integer, ForeignKey("menu_items.id"), nullable=False),
    Column("group_id", Integer, ForeignKey("modifier_groups.id"), nullable=False),
    Column("position", Integer, nullable=False),
    UniqueConstraint("menu_item_id", "group_id"),
)

# The modifiers a line was sold with, as they were then (names and prices copied).
order_line_modifiers = Table(
    "order_line_modifiers",
    metadata,
    *store_keyed("order_line_modifiers"),
    Column("order_line_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("option_id", Integer, ForeignKey("modifier_options.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("group_name", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("price_delta", BigInteger, nullable=False),
    UniqueConstraint("store_id", "order_line_id", "position"),
    Index("ix_order_line_modifiers_order_line_id_position", "order_line_id", "position"),  # (0014)
    same_store("order_line_modifiers", "order_line_id", "order_lines"),
)

# The number a customer is called by: the last one given on a business day, per store.
call_numbers = Table(
    "call_numbers",
    metadata,
    Column("store_id", Integer, ForeignKey("stores.id"), primary_key=True),
    Column("business_date", Date, primary_key=True),
    Column("last", Integer, nullable=False),
    CheckConstraint("last >= 1", name="last_positive"),
)

# Receipt and kitchen printers (ESC/POS): on the network (host:port), USB (vendor:product) or serial.
printers = Table(
    "printers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("address", String(200), nullable=False),
    Column("paper_mm", Integer, nullable=False),
    # How Chinese is printed: latin (code page only), gb18030 or big5 (the printer's Chinese mode),
    # image (the text drawn as a picture: any printer, any script).
    Column("text_mode", String(8), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "name_key"),
    CheckConstraint("kind IN ('network', 'usb', 'serial')", name="kind"),
    CheckConstraint("paper_mm IN (58, 80)", name="paper_mm"),
    CheckConstraint("text_mode IN ('latin', 'gb18030', 'big5', 'image')", name="text_mode"),
)

# A till: a named place orders are rung (a tablet, a counter PC), with its receipt printer and the
# cash drawer that printer opens.
tills = Table(
    "tills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),
    Column("receipt_printer_id", Integer, ForeignKey("printers.id"), nullable=True),
    Column("drawer_pin", Integer, nullable=True),  # the printer's drawer kick pin (2 or 5); NULL: none
    Column("auto_print", Boolean, nullable=False),  # print the receipt of every sale
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("store_id", "name_key"),
    CheckConstraint("drawer_pin IS NULL OR drawer_pin IN (2, 5)", name="drawer_pin"),
)

# A browser an owner set up as a till: only a SHA-256 of its secret is stored; staff switch users
# with a PIN only on such a device.
till_devices = Table(
    "till_devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("till_id", Integer, ForeignKey("tills.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(100), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Index("ix_till_devices_till_id", "till_id"),
)

# Every PIN tried on a till device (counted as wrong until it proves right): the second net, after a
# user's own five-in-a-row lock, that limits how many PINs one device or address may try in a while.
pin_attempts = Table(
    "pin_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("device_id", Integer, ForeignKey("till_devices.id"), nullable=False),
    Column("address", String(64), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_pin_attempts_device_id_at", "device_id", "at"),
    Index("ix_pin_attempts_address_at", "address", "at"),
)

kitchen_stations = Table(
    "kitchen_stations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("store_id", Integer, ForeignKey("stores.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False),
    Column("printer_id", Integer, ForeignKey("printers.id"), nullable=True),
    Column("active", Boolean, nullable=False),
    UniqueConstraint("store_id", "name_key"),
)

# What a station is asked to make for an order; bumped when made. A change to a parked order after
# it was sent is a new ticket (what is added, and what is no longer wanted as negative quantities).
kitchen_tickets = Table(
    "kitchen_tickets",
    metadata,
    *store_keyed("kitchen_tickets"),
    Column("station_id", Integer, ForeignKey("kitchen_stations.id"), nullable=False),
    Column("order_id", Integer, nullable=False),
    Column("call_number", Integer, nullable=True),
    Column("label", String(100), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("bumped_at", UTCDateTime, nullable=True),
    Column("bumped_by", String(100), nullable=True),
    Index("ix_kitchen_tickets_order_id", "order_id"),
    Index(
        "ix_kitchen_tickets_waiting",
        "station_id",
        "id",
        sqlite_where=text("bumped_at IS NULL"),
        postgresql_where=text("bumped_at IS NULL"),
    ),
    Index("ix_kitchen_tickets_station_id_bumped_at", "station_id", "bumped_at"),
    same_store("kitchen_tickets", "order_id", "orders"),
)

kitchen_ticket_items = Table(
    "kitchen_ticket_items",
    metadata,
    *store_keyed("kitchen_ticket_items"),
    Column("ticket_id", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("menu_item_id", Integer, ForeignKey("menu_items.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", BigInteger, nullable=False),  # milli-units; negative: no longer wanted
    Column("modifiers", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("signature", String(64), nullable=False),  # the same dish the same way (item, modifiers, note)
    CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    Index("ix_kitchen_ticket_items_ticket_id", "ticket_id"),
    same_store("kitchen_ticket_items", "ticket_id", "kitchen_tickets"),
)

# Things to print (a receipt, a kitchen ticket, a drawer kick), done by the server's worker after
# the sale's transaction: a printer that is off or out of paper never holds up or undoes a sale.
print_jobs = Table(
    "print_jobs",
    metadata,
    *store_keyed("print_jobs"),
    Column("printer_id", Integer, ForeignKey("printers.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("order_id", Integer, nullable=True),
    Column("ticket_id", Integer, nullable=True),
    Column("open_drawer", Boolean, nullable=False),
    Column("state", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("done_at", UTCDateTime, nullable=True),
    Column("error", Text, nullable=True),
    # The drawer's kick pin when the job opens it (copied from the till when queued), the till it was
    # for, and why a drawer was opened without a sale ("change for the float").
    Column("drawer_pin", Integer, nullable=True),
    Column("till", String(100), nullable=True),
    Column("reason", Text, nullable=True),
    CheckConstraint("kind IN ('receipt', 'kitchen', 'drawer', 'test')", name="kind"),
    CheckConstraint("state IN ('pending', 'printing', 'done', 'failed')", name="state"),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    CheckConstraint("drawer_pin IS NULL OR drawer_pin IN (2, 5)", name="drawer_pin"),
    Index("ix_print_jobs_state_id", "state", "id"),
    Index("ix_print_jobs_order_id", "order_id"),
    Index("ix_print_jobs_store_id_id", "store_id", "id"),  # the recent jobs, newest first
    same_store("print_jobs", "order_id", "orders"),
    same_store("print_jobs", "ticket_id", "kitchen_tickets"),
)

# Every order a till rang while it could not reach the server, as it arrived: recorded at once, or
# waiting for a manager's decision (out of stock, an item taken off, a price that differs), then
# accepted or refunded. The customer's money is in it either way; nothing sent is ever dropped.
offline_orders = Table(
    "offline_orders",
    metadata,
    *store_keyed("offline_orders"),
    Column("idempotency_key", String(128), nullable=False),
    UniqueConstraint("store_id", "idempotency_key"),
    Column("request_hash", String(64), nullable=False),
    Column("local_number", String(32), nullable=False),
    Column("till", String(100), nullable=False),
    Column("rung_at", UTCDateTime, nullable=False),
    Column("rung_by", String(100), nullable=False),
    Column("sent_by", String(100), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("request", Text, nullable=False),  # the order as the till sent it (JSON)
    Column("amount_paid", BigInteger, nullable=False),  # what the customer paid, net of change
    Column("state", String(10), nullable=False),
    Column("problem", Text, nullable=True),
    Column("order_id", Integer, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("resolved_by", String(100), nullable=True),
    Column("resolution_note", Text, nullable=True),
    CheckConstraint("state IN ('recorded', 'waiting', 'accepted', 'refunded')", name="state"),
    CheckConstraint("amount_paid >= 0", name="amount_paid_not_negative"),
    Index("ix_offline_orders_store_id_state_id", "store_id", "state", "id"),
    same_store("offline_orders", "order_id", "orders"),
)


# --- what the database itself refuses (triggers; migrations 0001 and 0005 create the same) --------

# Rows that record money or history are never changed or deleted: a correction is a new row.
APPEND_ONLY = (
    "movements",
    "payments",
    "refunds",
    "refund_lines",
    "hold_events",
    "user_events",
    "day_closes",
    "expiry_corrections",
    "pickup_attempts",
    "drawer_moves",
    "drawer_counts",
)


def sqlite_triggers() -> dict[str, str]:
    """Trigger name -> its SQL on SQLite."""
    found = {
        f"{table}_no_{action.lower()}": (
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
        )
        for table in APPEND_ONLY
        for action in ("UPDATE", "DELETE")
    }
    found["movements_apply_to_lot"] = (
        "CREATE TRIGGER movements_apply_to_lot AFTER INSERT ON movements WHEN NEW.quantity <> 0 "
        "BEGIN UPDATE lots SET on_hand = on_hand + NEW.quantity WHERE store_id = NEW.store_id AND id = NEW.lot_id; END"
    )
    return found


POSTGRES_FUNCTIONS = {
    "midnight_append_only": (
        "CREATE FUNCTION midnight_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
    ),
    "midnight_apply_to_lot": (
        "CREATE FUNCTION midnight_apply_to_lot() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE lots SET on_hand = on_hand + NEW.quantity "
        "WHERE store_id = NEW.store_id AND id = NEW.lot_id; RETURN NULL; END $$"
    ),
}


def postgres_triggers() -> dict[str, str]:
    found = {
        f"{table}_append_only": (
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION midnight_append_only()"
        )
        for table in APPEND_ONLY
    }
    found["movements_apply_to_lot"] = (
        "CREATE TRIGGER movements_apply_to_lot AFTER INSERT ON movements "
        "FOR EACH ROW WHEN (NEW.quantity <> 0) EXECUTE FUNCTION midnight_apply_to_lot()"
    )
    return found


def _create_triggers(target: MetaData, connection: Connection, **_: object) -> None:
    """Declared with the schema, so `metadata.create_all` (the drift test's reference) has them too."""
    if connection.dialect.name == "sqlite":
        statements = list(sqlite_triggers().values())
    else:
        statements = [*POSTGRES_FUNCTIONS.values(), *postgres_triggers().values()]
    for statement in statements:
        connection.execute(text(statement))


event.listen(metadata, "after_create", _create_triggers)


# --- suppliers and purchase orders (migration 0012) -------------------------------------------------

suppliers = Table(
    "suppliers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False),  # domain.text.fold, unique: one supplier per name
    Column("delivery_days", String(32), nullable=False),  # weekday numbers, Monday 0: "0,3"
    Column("lead_time_days", Integer, nullable=False),
    Column("minimum_order", BigInteger, nullable=False),  # minor units; 0: none
    Column("note", Text, nullable=False, server_default=""),
    Column("language", String(8), nullable=False, server_default="en"),  # of the order's message
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("name_key"),
    CheckConstraint("lead_time_days BETWEEN 0 AND 60", name="lead_time_days"),
    CheckConstraint("minimum_order >= 0", name="minimum_order_not_negative"),
)

# Where a purchase order goes: Apprise addresses, sealed like customers' (adapters/secrets).
supplier_contacts = Table(
    "supplier_contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("display", Text, nullable=False),
    Index("ix_supplier_contacts_supplier_id", "supplier_id"),
)

# What a supplier sells the shop: in packs of pack_size (thousandths of the product's unit), at
# unit_cost a unit, under the supplier's own code.
supplier_products = Table(
    "supplier_products",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("pack_size", BigInteger, nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("supplier_code", String(64), nullable=False, server_default=""),
    UniqueConstraint("supplier_id", "product_id"),
    Index("ix_supplier_products_product_id", "product_id"),
    CheckConstraint("pack_size > 0", name="pack_size_positive"),
    CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
)

purchase_orders = Table(
    "purchase_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("supplier_id", Integer, ForeignKey("suppliers.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("delivery_date", Date, nullable=False),  # when it is expected (the supplier's delivery day)
    Column("note", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),  # received in full, finished short, or cancelled
    Column("idempotency_key", String(128), nullable=True),  # a form sent twice makes one order
    Column("request_hash", String(64), nullable=True),  # what was asked under that key
    CheckConstraint("state IN ('draft', 'sent', 'partly_received', 'received', 'cancelled')", name="state"),
    Index("ix_purchase_orders_state_id", "state", "id"),
    Index("ix_purchase_orders_supplier_id_id", "supplier_id", "id"),
    Index("ix_purchase_orders_idempotency_key", "idempotency_key", unique=True),
    Index("ix_purchase_orders_created_at", "created_at"),  # reports by period
)

# One product ordered. pack_size, unit_cost and supplier_code are copied from the supplier's list
# when the line is written (the order says what was asked, whatever the list says later);
# `suggested` is what the order suggestion said (NULL: typed by hand), for "suggested vs ordered";
# `received` caches the sum of the line's receipts, kept in the same transaction as each.
purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("purchase_order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("pack_size", BigInteger, nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("supplier_code", String(64), nullable=False, server_default=""),
    Column("suggested", BigInteger, nullable=True),
    Column("received", BigInteger, nullable=False),
    UniqueConstraint("purchase_order_id", "product_id"),
    Index("ix_purchase_order_lines_product_id", "product_id"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("received >= 0", name="received_not_negative"),
)

purchase_order_events = Table(
    "purchase_order_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("purchase_order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(16), nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_purchase_order_events_purchase_order_id_id", "purchase_order_id", "id"),
)

# What arrived against an order, scan by scan: taken into stock as a lot (received, substitute) or
# refused at the door (no lot; the reason says why, e.g. its date too close).
purchase_receipts = Table(
    "purchase_receipts",
    metadata,
    *store_keyed("purchase_receipts"),
    Column("purchase_order_id", Integer, ForeignKey("purchase_orders.id"), nullable=False),
    Column(
        "line_id", Integer, ForeignKey("purchase_order_lines.id"), nullable=True
    ),  # the line it counts for
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("lot_id", Integer, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("expiry_date", Date, nullable=True),
    Column("batch", String(64), nullable=True),
    Column("reason", Text, nullable=False, server_default=""),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    CheckConstraint("kind IN ('received', 'substitute', 'refused')", name="kind"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    Index("ix_purchase_receipts_purchase_order_id_id", "purchase_order_id", "id"),
    Index("ix_purchase_receipts_at", "at"),  # reports by period
    same_store("purchase_receipts", "lot_id", "lots"),
)
