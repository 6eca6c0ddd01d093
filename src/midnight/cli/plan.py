"""midnight plan: what to order from a supplier now, accepting it, and what will expire unsold;
midnight report waste-share / forecast-vs-actual / suggested-vs-ordered (tables, JSON or CSV)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, sku_quantities
from midnight.cli.output import print_json, table
from midnight.cli.report import report_app
from midnight.commands.planning import AcceptSuggestions, ReportQuery, SuggestQuery, UnsoldQuery
from midnight.services import buying_reports, planning, purchasing_views
from midnight.services.context import Context

plan_app = typer.Typer(
    help="Buying right: a supplier's suggested order, accepting it into a draft, what will expire unsold.",
    no_args_is_help=True,
)
app.add_typer(plan_app, name="plan")


@plan_app.command("suggest")
def plan_suggest(
    ctx: typer.Context,
    supplier: Annotated[str, typer.Argument(metavar="SUPPLIER", help="Name or number.")],
    as_json: JsonFlag = False,
) -> None:
    """What to order now for the supplier's next delivery, product by product, and why."""
    s = context_of(ctx)
    found = planning.suggest(s, command(SuggestQuery, {"supplier": supplier}))
    if as_json:
        print_json(found)
        return
    print(
        f"{found.supplier.name}: order today for {found.delivery:%a %Y-%m-%d}, to last until "
        f"{found.lasts_until:%a %Y-%m-%d}; total {s.money(found.total)}"
        + (f" (minimum {s.money(found.minimum_order)})" if found.minimum_order else "")
    )
    table(
        None,
        [
            "SKU",
            "Product",
            "Good now",
            "On order",
            "Usable",
            "Demand",
            "Days",
            "Service",
            "Order",
            "Packs",
            "Cost",
        ],
        [
            [
                ln.sku,
                ln.name,
                ln.on_hand,
                ln.on_order,
                ln.usable,
                ln.demand,
                ln.days_covered,
                f"{ln.service_level:.0%} ({ln.service_from})",
                f"{ln.quantity} {ln.unit}" + (" (for the minimum)" if ln.raised_for_minimum else ""),
                ln.packs,
                s.money(ln.cost),
            ]
            for ln in found.lines
        ],
    )


