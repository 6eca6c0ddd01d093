"""The till: menu items, recipes, price history, orders, payments, refunds, day closes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.Integer, nullable=False)


def upgrade() -> None:
    op.create_table(
        "menu_items",
        _id(),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("restockable", sa.Boolean, nullable=False),
        sa.Column("markdown_days", sa.Integer, nullable=True),
        sa.Column("markdown_bp", sa.Integer, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_menu_items"),
        sa.UniqueConstraint("code", name="uq_menu_items_code"),
    )
    op.create_table(
        "recipe_lines",
        _id(),
        sa.Column("menu_item_id", sa.Integer, nullable=False),
        sa.Column("product_id", sa.Integer, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recipe_lines"),
        sa.ForeignKeyConstraint(
            ["menu_item_id"], ["menu_items.id"], name="fk_recipe_lines_menu_item_id_menu_items"
        ),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name="fk_recipe_lines_product_id_products"),
        sa.UniqueConstraint("menu_item_id", "product_id", name="uq_recipe_lines_menu_item_id_product_id"),
        sa.CheckConstraint("quantity > 0", name="ck_recipe_lines_quantity_positive"),
    )
    op.create_table(
        "menu_prices",
        _id(),
        sa.Column("menu_item_id", sa.Integer, nullable=False),
        sa.Column("price", sa.BigInteger, nullable=False),
        sa.Column("effective_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_menu_prices"),
        sa.ForeignKeyConstraint(
            ["menu_item_id"], ["menu_items.id"], name="fk_menu_prices_menu_item_id_menu_items"
        ),
        sa.CheckConstraint("price >= 0", name="ck_menu_prices_price_not_negative"),
    )
    op.create_index(
        "ix_menu_prices_menu_item_id_effective_at", "menu_prices", ["menu_item_id", "effective_at"]
    )
    op.create_table(
        "orders",
        _id(),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("discount_kind", sa.String(8), nullable=True),
        sa.Column("discount_value", sa.BigInteger, nullable=True),
        sa.Column("discount_reason", sa.Text, nullable=True),
        sa.Column("gross", sa.BigInteger, nullable=False),
        sa.Column("markdowns", sa.BigInteger, nullable=False),
        sa.Column("line_discounts", sa.BigInteger, nullable=False),
        sa.Column("order_discount", sa.BigInteger, nullable=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("paid_at", UTCDateTime, nullable=True),
        sa.Column("business_date", sa.Date, nullable=True),
        sa.Column("voided_at", UTCDateTime, nullable=True),
        sa.Column("void_reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_orders_store_id_stores"),
        sa.UniqueConstraint("idempotency_key", name="uq_orders_idempotency_key"),
        sa.CheckConstraint(
            "state IN ('open', 'paid', 'void', 'partly_refunded', 'refunded')", name="ck_orders_state"
        ),
    )
    op.create_index("ix_orders_business_date", "orders", ["business_date"])
    op.create_table(
        "order_lines",
        _id(),
        sa.Column("order_id", sa.Integer, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("menu_item_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("unit_price", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("discount_kind", sa.String(8), nullable=True),
        sa.Column("discount_value", sa.BigInteger, nullable=True),
        sa.Column("discount_reason", sa.Text, nullable=True),
        sa.Column("gross", sa.BigInteger, nullable=False),
        sa.Column("markdown", sa.BigInteger, nullable=False),
        sa.Column("discount", sa.BigInteger, nullable=False),
        sa.Column("net", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_lines"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_order_lines_order_id_orders"),
        sa.ForeignKeyConstraint(
            ["menu_item_id"], ["menu_items.id"], name="fk_order_lines_menu_item_id_menu_items"
        ),
        sa.UniqueConstraint("order_id", "line_no", name="uq_order_lines_order_id_line_no"),
    )
    op.create_table(
        "payments",
        _id(),
        sa.Column("order_id", sa.Integer, nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("tendered", sa.BigInteger, nullable=False),
        sa.Column("applied", sa.BigInteger, nullable=False),
        sa.Column("change", sa.BigInteger, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_payments_order_id_orders"),
    )
    op.create_index("ix_payments_order_id", "payments", ["order_id"])
    op.create_index("ix_payments_business_date", "payments", ["business_date"])
    op.create_table(
        "refunds",
        _id(),
        sa.Column("order_id", sa.Integer, nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_refunds_order_id_orders"),
    )
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    op.create_index("ix_refunds_business_date", "refunds", ["business_date"])
    op.create_table(
        "refund_lines",
        _id(),
        sa.Column("refund_id", sa.Integer, nullable=False),
        sa.Column("order_line_id", sa.Integer, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_refund_lines"),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], name="fk_refund_lines_refund_id_refunds"),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name="fk_refund_lines_order_line_id_order_lines"
        ),
    )
    op.create_table(
        "day_closes",
        _id(),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_day_closes"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_day_closes_store_id_stores"),
        sa.UniqueConstraint("store_id", "business_date", name="uq_day_closes_store_id_business_date"),
    )
    # Plain ADD COLUMN, no table rebuild, so the ledger's triggers stay in place. Alembic will not
    # add a column with a foreign key on SQLite, though SQLite itself allows it: say it directly.
    links = (("order_line_id", "order_lines"), ("refund_id", "refunds"))
    if op.get_bind().dialect.name == "sqlite":
        for column, table in links:
            op.execute(f"ALTER TABLE movements ADD COLUMN {column} INTEGER REFERENCES {table} (id)")
    else:
        for column, table in links:
            op.add_column(
                "movements",
                sa.Column(
                    column, sa.Integer, sa.ForeignKey(f"{table}.id", name=f"fk_movements_{column}_{table}")
                ),
            )
    op.create_index("ix_movements_order_line_id", "movements", ["order_line_id"])


def downgrade() -> None:
    op.drop_index("ix_movements_order_line_id", "movements")
    op.drop_column("movements", "refund_id")
    op.drop_column("movements", "order_line_id")
    for table in (
        "day_closes",
        "refund_lines",
        "refunds",
        "payments",
        "order_lines",
        "orders",
        "menu_prices",
        "recipe_lines",
        "menu_items",
    ):
        op.drop_table(table)
