"""The context every service runs in: a database, a clock, a person, a store, and the outside world."""

from __future__ import annotations

import atexit
import datetime as dt
import getpass
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from midnight.adapters.notifier import AppriseNotifier, Notifier
from midnight.adapters.secrets import SecretBox, SecretUnreadable, load_key
from midnight.adapters.templates import TemplateRenderer
from midnight.db import stores as stores_db
from midnight.db.engine import Database, make_engine, migrate
from midnight.domain.clock import Clock, SystemClock, today, zone
from midnight.domain.errors import InvalidInput
from midnight.domain.money import format_money
from midnight.domain.people import Actor, Permission, Role
from midnight.settings import Settings


@dataclass(frozen=True)
class Store:
    id: int
    name: str
    tz: ZoneInfo
    currency: str
    locale: str


@dataclass(frozen=True)
class Adapters:
    """The outside world, behind small interfaces: rendering owners' templates, sending, secrets."""

    renderer: TemplateRenderer
    notifier: Notifier
    box: SecretBox


_renderer: TemplateRenderer | None = None
_renderer_lock = threading.Lock()


def shared_renderer() -> TemplateRenderer:
    """One pool of template workers per process, started on first use."""
    global _renderer
    with _renderer_lock:
        if _renderer is None:
            _renderer = TemplateRenderer()
            atexit.register(_renderer.close)  # its workers end with the process, not after it
        return _renderer


class Context:
    """Handed to every service. `today()` reads the clock at each call, never at start-up.

    `actor` is the name recorded on everything this context writes; `who` also carries the role
    that the services check (a plain name means the local owner, as on the shop's own machine).
    """

    def __init__(
        self, db: Database, clock: Clock, actor: str | Actor, adapters: Adapters, *, local: bool = True
    ) -> None:
        self.db = db
        self.clock = clock
        self.who = actor if isinstance(actor, Actor) else Actor(actor, Role.OWNER)
        self.actor = self.who.name
        self.adapters = adapters
        # On the shop's own machine (the CLI beside the database), not through a session or token
        # that could have been copied.
        self.local = local
        # Set while entering a sale made earlier: the real time it is typed in (the clock is then).
        self.entered_at: dt.datetime | None = None

    def acting_as(self, who: Actor, *, local: bool = False) -> Context:
        """The same database, clock and store, for another person (one per web or API request)."""
        other = self.at(self.clock, who)
        other.local = local
        return other

    def at(self, clock: Clock, who: str | Actor) -> Context:
        """The same database and store on another clock (replaying history), for a person."""
        other = Context(self.db, clock, who, self.adapters)
        if "store" in self.__dict__:
            other.__dict__["store"] = self.store
        return other

    def require(self, permission: Permission) -> None:
        self.who.require(permission)

    @cached_property
    def store(self) -> Store:
        with self.db.read() as conn:
            row = stores_db.first_store(conn)
        if row is None:
            raise InvalidInput("this database has no store yet: run 'midnight init'", field="db")
        return Store(row.id, row.name, zone(row.timezone), row.currency, row.locale)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def today(self) -> dt.date:
        return today(self.clock, self.store.tz)

    def money(self, minor: int) -> str:
        """An amount as the store shows it: HK$12.50."""
        return format_money(minor, self.store.currency, self.store.locale)


def bootstrap(db: Database, settings: Settings) -> None:
    """Create the default store and its locations if the database has no store yet."""
    zone(settings.timezone)
    if len(settings.currency) != 3 or not settings.currency.isalpha():
        raise InvalidInput(f"currency must be a 3-letter code, got {settings.currency!r}", field="currency")
    with db.write() as conn:
        if stores_db.first_store(conn) is None:
            stores_db.insert_store(
                conn, settings.store_name, settings.timezone, settings.currency.upper(), settings.locale
            )


def key_file(settings: Settings, db: Database) -> Path | None:
    """Where the secrets key lives: as configured, else beside a SQLite file, else in the user's data."""
    if settings.secret_key_file:
        return Path(settings.secret_key_file)
    url = db.engine.url
    if db.is_sqlite:
        name = url.database or ""
        if not name or name == ":memory:" or name.startswith("file:"):
            return None  # a database that vanishes with the process: a key that does too
        return Path(f"{name}.key")
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "midnight"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return base / f"{url.host or 'local'}-{url.port or 5432}-{url.database}.key"


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
    path = key_file(settings, db)
    if path is not None and not path.exists():
        with db.read() as conn:
            sealed = stores_db.holds_sealed_data(conn)
        if sealed:  # a new key would read none of it, and seal what comes next apart from it
            db.dispose()
            raise SecretUnreadable(
                f"the secrets key file {path} is missing, and this database holds contact addresses and "
                "messages sealed with it: put back the key file it was used with (kept with its backups)"
            )
    box = SecretBox(load_key(path)) if path else SecretBox.ephemeral()
    adapters = Adapters(shared_renderer(), AppriseNotifier(), box)
    return Context(db, clock or SystemClock(), actor or settings.user or getpass.getuser(), adapters)
