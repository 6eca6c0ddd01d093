"""midnight report: the X report (the day so far) and the Z report (close the day)."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of
from midnight.cli.drawer import CountedOption, CountOption, pieces
from midnight.cli.output import print_json
from midnight.commands.till import CloseDay
from midnight.domain import cash
from midnight.domain.clock import parse_date
from midnight.services import reports
from midnight.services.context import Context

report_app = typer.Typer(help="X report (the day so far) and Z report (close the day).", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _print_report(s: Context, report: reports.DayReport) -> None:
    title = "Z report (day closed)" if report.kind == "Z" else "X report (day so far)"
    print(f"{title} — {s.store.name} — business day {report.business_date:%a %Y-%m-%d}")
    rows = [
        ("Orders", str(report.orders)),
        ("Gross sales", s.money(report.gross_sales)),
        ("Reduced to clear", s.money(report.markdowns)),
        ("Discounts", s.money(report.discounts)),
        (f"Refunds ({report.refund_count})", s.money(report.refunds)),
        ("Net sales", s.money(report.net_sales)),
        ("Voids", str(report.voids)),
        *((f"Paid by {method}", s.money(amount)) for method, amount in report.payments.items()),
        *((("Drawer floats", s.money(report.floats)),) if report.floats else ()),
        *((("Pay-ins", s.money(report.pay_ins)),) if report.pay_ins else ()),
        *((("Pay-outs", s.money(-report.pay_outs)),) if report.pay_outs else ()),
        ("Cash expected in drawer", s.money(report.cash_expected)),
        *(
            [("  counted in the day's drawers", s.money(report.drawers_counted_cash))]
            if report.drawers_counted
            else []
        ),
        *(
            [("  taken with no drawer open", s.money(report.cash_outside_drawers))]
            if report.cash_outside_drawers and (report.drawers_counted or report.floats)
            else []
        ),
        *(
            (
                ("Cash counted", s.money(report.cash_counted)),
                ("Over/short", cash.describe(report.over_short or 0, s.money)),
            )
            if report.cash_counted is not None
            else ()
        ),
        ("Cost of goods sold", s.money(report.cost_of_goods_sold)),
        ("Waste at cost", s.money(report.waste_at_cost)),
    ]
    for label, value in rows:
        print(f"  {label:<26}{value:>14}")
    if report.offline_waiting:
        when = " at the close" if report.kind == "Z" else ""
        print(
            f"  Rung offline, waiting for a decision{when}: {report.offline_waiting} "
            f"({s.money(report.offline_waiting_paid)}) — midnight offline list"
        )
    if report.closed_at:
        print(f"  closed {report.closed_at.astimezone(s.store.tz):%Y-%m-%d %H:%M} by {report.closed_by}")


@report_app.command("x")
def report_x(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option(help="Business date (default: today's).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The day so far, without closing it."""
    s = context_of(ctx)
    report = reports.x_report(s, parse_date(date) if date else None)
    if as_json:
        print_json(report)
        return
    _print_report(s, report)


@report_app.command("z")
def report_z(
    ctx: typer.Context,
    date: Annotated[str, typer.Option(help="The business day to close (or reprint), YYYY-MM-DD.")],
    counted: CountedOption = None,
    count: CountOption = None,
    reprint: Annotated[bool, typer.Option("--reprint", help="Print a day already closed.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Close exactly the day named, with the cash counted, and print its Z report (a day closes once)."""
    s = context_of(ctx)
    if reprint:
        report = reports.z_report(s, parse_date(date))
    else:
        closing = {"date": date, "counted": counted, "counts": pieces(count)}
        report = reports.close_day(s, command(CloseDay, closing))
    if as_json:
        print_json(report)
        return
    _print_report(s, report)
