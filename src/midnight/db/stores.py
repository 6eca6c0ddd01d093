"""Stores (shops) and their settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, literal, select, update

from midnight.db import tables as t

DEFAULT_LOCATIONS = (
    ("shelf", "shelf"),
    ("fridge", "fridge"),
    ("freezer", "freezer"),
    ("store room", "store_room"),
)


@dataclass(frozen=True)
class StoreRow:
    id: int
    name: str
    timezone: str
    currency: str
    locale: str


def first_store(conn: Connection) -> StoreRow | None:
    row = conn.execute(select(t.stores).order_by(t.stores.c.id).limit(1)).first()
    return None if row is None else StoreRow(row.id, row.name, row.timezone, row.currency, row.locale)


def insert_store(conn: Connection, name: str, timezone: str, currency: str, locale: str) -> int:
    store_id = int(
        conn.execute(
            insert(t.stores).values(name=name, timezone=timezone, currency=currency, locale=locale)
        ).inserted_primary_key.id  # type: ignore[union-attr]
    )
    conn.execute(
        insert(t.locations),
        [{"store_id": store_id, "name": name, "kind": kind} for name, kind in DEFAULT_LOCATIONS],
    )
    return store_id


def holds_sealed_data(conn: Connection) -> bool:
    """Whether anything is stored sealed with the secrets key (addresses, messages, pickup codes)."""
    for table, where in (
        (t.customer_contacts, None),
        (t.notify_targets, None),
        (t.outbox, None),
        (t.supplier_contacts, None),
        (t.holds, t.holds.c.code_lookup.is_not(None)),
    ):
        query = select(literal(1)).select_from(table).limit(1)
        if conn.execute(query if where is None else query.where(where)).first() is not None:
            return True
    return False


def contact_policy(conn: Connection, store_id: int) -> tuple[str | None, bool]:
    """(schemes staff may type, comma-separated, or None for the default; private addresses allowed)."""
    row = conn.execute(
        select(t.stores.c.contact_schemes, t.stores.c.allow_private_addresses).where(
            t.stores.c.id == store_id
        )
    ).one()
    return row.contact_schemes, bool(row.allow_private_addresses)


def set_contact_policy(conn: Connection, store_id: int, schemes: str | None, allow_private: bool) -> None:
    conn.execute(
        update(t.stores)
        .where(t.stores.c.id == store_id)
        .values(contact_schemes=schemes, allow_private_addresses=allow_private)
    )


def digest_time(conn: Connection, store_id: int) -> str:
    return str(conn.execute(select(t.stores.c.digest_time).where(t.stores.c.id == store_id)).scalar_one())


def set_digest_time(conn: Connection, store_id: int, hhmm: str) -> None:
    conn.execute(update(t.stores).where(t.stores.c.id == store_id).values(digest_time=hhmm))


def offline_card_limit(conn: Connection, store_id: int) -> int | None:
    """How much one order may take by card while the till is offline (None: card refused offline)."""
    value = conn.execute(select(t.stores.c.offline_card_limit).where(t.stores.c.id == store_id)).scalar_one()
    return None if value is None else int(value)


def set_offline_card_limit(conn: Connection, store_id: int, limit: int | None) -> None:
    conn.execute(update(t.stores).where(t.stores.c.id == store_id).values(offline_card_limit=limit))
