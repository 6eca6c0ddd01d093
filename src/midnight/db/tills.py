"""Tills: the named places orders are rung (a tablet, a counter PC), with their printer settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from midnight.db import tables as t
from midnight.db.types import AnyRow

c = t.tills.c


@dataclass(frozen=True)
class TillInfo:
    id: int
    name: str
    receipt_printer: str | None
    drawer_pin: int | None
    auto_print: bool
    active: bool


_TILLS = select(
    c.id, c.name, c.drawer_pin, c.auto_print, c.active, t.printers.c.name.label("printer")
).outerjoin(t.printers, t.printers.c.id == c.receipt_printer_id)


def _info(row: AnyRow) -> TillInfo:
    return TillInfo(row.id, row.name, row.printer, row.drawer_pin, bool(row.auto_print), bool(row.active))


def tills(conn: Connection, store_id: int) -> list[TillInfo]:
    """A store's tills by name (a handful)."""
    return [_info(r) for r in conn.execute(_TILLS.where(c.store_id == store_id).order_by(c.name_key))]


def till_by_key(conn: Connection, store_id: int, key: str) -> TillInfo | None:
    row = conn.execute(_TILLS.where(c.store_id == store_id, c.name_key == key)).first()
    return None if row is None else _info(row)


def till_row(conn: Connection, till_id: int) -> AnyRow | None:
    return conn.execute(select(t.tills).where(c.id == till_id)).first()


def insert_till(conn: Connection, store_id: int, name: str, key: str, now: dt.datetime) -> int:
    result = conn.execute(
        insert(t.tills).values(
            store_id=store_id, name=name, name_key=key, auto_print=False, active=True, created_at=now
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def update_till(conn: Connection, till_id: int, values: dict[str, object]) -> None:
    """The till's receipt printer, drawer pin and auto-print, as given."""
    if values:
        conn.execute(update(t.tills).where(c.id == till_id).values(**values))