@plan_app.command("accept")
def plan_accept(
    ctx: typer.Context,
    supplier: Annotated[str, typer.Argument(metavar="SUPPLIER")],
    changes: Annotated[
        list[str] | None, typer.Argument(metavar="[SKU=QTY]...", help="Change a line (0 leaves it out).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for the supplier.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Turn the suggestions into a draft purchase order (send it with `midnight po send`)."""
    s = context_of(ctx)
    cmd = command(
        AcceptSuggestions,
        {"supplier": supplier, "changes": sku_quantities(changes or [], "changes"), "note": note},
    )
    draft = purchasing_views.order(planning.accept(s, cmd), s.store.currency)
    if as_json:
        print_json(draft)
        return
    head = draft.order
    print(f"draft {head.number} for {head.supplier}, delivery {head.delivery_date}: {s.money(head.total)}")
    for line in draft.lines:
        print(f"  {line.sku}: {line.quantity} {line.unit} (suggested {line.suggested or 0})")


@plan_app.command("unsold")
def plan_unsold(
    ctx: typer.Context,
    days: Annotated[str | None, typer.Option(help="Days ahead to look (1-14, default 7).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Lots the forecast says will reach their date with stock left, and what to do about each."""
    s = context_of(ctx)
    found = planning.will_expire_unsold(s, command(UnsoldQuery, {"days": days}))
    if as_json:
        print_json(found)
        return
    if not found.lots:
        print(f"nothing is expected to expire unsold by {found.until}")
        return
    table(
        f"Will expire unsold by {found.until} ({s.money(found.units_cost)} at cost)",
        ["Lot", "Product", "Where", "Last day", "Left", "Cost", "What to do"],
        [
            [u.lot_id, u.name, u.location, u.expires, f"{u.left} {u.unit}", s.money(u.cost), u.action.text]
            for u in found.lots
        ],
    )


# --- the buying reports --------------------------------------------------------------------------------

StartOption = Annotated[str, typer.Option("--start", help="First business day, YYYY-MM-DD.")]
EndOption = Annotated[str, typer.Option("--end", help="Last business day, YYYY-MM-DD.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]


def _report(
    ctx: typer.Context,
    start: str,
    end: str,
    as_csv: bool,
    as_json: bool,
    read: Callable[[Context, ReportQuery], Sequence[object]],
    kind: type,
    show: Callable[[Context, Sequence[object]], None],
) -> None:
    s = context_of(ctx)
    rows = read(s, command(ReportQuery, {"start": start, "end": end}))
    if as_csv:
        typer.echo(buying_reports.as_csv(rows, kind), nl=False)
    elif as_json:
        print_json(rows)
    elif not rows:
        print("nothing in that period")
    else:
        show(s, rows)


@report_app.command("waste-share")
def report_waste_share(
    ctx: typer.Context, start: StartOption, end: EndOption, as_csv: CsvFlag = False, as_json: JsonFlag = False
) -> None:
    """Write-offs by product and reason, as a share of what the period received (at cost)."""

    def show(s: Context, rows: Sequence[object]) -> None:
        table(
            f"Waste {start} to {end}",
            ["SKU", "Product", "Reason", "Wasted", "Cost", "Received", "Cost in", "% of received"],
            [
                [
                    r.sku,
                    r.product,
                    r.reason or "(all)",
                    r.wasted,
                    s.money(r.wasted_cost),
                    r.received,
                    s.money(r.received_cost),
                    "" if r.percent is None else f"{r.percent}%",
                ]
                for r in rows  # type: ignore[attr-defined]
            ],
        )

    _report(ctx, start, end, as_csv, as_json, buying_reports.waste_share, buying_reports.WasteShare, show)


@report_app.command("forecast-vs-actual")
def report_forecast_vs_actual(
    ctx: typer.Context, start: StartOption, end: EndOption, as_csv: CsvFlag = False, as_json: JsonFlag = False
) -> None:
    """The forecast made the day before a period (up to 14 days, ended by yesterday) against what sold."""

    def show(s: Context, rows: Sequence[object]) -> None:
        table(
            f"Forecast vs actual, {start} to {end}",
            ["SKU", "Product", "Model", "Days", "Forecast", "Actual", "WAPE"],
            [
                [
                    r.sku,
                    r.product,
                    r.method,
                    r.days,
                    r.forecast,
                    r.actual,
                    "" if r.wape is None else f"{r.wape}%",
                ]
                for r in rows  # type: ignore[attr-defined]
            ],
        )

    _report(
        ctx,
        start,
        end,
        as_csv,
        as_json,
        buying_reports.forecast_vs_actual,
        buying_reports.ForecastActual,
        show,
    )


@report_app.command("suggested-vs-ordered")
def report_suggested_vs_ordered(
    ctx: typer.Context, start: StartOption, end: EndOption, as_csv: CsvFlag = False, as_json: JsonFlag = False
) -> None:
    """Over the purchase orders made in a period: what the suggestions said and what was ordered."""

    def show(s: Context, rows: Sequence[object]) -> None:
        table(
            f"Suggested vs ordered, {start} to {end}",
            ["SKU", "Product", "Lines", "Suggested", "Ordered", "By hand", "Received", "Change"],
            [
                [
                    r.sku,
                    r.product,
                    r.lines,
                    r.suggested,
                    r.ordered,
                    r.by_hand,
                    r.received,
                    "" if r.change is None else f"{r.change}%",
                ]
                for r in rows  # type: ignore[attr-defined]
            ],
        )

    _report(
        ctx,
        start,
        end,
        as_csv,
        as_json,
        buying_reports.suggested_vs_ordered,
        buying_reports.SuggestedOrdered,
        show,
    )
