"""Tenders besides cash and card, named by the owner (Octopus, FPS, AlipayHK, WeChat Pay); sales
written on paper while the till was down, entered afterwards.

- tenders: a store's named ways of paying; they pay exactly (no change), like a card;
- payments.tender, refunds.tender: which named tender an "other" payment or refund went by, so the
  X and Z reports show each apart and a refund goes back the way the order was paid;
- payments.drawer_session_id, refunds.drawer_session_id: the cash drawer a cash payment went into or
  a cash refund came out of (chosen when it is recorded, so a drawer's expected cash is a sum by index);
- orders.entered_at: when a sale made earlier (its created_at) was typed in; NULL for a sale rung up
  as it happened.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("store_id", sa.Integer, sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("name_key", sa.String(40), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.UniqueConstraint("store_id", "name_key", name="uq_tenders_store_id_name_key"),
    )
    op.add_column("payments", sa.Column("tender", sa.String(40), nullable=True))
    op.add_column("refunds", sa.Column("tender", sa.String(40), nullable=True))
    op.add_column("orders", sa.Column("entered_at", UTCDateTime, nullable=True))
    # which cash drawer a cash payment went into, or a cash refund came out of
    for table in ("payments", "refunds"):
        op.add_column(table, sa.Column("drawer_session_id", sa.Integer, nullable=True))
        op.create_index(f"ix_{table}_drawer_session_id", table, ["drawer_session_id"])


def downgrade() -> None:
    for table in ("payments", "refunds"):
        op.drop_index(f"ix_{table}_drawer_session_id", table)
        op.drop_column(table, "drawer_session_id")
    op.drop_column("orders", "entered_at")
    op.drop_column("refunds", "tender")
    op.drop_column("payments", "tender")
    op.drop_table("tenders")
