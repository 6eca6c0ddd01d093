"""Receiving and the stock board: products found by name, a lot's expiry corrected as an audited event.

- products' Unicode-folded name key (as customers have since 0005), so the receiving picker finds
  "milk", "MILK" or "ｍｉｌｋ" and "菠蘿" in the query, on SQLite too;
- lots.corrected_expiry: the lot's date as most recently corrected (NULL: never corrected). The date
  as received (expiry_date) is never changed; effective_expiry, which FEFO, the board and the digest
  read, is recomputed from the corrected date in the transaction that records the correction;
- expiry_corrections: who corrected which lot's date, when, from what, to what and why — append-only.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    """Frozen copy of domain.text.fold as it was when this migration was written."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("products", sa.Column("name_key", sa.String(200), nullable=False, server_default=""))
    conn = op.get_bind()
    products = sa.table("products", sa.column("id"), sa.column("name"), sa.column("name_key"))
    for row in conn.execute(sa.select(products.c.id, products.c.name)).all():
        conn.execute(products.update().where(products.c.id == row.id).values(name_key=_fold(row.name)))
    op.create_index("ix_products_name_key_id", "products", ["name_key", "id"])

    op.add_column("lots", sa.Column("corrected_expiry", sa.Date, nullable=True))

    op.create_table(
        "expiry_corrections",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("lot_id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("from_date", sa.Date, nullable=False),
        sa.Column("to_date", sa.Date, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expiry_corrections"),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name="fk_expiry_corrections_lot_id_lots"),
        sa.CheckConstraint("from_date <> to_date", name="ck_expiry_corrections_changes_the_date"),
    )
    op.create_index("ix_expiry_corrections_lot_id_id", "expiry_corrections", ["lot_id", "id"])
    if sqlite:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER expiry_corrections_no_{action.lower()} BEFORE {action} ON expiry_corrections "
                "BEGIN SELECT RAISE(ABORT, 'expiry_corrections are append-only'); END"
            )
    else:
        op.execute(
            "CREATE TRIGGER expiry_corrections_append_only BEFORE UPDATE OR DELETE ON expiry_corrections "
            "FOR EACH ROW EXECUTE FUNCTION midnight_append_only()"
        )


def downgrade() -> None:
    # Dropping the table drops its triggers on both databases.
    op.drop_index("ix_expiry_corrections_lot_id_id", "expiry_corrections")
    op.drop_table("expiry_corrections")
    op.drop_column("lots", "corrected_expiry")
    op.drop_index("ix_products_name_key_id", "products")
    op.drop_column("products", "name_key")
