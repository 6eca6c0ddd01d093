"""Customers: who items are held for, how to reach them, and in which language."""

from __future__ import annotations

from sqlalchemy import Connection

from midnight.adapters.contacts import DEFAULT_SCHEMES, Contact, ContactPolicy, check_contact
from midnight.commands.counter import AddCustomer, CustomerQuery
from midnight.db import customers as customers_db
from midnight.db import stores as stores_db
from midnight.db.customers import CustomerInfo
from midnight.db.paging import Page
from midnight.domain.errors import InvalidInput
from midnight.domain.people import Permission
from midnight.services.context import Context

__all__ = ["CustomerInfo", "add_customer", "contact_policy", "get_customer", "search_customers"]


def contact_policy(conn: Connection, store_id: int) -> ContactPolicy:
    """What the owner allows staff to type as a contact address."""
    schemes, allow_private = stores_db.contact_policy(conn, store_id)
    chosen = frozenset(s for s in (schemes or "").split(",") if s) if schemes is not None else DEFAULT_SCHEMES
    return ContactPolicy(schemes=chosen, allow_private=allow_private)


def add_customer(ctx: Context, cmd: AddCustomer) -> CustomerInfo:
    """A new customer; each contact address must be of a kind the owner allows, on the public internet."""
    ctx.require(Permission.HOLD)
    if cmd.birthday is not None and cmd.birthday > ctx.today():
        raise InvalidInput(f"birthday {cmd.birthday} is in the future", field="birthday")
    with ctx.db.read() as conn:
        policy = contact_policy(conn, ctx.store.id)
    contacts: list[Contact] = []
    for n, url in enumerate(cmd.contacts, start=1):
        try:
            contact = check_contact(url, policy)
        except InvalidInput as exc:
            prefix = f"contact {n}: " if len(cmd.contacts) > 1 else ""
            raise InvalidInput(prefix + exc.message, field="contacts") from None
        for earlier, other in enumerate(contacts, start=1):
            if other.same_as == contact.same_as:
                raise InvalidInput(f"contact {n} is the same address as contact {earlier}", field="contacts")
        contacts.append(contact)
    sealed = [(ctx.adapters.box.seal(c.url), c.display) for c in contacts]
    values = _values(ctx, cmd)
    with ctx.db.write() as conn:
        customer_id = customers_db.insert_customer(conn, values, sealed)
        return customers_db.info(conn, customer_id)


def _values(ctx: Context, cmd: AddCustomer) -> dict[str, object]:
    return {
        "name": cmd.name,
        "nickname": cmd.nickname or None,
        "phone": cmd.phone,
        "birthday": cmd.birthday,
        "birthday_greeting": cmd.birthday_greeting,
        "language": cmd.language,
        "notes": cmd.notes,
        "created_at": ctx.now(),
    }


def new_customer_values(ctx: Context, name: str) -> dict[str, object]:
    """A customer known so far only by name (added at the counter while holding an item for them)."""
    return _values(ctx, AddCustomer(name=name))


def get_customer(ctx: Context, ref: str) -> CustomerInfo:
    """A customer by #number, name or nickname."""
    ctx.require(Permission.HOLD)
    with ctx.db.read() as conn:
        return customers_db.info(conn, customers_db.find_id(conn, ref))


def search_customers(ctx: Context, query: CustomerQuery) -> Page[CustomerInfo]:
    """By name, nickname or phone (any part of them), compared the Unicode way."""
    ctx.require(Permission.HOLD)
    with ctx.db.read() as conn:
        return customers_db.search(conn, query.q, cursor=query.cursor, limit=query.limit)
