"""The till that keeps selling: modifiers, parked orders and call numbers, kitchen tickets, printers
and tills, PINs for switching users, and orders rung while offline.

- modifier_groups, modifier_options, menu_item_modifiers: choices on an item (size, add-ons,
  "no X"), each with a price change and an effect on the recipe; order_line_modifiers keeps what a
  line was sold with, and order_lines.modifier_price what they added to its unit price;
- orders.call_number (per business day, from call_numbers), label, parked_at, revision, till and
  offline_number;
- kitchen_stations, menu_items.kitchen_station_id, kitchen_tickets, kitchen_ticket_items;
- printers, tills, till_devices, pin_attempts, print_jobs;
- users.pin_hash, pin_failures, pin_locked_at;
- stores.offline_card_limit; offline_orders.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from typing import Literal

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PARKED = sa.text("parked_at IS NOT NULL")
WAITING = sa.text("bumped_at IS NULL")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    recreate: Literal["always", "never"] = "always" if sqlite else "never"

    op.create_table(
        "printers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("paper_mm", sa.Integer, nullable=False),
        sa.Column("text_mode", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_printers"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_printers_store_id_stores"),
        sa.UniqueConstraint("store_id", "name_key", name="uq_printers_store_id_name_key"),
        sa.CheckConstraint("kind IN ('network', 'usb', 'serial')", name="ck_printers_kind"),
        sa.CheckConstraint("paper_mm IN (58, 80)", name="ck_printers_paper_mm"),
        sa.CheckConstraint(
            "text_mode IN ('latin', 'gb18030', 'big5', 'image')", name="ck_printers_text_mode"
        ),
    )
    op.create_table(
        "kitchen_stations",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("printer_id", sa.Integer, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kitchen_stations"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_kitchen_stations_store_id_stores"),
        sa.ForeignKeyConstraint(
            ["printer_id"], ["printers.id"], name="fk_kitchen_stations_printer_id_printers"
        ),
        sa.UniqueConstraint("store_id", "name_key", name="uq_kitchen_stations_store_id_name_key"),
    )

    with op.batch_alter_table("stores", recreate=recreate) as batch:
        batch.add_column(sa.Column("offline_card_limit", sa.BigInteger, nullable=True))
        batch.create_check_constraint(
            "ck_stores_offline_card_limit", "offline_card_limit IS NULL OR offline_card_limit >= 0"
        )
    with op.batch_alter_table("menu_items", recreate=recreate) as batch:
        batch.add_column(sa.Column("kitchen_station_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_menu_items_kitchen_station_id_kitchen_stations",
            "kitchen_stations",
            ["kitchen_station_id"],
            ["id"],
        )
    with op.batch_alter_table("users", recreate=recreate) as batch:
        batch.add_column(sa.Column("pin_hash", sa.String(200), nullable=True))
        batch.add_column(sa.Column("pin_failures", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("pin_locked_at", UTCDateTime, nullable=True))
        batch.create_check_constraint("ck_users_pin_failures_not_negative", "pin_failures >= 0")

    # orders and order_lines grow with every sale: columns only, no rebuild.
    op.add_column("orders", sa.Column("call_number", sa.Integer, nullable=True))
    op.add_column("orders", sa.Column("label", sa.String(100), nullable=True))
    op.add_column("orders", sa.Column("parked_at", UTCDateTime, nullable=True))
    op.add_column("orders", sa.Column("revision", sa.Integer, nullable=False, server_default="0"))
    op.add_column("orders", sa.Column("till", sa.String(100), nullable=True))
    op.add_column("orders", sa.Column("offline_number", sa.String(32), nullable=True))
    op.create_index(
        "ix_orders_parked",
        "orders",
        ["store_id", "parked_at", "id"],
        sqlite_where=PARKED,
        postgresql_where=PARKED,
    )
    op.add_column(
        "order_lines", sa.Column("modifier_price", sa.BigInteger, nullable=False, server_default="0")
    )

    op.create_table(
        "modifier_groups",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("min_choices", sa.Integer, nullable=False),
        sa.Column("max_choices", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_modifier_groups"),
        sa.UniqueConstraint("code", name="uq_modifier_groups_code"),
        sa.CheckConstraint(
            "min_choices >= 0 AND max_choices >= 1 AND min_choices <= max_choices AND max_choices <= 20",
            name="ck_modifier_groups_choices",
        ),
    )
    op.create_table(
        "modifier_options",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("price_delta", sa.BigInteger, nullable=False),
        sa.Column("effect", sa.String(8), nullable=False),
        sa.Column("product_id", sa.Integer, nullable=True),
        sa.Column("quantity", sa.BigInteger, nullable=True),
        sa.Column("factor_bp", sa.Integer, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_modifier_options"),
        sa.ForeignKeyConstraint(
            ["group_id"], ["modifier_groups.id"], name="fk_modifier_options_group_id_modifier_groups"
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name="fk_modifier_options_product_id_products"
        ),
        sa.UniqueConstraint("code", name="uq_modifier_options_code"),
        sa.CheckConstraint("effect IN ('none', 'add', 'remove', 'scale')", name="ck_modifier_options_effect"),
        sa.CheckConstraint(
            "(effect = 'none' AND product_id IS NULL AND quantity IS NULL AND factor_bp IS NULL) OR "
            "(effect = 'add' AND product_id IS NOT NULL AND quantity > 0 AND factor_bp IS NULL) OR "
            "(effect = 'remove' AND product_id IS NOT NULL AND quantity IS NULL AND factor_bp IS NULL) OR "
            "(effect = 'scale' AND product_id IS NULL AND quantity IS NULL AND factor_bp BETWEEN 1 AND 100000)",
            name="ck_modifier_options_effect_fields",
        ),
    )
    op.create_index("ix_modifier_options_group_id_position", "modifier_options", ["group_id", "position"])
    op.create_table(
        "menu_item_modifiers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("menu_item_id", sa.Integer, nullable=False),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_menu_item_modifiers"),
        sa.ForeignKeyConstraint(
            ["menu_item_id"], ["menu_items.id"], name="fk_menu_item_modifiers_menu_item_id_menu_items"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["modifier_groups.id"], name="fk_menu_item_modifiers_group_id_modifier_groups"
        ),
        sa.UniqueConstraint("menu_item_id", "group_id", name="uq_menu_item_modifiers_menu_item_id_group_id"),
    )
    op.create_table(
        "order_line_modifiers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("order_line_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("option_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("group_name", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("price_delta", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_line_modifiers"),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name="fk_order_line_modifiers_order_line_id_order_lines"
        ),
        sa.ForeignKeyConstraint(
            ["option_id"], ["modifier_options.id"], name="fk_order_line_modifiers_option_id_modifier_options"
        ),
        sa.UniqueConstraint(
            "order_line_id", "position", name="uq_order_line_modifiers_order_line_id_position"
        ),
    )
    op.create_table(
        "call_numbers",
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("last", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("store_id", "business_date", name="pk_call_numbers"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_call_numbers_store_id_stores"),
        sa.CheckConstraint("last >= 1", name="ck_call_numbers_last_positive"),
    )
    op.create_table(
        "tills",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("receipt_printer_id", sa.Integer, nullable=True),
        sa.Column("drawer_pin", sa.Integer, nullable=True),
        sa.Column("auto_print", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tills"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_tills_store_id_stores"),
        sa.ForeignKeyConstraint(
            ["receipt_printer_id"], ["printers.id"], name="fk_tills_receipt_printer_id_printers"
        ),
        sa.UniqueConstraint("store_id", "name_key", name="uq_tills_store_id_name_key"),
        sa.CheckConstraint("drawer_pin IS NULL OR drawer_pin IN (2, 5)", name="ck_tills_drawer_pin"),
    )
    op.create_table(
        "till_devices",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("till_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_till_devices"),
        sa.ForeignKeyConstraint(["till_id"], ["tills.id"], name="fk_till_devices_till_id_tills"),
        sa.UniqueConstraint("token_hash", name="uq_till_devices_token_hash"),
    )
    op.create_index("ix_till_devices_till_id", "till_devices", ["till_id"])
    op.create_table(
        "pin_attempts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("device_id", sa.Integer, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pin_attempts"),
        sa.ForeignKeyConstraint(
            ["device_id"], ["till_devices.id"], name="fk_pin_attempts_device_id_till_devices"
        ),
    )
    op.create_index("ix_pin_attempts_device_id_at", "pin_attempts", ["device_id", "at"])
    op.create_index("ix_pin_attempts_address_at", "pin_attempts", ["address", "at"])
    op.create_table(
        "kitchen_tickets",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("station_id", sa.Integer, nullable=False),
        sa.Column("order_id", sa.Integer, nullable=False),
        sa.Column("call_number", sa.Integer, nullable=True),
        sa.Column("label", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("bumped_at", UTCDateTime, nullable=True),
        sa.Column("bumped_by", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kitchen_tickets"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_kitchen_tickets_store_id_stores"),
        sa.ForeignKeyConstraint(
            ["station_id"], ["kitchen_stations.id"], name="fk_kitchen_tickets_station_id_kitchen_stations"
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_kitchen_tickets_order_id_orders"),
    )
    op.create_index("ix_kitchen_tickets_order_id", "kitchen_tickets", ["order_id"])
    op.create_index(
        "ix_kitchen_tickets_waiting",
        "kitchen_tickets",
        ["station_id", "id"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )
    op.create_index("ix_kitchen_tickets_station_id_bumped_at", "kitchen_tickets", ["station_id", "bumped_at"])
    op.create_table(
        "kitchen_ticket_items",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("ticket_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("menu_item_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.BigInteger, nullable=False),
        sa.Column("modifiers", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kitchen_ticket_items"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["kitchen_tickets.id"], name="fk_kitchen_ticket_items_ticket_id_kitchen_tickets"
        ),
        sa.ForeignKeyConstraint(
            ["menu_item_id"], ["menu_items.id"], name="fk_kitchen_ticket_items_menu_item_id_menu_items"
        ),
        sa.CheckConstraint("quantity <> 0", name="ck_kitchen_ticket_items_quantity_not_zero"),
    )
    op.create_index("ix_kitchen_ticket_items_ticket_id", "kitchen_ticket_items", ["ticket_id"])
    op.create_table(
        "print_jobs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("printer_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("order_id", sa.Integer, nullable=True),
        sa.Column("ticket_id", sa.Integer, nullable=True),
        sa.Column("open_drawer", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("claimed_at", UTCDateTime, nullable=True),
        sa.Column("done_at", UTCDateTime, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("drawer_pin", sa.Integer, nullable=True),
        sa.Column("till", sa.String(100), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_print_jobs"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_print_jobs_store_id_stores"),
        sa.ForeignKeyConstraint(["printer_id"], ["printers.id"], name="fk_print_jobs_printer_id_printers"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_print_jobs_order_id_orders"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["kitchen_tickets.id"], name="fk_print_jobs_ticket_id_kitchen_tickets"
        ),
        sa.CheckConstraint("kind IN ('receipt', 'kitchen', 'drawer', 'test')", name="ck_print_jobs_kind"),
        sa.CheckConstraint("state IN ('pending', 'printing', 'done', 'failed')", name="ck_print_jobs_state"),
        sa.CheckConstraint("attempts >= 0", name="ck_print_jobs_attempts_not_negative"),
        sa.CheckConstraint("drawer_pin IS NULL OR drawer_pin IN (2, 5)", name="ck_print_jobs_drawer_pin"),
    )
    op.create_index("ix_print_jobs_state_id", "print_jobs", ["state", "id"])
    op.create_index("ix_print_jobs_order_id", "print_jobs", ["order_id"])
    op.create_index("ix_print_jobs_store_id_id", "print_jobs", ["store_id", "id"])
    op.create_table(
        "offline_orders",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("local_number", sa.String(32), nullable=False),
        sa.Column("till", sa.String(100), nullable=False),
        sa.Column("rung_at", UTCDateTime, nullable=False),
        sa.Column("rung_by", sa.String(100), nullable=False),
        sa.Column("sent_by", sa.String(100), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("amount_paid", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("problem", sa.Text, nullable=True),
        sa.Column("order_id", sa.Integer, nullable=True),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_offline_orders"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_offline_orders_store_id_stores"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_offline_orders_order_id_orders"),
        sa.UniqueConstraint("idempotency_key", name="uq_offline_orders_idempotency_key"),
        sa.CheckConstraint(
            "state IN ('recorded', 'waiting', 'accepted', 'refunded')", name="ck_offline_orders_state"
        ),
        sa.CheckConstraint("amount_paid >= 0", name="ck_offline_orders_amount_paid_not_negative"),
    )
    op.create_index("ix_offline_orders_store_id_state_id", "offline_orders", ["store_id", "state", "id"])


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    recreate: Literal["always", "never"] = "always" if sqlite else "never"
    op.drop_index("ix_offline_orders_store_id_state_id", "offline_orders")
    op.drop_table("offline_orders")
    op.drop_index("ix_print_jobs_store_id_id", "print_jobs")
    op.drop_index("ix_print_jobs_order_id", "print_jobs")
    op.drop_index("ix_print_jobs_state_id", "print_jobs")
    op.drop_table("print_jobs")
    op.drop_index("ix_kitchen_ticket_items_ticket_id", "kitchen_ticket_items")
    op.drop_table("kitchen_ticket_items")
    for index in (
        "ix_kitchen_tickets_station_id_bumped_at",
        "ix_kitchen_tickets_waiting",
        "ix_kitchen_tickets_order_id",
    ):
        op.drop_index(index, "kitchen_tickets")
    op.drop_table("kitchen_tickets")
    op.drop_index("ix_pin_attempts_address_at", "pin_attempts")
    op.drop_index("ix_pin_attempts_device_id_at", "pin_attempts")
    op.drop_table("pin_attempts")
    op.drop_index("ix_till_devices_till_id", "till_devices")
    op.drop_table("till_devices")
    op.drop_table("tills")
    op.drop_table("call_numbers")
    op.drop_table("order_line_modifiers")
    op.drop_table("menu_item_modifiers")
    op.drop_index("ix_modifier_options_group_id_position", "modifier_options")
    op.drop_table("modifier_options")
    op.drop_table("modifier_groups")
    op.drop_column("order_lines", "modifier_price")
    op.drop_index("ix_orders_parked", "orders")
    for column in ("offline_number", "till", "revision", "parked_at", "label", "call_number"):
        op.drop_column("orders", column)
    with op.batch_alter_table("users", recreate=recreate) as batch:
        batch.drop_constraint("ck_users_pin_failures_not_negative", type_="check")
        batch.drop_column("pin_locked_at")
        batch.drop_column("pin_failures")
        batch.drop_column("pin_hash")
    with op.batch_alter_table("menu_items", recreate=recreate) as batch:
        batch.drop_constraint("fk_menu_items_kitchen_station_id_kitchen_stations", type_="foreignkey")
        batch.drop_column("kitchen_station_id")
    with op.batch_alter_table("stores", recreate=recreate) as batch:
        batch.drop_constraint("ck_stores_offline_card_limit", type_="check")
        batch.drop_column("offline_card_limit")
    op.drop_table("kitchen_stations")
    op.drop_table("printers")
