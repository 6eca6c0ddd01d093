"""midnight printer / print-jobs / drawer kick: receipt and kitchen printers and the cash drawer.

What the CLI queues it prints at once (unless a running server's worker takes it first, then it
waits a moment for the answer), and says how it went: a printer that fails is one line on stderr.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from midnight.adapters.printer import EscposPrinters
from midnight.cli.app import EXIT_FAILURE, JsonFlag, app, command, context_of, fail
from midnight.cli.drawer import drawer_app
from midnight.cli.output import print_json, table
from midnight.commands.printing import AddPrinter, ChangePrinter, KickDrawer, PrintJobQuery
from midnight.domain.errors import InvalidInput
from midnight.domain.printing import JobKind, JobState, PrinterKind
from midnight.services import print_queue, printing
from midnight.services.context import Context
from midnight.services.printing import JobInfo

printer_app = typer.Typer(help="Receipt and kitchen printers (ESC/POS).", no_args_is_help=True)
app.add_typer(printer_app, name="printer")

Network = Annotated[
    str | None,
    typer.Option("--network", metavar="HOST[:PORT]", help="On the network (port 9100 unless given)."),
]
Usb = Annotated[
    str | None, typer.Option("--usb", metavar="VID:PID", help="On USB: vendor and product id, hex.")
]
Serial = Annotated[
    str | None,
    typer.Option("--serial", metavar="DEV[:BAUD]", help="On a serial port (9600 baud unless given)."),
]
Paper = Annotated[str | None, typer.Option("--paper", metavar="58|80", help="Paper width in mm.")]
Chinese = Annotated[
    str | None,
    typer.Option(
        "--chinese",
        metavar="latin|gb18030|big5|image",
        help="How Chinese is printed: image (a picture: any printer), gb18030 or big5 (a Chinese "
        "printer's own mode), latin (code pages only: Chinese prints as ?).",
    ),
]


def connection(network: str | None, usb: str | None, serial: str | None) -> tuple[PrinterKind, str] | None:
    given = [
        (kind, address)
        for kind, address in (
            (PrinterKind.NETWORK, network),
            (PrinterKind.USB, usb),
            (PrinterKind.SERIAL, serial),
        )
        if address is not None
    ]
    if len(given) > 1:
        raise InvalidInput("give one of --network, --usb or --serial", field="kind")
    return given[0] if given else None


def print_and_say(s: Context, job: JobInfo, what: str) -> None:
    """Print a job just queued, and say how it went (a failure exits 1)."""
    done = print_queue.print_now(s, EscposPrinters(), job.id)
    if done.state is JobState.FAILED:
        fail(f"{what} not printed (job {done.id}): {done.error}", EXIT_FAILURE)
    elif done.state is JobState.DONE:
        print(f"{what}: done on {done.printer} (job {done.id})")
    else:
        print(f"{what}: queued on {done.printer} (job {done.id}); midnight print-jobs shows how it went")


@printer_app.command("add")
def printer_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    network: Network = None,
    usb: Usb = None,
    serial: Serial = None,
    paper: Paper = None,
    chinese: Chinese = None,
    as_json: JsonFlag = False,
) -> None:
    """Add a printer (owner): --network HOST[:PORT], --usb VID:PID or --serial DEV[:BAUD]."""
    how = connection(network, usb, serial)
    if how is None:
        raise InvalidInput("say how the printer is connected: --network, --usb or --serial", field="kind")
    cmd = command(
        AddPrinter,
        {"name": name, "kind": how[0].value, "address": how[1], "paper_mm": paper, "text_mode": chinese},
    )
    added = printing.add_printer(context_of(ctx), cmd)
    if as_json:
        print_json(added)
        return
    print(
        f"added printer {added.name}: {added.kind.value} {added.address}, {added.paper_mm} mm, "
        f"Chinese as {added.text_mode.value}"
    )


@printer_app.command("set")
def printer_set(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    network: Network = None,
    usb: Usb = None,
    serial: Serial = None,
    paper: Paper = None,
    chinese: Chinese = None,
    active: Annotated[
        bool | None, typer.Option("--active/--inactive", help="In use, or put aside (kept for history).")
    ] = None,
) -> None:
    """Change a printer (owner): how it is connected, its paper, how it prints Chinese, in use or not."""
    how = connection(network, usb, serial)
    cmd = command(
        ChangePrinter,
        {
            "kind": how[0].value if how else None,
            "address": how[1] if how else None,
            "paper_mm": paper,
            "text_mode": chinese,
            "active": active,
        },
    )
    done = printing.change_printer(context_of(ctx), name, cmd)
    state = "in use" if done.active else "not in use"
    print(
        f"{done.name}: {done.kind.value} {done.address}, {done.paper_mm} mm, Chinese as {done.text_mode.value}, {state}"
    )


@printer_app.command("list")
def printer_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """The shop's printers."""
    found = printing.list_printers(context_of(ctx))
    if as_json:
        print_json(found)
        return
    table(
        "Printers",
        ["name", "connected", "address", "paper", "Chinese", "in use"],
        [
            [
                p.name,
                p.kind.value,
                p.address,
                f"{p.paper_mm} mm",
                p.text_mode.value,
                "yes" if p.active else "no",
            ]
            for p in found
        ],
    )


@printer_app.command("test")
def printer_test(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Print a test page (owner): the printer's settings, a line of Chinese, a ruler of its columns."""
    s = context_of(ctx)
    print_and_say(s, printing.test_printer(s, name), "test page")


@drawer_app.command("kick")
def drawer_kick(
    ctx: typer.Context,
    till: Annotated[str, typer.Option("--till", help="The till whose drawer to open.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why, with no sale (kept with who).")] = None,
) -> None:
    """Open a till's cash drawer without a sale ("no sale"), with the reason."""
    s = context_of(ctx)
    print_and_say(s, printing.open_drawer(s, till, command(KickDrawer, {"reason": reason})), "drawer")


@app.command("print-jobs")
def print_jobs(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="pending, printing, done or failed.")] = None,
    order: Annotated[str | None, typer.Option(help="Only this order's receipts and tickets.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue where a full page said.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """What was sent to the printers, newest first; a failed job says why."""
    s = context_of(ctx)
    query = command(
        PrintJobQuery,
        {"state": state, "order": order.lstrip("#") if order else None, "limit": limit, "cursor": cursor},
    )
    page = printing.list_jobs(s, query)
    if as_json:
        print_json(page)
        return
    table(
        "Print jobs",
        ["#", "time", "what", "order", "printer", "by", "state", "error"],
        [
            [
                j.id,
                j.created_at.astimezone(s.store.tz).strftime("%m-%d %H:%M"),
                j.kind.value + (" + drawer" if j.open_drawer and j.kind is not JobKind.DRAWER else ""),
                f"#{j.order_id}" if j.order_id else "",
                j.printer,
                j.actor + (f": {j.reason}" if j.reason else ""),
                j.state.value,
                j.error or "",
            ]
            for j in page.items
        ],
    )
    if page.next_cursor:
        print(f"older jobs: --cursor {page.next_cursor}", file=sys.stderr)
