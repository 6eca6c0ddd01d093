"""What a print job did, as a small fragment the till and an order's page show (and poll while it
waits); and printing an order's receipt again from its page."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.printing import KickDrawer, PrintReceipt
from midnight.domain.errors import InvalidInput, MidnightError, parse_id
from midnight.domain.printing import JOB_NAMES, JobKind, JobState
from midnight.services import printing, tills
from midnight.services.context import Context
from midnight.services.orders import OrderInfo
from midnight.services.printing import JobInfo
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)

# After a failure, what the person can do about it.
NEXT_STEP = {
    JobKind.RECEIPT: "the sale is recorded; reprint from Today's orders",
    JobKind.KITCHEN: "the order is recorded; the kitchen screen still shows the ticket",
    JobKind.DRAWER: "open the drawer with its key",
    JobKind.TEST: "check the printer and its settings, then test it again",
}
DONE = {
    JobKind.RECEIPT: "Receipt printed on {printer}.",
    JobKind.KITCHEN: "Kitchen ticket printed on {printer}.",
    JobKind.DRAWER: "Cash drawer opened.",
    JobKind.TEST: "Test page printed on {printer}.",
}


@dataclass(frozen=True)
class Status:
    job: JobInfo
    text: str
    waiting: bool
    failed: bool


def status(job: JobInfo) -> Status:
    if job.state is JobState.FAILED:
        name = "Cash drawer" if job.kind is JobKind.DRAWER else f"{JOB_NAMES[job.kind]} printer"
        text = f"{name}: {job.error} — {NEXT_STEP[job.kind]}."
        return Status(job, text, waiting=False, failed=True)
    if job.state is JobState.DONE:
        return Status(job, DONE[job.kind].format(printer=job.printer), waiting=False, failed=False)
    doing = "Opening the cash drawer" if job.kind is JobKind.DRAWER else f"Printing on {job.printer}"
    return Status(job, f"{doing}…", waiting=True, failed=False)


def status_of(ctx: Context, job_id: str) -> Status | None:
    """The status of the job a page was sent back with (?printed=ID), if it is one."""
    if not job_id:
        return None
    try:
        return status(printing.job_status(ctx, parse_id(job_id, "job")))
    except MidnightError:
        return None


def fragment(request: Request, ctx: Context, job: JobInfo) -> HTMLResponse:
    return render(request, "print_status.html", ctx, status=status(job))


@router.get("/till/print/{job_id}", response_class=HTMLResponse)
def print_status(request: Request, job_id: Id) -> HTMLResponse:
    """A job's state: queued, printed, or the error; while it waits it asks again every second."""
    ctx = page_context(request)
    try:
        job = printing.job_status(ctx, job_id)
    except MidnightError as exc:
        return render(request, "print_status.html", ctx, status=None, error=exc.message)
    return fragment(request, ctx, job)


@dataclass(frozen=True)
class Target:
    value: str
    label: str


def targets(ctx: Context, order: OrderInfo) -> tuple[list[Target], str]:
    """Where an order's receipt can be printed, and which is chosen first: the till it was rung on."""
    found = [
        Target(f"till:{till.name}", f"{till.name} ({till.receipt_printer})")
        for till in tills.list_tills(ctx)
        if till.active and till.receipt_printer
    ]
    found += [
        Target(f"printer:{p.name}", f"Printer {p.name}") for p in printing.list_printers(ctx) if p.active
    ]
    chosen = next((t.value for t in found if order.till and t.value == f"till:{order.till}"), "")
    return found, chosen or (found[0].value if found else "")


@router.post("/till/orders/{order_id}/print", response_model=None)
async def print_receipt(request: Request, order_id: Id) -> Response:
    """Print the receipt again on the till or printer chosen; the page shows how it went."""
    ctx = page_context(request)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        form = await check_csrf(request)
        kind, _, name = str(form.get("target") or "").partition(":")
        if kind not in ("till", "printer") or not name:
            raise InvalidInput("choose where to print the receipt", field="target")
        job = printing.print_receipt(ctx, order_id, form_command(PrintReceipt, {kind: name}))
    except MidnightError as exc:
        if htmx:  # said where the button is (htmx swaps only a 2xx answer)
            return render(request, "print_status.html", ctx, status=None, error=exc.message)
        return render(
            request, "error.html", ctx, status_code=exc.http_status, title="Not printed", text=exc.message
        )
    if htmx:
        return fragment(request, ctx, job)
    return redirect(f"/till/orders/{order_id}?printed={job.id}")


@router.post("/till/drawer", response_model=None)
async def open_drawer(request: Request) -> Response:
    """No sale: open the till's cash drawer, with the reason (form fields `till` and `reason`);
    answers the job's status fragment, which follows it until the drawer has opened."""
    ctx = page_context(request)
    try:
        form = await check_csrf(request)
        cmd = form_command(KickDrawer, form, ("reason",))
        job = printing.open_drawer(ctx, str(form.get("till") or ""), cmd)
    except MidnightError as exc:
        return render(request, "print_status.html", ctx, status=None, error=exc.message)
    if request.headers.get("HX-Request"):
        return fragment(request, ctx, job)
    return redirect("/till")
