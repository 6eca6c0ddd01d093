"""Backing up, restoring, and exporting a store's records for an accountant.

A backup is read from one snapshot while the shop goes on selling (nothing here takes the write
lock). A restore goes only into an empty database, then upgrades it in place to this version's
schema. An export writes CSV files of one store's period from one snapshot, a batch of rows at a
time, each file written beside its name and renamed when whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from midnight.adapters.secrets import SecretUnreadable, load_key
from midnight.commands.till import Period
from midnight.db import backup as backup_db
from midnight.db import export as export_db
from midnight.db.engine import Database, current_revision, make_engine, migrate, revisions
from midnight.domain import money, quantity
from midnight.domain.errors import InvalidInput
from midnight.domain.people import Permission
from midnight.domain.text import spreadsheet_cell
from midnight.services.context import Context, key_file
from midnight.settings import Settings

# progress(what, done, total): what is being copied or written, and how far it has got
Progress = Callable[[str, int, int], None]


def _quiet(_what: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class BackedUp:
    path: Path
    kind: str
    size: int
    key_file: Path | None  # the secrets key, kept apart: the backup does not hold it


@dataclass(frozen=True)
class Restored:
    kind: str
    made_at_revision: str | None
    revision: str | None
    key_file: Path | None  # where the server reads the secrets key for this database
    key_copied: bool  # the key kept with the backup was put there


def back_up(ctx: Context, path: Path, key_file: Path | None, progress: Progress = _quiet) -> BackedUp:
    ctx.require(Permission.BACKUP)
    if ctx.db.is_sqlite:
        size = backup_db.back_up_sqlite(
            ctx.db.engine, path, lambda done, total: progress("pages", done, total)
        )
        return BackedUp(path, "sqlite", size, key_file)
    size = backup_db.back_up_postgres(ctx.db.engine, path, lambda done, total: progress("dump", done, total))
    return BackedUp(path, "postgresql", size, key_file)


def _read_key(key: Path) -> bytes:
    if not key.is_file():  # (load_key would make a new one)
        raise InvalidInput(f"{key} is not a key file", field="key")
    try:
        return load_key(key)
    except SecretUnreadable as exc:
        raise InvalidInput(str(exc), field="key") from None


def _place_key(key: Path, target: Path | None) -> None:
    """Put the key kept with a backup where the server will read it (never over another key)."""
    if target is None:
        raise InvalidInput("this database keeps no key file (it lives in memory)", field="key")
    wanted = _read_key(key)
    if target.exists():
        if load_key(target) != wanted:
            raise InvalidInput(f"{target} already holds another key: move it away first", field="key")
        return
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = target.with_name(f".{target.name}.restoring")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.read_bytes())
        out.flush()
        os.fsync(out.fileno())
    os.replace(draft, target)


def _check_key_target(key: Path | None, target: Path | None) -> None:
    """Refused before anything is written: a key that can't go where the server reads it."""
    if key is None:
        return
    if target is None:
        raise InvalidInput("this database keeps no key file (it lives in memory)", field="key")
    if target.exists() and _read_key(target) != _read_key(key):
        raise InvalidInput(f"{target} already holds another key: move it away first", field="key")


def restore(
    settings: Settings, url: str, path: Path, key: Path | None = None, progress: Progress = _quiet
) -> Restored:
    """Restore a backup into the empty database at `url`, then upgrade it to this version's schema;
    with `key`, the secrets key kept with the backup is put where the server reads it.

    Everything that would refuse it is checked before anything is written; one restore at a time
    goes into a database; a SQLite file whose restore or upgrade failed is taken away again.
    Run on the shop's own machine (as the CLI is): an empty database has nobody in it to ask.
    """
    made = backup_db.read_backup(path)
    if key is not None:
        _read_key(key)  # a missing or damaged key is refused before anything is written
    engine = make_engine(url)
    kind = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    try:
        if made.kind != kind:
            raise InvalidInput(
                f"{path} is a {made.kind} backup: restore it into a {made.kind} database, not {kind}",
                field="file",
            )
        if made.revision is not None and made.revision not in revisions():
            raise InvalidInput(
                f"{path} was made by a newer Midnight Express (schema {made.revision}): upgrade this one first",
                field="file",
            )
        target = key_file(settings, Database(engine))
        _check_key_target(key, target)
        with backup_db.restoring(engine):
            if not backup_db.is_empty(engine):
                raise InvalidInput(
                    "the database to restore into is not empty: restore into a new, empty one "
                    "(a restore never mixes two shops or overwrites one)",
                    field="db",
                )
            try:
                if kind == "sqlite":
                    backup_db.restore_sqlite(path, engine, lambda done, total: progress("pages", done, total))
                else:
                    backup_db.restore_postgres(
                        path, engine, lambda done, total: progress("tables", done, total)
                    )
                was = current_revision(engine)
                if was not in revisions():
                    raise InvalidInput(
                        f"{path} has schema {was}, which this version does not know: nothing was restored",
                        field="file",
                    )
                migrate(engine)
            except BaseException:
                if kind == "sqlite":
                    backup_db.remove_sqlite(engine)
                raise
        if key is not None:
            _place_key(key, target)
        return Restored(kind, was, current_revision(engine), target, key is not None)
    finally:
        engine.dispose()


