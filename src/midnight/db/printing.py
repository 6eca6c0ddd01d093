"""Printers, tills' printer settings, and the queue of things to print."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.pricing import Method
from midnight.domain.printing import INTERRUPTED, TOO_LATE, JobKind, JobState, PrinterKind, TextMode

p, j = t.printers.c, t.print_jobs.c


@dataclass(frozen=True)
class PrinterInfo:
    id: int
    name: str
    kind: PrinterKind
    address: str
    paper_mm: int
    text_mode: TextMode
    active: bool


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: JobKind
    state: JobState
    printer: str
    order_id: int | None
    ticket_id: int | None
    open_drawer: bool
    till: str | None
    reason: str | None
    created_at: dt.datetime
    actor: str
    attempts: int
    claimed_at: dt.datetime | None
    done_at: dt.datetime | None
    error: str | None


@dataclass(frozen=True)
class Claimed:
    """A job the worker took, with the printer it goes to as it was set when taken."""

    job: JobInfo
    drawer_pin: int | None
    printer: PrinterInfo


def _printer(row: AnyRow) -> PrinterInfo:
    return PrinterInfo(
        row.id,
        row.name,
        PrinterKind(row.kind),
        row.address,
        row.paper_mm,
        TextMode(row.text_mode),
        bool(row.active),
    )


# --- printers -------------------------------------------------------------------------------------


def printers(conn: Connection, store_id: int, *, active_only: bool = False) -> list[PrinterInfo]:
    """A store's printers by name (a handful: the counter, the kitchen)."""
    query = select(t.printers).where(p.store_id == store_id).order_by(p.name_key).limit(200)
    if active_only:
        query = query.where(p.active.is_(True))
    return [_printer(row) for row in conn.execute(query)]


def printer_by_key(conn: Connection, store_id: int, key: str) -> PrinterInfo | None:
    row = conn.execute(select(t.printers).where(p.store_id == store_id, p.name_key == key)).first()
    return None if row is None else _printer(row)


def printer_by_id(conn: Connection, printer_id: int) -> PrinterInfo:
    row = conn.execute(select(t.printers).where(p.id == printer_id)).first()
    if row is None:
        raise NotFound(f"no printer {printer_id}", field="printer")
    return _printer(row)


def insert_printer(conn: Connection, values: dict[str, object]) -> int:
    result = conn.execute(insert(t.printers).values(**values))
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def update_printer(conn: Connection, printer_id: int, values: dict[str, object]) -> None:
    if values:
        conn.execute(update(t.printers).where(p.id == printer_id).values(**values))


def took_cash(conn: Connection, order_id: int) -> bool:
    """Whether any of the order's payments was cash (ix_payments_order_id)."""
    pay = t.payments.c
    query = select(pay.id).where(pay.order_id == order_id, pay.method == Method.CASH.value).limit(1)
    return conn.execute(query).first() is not None


# --- the queue ------------------------------------------------------------------------------------


