"""Reports: the X/Z report of a day, closing exactly that day with the cash counted, and charts (owner)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.commands.till import CloseDay, Period
from midnight.domain import cash
from midnight.domain.clock import parse_date
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.money import format_money, to_decimal
from midnight.services import analytics, buying_reports, drawers, reports
from midnight.services.analytics import Row
from midnight.services.context import Context
from midnight.web.charts import bars
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)


def _day(request: Request, name: str, default: dt.date) -> dt.date:
    value = request.query_params.get(name)
    return parse_date(value, field=name) if value else default


@router.get("/reports", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    today = ctx.today()
    error = None
    try:
        end = _day(request, "end", today)
        start = _day(request, "start", end - dt.timedelta(days=6))
        period = form_command(Period, {"start": start, "end": end})
        by_item = analytics.sales_by_item(ctx, period)
        by_hour = analytics.sales_by_hour(ctx, period)
        waste = analytics.waste_by_product(ctx, period)
        by_choice = analytics.sales_by_modifier(ctx, period)
        buying = _buying(ctx, period)
    except MidnightError as exc:
        buying = _Buying([], [], [], "")
        by_choice = []
        error, start, end, by_item, by_hour, waste = (
            f"{exc.message[:1].upper()}{exc.message[1:]}. Showing the last seven days instead.",
            today - dt.timedelta(days=6),
            today,
            [],
            [],
            [],
        )
    try:
        day = reports.z_report(ctx, end)
        refusal = None
    except MidnightError:
        day = reports.x_report(ctx, end)
        refusal = reports.close_refusal(ctx, end)

    def money(minor: int) -> str:
        return format_money(minor, ctx.store.currency, ctx.store.locale)

    return render(
        request,
        "reports.html",
        ctx,
        start=start,
        end=end,
        report=day,
        refusal=refusal,
        error=error,
        describe=lambda difference: cash.describe(difference, money),
        charts=[
            bars(
                by_item,
                lambda r: r.amount,
                lambda r: f"{money(r.amount)} ({r.quantity} sold)",
                name="by-item",
                title=f"Sales by item, {start} to {end} (as sold; refunds are in the day reports)",
            ),
            bars(
                by_hour,
                lambda r: r.amount,
                lambda r: f"{money(r.amount)} ({r.quantity} order{'' if r.quantity == 1 else 's'})",
                name="by-hour",
                title=f"Sales by hour, {start} to {end} (as sold; refunds are in the day reports)",
            ),
            bars(
                by_choice,
                lambda r: int(r.quantity * 1000),
                lambda r: f"{r.quantity} × ({'+' if r.amount >= 0 else '−'}{money(abs(r.amount))})",
                name="by-choice",
                title=f"Choices made (modifiers) on items sold, {start} to {end}",
            ),
            bars(
                waste,
                lambda r: r.amount,
                lambda r: f"{money(r.amount)} ({r.quantity} units)",
                name="waste",
                title=f"Waste by product and reason at cost, {start} to {end}",
            ),
            bars(
                buying.waste_share,
                lambda r: r.amount,
                lambda r: r.label_text,
                name="waste-share",
                title=f"Waste as a share of what was received (at cost), {start} to {end}",
            ),
            bars(
                buying.forecast,
                lambda r: r.amount,
                lambda r: r.label_text,
                name="forecast-vs-actual",
                title=f"Forecast against what sold{buying.forecast_period}",
            ),
            bars(
                buying.ordered,
                lambda r: r.amount,
                lambda r: r.label_text,
                name="suggested-vs-ordered",
                title=f"Suggested against ordered, orders made {start} to {end}",
            ),
        ],
    )


def count_fields(ctx: Context, form: Mapping[str, object]) -> dict[str, object]:
    """The count a form describes: its total box and a box per note or coin ("piece_10000")."""
    pieces = []
    for value in drawers.denominations(ctx):
        typed = str(form.get(f"piece_{value}") or "").strip()
        if typed:
            pieces.append({"value": str(to_decimal(value, ctx.store.currency)), "count": typed})
    fields: dict[str, object] = {"counts": pieces} if pieces else {}
    if str(form.get("counted") or "").strip():
        fields["counted"] = str(form["counted"]).strip()
    return fields


def _close_page(
    request: Request,
    ctx: Context,
    day: dt.date,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: Mapping[str, object] | None = None,
) -> HTMLResponse:
    report, refusal = None, None
    try:
        report = reports.to_close(ctx, day)
    except MidnightError as exc:
        refusal = exc.message
        status_code = max(status_code, exc.http_status)
    return render(
        request,
        "close_day.html",
        ctx,
        status_code=status_code,
        day=day,
        report=report,
        refusal=refusal,
        denominations=drawers.denominations(ctx),
        errors=errors or {},
        values=values or {},
    )


@router.get("/reports/close", response_class=HTMLResponse)
def confirm_close(request: Request) -> HTMLResponse:
    """The confirmation: the day named, its totals and the cash expected, and a box for the count."""
    ctx = page_context(request)
    return _close_page(request, ctx, _which_day(request.query_params.get("date")))


def _which_day(value: object) -> dt.date:
    if not value:
        raise InvalidInput("say which day to close: open this page from that day's report", field="date")
    return parse_date(value, field="date")


@router.post("/reports/close", response_model=None)
async def close(request: Request) -> Response:
    """Close exactly the day the confirmation showed (its date travels with the form)."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    day = _which_day(form.get("date"))
    try:
        done = reports.close_day(ctx, form_command(CloseDay, {"date": day, **count_fields(ctx, form)}))
    except MidnightError as exc:
        where = exc.field or ""
        field = "counts" if where.startswith("counts") else "counted" if where == "counted" else "_"
        return _close_page(
            request, ctx, day, status_code=exc.http_status, errors={field: exc.message}, values=form
        )
    return redirect(f"/reports?end={done.business_date.isoformat()}")


