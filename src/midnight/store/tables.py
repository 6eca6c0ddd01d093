"""The schema. Migrations under store/migrations create exactly this (a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)

from midnight.store.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

stores = Table(
    "stores",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("locale", String(16), nullable=False),
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
    CheckConstraint("expiry_kind IN ('use_by', 'best_before')", name="expiry_kind"),
)

lots = Table(
    "lots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("location_id", Integer, ForeignKey("locations.id"), nullable=False),
    # A lot split off another (moved part, opened pack) remembers where it came from.
    Column("parent_lot_id", Integer, ForeignKey("lots.id"), nullable=True),
    Column("supplier", String(200), nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("expiry_date", Date, nullable=False),
    Column("opened_at", UTCDateTime, nullable=True),
    Column("effective_expiry", Date, nullable=False),
    # Cache of the sum of this lot's movements, kept in the same transaction as each movement.
    Column("on_hand", BigInteger, nullable=False),
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
)

# Rendered as the literal "on_hand > 0", not as "on_hand > ?": with a bound parameter SQLite must
# re-prepare the statement on every execution to see whether the partial indexes (which hold only
# lots that still have stock) apply, which measured as doubling the cost of the FEFO query.
HAS_STOCK = lots.c.on_hand > literal_column("0")

movements = Table(
    "movements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),  # when it happened (receipts may be back-dated)
    Column("recorded_at", UTCDateTime, nullable=False),  # when it was written
    Column("kind", String(16), nullable=False),
    Column("lot_id", Integer, ForeignKey("lots.id"), nullable=False),
    Column("product_id", Integer, ForeignKey("products.id"), nullable=False),
    Column("quantity", BigInteger, nullable=False),  # signed milli-units
    Column("unit_cost", BigInteger, nullable=False),  # the lot's cost, so the ledger prices itself
    Column("reason", Text, nullable=False),
    Column("reference", String(200), nullable=False),
    Column("actor", String(100), nullable=False),
    # The other leg of a two-sided movement (move, open): the second leg points at the first.
    Column("pair_id", Integer, ForeignKey("movements.id"), nullable=True),
    Column("reverses_id", Integer, ForeignKey("movements.id"), nullable=True, unique=True),
    CheckConstraint("kind IN ('receive', 'sell', 'use', 'open', 'move', 'waste', 'adjust')", name="kind"),
    Index("ix_movements_product_id_id", "product_id", "id"),
    Index("ix_movements_lot_id", "lot_id"),
    Index("ix_movements_at", "at"),
)
