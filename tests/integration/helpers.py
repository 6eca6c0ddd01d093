"""Small helpers for integration tests: products and direct reads of the ledger."""

from __future__ import annotations

from sqlalchemy import func, select

from midnight.commands.catalog import AddProduct
from midnight.db import tables as t
from midnight.services import catalog
from midnight.services.context import Context


def add_milk(ctx: Context) -> None:
    catalog.add_product(
        ctx,
        AddProduct(
            sku="MILK",
            name="Fresh milk 1 L",
            expiry_kind="use_by",
            shelf_life_days=7,
            opened_shelf_life_days=3,
        ),
    )


def add_pineapple(ctx: Context) -> None:
    catalog.add_product(
        ctx,
        AddProduct(
            sku="PINE",
            name="Tinned pineapple 罐頭菠蘿",
            barcode="4006381333931",
            expiry_kind="best_before",
            shelf_life_days=365,
        ),
    )


def movement_count(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.movements)).scalar_one())


def on_hand(ctx: Context, lot_id: int) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(t.lots.c.on_hand).where(t.lots.c.id == lot_id)).scalar_one())


def ledger_matches_lots(ctx: Context) -> bool:
    """Every lot's cached on-hand equals the sum of its movements."""
    with ctx.db.read() as conn:
        sums = dict(
            conn.execute(
                select(t.movements.c.lot_id, func.sum(t.movements.c.quantity)).group_by(t.movements.c.lot_id)
            ).all()
        )
        lots = dict(conn.execute(select(t.lots.c.id, t.lots.c.on_hand)).all())
    return all(sums.get(lot_id, 0) == qty for lot_id, qty in lots.items())
