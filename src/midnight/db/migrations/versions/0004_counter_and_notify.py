"""The counter shelf and notifications: customers, held items and their history, the outbox.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from midnight.db.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stores", sa.Column("digest_time", sa.String(5), nullable=False, server_default="07:30"))
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("nickname", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("birthday", sa.Date, nullable=True),
        sa.Column("birthday_greeting", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
    )
    op.create_table(
        "customer_contacts",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("customer_id", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customer_contacts"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_customer_contacts_customer_id_customers"
        ),
    )
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("for_customer_id", sa.Integer, nullable=False),
        sa.Column("left_by_customer_id", sa.Integer, nullable=True),
        sa.Column("left_by", sa.String(200), nullable=False),
        sa.Column("shelf_slot", sa.String(32), nullable=False),
        sa.Column("photo_path", sa.String(500), nullable=True),
        sa.Column("hold_until", sa.Date, nullable=False),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("wrong_tries", sa.Integer, nullable=False),
        sa.Column("locked", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_holds"),
        sa.ForeignKeyConstraint(
            ["for_customer_id"], ["customers.id"], name="fk_holds_for_customer_id_customers"
        ),
        sa.ForeignKeyConstraint(
            ["left_by_customer_id"], ["customers.id"], name="fk_holds_left_by_customer_id_customers"
        ),
        sa.CheckConstraint(
            "state IN ('waiting', 'picked_up', 'returned', 'disposed')", name="ck_holds_state"
        ),
    )
    op.create_index("ix_holds_state_hold_until", "holds", ["state", "hold_until"])
    op.create_table(
        "hold_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("hold_id", sa.Integer, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hold_events"),
        sa.ForeignKeyConstraint(["hold_id"], ["holds.id"], name="fk_hold_events_hold_id_holds"),
    )
    op.create_index("ix_hold_events_hold_id", "hold_events", ["hold_id"])
    op.create_table(
        "notify_targets",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notify_targets"),
    )
    op.create_table(
        "message_templates",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_templates"),
        sa.UniqueConstraint("event", "language", name="uq_message_templates_event_language"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("claimed_at", UTCDateTime, nullable=True),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_key", "url", name="uq_outbox_event_key_url"),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'uncertain')", name="ck_outbox_state"
        ),
    )
    op.create_index("ix_outbox_state_next_attempt_at", "outbox", ["state", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "outbox",
        "message_templates",
        "notify_targets",
        "hold_events",
        "holds",
        "customer_contacts",
        "customers",
    ):
        op.drop_table(table)
    op.drop_column("stores", "digest_time")