# --- export --------------------------------------------------------------------------------------

EXPORTS = ("ledger", "waste", "orders", "order_lines", "payments", "refunds", "holds")

# Columns whose values are money (minor units) or quantities (thousandths): written as decimals.
MONEY = {"unit_cost", "gross", "markdowns", "line_discounts", "order_discount", "total", "unit_price"}
MONEY |= {"markdown", "discount", "net", "applied", "tendered", "change", "amount"}
QUANTITY = {"quantity"}


@dataclass(frozen=True)
class Exported:
    directory: Path
    files: dict[str, int]  # file name -> rows written
    first: dt.date
    last: dt.date
    store: str


def _instant(value: dt.datetime, ctx: Context) -> str:
    return value.astimezone(ctx.store.tz).isoformat(timespec="seconds")


def _cells(row: dict[str, object], ctx: Context) -> Iterator[object]:
    currency = ctx.store.currency
    for name, value in row.items():
        if value is None:
            yield ""
        elif name in MONEY and isinstance(value, int):
            yield money.to_decimal(value, currency)
        elif name in QUANTITY and isinstance(value, int):
            yield quantity.to_decimal(value)
        elif isinstance(value, dt.datetime):
            yield _instant(value, ctx)
        elif isinstance(value, dt.date):
            yield value.isoformat()
        else:
            yield spreadsheet_cell(value)


# What an accountant wants beside each row: what a movement is worth, and in which currency.
EXTRAS = {
    "ledger": ("value", "currency"),
    "waste": ("value", "currency"),
    "orders": ("currency",),
    "payments": ("currency",),
    "refunds": ("currency",),
}


def _extra(name: str, row: dict[str, object], ctx: Context) -> list[object]:
    currency = ctx.store.currency
    if "value" in EXTRAS.get(name, ()):
        milli, cost = row["quantity"], row["unit_cost"]
        assert isinstance(milli, int) and isinstance(cost, int)
        return [money.to_decimal(money.cost_of(cost, milli), currency), currency]
    return [currency] if name in EXTRAS else []


def _refuse_existing(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"{directory} is a file, not a folder", field="directory")
    taken = [f"{name}.csv" for name in EXPORTS if (directory / f"{name}.csv").exists()]
    if taken:
        raise InvalidInput(
            f"{directory} already holds {', '.join(taken)}: export into a new folder (an export never overwrites)",
            field="directory",
        )


def _rows(
    ctx: Context, conn: Connection, name: str, query: export_db.Query, period: Period
) -> Iterator[dict[str, object]]:
    """A file's rows; the ledger's cut to the period's business days, each with the day it counts on."""
    if name != "ledger":
        yield from export_db.rows(conn, query)
        return
    for row in export_db.rows(conn, query):
        at = row["at"]
        assert isinstance(at, dt.datetime)
        day = row["business_date"] or at.astimezone(ctx.store.tz).date()
        assert isinstance(day, dt.date)
        if period.start <= day <= period.end:
            yield {**row, "business_date": day}


def _write(
    ctx: Context,
    conn: Connection,
    path: Path,
    name: str,
    query: export_db.Query,
    period: Period,
    total: int,
    progress: Progress,
) -> int:
    done = 0
    progress(name, 0, total)
    with path.open("w", newline="", encoding="utf-8-sig") as f:  # the BOM: Excel reads UTF-8
        writer = csv.writer(f)
        writer.writerow([*(c.name for c in query.selected_columns), *EXTRAS.get(name, ())])
        for row in _rows(ctx, conn, name, query, period):
            writer.writerow([*_cells(row, ctx), *_extra(name, row, ctx)])
            done += 1
            if done % export_db.BATCH == 0:
                progress(name, done, max(total, done))
    progress(name, done, max(total, done))
    return done


def export(ctx: Context, directory: Path, period: Period, progress: Progress = _quiet) -> Exported:
    """The store's ledger, waste, orders and their lines, payments, refunds and holds of the period's
    business days, one CSV file each, from one snapshot: the files agree with each other. They are
    written into a folder of their own beside the others and moved into place only when all are
    whole, so a full disk or a crash never leaves an export that looks finished."""
    ctx.require(Permission.BACKUP)
    _refuse_existing(directory)
    tz = ctx.store.tz
    start = dt.datetime.combine(period.start, dt.time(), tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tz)
    queries = export_db.queries(ctx.store.id, period.start, period.end, start, end)
    written: dict[str, int] = {}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=directory))
    except OSError as exc:
        raise InvalidInput(f"cannot make the folder {directory}: {exc.strerror}", field="directory") from None
    try:
        with ctx.db.read() as conn:
            totals = {name: export_db.count(conn, query) for name, query in queries.items()}
            for name, query in queries.items():
                written[f"{name}.csv"] = _write(
                    ctx, conn, staging / f"{name}.csv", name, query, period, totals[name], progress
                )
        _refuse_existing(directory)  # another export finished into it meanwhile
        for file in written:
            os.replace(staging / file, directory / file)
    except OSError as exc:
        raise InvalidInput(
            f"the export could not be written in {directory}: {exc.strerror} (nothing was left half-written)",
            field="directory",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Exported(directory, written, period.start, period.end, ctx.store.name)
