"""Stock ledger: stores, locations, products, lots and the append-only movements table.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SELLABLE = sa.text("on_hand > 0")


def upgrade() -> None:
    op.create_table(
        "stores",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stores"),
        sa.UniqueConstraint("name", name="uq_stores_name"),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_locations"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_locations_store_id_stores"),
        sa.UniqueConstraint("store_id", "name", name="uq_locations_store_id_name"),
    )
    op.create_table(
        "products",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("barcode", sa.String(13), nullable=True),
        sa.Column("expiry_kind", sa.String(16), nullable=False),
        sa.Column("shelf_life_days", sa.Integer, nullable=True),
        sa.Column("opened_shelf_life_days", sa.Integer, nullable=True),
        sa.Column("reorder_point", sa.BigInteger, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_products"),
        sa.UniqueConstraint("sku", name="uq_products_sku"),
        sa.UniqueConstraint("barcode", name="uq_products_barcode"),
        sa.CheckConstraint("expiry_kind IN ('use_by', 'best_before')", name="ck_products_expiry_kind"),
    )
    op.create_table(
        "lots",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("product_id", sa.Integer, nullable=False),
        sa.Column("location_id", sa.Integer, nullable=False),
        sa.Column("parent_lot_id", sa.Integer, nullable=True),
        sa.Column("supplier", sa.String(200), nullable=False),
        sa.Column("unit_cost", sa.BigInteger, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("expiry_date", sa.Date, nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=True),
        sa.Column("effective_expiry", sa.Date, nullable=False),
        sa.Column("on_hand", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_lots"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_lots_product_id_products"),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name="fk_lots_location_id_locations"),
        sa.ForeignKeyConstraint(["parent_lot_id"], ["lots.id"], name="fk_lots_parent_lot_id_lots"),
        sa.CheckConstraint("on_hand >= 0", name="ck_lots_on_hand_not_negative"),
        sa.CheckConstraint("unit_cost >= 0", name="ck_lots_unit_cost_not_negative"),
    )
    op.create_index(
        "ix_lots_sellable",
        "lots",
        ["product_id", "effective_expiry", "received_at", "id"],
        sqlite_where=_SELLABLE,
        postgresql_where=_SELLABLE,
    )
    op.create_index(
        "ix_lots_board",
        "lots",
        ["effective_expiry", "received_at", "id"],
        sqlite_where=_SELLABLE,
        postgresql_where=_SELLABLE,
    )
    op.create_table(
        "movements",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lot_id", sa.Integer, nullable=False),
        sa.Column("product_id", sa.Integer, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("unit_cost", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("reference", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("pair_id", sa.Integer, nullable=True),
        sa.Column("reverses_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_movements"),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name="fk_movements_lot_id_lots"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_movements_product_id_products"),
        sa.ForeignKeyConstraint(["pair_id"], ["movements.id"], name="fk_movements_pair_id_movements"),
        sa.ForeignKeyConstraint(["reverses_id"], ["movements.id"], name="fk_movements_reverses_id_movements"),
        sa.UniqueConstraint("reverses_id", name="uq_movements_reverses_id"),
        sa.CheckConstraint(
            "kind IN ('receive', 'sell', 'use', 'open', 'move', 'waste', 'adjust')",
            name="ck_movements_kind",
        ),
    )
    op.create_index("ix_movements_product_id_id", "movements", ["product_id", "id"])
    op.create_index("ix_movements_lot_id", "movements", ["lot_id"])
    op.create_index("ix_movements_at", "movements", ["at"])
    _ledger_triggers()


def _ledger_triggers() -> None:
    """The database itself keeps the ledger append-only and each lot's on-hand equal to it.

    Every movement adds its quantity to its lot's cached on-hand in the same statement, so the
    cache cannot drift from the ledger whatever code writes the movement; the CHECK on
    lots.on_hand then refuses any movement that would take a lot below zero.
    """
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER movements_no_{action.lower()} BEFORE {action} ON movements "
                "BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END"
            )
        op.execute(
            "CREATE TRIGGER movements_apply_to_lot AFTER INSERT ON movements WHEN NEW.quantity <> 0 "
            "BEGIN UPDATE lots SET on_hand = on_hand + NEW.quantity WHERE id = NEW.lot_id; END"
        )
    else:
        op.execute(
            "CREATE FUNCTION midnight_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
        )
        op.execute(
            "CREATE TRIGGER movements_append_only BEFORE UPDATE OR DELETE ON movements "
            "FOR EACH ROW EXECUTE FUNCTION midnight_append_only()"
        )
        op.execute(
            "CREATE FUNCTION midnight_apply_to_lot() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE lots SET on_hand = on_hand + NEW.quantity WHERE id = NEW.lot_id; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER movements_apply_to_lot AFTER INSERT ON movements "
            "FOR EACH ROW WHEN (NEW.quantity <> 0) EXECUTE FUNCTION midnight_apply_to_lot()"
        )


def downgrade() -> None:
    op.drop_table("movements")
    op.drop_table("lots")
    op.drop_table("products")
    op.drop_table("locations")
    op.drop_table("stores")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS midnight_append_only()")
        op.execute("DROP FUNCTION IF EXISTS midnight_apply_to_lot()")
