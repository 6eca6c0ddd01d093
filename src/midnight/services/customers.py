"""Customers: who items are held for, how to reach them, and in which language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, or_, select

from midnight.db import tables as t
from midnight.domain.clock import parse_date
from midnight.domain.errors import InvalidInput, NotFound, parse_id
from midnight.domain.people import Permission
from midnight.domain.product import check_name
from midnight.notify.outbox import check_url
from midnight.notify.templates import check_language
from midnight.services.context import Context

_PHONE = re.compile(r"^\+?[0-9 ()-]{3,31}$")


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
    contacts: list[str]


def add_customer(
    ctx: Context,
    name: str,
    *,
    nickname: str | None = None,
    phone: str | None = None,
    contacts: list[str] | None = None,
    birthday: dt.date | str | None = None,
    birthday_greeting: bool = False,
    language: str = "en",
    notes: str = "",
) -> CustomerInfo:
    ctx.require(Permission.HOLD)
    who = check_name(name)
    nick = (nickname or "").strip() or None
    if nick is not None and len(nick) > 64:
        raise InvalidInput("nickname must be at most 64 characters", field="nickname")
    tel = (phone or "").strip() or None
    if tel is not None and not _PHONE.match(tel):
        raise InvalidInput(f"phone {tel!r} is not a phone number", field="phone")
    urls = [check_url(url) for url in contacts or []]
    born = (
        birthday
        if isinstance(birthday, dt.date) or birthday is None
        else parse_date(birthday, field="birthday")
    )
    if birthday_greeting and born is None:
        raise InvalidInput("a birthday greeting needs a birthday", field="birthday")
    with ctx.db.write() as conn:
        customer_id = conn.execute(
            insert(t.customers).values(
                name=who,
                nickname=nick,
                phone=tel,
                birthday=born,
                birthday_greeting=birthday_greeting,
                language=check_language(language),
                notes=(notes or "").strip(),
                created_at=ctx.now(),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        if urls:
            conn.execute(insert(t.customer_contacts), [{"customer_id": customer_id, "url": u} for u in urls])
        return customer_info(conn, int(customer_id))


def customer_info(conn: Connection, customer_id: int) -> CustomerInfo:
    row = conn.execute(select(t.customers).where(t.customers.c.id == customer_id)).first()
    if row is None:
        raise NotFound(f"no customer {customer_id}", field="customer")
    urls = list(
        conn.execute(
            select(t.customer_contacts.c.url)
            .where(t.customer_contacts.c.customer_id == customer_id)
            .order_by(t.customer_contacts.c.id)
        ).scalars()
    )
    return CustomerInfo(
        row.id,
        row.name,
        row.nickname,
        row.phone,
        row.birthday,
        row.birthday_greeting,
        row.language,
        row.notes,
        urls,
    )


def find_customer(conn: Connection, who: str | int) -> CustomerInfo:
    """A customer by number, or by exact name or nickname (which must then be unambiguous)."""
    text = str(who).strip()
    if text.startswith("#"):
        return customer_info(conn, parse_id(text, "customer"))
    rows = (
        conn.execute(
            select(t.customers.c.id).where(
                or_(func.lower(t.customers.c.name) == text.lower(), t.customers.c.nickname == text)
            )
        )
        .scalars()
        .all()
    )
    if len(rows) == 1:
        return customer_info(conn, rows[0])
    if not rows and text.isdigit():
        return customer_info(conn, parse_id(text, "customer"))
    if not rows:
        raise NotFound(f"unknown customer {text!r}", field="customer")
    raise InvalidInput(f"{len(rows)} customers are called {text!r}: use their number (#id)", field="customer")


def get_customer(ctx: Context, who: str | int) -> CustomerInfo:
    ctx.require(Permission.HOLD)
    with ctx.db.read() as conn:
        return find_customer(conn, who)


def search_customers(ctx: Context, query: str = "", *, limit: int = 50) -> list[CustomerInfo]:
    """By name, nickname or phone (any part of them)."""
    ctx.require(Permission.HOLD)
    pattern = f"%{query.strip().lower()}%"
    c = t.customers.c
    with ctx.db.read() as conn:
        ids = (
            conn.execute(
                select(c.id)
                .where(
                    or_(
                        func.lower(c.name).like(pattern),
                        func.lower(c.nickname).like(pattern),
                        c.phone.like(pattern),
                    )
                )
                .order_by(c.name)
                .limit(limit)
            )
            .scalars()
            .all()
        )
        return [customer_info(conn, i) for i in ids]
