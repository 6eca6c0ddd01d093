"""The till finds menu items by name: menu items' Unicode-folded name key.

"ham", "HAM", "ｈａｍ" and "火腿" are found in the query (a LIKE on the folded key), on SQLite too,
where lower() only knows ASCII.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _fold(text: str) -> str:
    """Frozen copy of domain.text.fold as it was when this migration was written."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def upgrade() -> None:
    op.add_column("menu_items", sa.Column("name_key", sa.String(200), nullable=False, server_default=""))
    conn = op.get_bind()
    items = sa.table("menu_items", sa.column("id"), sa.column("name"), sa.column("name_key"))
    for row in conn.execute(sa.select(items.c.id, items.c.name)).all():
        conn.execute(items.update().where(items.c.id == row.id).values(name_key=_fold(row.name)))


def downgrade() -> None:
    op.drop_column("menu_items", "name_key")
