"""midnight report: the X report (the day so far) and the Z report (close the day)."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of
from midnight.cli.output import print_json
from midnight.commands.till import CloseDay
from midnight.domain.clock import parse_date
from midnight.domain.errors import InvalidInput
from midnight.services import reports
from midnight.services.context import Context

report_app = typer.Typer(help="X report (the day so far) and Z report (close the day).", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _print_report(s: Context, report: reports.DayReport) -> None:
    title = "Z report (day closed)" if report.kind == "Z" else "X report (day so far)"
    print(f"{title} — {s.store.name} — {report.business_date}")
    rows = [
        ("Orders", str(report.orders)),
        ("Gross sales", s.money(report.gross_sales)),
        ("Reduced to clear", s.money(report.markdowns)),
        ("Discounts", s.money(report.discounts)),
        (f"Refunds ({report.refund_count})", s.money(report.refunds)),
        ("Net sales", s.money(report.net_sales)),
        ("Voids", str(report.voids)),
        *((f"Paid by {method}", s.money(amount)) for method, amount in report.payments.items()),
        ("Cash expected in drawer", s.money(report.cash_expected)),
        ("Cost of goods sold", s.money(report.cost_of_goods_sold)),
        ("Waste at cost", s.money(report.waste_at_cost)),
    ]
    for label, value in rows:
        print(f"  {label:<26}{value:>14}")
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
    date: Annotated[str | None, typer.Option(help="Business date (default: today's).")] = None,
    reprint: Annotated[bool, typer.Option("--reprint", help="Print a day already closed.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Close the day and print its Z report (a day closes once)."""
    s = context_of(ctx)
    if reprint:
        if date is None:
            raise InvalidInput("--reprint needs --date", field="date")
        report = reports.z_report(s, parse_date(date))
    else:
        report = reports.close_day(s, command(CloseDay, {"date": date}))
    if as_json:
        print_json(report)
        return
    _print_report(s, report)
