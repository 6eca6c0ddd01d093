"""Every table that grows carries its store, leading its keys: the chain can be distributed by store.

- store_id on lots, movements, order lines, payments, refunds and their lines, expiry corrections,
  holds and their events, the outbox, order-line modifiers, kitchen ticket items and purchase
  receipts, filled from the row each belongs to (a lot from its location, a movement from its lot,
  a line from its order ...; holds and the outbox, which had no store, from the shop's store).
- (store_id, id) is the primary key on PostgreSQL (on SQLite id stays the rowid and (store_id, id) is
  a unique key); unique keys lead with store_id (an idempotency key is unique within its store);
  references between these tables are composite, (store_id, x_id) -> (store_id, id), so a row can
  only refer to a row of its own store.

docs/scaling.md explains what this is for.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# table -> (parent table, column) its store is read from; None: the shop's store; "own": has one.
STORE_FROM: dict[str, tuple[str, str] | str | None] = {
    "lots": ("locations", "location_id"),
    "movements": ("lots", "lot_id"),
    "orders": "own",
    "order_lines": ("orders", "order_id"),
    "payments": ("orders", "order_id"),
    "refunds": ("orders", "order_id"),
    "refund_lines": ("refunds", "refund_id"),
    "expiry_corrections": ("lots", "lot_id"),
    "holds": None,
    "hold_events": ("holds", "hold_id"),
    "outbox": None,
    "order_line_modifiers": ("order_lines", "order_line_id"),
    "kitchen_tickets": "own",
    "kitchen_ticket_items": ("kitchen_tickets", "ticket_id"),
    "print_jobs": "own",
    "offline_orders": "own",
    "purchase_receipts": ("lots", "lot_id"),  # a refusal has no lot: the shop's store
}

# (table, column, parent): references that become (store_id, column) -> parent (store_id, id)
SAME_STORE = [
    ("lots", "parent_lot_id", "lots"),
    ("movements", "lot_id", "lots"),
    ("movements", "pair_id", "movements"),
    ("movements", "reverses_id", "movements"),
    ("movements", "order_line_id", "order_lines"),
    ("movements", "refund_id", "refunds"),
    ("order_lines", "order_id", "orders"),
    ("payments", "order_id", "orders"),
    ("refunds", "order_id", "orders"),
    ("refund_lines", "refund_id", "refunds"),
    ("refund_lines", "order_line_id", "order_lines"),
    ("expiry_corrections", "lot_id", "lots"),
    ("hold_events", "hold_id", "holds"),
    ("order_line_modifiers", "order_line_id", "order_lines"),
    ("kitchen_tickets", "order_id", "orders"),
    ("kitchen_ticket_items", "ticket_id", "kitchen_tickets"),
    ("print_jobs", "order_id", "orders"),
    ("print_jobs", "ticket_id", "kitchen_tickets"),
    ("offline_orders", "order_id", "orders"),
    ("purchase_receipts", "lot_id", "lots"),
]

# unique keys that now lead with the store: table -> [columns before]
UNIQUES = {
    "orders": [["idempotency_key"]],
    "offline_orders": [["idempotency_key"]],
    "movements": [["reverses_id"]],
    "order_lines": [["order_id", "line_no"]],
    "outbox": [["event_key", "url"]],
    "order_line_modifiers": [["order_line_id", "position"]],
}
# Lookups by a parent's id alone that the old unique keys served, kept served by plain indexes.
LOOKUPS = {
    "ix_order_lines_order_id_line_no": ("order_lines", ["order_id", "line_no"]),
    "ix_order_line_modifiers_order_line_id_position": ("order_line_modifiers", ["order_line_id", "position"]),
    "ix_movements_reverses_id": ("movements", ["reverses_id"]),
    "ix_outbox_event_key": ("outbox", ["event_key"]),
}
UNIQUE_INDEXES = {
    "holds": ("ix_holds_idempotency_key", "ix_holds_store_id_idempotency_key", ["idempotency_key"])
}


def _store_of(table: str) -> str:
    source = STORE_FROM[table]
    shop = "(SELECT min(id) FROM stores)"
    if source is None:
        return shop
    assert isinstance(source, tuple)
    parent, column = source
    return f"coalesce((SELECT p.store_id FROM {parent} p WHERE p.id = {table}.{column}), {shop})"


def _uq(table: str, columns: list[str]) -> str:
    return f"uq_{table}_{'_'.join(columns)}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite()
    else:
        _postgres()
    for name, (table, columns) in LOOKUPS.items():
        op.create_index(name, table, columns)


# --- PostgreSQL: alter in place ------------------------------------------------------------------


def _postgres() -> None:
    conn = op.get_bind()
    inspector = sa.inspect(conn)
    for table, source in STORE_FROM.items():
        if source == "own":
            continue
        op.add_column(table, sa.Column("store_id", sa.Integer, nullable=True))
        # The append-only tables refuse updates by trigger: off for this one fill of a new column.
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        op.execute(f"UPDATE {table} SET store_id = {_store_of(table)}")
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        op.alter_column(table, "store_id", nullable=False)
        op.create_foreign_key(f"fk_{table}_store_id_stores", table, "stores", ["store_id"], ["id"])
    for table, column, parent in SAME_STORE:
        for fk in inspector.get_foreign_keys(table):
            if fk["constrained_columns"] == [column] and fk["referred_table"] == parent:
                op.drop_constraint(str(fk["name"]), table, type_="foreignkey")
    for table, keys in UNIQUES.items():
        for columns in keys:
            for unique in inspector.get_unique_constraints(table):
                if unique["column_names"] == columns:
                    op.drop_constraint(str(unique["name"]), table, type_="unique")
            op.create_unique_constraint(_uq(table, ["store_id", *columns]), table, ["store_id", *columns])
    for table, (old, new, columns) in UNIQUE_INDEXES.items():
        op.drop_index(old, table)
        op.create_index(new, table, ["store_id", *columns], unique=True)
    for table in STORE_FROM:
        primary = inspector.get_pk_constraint(table)
        op.drop_constraint(str(primary["name"]), table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["store_id", "id"])
        op.create_index(f"ix_{table}_id", table, ["id"])
    for table, column, parent in SAME_STORE:
        op.create_foreign_key(
            f"fk_{table}_{column}_{parent}", table, parent, ["store_id", column], ["store_id", "id"]
        )
    op.execute(
        "CREATE OR REPLACE FUNCTION midnight_apply_to_lot() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE lots SET on_hand = on_hand + NEW.quantity "
        "WHERE store_id = NEW.store_id AND id = NEW.lot_id; RETURN NULL; END $$"
    )


# --- SQLite: rebuild each table from its own DDL, changed item by item ----------------------------


def _items(body: str) -> list[str]:
    """A CREATE TABLE's column definitions and constraints (split at top-level commas)."""
    items, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(body):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            items.append(body[start:i].strip())
            start = i + 1
    items.append(body[start:].strip())
    return [item for item in items if item]


