"""A purchase order made under an idempotency key remembers what was asked for under it.

- purchase_orders.request_hash: a fingerprint of the request (new order, or suggestions accepted)
  its key came with. The same key with the same request answers the order made; with another
  request it is refused (409), never answered with an order for something else.

Orders made before this migration have none: their key answers as it did.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("purchase_orders", sa.Column("request_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_column("request_hash")
