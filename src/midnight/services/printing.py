"""Printers and the cash drawer: the owner sets them up; a sale, a reprint or a "no sale" queues a job.

Queueing is a short write; the server's print worker (`services.print_queue`) renders and prints
afterwards, outside any transaction. So a printer that is off, unreachable or out of paper shows an
error on the till and never holds up or undoes a sale: the job fails, the order stays paid, and a
person prints it again.
"""

from __future__ import annotations

import threading

from sqlalchemy import Connection

from midnight.adapters.printer import PrinterConfig, checked_target
from midnight.commands.printing import (
    AddPrinter,
    ChangePrinter,
    KickDrawer,
    PrintJobQuery,
    PrintReceipt,
    SetTill,
)
from midnight.db import orders as orders_db
from midnight.db import printing as printing_db
from midnight.db import tills as tills_db
from midnight.db.paging import Page
from midnight.db.printing import JobInfo, PrinterInfo
from midnight.db.tills import TillInfo
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.order import OrderState
from midnight.domain.people import Permission
from midnight.domain.printing import JobKind, PrinterKind, parse_address
from midnight.services.context import Context
from midnight.services.tills import till_key
from midnight.settings import printer_network_rules

__all__ = ["JobInfo", "PrinterInfo", "TillInfo"]

_queued = threading.Event()


def wake() -> None:
    """Tell this process's print worker there is a job (it also looks every second)."""
    _queued.set()


def wait_for_work(timeout: float) -> None:
    _queued.wait(timeout)
    _queued.clear()


def printer_key(name: str) -> str:
    """One printer however its name is typed (the kitchen's look-up folds names the same way)."""
    return till_key(name)


def config(info: PrinterInfo) -> PrinterConfig:
    return PrinterConfig(info.name, info.kind, info.address, info.paper_mm, info.text_mode)


def _printer(ctx: Context, conn: Connection, name: str) -> PrinterInfo:
    found = printing_db.printer_by_key(conn, ctx.store.id, printer_key(name))
    if found is None:
        raise NotFound(f"no printer {name}", field="printer")
    return found


def _till(ctx: Context, conn: Connection, name: str) -> TillInfo:
    found = tills_db.till_by_key(conn, ctx.store.id, till_key(name))
    if found is None:
        raise NotFound(f"no till {name}", field="till")
    return found


def _in_use(found: PrinterInfo) -> PrinterInfo:
    if not found.active:
        raise Conflict(f"printer {found.name} is switched off in the settings", field="printer")
    return found


# --- setting up -----------------------------------------------------------------------------------


def _address(kind: PrinterKind, typed: str) -> str:
    """A printer's address as stored, checked: a network printer's must be on the shop's own network
    (a name is resolved and what it finds checked — before any transaction, as DNS takes a while).
    The print worker checks it again each time it connects (adapters.printer.checked_target)."""
    rules = printer_network_rules()
    address = parse_address(kind, typed, rules=rules)
    if kind is PrinterKind.NETWORK:
        checked_target(address, rules)
    return address


def add_printer(ctx: Context, cmd: AddPrinter) -> PrinterInfo:
    ctx.require(Permission.PRICES)
    shown = " ".join(cmd.name.split())
    address = _address(cmd.kind, cmd.address)
    with ctx.db.write() as conn:
        same = printing_db.printer_by_key(conn, ctx.store.id, printer_key(shown))
        if same is not None:
            raise Conflict(f"there is already a printer called {same.name}", field="name")
        printing_db.insert_printer(
            conn,
            {
                "store_id": ctx.store.id,
                "name": shown,
                "name_key": printer_key(shown),
                "kind": cmd.kind.value,
                "address": address,
                "paper_mm": cmd.paper_mm,
                "text_mode": cmd.text_mode.value,
                "active": True,
                "created_at": ctx.now(),
            },
        )
        return _printer(ctx, conn, shown)


def list_printers(ctx: Context) -> list[PrinterInfo]:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return printing_db.printers(conn, ctx.store.id)


def get_printer(ctx: Context, name: str) -> PrinterInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return _printer(ctx, conn, name)


