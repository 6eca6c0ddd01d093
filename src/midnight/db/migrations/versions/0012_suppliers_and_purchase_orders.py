"""Buying right: suppliers, what each sells the shop, purchase orders and what arrived against them.

- suppliers (delivery weekdays, lead time, minimum order), supplier_contacts (sealed Apprise
  addresses a purchase order is sent to), supplier_products (pack size, unit cost, their code);
- purchase_orders (draft -> sent -> partly_received -> received / cancelled), their lines, their
  history (purchase_order_events) and what arrived or was refused (purchase_receipts);
- products.service_level (thousandths; NULL: from the margin), lots.batch (the maker's lot number);
- outbox.attachment_name / attachment: a file sent with a message (the order's CSV), sealed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    recreate: Literal["always", "never"] = "always" if sqlite else "never"

    with op.batch_alter_table("products", recreate=recreate) as batch:
        batch.add_column(sa.Column("service_level", sa.Integer, nullable=True))
        batch.create_check_constraint(
            "ck_products_service_level", "service_level IS NULL OR service_level BETWEEN 500 AND 995"
        )
    op.add_column("lots", sa.Column("batch", sa.String(64), nullable=True))
    op.add_column("outbox", sa.Column("attachment_name", sa.String(200), nullable=True))
    op.add_column("outbox", sa.Column("attachment", sa.Text, nullable=True))

    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("delivery_days", sa.String(32), nullable=False),
        sa.Column("lead_time_days", sa.Integer, nullable=False),
        sa.Column("minimum_order", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_suppliers"),
        sa.UniqueConstraint("name_key", name="uq_suppliers_name_key"),
        sa.CheckConstraint("lead_time_days BETWEEN 0 AND 60", name="ck_suppliers_lead_time_days"),
        sa.CheckConstraint("minimum_order >= 0", name="ck_suppliers_minimum_order_not_negative"),
    )
    op.create_table(
        "supplier_contacts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("supplier_id", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("display", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supplier_contacts"),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name="fk_supplier_contacts_supplier_id_suppliers"
        ),
    )
    op.create_index("ix_supplier_contacts_supplier_id", "supplier_contacts", ["supplier_id"])
    op.create_table(
        "supplier_products",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("supplier_id", sa.Integer, nullable=False),
        sa.Column("product_id", sa.Integer, nullable=False),
        sa.Column("pack_size", sa.BigInteger, nullable=False),
        sa.Column("unit_cost", sa.BigInteger, nullable=False),
        sa.Column("supplier_code", sa.String(64), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id", name="pk_supplier_products"),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name="fk_supplier_products_supplier_id_suppliers"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_supplier_products_product_id_products"
        ),
        sa.UniqueConstraint("supplier_id", "product_id", name="uq_supplier_products_supplier_id_product_id"),
        sa.CheckConstraint("pack_size > 0", name="ck_supplier_products_pack_size_positive"),
        sa.CheckConstraint("unit_cost >= 0", name="ck_supplier_products_unit_cost_not_negative"),
    )
    op.create_index("ix_supplier_products_product_id", "supplier_products", ["product_id"])
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("supplier_id", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("delivery_date", sa.Date, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_orders"),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name="fk_purchase_orders_supplier_id_suppliers"
        ),
        sa.CheckConstraint(
            "state IN ('draft', 'sent', 'partly_received', 'received', 'cancelled')",
            name="ck_purchase_orders_state",
        ),
    )
    op.create_index("ix_purchase_orders_state_id", "purchase_orders", ["state", "id"])
    op.create_index("ix_purchase_orders_supplier_id_id", "purchase_orders", ["supplier_id", "id"])
    op.create_index("ix_purchase_orders_idempotency_key", "purchase_orders", ["idempotency_key"], unique=True)
    op.create_index("ix_purchase_orders_created_at", "purchase_orders", ["created_at"])
    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("purchase_order_id", sa.Integer, nullable=False),
        sa.Column("product_id", sa.Integer, nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("pack_size", sa.BigInteger, nullable=False),
        sa.Column("unit_cost", sa.BigInteger, nullable=False),
        sa.Column("supplier_code", sa.String(64), nullable=False, server_default=""),
        sa.Column("suggested", sa.BigInteger, nullable=True),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_order_lines"),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name="fk_purchase_order_lines_purchase_order_id_purchase_orders",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_purchase_order_lines_product_id_products"
        ),
        sa.UniqueConstraint(
            "purchase_order_id", "product_id", name="uq_purchase_order_lines_purchase_order_id_product_id"
        ),
        sa.CheckConstraint("quantity > 0", name="ck_purchase_order_lines_quantity_positive"),
        sa.CheckConstraint("received >= 0", name="ck_purchase_order_lines_received_not_negative"),
    )
    op.create_index("ix_purchase_order_lines_product_id", "purchase_order_lines", ["product_id"])
    op.create_table(
        "purchase_order_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("purchase_order_id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_order_events"),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name="fk_purchase_order_events_purchase_order_id_purchase_orders",
        ),
    )
    op.create_index(
        "ix_purchase_order_events_purchase_order_id_id", "purchase_order_events", ["purchase_order_id", "id"]
    )
    op.create_table(
        "purchase_receipts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("purchase_order_id", sa.Integer, nullable=False),
        sa.Column("line_id", sa.Integer, nullable=True),
        sa.Column("product_id", sa.Integer, nullable=False),
        sa.Column("lot_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("expiry_date", sa.Date, nullable=True),
        sa.Column("batch", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_receipts"),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name="fk_purchase_receipts_purchase_order_id_purchase_orders",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["purchase_order_lines.id"], name="fk_purchase_receipts_line_id_purchase_order_lines"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_purchase_receipts_product_id_products"
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name="fk_purchase_receipts_lot_id_lots"),
        sa.CheckConstraint("kind IN ('received', 'substitute', 'refused')", name="ck_purchase_receipts_kind"),
        sa.CheckConstraint("quantity > 0", name="ck_purchase_receipts_quantity_positive"),
    )
    op.create_index(
        "ix_purchase_receipts_purchase_order_id_id", "purchase_receipts", ["purchase_order_id", "id"]
    )
    op.create_index("ix_purchase_receipts_at", "purchase_receipts", ["at"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    recreate: Literal["always", "never"] = "always" if sqlite else "never"
    op.drop_index("ix_purchase_receipts_at", "purchase_receipts")
    op.drop_index("ix_purchase_receipts_purchase_order_id_id", "purchase_receipts")
    op.drop_table("purchase_receipts")
    op.drop_index("ix_purchase_order_events_purchase_order_id_id", "purchase_order_events")
    op.drop_table("purchase_order_events")
    op.drop_index("ix_purchase_order_lines_product_id", "purchase_order_lines")
    op.drop_table("purchase_order_lines")
    for index in (
        "ix_purchase_orders_created_at",
        "ix_purchase_orders_idempotency_key",
        "ix_purchase_orders_supplier_id_id",
        "ix_purchase_orders_state_id",
    ):
        op.drop_index(index, "purchase_orders")
    op.drop_table("purchase_orders")
    op.drop_index("ix_supplier_products_product_id", "supplier_products")
    op.drop_table("supplier_products")
    op.drop_index("ix_supplier_contacts_supplier_id", "supplier_contacts")
    op.drop_table("supplier_contacts")
    op.drop_table("suppliers")
    op.drop_column("outbox", "attachment")
    op.drop_column("outbox", "attachment_name")
    op.drop_column("lots", "batch")
    with op.batch_alter_table("products", recreate=recreate) as batch:
        batch.drop_constraint("ck_products_service_level", type_="check")
        batch.drop_column("service_level")
