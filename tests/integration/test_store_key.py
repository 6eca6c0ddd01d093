"""Every table that grows carries its store, leading its keys, and refers only within its store.

So the chain can be distributed by store (docs/scaling.md): on a distributed PostgreSQL each such
table is split by store_id, which its primary key and every unique key must include, and a row's
references must lead to rows on the same node. Checked on the migrated databases themselves.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from midnight.commands.catalog import AddProduct
from midnight.commands.stock import ReceiveLot
from midnight.db import tables as t
from midnight.db.tables import STORE_KEYED, metadata
from midnight.services import catalog, stock
from midnight.services.context import Context

# What grows with trade, as named in the design: these at least must be distributed by store.
GROWING = {
    "lots",
    "movements",
    "orders",
    "order_lines",
    "payments",
    "refunds",
    "holds",
    "hold_events",
    "outbox",
}


def test_what_grows_is_store_keyed_and_what_refers_to_it_is_too() -> None:
    assert set(STORE_KEYED) >= GROWING
    for table in metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name in STORE_KEYED:
                # a reference to a distributed row lives on the same node: its table is distributed too
                assert table.name in STORE_KEYED, (
                    f"{table.name}.{fk.parent.name} refers to {fk.column.table.name}"
                )


@pytest.mark.parametrize("table", STORE_KEYED)
def test_the_store_leads_every_key_of(ctx: Context, table: str) -> None:
    inspector = inspect(ctx.db.engine)
    primary = inspector.get_pk_constraint(table)["constrained_columns"]
    uniques = [u["column_names"] for u in inspector.get_unique_constraints(table)]
    uniques += [i["column_names"] for i in inspector.get_indexes(table) if i["unique"]]
    if ctx.db.is_sqlite:
        assert primary == ["id"]  # the rowid; (store_id, id) beside it
        assert ["store_id", "id"] in uniques
    else:
        assert primary == ["store_id", "id"]
    for columns in uniques:
        assert columns[0] == "store_id", f"{table}: unique key {columns} does not lead with the store"
    columns = {c["name"]: c for c in inspector.get_columns(table)}
    assert columns["store_id"]["nullable"] is False
    for fk in inspector.get_foreign_keys(table):
        if fk["referred_table"] in STORE_KEYED:
            assert fk["constrained_columns"][0] == "store_id" and len(fk["constrained_columns"]) == 2, (
                table,
                fk,
            )
            assert fk["referred_columns"] == ["store_id", "id"], (table, fk)


def test_a_row_cannot_refer_to_another_stores_row(ctx: Context) -> None:
    """The composite keys hold: a movement of store 2 drawing on a lot of store 1 is refused."""
    catalog.add_product(
        ctx, AddProduct(sku="PINE", name="Tinned pineapple", expiry_kind="best_before", shelf_life_days=365)
    )
    lot = stock.receive(ctx, ReceiveLot(sku="PINE", quantity=5, cost="9.00")).lot
    with ctx.db.write() as conn:
        other = conn.execute(
            insert(t.stores).values(
                name="Chungking", timezone="Asia/Hong_Kong", currency="HKD", locale="en_HK"
            )
        ).inserted_primary_key.id  # type: ignore[union-attr]
    with ctx.db.read() as conn:
        product = conn.execute(select(t.lots.c.product_id).where(t.lots.c.id == lot.id)).scalar_one()
    with pytest.raises(IntegrityError), ctx.db.write() as conn:
        conn.execute(
            insert(t.movements).values(
                store_id=other,
                at=ctx.now(),
                recorded_at=ctx.now(),
                kind="sell",
                lot_id=lot.id,
                product_id=product,
                quantity=-1000,
                unit_cost=900,
                reason="",
                reference="",
                actor="x",
            )
        )
