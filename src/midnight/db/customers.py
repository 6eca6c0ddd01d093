"""Customers and how to reach them (addresses encrypted; a masked form for display)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, extract, insert, or_, select, tuple_

from midnight.db import paging
from midnight.db import tables as t
from midnight.domain.customer import UnknownCustomer
from midnight.domain.errors import InvalidInput, NotFound
from midnight.domain.text import fold


@dataclass(frozen=True)
class CustomerInfo:
    id: int
    name: str
    nickname: str | None
    phone: str | None
    birthday: dt.date | None
    birthday_greeting: bool
    language: str
    notes: str
    contacts: list[str]  # masked: credentials never leave the server


@dataclass(frozen=True)
class Recipient:
    """Who a message goes to: the sealed addresses are opened only by the service that sends."""

    id: int
    name: str
    language: str
    sealed_urls: list[str]
    displays: list[str]


def insert_customer(conn: Connection, values: dict[str, Any], contacts: list[tuple[str, str]]) -> int:
    """`contacts` are (sealed url, display) pairs."""
    customer_id = int(
        conn.execute(
            insert(t.customers).values(
                **values,
                name_key=fold(str(values["name"])),
                nickname_key=fold(str(values["nickname"])) if values.get("nickname") else None,
            )
        ).inserted_primary_key.id  # type: ignore[union-attr]
    )
    if contacts:
        conn.execute(
            insert(t.customer_contacts),
            [{"customer_id": customer_id, "url": url, "display": display} for url, display in contacts],
        )
    return customer_id


def _contacts(conn: Connection, ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    c = t.customer_contacts.c
    for customer_id, url, display in conn.execute(
        select(c.customer_id, c.url, c.display).where(c.customer_id.in_(ids)).order_by(c.id)
    ):
        found[customer_id].append((url, display))
    return found


def infos(conn: Connection, ids: list[int]) -> list[CustomerInfo]:
    if not ids:
        return []
    rows = {r.id: r for r in conn.execute(select(t.customers).where(t.customers.c.id.in_(ids)))}
    contacts = _contacts(conn, ids)
    return [
        CustomerInfo(
            r.id,
            r.name,
            r.nickname,
            r.phone,
            r.birthday,
            r.birthday_greeting,
            r.language,
            r.notes,
            [display for _, display in contacts[r.id]],
        )
        for r in (rows[i] for i in ids)
    ]


def info(conn: Connection, customer_id: int) -> CustomerInfo:
    found = infos(conn, [customer_id])
    if not found:
        raise NotFound(f"no customer {customer_id}", field="customer")
    return found[0]


def recipients(conn: Connection, ids: list[int]) -> dict[int, Recipient]:
    if not ids:
        return {}
    rows = conn.execute(
        select(t.customers.c.id, t.customers.c.name, t.customers.c.language).where(t.customers.c.id.in_(ids))
    ).all()
    contacts = _contacts(conn, ids)
    return {
        r.id: Recipient(
            r.id, r.name, r.language, [url for url, _ in contacts[r.id]], [d for _, d in contacts[r.id]]
        )
        for r in rows
    }


def find_id(conn: Connection, ref: str) -> int:
    """A customer by #number, or by name or nickname (compared folded, and then unambiguous)."""
    text = ref.strip()
    if text.startswith("#"):
        number = text[1:].strip()
        if not number.isdigit() or not number.isascii():
            raise InvalidInput(f"customer number must look like #12, got {text!r}", field="customer")
        return _existing(conn, int(number))
    key = fold(text)
    c = t.customers.c
    ids = list(
        conn.execute(select(c.id).where(or_(c.name_key == key, c.nickname_key == key)).limit(11)).scalars()
    )
    numbered = _numbered(conn, text)
    if numbered is not None and ids and numbered not in ids:
        # "1" is customer #1's number and someone else's name or nickname: never guess whose item it is.
        raise InvalidInput(
            f"{text!r} is customer #{numbered}'s number and also another customer's name or nickname: "
            f"say #{numbered}, or give the name",
            field="customer",
        )
    if len(ids) == 1:
        return int(ids[0])
    if not ids and numbered is not None:
        return numbered
    if not ids:
        raise UnknownCustomer(text)
    many = f"{len(ids)}" if len(ids) <= 10 else "more than 10"
    raise InvalidInput(f"{many} customers are called {text!r}: use their number (#id)", field="customer")


def _numbered(conn: Connection, text: str) -> int | None:
    """The customer whose number this is, if it is a number and there is one."""
    if not (text.isdigit() and text.isascii()) or not 1 <= int(text) <= 2**53 - 1:
        return None
    found = conn.execute(select(t.customers.c.id).where(t.customers.c.id == int(text))).scalar()
    return None if found is None else int(found)


def _existing(conn: Connection, customer_id: int) -> int:
    if not 1 <= customer_id <= 2**53 - 1:
        raise InvalidInput(f"no customer number {customer_id}", field="customer")
    found = conn.execute(select(t.customers.c.id).where(t.customers.c.id == customer_id)).scalar()
    if found is None:
        raise NotFound(f"no customer {customer_id}", field="customer")
    return int(found)


def find_by_name(conn: Connection, name: str) -> int | None:
    """The one customer with this name or nickname, if exactly one (a new customer's name checked again)."""
    key = fold(name.strip())
    c = t.customers.c
    ids = list(
        conn.execute(select(c.id).where(or_(c.name_key == key, c.nickname_key == key)).limit(2)).scalars()
    )
    if len(ids) > 1:
        raise InvalidInput(
            f"more than one customer is called {name!r}: use their number (#id)", field="customer"
        )
    return int(ids[0]) if ids else None


def search(conn: Connection, query: str, *, cursor: str | None, limit: int) -> paging.Page[CustomerInfo]:
    """By any part of the name, nickname or phone (folded the Unicode way), by name, a page at a time."""
    c = t.customers.c
    pattern = "%" + fold(query.strip()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = (
        select(c.id, c.name_key)
        .where(
            or_(
                c.name_key.like(pattern, escape="\\"),
                c.nickname_key.like(pattern, escape="\\"),
                c.phone.like(pattern, escape="\\"),
            )
        )
        .order_by(c.name_key, c.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        after = paging.decode("customers", cursor, [str, int])
        stmt = stmt.where(tuple_(c.name_key, c.id) > tuple_(*after))
    rows = conn.execute(stmt).all()
    keys = {r.id: r.name_key for r in rows}
    found = infos(conn, [r.id for r in rows])
    return paging.page(found, limit, "customers", lambda info: [keys[info.id], info.id])


def birthday_ids(conn: Connection, month: int, day: int) -> list[int]:
    c = t.customers.c
    return list(
        conn.execute(
            select(c.id).where(
                c.birthday_greeting.is_(True),
                extract("month", c.birthday) == month,
                extract("day", c.birthday) == day,
            )
        ).scalars()
    )
