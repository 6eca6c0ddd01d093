"""Sessions begun on a till: by a PIN, or on a browser set up as a till.

- api_tokens.by_pin: the session was begun by switching in with a PIN;
- api_tokens.device_id: the till device (till_devices.id) it was begun on, or that browser was set
  up as a till with it open. Such a session sells as any other, but minting or revoking API tokens,
  adding users, changing roles or passwords, and setting up or revoking till devices need the
  password again; revoking the device ends it.

Sessions begun by a PIN before this migration are known by their label ("PIN on Till 1").

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_tokens", sa.Column("by_pin", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("api_tokens", sa.Column("device_id", sa.Integer, nullable=True))
    op.create_index("ix_api_tokens_device_id", "api_tokens", ["device_id"])
    tokens = sa.table("api_tokens", sa.column("kind"), sa.column("label"), sa.column("by_pin"))
    op.execute(
        tokens.update()
        .where(tokens.c.kind == "session", tokens.c.label.like("PIN on %"))
        .values(by_pin=sa.true())
    )


def downgrade() -> None:
    op.drop_index("ix_api_tokens_device_id", "api_tokens")
    op.drop_column("api_tokens", "device_id")
    op.drop_column("api_tokens", "by_pin")