def change_printer(ctx: Context, name: str, cmd: ChangePrinter) -> PrinterInfo:
    ctx.require(Permission.PRICES)
    address: str | None = None
    if cmd.address is not None:
        with ctx.db.read() as conn:
            checked_as = cmd.kind or _printer(ctx, conn, name).kind
        address = _address(checked_as, cmd.address)
    with ctx.db.write() as conn:
        found = _printer(ctx, conn, name)
        values: dict[str, object] = {}
        kind = cmd.kind or found.kind
        if cmd.kind is not None:
            values["kind"] = cmd.kind.value
        if address is not None:
            if kind is not checked_as:
                raise Conflict(f"printer {found.name} was changed meanwhile: try again", field="printer")
            values["address"] = address
        if cmd.paper_mm is not None:
            values["paper_mm"] = cmd.paper_mm
        if cmd.text_mode is not None:
            values["text_mode"] = cmd.text_mode.value
        if cmd.active is not None:
            values["active"] = cmd.active
        if not values:
            raise InvalidInput(
                "say what to change: kind and address, paper, text mode or active", field="printer"
            )
        printing_db.update_printer(conn, found.id, values)
        return printing_db.printer_by_id(conn, found.id)


def set_till(ctx: Context, name: str, cmd: SetTill) -> TillInfo:
    """A till's receipt printer, the pin its cash drawer is kicked on, and whether every sale prints."""
    ctx.require(Permission.PRICES)
    given = cmd.model_fields_set
    if not given:
        raise InvalidInput("say what to set: printer, drawer_pin or auto_print", field="till")
    with ctx.db.write() as conn:
        till = _till(ctx, conn, name)
        values: dict[str, object] = {}
        if "printer" in given:
            values["receipt_printer_id"] = (
                _in_use(_printer(ctx, conn, cmd.printer)).id if cmd.printer is not None else None
            )
        if "drawer_pin" in given:
            values["drawer_pin"] = cmd.drawer_pin
        if "auto_print" in given and cmd.auto_print is not None:
            values["auto_print"] = cmd.auto_print
        tills_db.update_till(conn, till.id, values)
        return _till(ctx, conn, name)


# --- printing -------------------------------------------------------------------------------------


def _receipt_printer(ctx: Context, conn: Connection, till: TillInfo) -> PrinterInfo:
    if till.receipt_printer is None:
        raise Conflict(f"till {till.name} has no receipt printer: set one first", field="till")
    return _in_use(_printer(ctx, conn, till.receipt_printer))


def after_sale(ctx: Context, order_id: int, till_name: str | None) -> int | None:
    """After a sale is paid (its transaction committed): queue its receipt on the till's printer, with
    a drawer kick if cash was taken and the till has a drawer. Only for a till that prints every sale
    (auto-print) and has a working printer; otherwise nothing is queued and None is returned. Asking
    again for the same order (a till retrying Pay) gives the same job, so nothing prints twice."""
    ctx.require(Permission.SELL)
    if not till_name:
        return None
    with ctx.db.write() as conn:
        order = orders_db.order_row(conn, order_id)
        if order.store_id != ctx.store.id:
            raise NotFound(f"no order #{order_id}", field="order")
        if not OrderState(order.state).was_paid:
            raise Conflict(f"order #{order_id} is not paid: its receipt is printed once it is", field="order")
        till = tills_db.till_by_key(conn, ctx.store.id, till_key(till_name))
        if till is None or not till.active or not till.auto_print or till.receipt_printer is None:
            return None
        printer = printing_db.printer_by_key(conn, ctx.store.id, printer_key(till.receipt_printer))
        if printer is None or not printer.active:
            return None
        earlier = printing_db.jobs(
            conn, ctx.store.id, state=None, order_id=order_id, cursor=None, limit=20
        ).items
        for job in earlier:
            if job.kind is JobKind.RECEIPT:
                return job.id
        kick = till.drawer_pin is not None and printing_db.took_cash(conn, order_id)
        job_id = printing_db.queue_job(
            conn,
            store_id=ctx.store.id,
            printer_id=printer.id,
            kind=JobKind.RECEIPT,
            at=ctx.now(),
            actor=ctx.actor,
            order_id=order_id,
            open_drawer=kick,
            drawer_pin=till.drawer_pin if kick else None,
            till=till.name,
        )
    wake()
    return job_id