def queue_job(
    conn: Connection,
    *,
    store_id: int,
    printer_id: int,
    kind: JobKind,
    at: dt.datetime,
    actor: str,
    order_id: int | None = None,
    ticket_id: int | None = None,
    open_drawer: bool = False,
    drawer_pin: int | None = None,
    till: str | None = None,
    reason: str | None = None,
) -> int:
    """Something to print, done by the worker after the transaction that queued it commits."""
    result = conn.execute(
        insert(t.print_jobs).values(
            store_id=store_id,
            printer_id=printer_id,
            kind=kind.value,
            order_id=order_id,
            ticket_id=ticket_id,
            open_drawer=open_drawer and drawer_pin is not None,
            drawer_pin=drawer_pin if open_drawer else None,
            till=till,
            reason=reason,
            state=JobState.PENDING.value,
            attempts=0,
            created_at=at,
            actor=actor,
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


_JOBS = select(t.print_jobs, p.name.label("printer_name")).join(t.printers, p.id == j.printer_id)


def _job(row: AnyRow) -> JobInfo:
    return JobInfo(
        row.id,
        JobKind(row.kind),
        JobState(row.state),
        row.printer_name,
        row.order_id,
        row.ticket_id,
        bool(row.open_drawer),
        row.till,
        row.reason,
        row.created_at,
        row.actor,
        row.attempts,
        row.claimed_at,
        row.done_at,
        row.error,
    )


def job(conn: Connection, store_id: int, job_id: int) -> JobInfo:
    row = conn.execute(_JOBS.where(j.id == job_id, j.store_id == store_id)).first()
    if row is None:
        raise NotFound(f"no print job {job_id}", field="job")
    return _job(row)


def jobs(
    conn: Connection,
    store_id: int,
    *,
    state: JobState | None,
    order_id: int | None,
    cursor: str | None,
    limit: int,
) -> paging.Page[JobInfo]:
    """A store's print jobs, newest first (ix_print_jobs_store_id_id; an order's by ix_print_jobs_order_id)."""
    query = _JOBS.where(j.store_id == store_id).order_by(j.id.desc()).limit(limit + 1)
    if state is not None:
        query = query.where(j.state == state.value)
    if order_id is not None:
        query = query.where(j.order_id == order_id)
    if cursor is not None:
        (before,) = paging.decode("print_jobs", cursor, [int])
        query = query.where(j.id < before)
    found = [_job(row) for row in conn.execute(query)]
    return paging.page(found, limit, "print_jobs", lambda info: [info.id])


def claim_next(conn: Connection, store_id: int, now: dt.datetime) -> Claimed | None:
    """Take the oldest pending job: pending -> printing only if it still is, so two servers sharing
    the database never print one job twice (ix_print_jobs_state_id)."""
    for _ in range(5):
        row = conn.execute(
            select(j.id)
            .where(j.state == JobState.PENDING.value, j.store_id == store_id)
            .order_by(j.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        taken = claim(conn, row.id, now)
        if taken is not None:
            return taken
    return None


def finish(conn: Connection, job_id: int, now: dt.datetime, error: str | None) -> None:
    """Done, or failed with the reason; only a job still printing (a stale one failed meanwhile stays so)."""
    conn.execute(
        update(t.print_jobs)
        .where(j.id == job_id, j.state == JobState.PRINTING.value)
        .values(
            state=(JobState.FAILED if error else JobState.DONE).value,
            done_at=now,
            error=error[:1000] if error else None,
        )
    )


def fail_interrupted(conn: Connection, store_id: int, before: dt.datetime, now: dt.datetime) -> int:
    """Jobs left printing since before `before` (the server stopped mid-way) are failed: a person
    prints them again, as nothing says whether the paper came out."""
    result = conn.execute(
        update(t.print_jobs)
        .where(j.state == JobState.PRINTING.value, j.store_id == store_id, j.claimed_at < before)
        .values(state=JobState.FAILED.value, done_at=now, error=INTERRUPTED)
    )
    return int(result.rowcount)


def claim(conn: Connection, job_id: int, now: dt.datetime) -> Claimed | None:
    """Take one job if it is still pending (the CLI printing what it queued, unless a server did)."""
    taken = conn.execute(
        update(t.print_jobs)
        .where(j.id == job_id, j.state == JobState.PENDING.value)
        .values(state=JobState.PRINTING.value, claimed_at=now, attempts=j.attempts + 1)
    )
    if taken.rowcount != 1:
        return None
    found = conn.execute(_JOBS.where(j.id == job_id)).one()
    return Claimed(_job(found), found.drawer_pin, printer_by_id(conn, found.printer_id))


def fail_too_late(conn: Connection, store_id: int, before: dt.datetime, now: dt.datetime) -> int:
    """Jobs still waiting since before `before` (no worker was running) are failed, not printed late."""
    result = conn.execute(
        update(t.print_jobs)
        .where(j.state == JobState.PENDING.value, j.store_id == store_id, j.created_at < before)
        .values(state=JobState.FAILED.value, done_at=now, error=TOO_LATE)
    )
    return int(result.rowcount)