@dataclass(frozen=True)
class _Bar(Row):
    label_text: str = ""


@dataclass(frozen=True)
class _Buying:
    waste_share: list[Row]
    forecast: list[Row]
    ordered: list[Row]
    forecast_period: str  # the days the forecast chart covers (at most 14, ended by yesterday)


def _buying(ctx: Context, period: Period) -> _Buying:
    """The buying reports as bars; the figures are the services', the page only lays them out."""
    money = ctx.money
    share = [
        _Bar(
            r.product,
            r.wasted,
            int((r.percent or 0) * 10),
            f"{r.percent}% of received ({money(r.wasted_cost)} of {money(r.received_cost)})"
            if r.percent is not None
            else f"{money(r.wasted_cost)} wasted, nothing received in the period",
        )
        for r in buying_reports.waste_share(ctx, period)
        if not r.reason
    ]
    end = min(period.end, ctx.today() - dt.timedelta(days=1))
    start = max(period.start, end - dt.timedelta(days=buying_reports.MAX_FORECAST_DAYS - 1))
    forecast: list[Row] = []
    shown = ""
    if start <= end:
        shown = f", {start} to {end}"
        forecast = [
            _Bar(
                r.product,
                r.actual,
                int(r.actual * 1000),
                f"sold {r.actual}, forecast {r.forecast}"
                + (f" (WAPE {r.wape}%)" if r.wape is not None else ""),
            )
            for r in buying_reports.forecast_vs_actual(ctx, Period(start=start, end=end))
        ]
    ordered = [
        _Bar(
            r.product,
            r.ordered + r.by_hand,
            int((r.ordered + r.by_hand) * 1000),
            f"ordered {r.ordered + r.by_hand}, suggested {r.suggested}"
            + (f" ({r.change:+}%)" if r.change is not None else "")
            + (f", {r.by_hand} by hand" if r.by_hand else ""),
        )
        for r in buying_reports.suggested_vs_ordered(ctx, period)
    ]
    return _Buying(share, forecast, ordered, shown)
