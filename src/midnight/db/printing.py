"""Printers, tills' printer settings, and the queue of things to print."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert

from midnight.db import tables as t
from midnight.domain.printing import JobKind, JobState


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
) -> int:
    """Something to print, done by the worker after the transaction that queued it commits."""
    result = conn.execute(
        insert(t.print_jobs).values(
            store_id=store_id,
            printer_id=printer_id,
            kind=kind.value,
            order_id=order_id,
            ticket_id=ticket_id,
            open_drawer=open_drawer,
            state=JobState.PENDING.value,
            attempts=0,
            created_at=at,
            actor=actor,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]
