"""Reports: the X/Z report of a day and charts over a period (owner)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.commands.till import CloseDay, Period
from midnight.domain.clock import parse_date
from midnight.domain.errors import MidnightError
from midnight.domain.money import format_money
from midnight.services import analytics, reports
from midnight.web.charts import bars
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/reports", response_class=HTMLResponse)
def report_page(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    today = ctx.today()
    error = None
    try:
        end = (
            parse_date(request.query_params["end"], field="end") if request.query_params.get("end") else today
        )
        start = (
            parse_date(request.query_params["start"], field="start")
            if request.query_params.get("start")
            else end - dt.timedelta(days=6)
        )
        period = form_command(Period, {"start": start, "end": end})
        by_item = analytics.sales_by_item(ctx, period)
        by_hour = analytics.sales_by_hour(ctx, period)
        waste = analytics.waste_by_product(ctx, period)
    except MidnightError as exc:
        error, start, end, by_item, by_hour, waste = (
            exc.message,
            today - dt.timedelta(days=6),
            today,
            [],
            [],
            [],
        )
    try:
        day = reports.z_report(ctx, end)
    except MidnightError:
        day = reports.x_report(ctx, end)

    def money(minor: int) -> str:
        return format_money(minor, ctx.store.currency, ctx.store.locale)

    return render(
        request,
        "reports.html",
        ctx,
        start=start,
        end=end,
        report=day,
        error=error,
        by_item=bars(by_item, lambda r: r.amount, lambda r: f"{money(r.amount)} ({r.quantity} sold)"),
        by_hour=bars(by_hour, lambda r: r.amount, lambda r: f"{money(r.amount)} ({r.quantity} orders)"),
        waste=bars(waste, lambda r: r.amount, lambda r: f"{money(r.amount)} ({r.quantity} units)"),
    )


@router.post("/reports/close", response_model=None)
async def close(request: Request) -> Response:
    ctx = page_context(request)
    await check_csrf(request)
    reports.close_day(ctx, CloseDay())
    return redirect("/reports")
