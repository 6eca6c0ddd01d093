"""midnight drawer: a till's cash drawer — open with a float, pay in and out, close with a count."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import print_json, table
from midnight.commands.cash import CloseDrawer, DrawerMove, DrawerQuery, OpenDrawer
from midnight.domain import cash
from midnight.domain.errors import InvalidInput, NotFound
from midnight.services import drawers
from midnight.services.context import Context

drawer_app = typer.Typer(
    help="Cash drawers: open with a float, pay in and out, close with the cash counted.", no_args_is_help=True
)
app.add_typer(drawer_app, name="drawer")

SessionOption = Annotated[
    str | None, typer.Option("--session", help="A session number (default: your open drawer).")
]
CountOption = Annotated[
    list[str] | None, typer.Option("--count", help="VALUE=PIECES of a note or coin, e.g. 100=12 (repeat).")
]
CountedOption = Annotated[str | None, typer.Option("--counted", help="The cash counted, in total.")]


def pieces(values: list[str] | None) -> list[dict[str, str]] | None:
    """ "100=12" -> {"value": "100", "count": "12"}."""
    if not values:
        return None
    found = []
    for value in values:
        amount, sep, count = value.partition("=")
        if not sep:
            raise InvalidInput(f"a count must look like VALUE=PIECES (100=12), got {value!r}", field="counts")
        found.append({"value": amount.strip(), "count": count.strip()})
    return found


def print_session(s: Context, d: drawers.SessionInfo) -> None:
    state = f"closed {d.closed_at.astimezone(s.store.tz):%Y-%m-%d %H:%M}" if d.closed_at else "open"
    print(
        f"drawer session {d.id}: {d.till}, {d.opened_by}, opened {d.opened_at.astimezone(s.store.tz):%Y-%m-%d %H:%M}, {state}"
    )
    if d.figures is not None:
        f = d.figures
        for label, amount in (
            ("Float", f.float_amount),
            ("Cash sales", f.cash_sales),
            ("Cash refunds", -f.cash_refunds),
            ("Pay-ins", f.pay_ins),
            ("Pay-outs", -f.pay_outs),
            ("Expected in drawer", f.expected),
        ):
            print(f"  {label:<22}{s.money(amount):>14}")
    if d.count is not None:
        print(f"  {'Counted':<22}{s.money(d.count.counted):>14}")
        print(f"  {'Over/short':<22}{cash.describe(d.count.over_short, s.money):>14}")


def _session(s: Context, session: str | None) -> int:
    if session is not None:
        return record_id(session, "session")
    mine = drawers.current(s)
    if mine is None:
        raise NotFound(f"{s.actor} has no drawer open: open one with its float first", field="session")
    return mine.id


@drawer_app.command("open")
def drawer_open(
    ctx: typer.Context,
    till: Annotated[str, typer.Argument(metavar="TILL", help="Which till's drawer, e.g. 'Till 1'.")],
    float_amount: Annotated[str, typer.Option("--float", help="Cash put in to give change from.")] = "0",
    as_json: JsonFlag = False,
) -> None:
    """Open a till's drawer with its float: the cash you take and refund until you close it goes in it."""
    s = context_of(ctx)
    opened = drawers.open_drawer(s, command(OpenDrawer, {"till": till, "float": float_amount}))
    if as_json:
        print_json(opened)
        return
    print_session(s, opened)


@drawer_app.command("show")
def drawer_show(ctx: typer.Context, session: SessionOption = None, as_json: JsonFlag = False) -> None:
    """A drawer as it stands (open) or as its count recorded it (closed), with its pay-ins and pay-outs."""
    s = context_of(ctx)
    found = drawers.get_session(s, _session(s, session))
    moved = list(every(lambda cursor: drawers.moves(s, found.id, command(DrawerQuery, {"cursor": cursor}))))
    if as_json:
        print_json({"session": found, "moves": moved})
        return
    print_session(s, found)
    for m in moved:
        print(
            f"  {m.at.astimezone(s.store.tz):%H:%M} {m.kind.label} {s.money(m.amount)} by {m.actor}: {m.reason}"
        )


def _move(ctx: typer.Context, kind: str, amount: str, reason: str | None, session: str | None) -> None:
    s = context_of(ctx)
    moved = drawers.record_move(
        s,
        command(DrawerMove, {"kind": kind, "amount": amount, "reason": reason}),
        record_id(session, "session") if session is not None else None,
    )
    print(f"{moved.kind.label} of {s.money(moved.amount)} recorded: {moved.reason}")


@drawer_app.command("pay-in")
def drawer_pay_in(
    ctx: typer.Context,
    amount: Annotated[str, typer.Argument(metavar="AMOUNT")],
    reason: Annotated[str | None, typer.Option(help="Why the cash goes in.")] = None,
    session: SessionOption = None,
) -> None:
    """Cash put into the drawer for something other than a sale."""
    _move(ctx, "in", amount, reason, session)


@drawer_app.command("pay-out")
def drawer_pay_out(
    ctx: typer.Context,
    amount: Annotated[str, typer.Argument(metavar="AMOUNT")],
    reason: Annotated[str | None, typer.Option(help="What the cash paid for.")] = None,
    session: SessionOption = None,
) -> None:
    """Cash taken out of the drawer for something other than a refund."""
    _move(ctx, "out", amount, reason, session)


@drawer_app.command("close")
def drawer_close(
    ctx: typer.Context,
    counted: CountedOption = None,
    count: CountOption = None,
    session: SessionOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Close a drawer with the cash counted: prints expected, counted and over/short."""
    s = context_of(ctx)
    closing = command(CloseDrawer, {"counted": counted, "counts": pieces(count)})
    closed = drawers.close_drawer(s, closing, _session(s, session))
    if as_json:
        print_json(closed)
        return
    print_session(s, closed)


@drawer_app.command("list")
def drawer_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Drawer sessions, newest first (an owner sees everyone's)."""
    s = context_of(ctx)
    found = list(every(lambda cursor: drawers.sessions(s, command(DrawerQuery, {"cursor": cursor}))))
    if as_json:
        print_json(found)
        return
    table(
        "Cash drawers",
        ["session", "till", "person", "opened", "closed", "expected", "counted", "over/short"],
        [
            [
                d.id,
                d.till,
                d.opened_by,
                f"{d.opened_at.astimezone(s.store.tz):%Y-%m-%d %H:%M}",
                f"{d.closed_at.astimezone(s.store.tz):%Y-%m-%d %H:%M}" if d.closed_at else "open",
                s.money(d.expected) if d.expected is not None else "",
                s.money(d.count.counted) if d.count else "",
                cash.describe(d.count.over_short, s.money) if d.count else "",
            ]
            for d in found
        ],
    )
