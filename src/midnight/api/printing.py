"""Receipt and kitchen printers, tills and their cash drawers, and the print jobs that were sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.printing import (
    AddPrinter,
    AddTill,
    ChangePrinter,
    KickDrawer,
    PrintJobQuery,
    PrintReceipt,
    SetTill,
)
from midnight.db.paging import Page
from midnight.services import printing, tills
from midnight.services.printing import JobInfo, PrinterInfo, TillInfo

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["printers and tills"])


@router.get("/printers")
def list_printers(ctx: CtxDep) -> list[PrinterInfo]:
    """The shop's receipt and kitchen printers (a handful)."""
    return printing.list_printers(ctx)


@router.post("/printers", status_code=status.HTTP_201_CREATED)
def add_printer(ctx: CtxDep, body: AddPrinter) -> PrinterInfo:
    """An ESC/POS printer (owner): on the network (HOST[:PORT], port 9100 by default), on USB
    (VID:PID in hex) or a serial port (/dev/DEVICE[:BAUD]); its paper (58 or 80 mm) and how it prints
    Chinese (latin, gb18030, big5 or image)."""
    return printing.add_printer(ctx, body)


@router.get("/printers/{name}")
def get_printer(ctx: CtxDep, name: str) -> PrinterInfo:
    return printing.get_printer(ctx, name)


@router.patch("/printers/{name}")
def change_printer(ctx: CtxDep, name: str, body: ChangePrinter) -> PrinterInfo:
    """Change what is given: kind and address, paper, Chinese mode, in use or not (owner)."""
    return printing.change_printer(ctx, name, body)


@router.post("/printers/{name}/test", status_code=status.HTTP_202_ACCEPTED)
def test_printer(ctx: CtxDep, name: str) -> JobInfo:
    """Print a test page (owner); follow it with GET /api/print-jobs/{id}."""
    return printing.test_printer(ctx, name)


@router.get("/tills")
def list_tills(ctx: CtxDep) -> list[TillInfo]:
    """The shop's tills, with their receipt printer, drawer pin and whether each sale prints."""
    return tills.list_tills(ctx)


@router.post("/tills", status_code=status.HTTP_201_CREATED)
def add_till(ctx: CtxDep, body: AddTill) -> TillInfo:
    """A till: a place orders are rung, by name (owner)."""
    return tills.add_till(ctx, body.name)


@router.get("/tills/{name}")
def get_till(ctx: CtxDep, name: str) -> TillInfo:
    return tills.get_till(ctx, name)


@router.patch("/tills/{name}")
def set_till(ctx: CtxDep, name: str, body: SetTill) -> TillInfo:
    """A till's receipt printer, its cash drawer's pin (2 or 5; null: none) and whether it prints every
    sale's receipt by itself (owner). Only the fields given change."""
    return printing.set_till(ctx, name, body)


@router.post("/tills/{name}/drawer", status_code=status.HTTP_202_ACCEPTED)
def open_drawer(ctx: CtxDep, name: str, body: KickDrawer) -> JobInfo:
    """Open the till's cash drawer without a sale ("no sale"), with the reason; who and why are kept."""
    return printing.open_drawer(ctx, name, body)


@router.post("/orders/{order_id}/print", status_code=status.HTTP_202_ACCEPTED)
def print_receipt(ctx: CtxDep, order_id: Id, body: PrintReceipt) -> JobInfo:
    """Print an order's receipt (again) on a till's printer or a printer named; with neither, on the
    printer of the till it was rung on. Never opens the drawer. The job is queued: follow it with
    GET /api/print-jobs/{id}."""
    return printing.print_receipt(ctx, order_id, body)


@router.get("/print-jobs")
def list_jobs(ctx: CtxDep, query: Annotated[PrintJobQuery, Query()]) -> Page[JobInfo]:
    """What was sent to the printers, newest first; a failed job says why."""
    return printing.list_jobs(ctx, query)


@router.get("/print-jobs/{job_id}")
def job_status(ctx: CtxDep, job_id: Id) -> JobInfo:
    """A job's state: pending, printing, done, or failed with the error (out of paper, unreachable)."""
    return printing.job_status(ctx, job_id)
