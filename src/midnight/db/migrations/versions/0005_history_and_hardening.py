"""Reads bounded by what they show, rules the database enforces, contacts kept apart from their display.

- indexes so a day's report, a page of orders and a customer's holds never scan history;
- CHECKs on amounts and signs (orders, lines, payments, refunds), append-only triggers on payments,
  refunds, refund lines, hold events, user events and day closes (as on movements since 0001);
- customers' Unicode-folded name keys; contact, target and outbox addresses with a masked display form;
- the store's contact policy (which schemes staff may type; private addresses allowed or not).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import datetime as dt
import unicodedata
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = ("payments", "refunds", "refund_lines", "hold_events", "user_events", "day_closes")
CHECKS = {
    "orders": [
        (
            "ck_orders_amounts_not_negative",
            "gross >= 0 AND markdowns >= 0 AND line_discounts >= 0 AND order_discount >= 0 AND total >= 0",
        ),
        ("ck_orders_total_adds_up", "total = gross - markdowns - line_discounts - order_discount"),
    ],
    "order_lines": [
        ("ck_order_lines_quantity_and_price", "quantity > 0 AND unit_price >= 0 AND line_no >= 1"),
        (
            "ck_order_lines_amounts_not_negative",
            "gross >= 0 AND markdown >= 0 AND discount >= 0 AND net >= 0",
        ),
        ("ck_order_lines_net_adds_up", "net = gross - markdown - discount"),
    ],
    "payments": [
        ("ck_payments_amounts", "tendered > 0 AND applied >= 0 AND change >= 0"),
        ("ck_payments_tendered_adds_up", "applied + change = tendered"),
    ],
    "refunds": [("ck_refunds_amount_not_negative", "amount >= 0")],
    "refund_lines": [("ck_refund_lines_quantity_positive", "quantity > 0")],
    "menu_items": [
        (
            "ck_menu_items_markdown",
            "(markdown_days IS NULL AND markdown_bp IS NULL) OR "
            "(markdown_days BETWEEN 0 AND 365 AND markdown_bp BETWEEN 1 AND 10000)",
        )
    ],
    "holds": [("ck_holds_wrong_tries_not_negative", "wrong_tries >= 0")],
    "outbox": [("ck_outbox_attempts_not_negative", "attempts >= 0")],
}


def _fold(text: str) -> str:
    """Frozen copy of domain.text.fold as it was when this migration was written."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _opaque(url: str) -> str:
    """A display form that shows no credentials: only the kind of address (the app masks new ones better)."""
    scheme = urlsplit(url).scheme if "://" in url else ""
    return f"{scheme}://…" if scheme else "…"


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("stores", sa.Column("contact_schemes", sa.Text, nullable=True))
    op.add_column(
        "stores", sa.Column("allow_private_addresses", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.add_column("customers", sa.Column("name_key", sa.String(200), nullable=False, server_default=""))
    op.add_column("customers", sa.Column("nickname_key", sa.String(64), nullable=True))
    for table in ("customer_contacts", "notify_targets", "outbox"):
        op.add_column(table, sa.Column("display", sa.Text, nullable=False, server_default=""))
    _backfill()

    op.create_index("ix_movements_refund_id", "movements", ["refund_id"])
    op.add_column("movements", sa.Column("business_date", sa.Date, nullable=True))
    _waste_business_dates(sqlite)
    op.create_index("ix_movements_kind_business_date", "movements", ["kind", "business_date"])
    op.create_index("ix_orders_state_id", "orders", ["state", "id"])
    op.create_index("ix_refund_lines_refund_id", "refund_lines", ["refund_id"])
    op.create_index("ix_refund_lines_order_line_id", "refund_lines", ["order_line_id"])
    op.create_index("ix_holds_for_customer_id_id", "holds", ["for_customer_id", "id"])
    op.create_index("ix_customers_name_key_id", "customers", ["name_key", "id"])
    op.create_index("ix_customers_nickname_key", "customers", ["nickname_key"])
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_index("ix_customer_contacts_customer_id", "customer_contacts", ["customer_id"])
    # Undo finds a move's other leg by pair_id: without this it scanned the whole ledger in the write lock.
    op.create_index(
        "ix_movements_pair_id",
        "movements",
        ["pair_id"],
        sqlite_where=sa.text("pair_id IS NOT NULL"),
        postgresql_where=sa.text("pair_id IS NOT NULL"),
    )

    # On SQLite a CHECK can only be added by rebuilding the table (batch mode copies it); the tables
    # rebuilt here have no triggers yet, so nothing is lost on the way.
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, recreate="always" if sqlite else "never") as batch:
            for name, condition in checks:
                batch.create_check_constraint(name, condition)

    for table in APPEND_ONLY:
        if sqlite:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END"
                )
        else:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION midnight_append_only()"
            )


