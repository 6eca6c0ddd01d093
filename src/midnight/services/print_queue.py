"""The print worker's side of the queue: take a job, render it and print it outside any transaction,
and record how it went. A job is taken with a conditional update (pending -> printing), so two
server processes never print one twice; a job left printing by a crash fails after a minute. A
failed job is not tried again by itself: a person prints it again (a new job)."""

from __future__ import annotations

import logging
import time

from midnight.adapters.printer import Line, Printers, PrintOut
from midnight.db import kitchen as kitchen_db
from midnight.db import orders as orders_db
from midnight.db import printing as printing_db
from midnight.db.printing import Claimed, JobInfo
from midnight.domain.errors import MidnightError
from midnight.domain.people import Permission
from midnight.domain.printing import INTERRUPTED_AFTER, TOO_LATE_AFTER, JobKind, JobState, on_paper
from midnight.services import receipts, tickets
from midnight.services.context import Context
from midnight.services.printing import config, job_status
from midnight.services.receipts import WIDTHS, centre

log = logging.getLogger("midnight.print")
FINISHED = (JobState.DONE, JobState.FAILED)


def recover(ctx: Context) -> int:
    """Fail the jobs a stopped server left printing more than a minute ago, and those that waited
    too long for a worker to print them late."""
    ctx.require(Permission.SELL)
    now = ctx.now()
    with ctx.db.write() as conn:
        return printing_db.fail_interrupted(
            conn, ctx.store.id, now - INTERRUPTED_AFTER, now
        ) + printing_db.fail_too_late(conn, ctx.store.id, now - TOO_LATE_AFTER, now)


def work(ctx: Context, printers: Printers, limit: int = 100) -> int:
    """Print what is waiting, oldest first (at most `limit` jobs a pass); how many were tried."""
    ctx.require(Permission.SELL)
    recover(ctx)
    done = 0
    while done < limit:
        with ctx.db.write() as conn:
            claimed = printing_db.claim_next(conn, ctx.store.id, ctx.now())
        if claimed is None:
            break
        run(ctx, printers, claimed)
        done += 1
    return done


def print_now(ctx: Context, printers: Printers, job_id: int, wait: float = 20.0) -> JobInfo:
    """Print a job just queued here (the CLI), unless a server's worker took it first: then wait,
    a bounded while, for its answer."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        claimed = printing_db.claim(conn, job_id, ctx.now())
    if claimed is not None:
        return run(ctx, printers, claimed)
    deadline = time.monotonic() + wait
    while True:
        found = job_status(ctx, job_id)
        if found.state in FINISHED or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def run(ctx: Context, printers: Printers, claimed: Claimed) -> JobInfo:
    """Render and print one claimed job, then mark it done or failed with the reason."""
    error: str | None = None
    try:
        printers.print(config(claimed.printer), print_out(ctx, claimed))
    except MidnightError as exc:
        error = exc.message
    except Exception as exc:  # whatever happens, the job is marked: never left printing
        log.exception("print job %s failed", claimed.job.id)
        error = f"could not print: {exc}"
    if error:
        log.warning("print job %s on %s failed: %s", claimed.job.id, claimed.printer.name, error)
    with ctx.db.write() as conn:
        printing_db.finish(conn, claimed.job.id, ctx.now(), error)
        return printing_db.job(conn, ctx.store.id, claimed.job.id)


def print_out(ctx: Context, claimed: Claimed) -> PrintOut:
    """What a job prints, read and rendered outside any write. A receipt or ticket is at most
    MAX_PRINTED_LINES long on paper (domain.printing.on_paper), however big its order."""
    job, printer = claimed.job, claimed.printer
    width = WIDTHS[printer.paper_mm]
    if job.kind is JobKind.RECEIPT and job.order_id is not None:
        with ctx.db.read() as conn:
            order = orders_db.order_info(conn, job.order_id, ctx.store.currency)
        text = PrintOut.text(receipts.render(ctx, order, printer.paper_mm))
        return PrintOut(tuple(on_paper(text.lines, Line, width)), cut=True, drawer_pin=claimed.drawer_pin)
    if job.kind is JobKind.KITCHEN and job.ticket_id is not None:
        with ctx.db.read() as conn:
            ticket = kitchen_db.ticket(conn, ctx.store.id, job.ticket_id)
        return PrintOut(tuple(on_paper(tickets.render(ctx, ticket, printer.paper_mm), Line, width)), cut=True)
    if job.kind is JobKind.DRAWER:
        return PrintOut((), cut=False, drawer_pin=claimed.drawer_pin)
    if job.kind is JobKind.TEST:
        return PrintOut(test_page(ctx, claimed), cut=True)
    raise MidnightError(f"a {job.kind.value} job with nothing to print", field="job")


def test_page(ctx: Context, claimed: Claimed) -> tuple[Line, ...]:
    printer = claimed.printer
    width = WIDTHS[printer.paper_mm]
    ruler = ("1234567890" * 5)[:width]
    return (
        Line(centre(ctx.store.name, width)),
        Line(centre("Test page", width // 2), big=True),
        Line(f"Printer: {printer.name}"),
        Line(f"{printer.kind.value}: {printer.address}"),
        Line(f"Paper: {printer.paper_mm} mm, {width} columns"),
        Line(f"Chinese: {printer.text_mode.value}"),
        Line("中文測試 多謝 Thank you"),
        Line(ruler),
        Line(f"{ctx.now().astimezone(ctx.store.tz):%Y-%m-%d %H:%M} by {claimed.job.actor}"),
    )