def _rebuilt(table: str, ddl: str) -> str:
    head, _, rest = ddl.partition("(")
    body = rest[: rest.rstrip().rfind(")")]
    references = {column: parent for t, column, parent in SAME_STORE if t == table}
    replaced_uniques = [", ".join(columns) for columns in UNIQUES.get(table, [])]
    kept: list[str] = []
    for item in _items(body):
        fk = re.match(r"(?:CONSTRAINT \w+ )?FOREIGN KEY ?\((\w+)\) REFERENCES \"?(\w+)\"? \(id\)$", item)
        if fk and references.get(fk.group(1)) == fk.group(2):
            continue
        unique = re.match(r"(?:CONSTRAINT \w+ )?UNIQUE \((.*)\)$", item)
        if unique and unique.group(1) in replaced_uniques:
            continue
        inline = re.match(r"(\w+) (.*?) REFERENCES \"?(\w+)\"? \(id\)$", item)
        if inline and references.get(inline.group(1)) == inline.group(3):
            item = f"{inline.group(1)} {inline.group(2)}"
        if re.match(r"(?:CONSTRAINT \w+ )?PRIMARY KEY \(id\)$", item):
            item = f"CONSTRAINT pk_{table} PRIMARY KEY (id)"
        kept.append(item)
    columns = [item for item in kept if not re.match(r"(CONSTRAINT|PRIMARY|UNIQUE|FOREIGN|CHECK)\b", item)]
    constraints = kept[len(columns) :]
    if not any(item.startswith("store_id ") for item in columns):
        columns.insert(0, "store_id INTEGER NOT NULL")
        constraints.append(
            f"CONSTRAINT fk_{table}_store_id_stores FOREIGN KEY(store_id) REFERENCES stores (id)"
        )
    constraints.append(f"CONSTRAINT uq_{table}_store_id_id UNIQUE (store_id, id)")
    for old in UNIQUES.get(table, []):
        constraints.append(f"CONSTRAINT {_uq(table, ['store_id', *old])} UNIQUE (store_id, {', '.join(old)})")
    for column, parent in references.items():
        constraints.append(
            f"CONSTRAINT fk_{table}_{column}_{parent} FOREIGN KEY(store_id, {column}) "
            f"REFERENCES {parent} (store_id, id)"
        )
    return f"{head.strip()} (\n\t" + ", \n\t".join(columns + constraints) + "\n)"


def _sqlite() -> None:
    conn = op.get_bind()
    # The new copy is renamed into place while triggers on other tables still name the old one:
    # the legacy rename leaves them as they are (they name the table, which is back at once).
    conn.exec_driver_sql("PRAGMA legacy_alter_table=ON")
    try:
        for table in STORE_FROM:
            ddl = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).scalar_one()
            others = conn.exec_driver_sql(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
                "AND sql IS NOT NULL",
                (table,),
            ).all()
            old_columns = [row[1] for row in conn.exec_driver_sql(f"PRAGMA table_info({table})")]
            new = _rebuilt(table, ddl).replace(ddl.partition("(")[0].strip(), f"CREATE TABLE _new_{table}", 1)
            conn.exec_driver_sql(new)
            listed = ", ".join(old_columns)
            if "store_id" in old_columns:
                conn.exec_driver_sql(f"INSERT INTO _new_{table} ({listed}) SELECT {listed} FROM {table}")
            else:
                conn.exec_driver_sql(
                    f"INSERT INTO _new_{table} (store_id, {listed}) SELECT {_store_of(table)}, {listed} FROM {table}"
                )
            conn.exec_driver_sql(f"DROP TABLE {table}")
            conn.exec_driver_sql(f"ALTER TABLE _new_{table} RENAME TO {table}")
            replaced = UNIQUE_INDEXES.get(table)
            for kind, name, sql in others:
                if replaced and kind == "index" and name == replaced[0]:
                    continue
                if name == "movements_apply_to_lot":  # the lot is found along its store's key
                    sql = sql.replace(
                        "WHERE id = NEW.lot_id", "WHERE store_id = NEW.store_id AND id = NEW.lot_id"
                    )
                conn.exec_driver_sql(sql)
            if replaced:
                _, new_index, columns = replaced
                conn.exec_driver_sql(
                    f"CREATE UNIQUE INDEX {new_index} ON {table} (store_id, {', '.join(columns)})"
                )
    finally:
        conn.exec_driver_sql("PRAGMA legacy_alter_table=OFF")


def downgrade() -> None:
    raise NotImplementedError("0014 is not undone: restore the backup made before upgrading")