def _waste_business_dates(sqlite: bool) -> None:
    """Write-offs made before this revision count on the local calendar day they were made (movements
    are append-only: the trigger that says so steps aside for this one backfill)."""
    conn = op.get_bind()
    zone = conn.execute(sa.text("SELECT timezone FROM stores ORDER BY id LIMIT 1")).scalar() or "UTC"
    tz = ZoneInfo(zone)
    movements = sa.table(
        "movements", sa.column("id"), sa.column("at"), sa.column("kind"), sa.column("business_date")
    )
    rows = conn.execute(sa.select(movements.c.id, movements.c.at).where(movements.c.kind == "waste")).all()
    if not rows:
        return
    if sqlite:
        op.execute("DROP TRIGGER movements_no_update")
    else:
        op.execute("ALTER TABLE movements DISABLE TRIGGER movements_append_only")
    for row in rows:
        at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(str(row.at))
        day = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(tz).date()
        conn.execute(movements.update().where(movements.c.id == row.id).values(business_date=day))
    if sqlite:
        op.execute(
            "CREATE TRIGGER movements_no_update BEFORE UPDATE ON movements "
            "BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END"
        )
    else:
        op.execute("ALTER TABLE movements ENABLE TRIGGER movements_append_only")


def _backfill() -> None:
    conn = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("id"),
        sa.column("name"),
        sa.column("nickname"),
        sa.column("name_key"),
        sa.column("nickname_key"),
    )
    for row in conn.execute(sa.select(customers.c.id, customers.c.name, customers.c.nickname)).all():
        conn.execute(
            customers.update()
            .where(customers.c.id == row.id)
            .values(name_key=_fold(row.name), nickname_key=_fold(row.nickname) if row.nickname else None)
        )
    for name in ("customer_contacts", "notify_targets", "outbox"):
        table = sa.table(name, sa.column("id"), sa.column("url"), sa.column("display"))
        for address in conn.execute(sa.select(table.c.id, table.c.url)).all():
            conn.execute(table.update().where(table.c.id == address.id).values(display=_opaque(address.url)))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in APPEND_ONLY:
        if sqlite:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, recreate="always" if sqlite else "never") as batch:
            for name, _ in checks:
                batch.drop_constraint(name, type_="check")
    for index, table in (
        ("ix_movements_pair_id", "movements"),
        ("ix_customer_contacts_customer_id", "customer_contacts"),
        ("ix_login_attempts_address_at", "login_attempts"),
        ("ix_customers_nickname_key", "customers"),
        ("ix_customers_name_key_id", "customers"),
        ("ix_holds_for_customer_id_id", "holds"),
        ("ix_refund_lines_order_line_id", "refund_lines"),
        ("ix_refund_lines_refund_id", "refund_lines"),
        ("ix_orders_state_id", "orders"),
        ("ix_movements_kind_business_date", "movements"),
        ("ix_movements_refund_id", "movements"),
    ):
        op.drop_index(index, table)
    for table in ("outbox", "notify_targets", "customer_contacts"):
        op.drop_column(table, "display")
    op.drop_column("movements", "business_date")
    op.drop_column("customers", "nickname_key")
    op.drop_column("customers", "name_key")
    op.drop_column("stores", "allow_private_addresses")
    op.drop_column("stores", "contact_schemes")