def print_receipt(ctx: Context, order_id: int, cmd: PrintReceipt) -> JobInfo:
    """Print an order's receipt again (never opens the drawer): on the till's printer or the one named;
    with neither, the printer of the till it was rung on, or the shop's only receipt printer."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        order = orders_db.order_row(conn, order_id)
        if order.store_id != ctx.store.id:
            raise NotFound(f"no order #{order_id}", field="order")
        till_name = cmd.till or (order.till if cmd.printer is None else None)
        till: TillInfo | None = None
        if cmd.printer is not None:
            printer = _in_use(_printer(ctx, conn, cmd.printer))
        elif till_name:
            till = tills_db.till_by_key(conn, ctx.store.id, till_key(till_name))
            if till is None:
                if cmd.till is None:
                    raise InvalidInput(
                        f"order #{order_id} was rung on {till_name}, which is not a till with a printer: "
                        "choose a till or a printer",
                        field="printer",
                    )
                raise NotFound(f"no till {till_name}", field="till")
            printer = _receipt_printer(ctx, conn, till)
        else:
            printer, till = _only_printer(ctx, conn)
        job_id = printing_db.queue_job(
            conn,
            store_id=ctx.store.id,
            printer_id=printer.id,
            kind=JobKind.RECEIPT,
            at=ctx.now(),
            actor=ctx.actor,
            order_id=order_id,
            till=till.name if till else None,
        )
        found = printing_db.job(conn, ctx.store.id, job_id)
    wake()
    return found


def _only_printer(ctx: Context, conn: Connection) -> tuple[PrinterInfo, TillInfo | None]:
    """With nothing said, the shop's one receipt printer: the only till's that has one, else the only
    printer in use."""
    with_printer = [t for t in tills_db.tills(conn, ctx.store.id) if t.active and t.receipt_printer]
    if len(with_printer) == 1:
        return _receipt_printer(ctx, conn, with_printer[0]), with_printer[0]
    in_use = printing_db.printers(conn, ctx.store.id, active_only=True)
    if len(in_use) == 1 and not with_printer:
        return in_use[0], None
    raise InvalidInput("choose the till or the printer to print on", field="printer")


def open_drawer(ctx: Context, till_name: str, cmd: KickDrawer) -> JobInfo:
    """Open a till's cash drawer without a sale ("no sale"); who and why are kept with the job."""
    ctx.require(Permission.SELL)
    if not till_name.strip():
        raise InvalidInput("choose the till whose drawer to open", field="till")
    with ctx.db.write() as conn:
        till = _till(ctx, conn, till_name)
        if till.drawer_pin is None:
            raise Conflict(f"till {till.name} has no cash drawer set (its drawer pin)", field="till")
        printer = _receipt_printer(ctx, conn, till)
        job_id = printing_db.queue_job(
            conn,
            store_id=ctx.store.id,
            printer_id=printer.id,
            kind=JobKind.DRAWER,
            at=ctx.now(),
            actor=ctx.actor,
            open_drawer=True,
            drawer_pin=till.drawer_pin,
            till=till.name,
            reason=cmd.reason,
        )
        found = printing_db.job(conn, ctx.store.id, job_id)
    wake()
    return found


def test_printer(ctx: Context, name: str) -> JobInfo:
    """A test page: the printer's settings, a line of Chinese and a ruler of its columns."""
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        printer = _printer(ctx, conn, name)
        job_id = printing_db.queue_job(
            conn,
            store_id=ctx.store.id,
            printer_id=printer.id,
            kind=JobKind.TEST,
            at=ctx.now(),
            actor=ctx.actor,
        )
        found = printing_db.job(conn, ctx.store.id, job_id)
    wake()
    return found


def job_status(ctx: Context, job_id: int) -> JobInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return printing_db.job(conn, ctx.store.id, job_id)


def list_jobs(ctx: Context, query: PrintJobQuery) -> Page[JobInfo]:
    """What was printed, newest first: failures say why."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return printing_db.jobs(
            conn,
            ctx.store.id,
            state=query.state,
            order_id=query.order,
            cursor=query.cursor,
            limit=query.limit,
        )
