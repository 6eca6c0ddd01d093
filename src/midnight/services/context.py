"""The context every service runs in: a database, a clock, a person, a store."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from midnight.db import tables as t
from midnight.db.engine import Database, make_engine, migrate
from midnight.domain.clock import Clock, SystemClock, today, zone
from midnight.domain.errors import InvalidInput
from midnight.domain.people import Actor, Permission, Role
from midnight.settings import Settings

DEFAULT_LOCATIONS = (
    ("shelf", "shelf"),
    ("fridge", "fridge"),
    ("freezer", "freezer"),
    ("store room", "store_room"),
)


@dataclass(frozen=True)
class Store:
    id: int
    name: str
    tz: ZoneInfo
    currency: str
    locale: str


class Context:
    """Handed to every service. `today()` reads the clock at each call, never at start-up.

    `actor` is the name recorded on everything this shop writes; `who` also carries the role that
    the services check (a plain name means the local owner, as on the shop's own machine).
    """

    def __init__(self, db: Database, clock: Clock, actor: str | Actor) -> None:
        self.db = db
        self.clock = clock
        self.who = actor if isinstance(actor, Actor) else Actor(actor, Role.OWNER)
        self.actor = self.who.name

    def acting_as(self, who: Actor) -> Context:
        """The same shop, database and clock, for another person (one per web request)."""
        other = Context(self.db, self.clock, who)
        if "store" in self.__dict__:
            other.__dict__["store"] = self.store
        return other

    def require(self, permission: Permission) -> None:
        self.who.require(permission)

    @cached_property
    def store(self) -> Store:
        with self.db.read() as conn:
            row = conn.execute(select(t.stores).order_by(t.stores.c.id).limit(1)).one()
        return Store(row.id, row.name, zone(row.timezone), row.currency, row.locale)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        return today(self.clock, self.store.tz)


def bootstrap(db: Database, settings: Settings) -> None:
    """Create the default store and its locations if the database has no store yet."""
    zone(settings.timezone)
    if len(settings.currency) != 3 or not settings.currency.isalpha():
        raise InvalidInput(f"currency must be a 3-letter code, got {settings.currency!r}", field="currency")
    with db.write() as conn:
        if conn.execute(select(t.stores.c.id).limit(1)).first() is not None:
            return
        store_id = conn.execute(
            insert(t.stores).values(
                name=settings.store_name,
                timezone=settings.timezone,
                currency=settings.currency.upper(),
                locale=settings.locale,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(t.locations),
            [{"store_id": store_id, "name": name, "kind": kind} for name, kind in DEFAULT_LOCATIONS],
        )


def open_context(
    settings: Settings | None = None,
    *,
    url: str | None = None,
    clock: Clock | None = None,
    actor: str | Actor | None = None,
) -> Context:
    """Open (and if needed migrate and seed) the database and return a Context on it."""
    settings = settings or Settings()
    engine = make_engine(url or settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    migrate(engine)
    db = Database(engine)
    bootstrap(db, settings)
    return Context(db, clock or SystemClock(), actor or settings.user or getpass.getuser())
