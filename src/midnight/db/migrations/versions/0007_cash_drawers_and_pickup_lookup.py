"""Cash drawers and shifts; finding a held item by its code alone.

- drawer_sessions: a till's drawer from its float to its close, one open per till and per person
  (partial unique indexes); drawer_moves (pay-ins and pay-outs, with why) and drawer_counts (the
  closing count: expected, counted, over/short) are append-only;
- payments and refunds by (actor, at): the cash one session took and gave back, along an index;
- holds.code_lookup (the pickup code sealed with the server's key: deterministic, so the code finds
  its item without trying every hash) and holds.idempotency_key (a retried form holds once);
- pickup_attempts: look-ups by code, so wrong ones in a row stop a person's look-ups a while.

Items held before this revision have no code_lookup: they are handed over from their row, as before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APPEND_ONLY = ("pickup_attempts", "drawer_moves", "drawer_counts")
OPEN = sa.text("closed_at IS NULL")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index("ix_payments_actor_at", "payments", ["actor", "at"])
    op.create_index("ix_refunds_actor_at", "refunds", ["actor", "at"])

    op.add_column("holds", sa.Column("code_lookup", sa.String(100), nullable=True))
    op.add_column("holds", sa.Column("idempotency_key", sa.String(128), nullable=True))
    op.create_index("ix_holds_code_lookup", "holds", ["code_lookup"])
    op.create_index("ix_holds_idempotency_key", "holds", ["idempotency_key"], unique=True)

    op.create_table(
        "pickup_attempts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pickup_attempts"),
    )
    op.create_index("ix_pickup_attempts_actor_at", "pickup_attempts", ["actor", "at"])

    op.create_table(
        "drawer_sessions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("store_id", sa.Integer, nullable=False),
        sa.Column("till", sa.String(100), nullable=False),
        sa.Column("till_key", sa.String(100), nullable=False),
        sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("float_amount", sa.BigInteger, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_drawer_sessions"),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name="fk_drawer_sessions_store_id_stores"),
        sa.CheckConstraint("float_amount >= 0", name="ck_drawer_sessions_float_not_negative"),
    )
    op.create_index(
        "ix_drawer_sessions_open_till",
        "drawer_sessions",
        ["store_id", "till_key"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_drawer_sessions_open_person",
        "drawer_sessions",
        ["store_id", "opened_by"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index("ix_drawer_sessions_opened_by_id", "drawer_sessions", ["opened_by", "id"])
    op.create_index("ix_drawer_sessions_business_date", "drawer_sessions", ["business_date"])

    op.create_table(
        "drawer_moves",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("business_date", sa.Date, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_drawer_moves"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["drawer_sessions.id"], name="fk_drawer_moves_session_id_drawer_sessions"
        ),
        sa.CheckConstraint("kind IN ('in', 'out')", name="ck_drawer_moves_kind"),
        sa.CheckConstraint("amount > 0", name="ck_drawer_moves_amount_positive"),
    )
    op.create_index("ix_drawer_moves_session_id_id", "drawer_moves", ["session_id", "id"])
    op.create_index("ix_drawer_moves_business_date", "drawer_moves", ["business_date"])
    op.create_index("ix_drawer_moves_idempotency_key", "drawer_moves", ["idempotency_key"], unique=True)

    op.create_table(
        "drawer_counts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("float_amount", sa.BigInteger, nullable=False),
        sa.Column("cash_sales", sa.BigInteger, nullable=False),
        sa.Column("cash_refunds", sa.BigInteger, nullable=False),
        sa.Column("pay_ins", sa.BigInteger, nullable=False),
        sa.Column("pay_outs", sa.BigInteger, nullable=False),
        sa.Column("expected", sa.BigInteger, nullable=False),
        sa.Column("counted", sa.BigInteger, nullable=False),
        sa.Column("over_short", sa.BigInteger, nullable=False),
        sa.Column("denominations", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_drawer_counts"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["drawer_sessions.id"], name="fk_drawer_counts_session_id_drawer_sessions"
        ),
        sa.UniqueConstraint("session_id", name="uq_drawer_counts_session_id"),
        sa.CheckConstraint(
            "float_amount >= 0 AND cash_sales >= 0 AND cash_refunds >= 0 AND pay_ins >= 0 AND pay_outs >= 0 "
            "AND counted >= 0",
            name="ck_drawer_counts_amounts_not_negative",
        ),
        sa.CheckConstraint(
            "expected = float_amount + cash_sales - cash_refunds + pay_ins - pay_outs",
            name="ck_drawer_counts_expected_adds_up",
        ),
        sa.CheckConstraint("over_short = counted - expected", name="ck_drawer_counts_over_short_adds_up"),
    )

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


def downgrade() -> None:
    # Dropping a table drops its triggers on both databases.
    op.drop_table("drawer_counts")
    op.drop_index("ix_drawer_moves_idempotency_key", "drawer_moves")
    op.drop_index("ix_drawer_moves_business_date", "drawer_moves")
    op.drop_index("ix_drawer_moves_session_id_id", "drawer_moves")
    op.drop_table("drawer_moves")
    for index in (
        "ix_drawer_sessions_business_date",
        "ix_drawer_sessions_opened_by_id",
        "ix_drawer_sessions_open_person",
        "ix_drawer_sessions_open_till",
    ):
        op.drop_index(index, "drawer_sessions")
    op.drop_table("drawer_sessions")
    op.drop_index("ix_pickup_attempts_actor_at", "pickup_attempts")
    op.drop_table("pickup_attempts")
    op.drop_index("ix_holds_idempotency_key", "holds")
    op.drop_index("ix_holds_code_lookup", "holds")
    op.drop_column("holds", "idempotency_key")
    op.drop_column("holds", "code_lookup")
    op.drop_index("ix_refunds_actor_at", "refunds")
    op.drop_index("ix_payments_actor_at", "payments")
