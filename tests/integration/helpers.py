"""Small helpers for integration tests: products and direct reads of the ledger."""

from __future__ import annotations

from sqlalchemy import func, select

from midnight.services import catalog
from midnight.services.shop import Shop
from midnight.store import tables as t


def add_milk(shop: Shop) -> None:
    catalog.add_product(
        shop, "MILK", "Fresh milk 1 L", expiry_kind="use_by", shelf_life_days=7, opened_shelf_life_days=3
    )


def add_pineapple(shop: Shop) -> None:
    catalog.add_product(
        shop,
        "PINE",
        "Tinned pineapple 罐頭菠蘿",
        barcode="4006381333931",
        expiry_kind="best_before",
        shelf_life_days=365,
    )


def movement_count(shop: Shop) -> int:
    with shop.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.movements)).scalar_one())


def on_hand(shop: Shop, lot_id: int) -> int:
    with shop.db.read() as conn:
        return int(conn.execute(select(t.lots.c.on_hand).where(t.lots.c.id == lot_id)).scalar_one())


def ledger_matches_lots(shop: Shop) -> bool:
    """Every lot's cached on-hand equals the sum of its movements."""
    with shop.db.read() as conn:
        sums = dict(
            conn.execute(
                select(t.movements.c.lot_id, func.sum(t.movements.c.quantity)).group_by(t.movements.c.lot_id)
            ).all()
        )
        lots = dict(conn.execute(select(t.lots.c.id, t.lots.c.on_hand)).all())
    return all(sums.get(lot_id, 0) == qty for lot_id, qty in lots.items())
