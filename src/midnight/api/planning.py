"""Buying right: a supplier's suggested order and accepting it, stock that will expire unsold, and the
buying reports (JSON, or CSV with format=csv)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import Response

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.commands.planning import AcceptSuggestions, ReportQuery, SuggestQuery, UnsoldQuery
from midnight.services import buying_reports, planning, purchasing_views
from midnight.services.context import Context
from midnight.services.purchasing_views import OrderShown

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["buying"])
CSV_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {}}}
}


@router.get("/order-suggestions")
def suggestions(ctx: CtxDep, query: Annotated[SuggestQuery, Query()]) -> planning.Suggestions:
    """What to order now from a supplier for its next delivery, product by product (owner)."""
    return planning.suggest(ctx, query)


@router.post("/order-suggestions/accept", status_code=status.HTTP_201_CREATED)
def accept(ctx: CtxDep, body: AcceptSuggestions) -> OrderShown:
    """A draft purchase order from the suggestions (each line as suggested unless changed), shown as
    GET /api/purchase-orders/{id} shows it."""
    return purchasing_views.order(planning.accept(ctx, body), ctx.store.currency)


@router.get("/stock/will-expire-unsold")
def will_expire_unsold(ctx: CtxDep, query: Annotated[UnsoldQuery, Query()]) -> planning.WillExpire:
    """Lots the forecast says will reach their date with stock left, and what to do about each."""
    return planning.will_expire_unsold(ctx, query)


def _report(
    ctx: Context,
    period: ReportQuery,
    read: Callable[[Context, ReportQuery], Sequence[object]],
    kind: type,
    name: str,
) -> object:
    rows = read(ctx, period)
    if period.format == "csv":
        filename = f"{name}-{period.start}-{period.end}.csv"
        return Response(
            buying_reports.as_csv(rows, kind),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return rows


@router.get("/reports/waste-share", responses=CSV_RESPONSES)
def waste_share(ctx: CtxDep, period: Annotated[ReportQuery, Query()]) -> list[buying_reports.WasteShare]:
    """Write-offs by product and reason as a share of what the period received, at cost (owner)."""
    return _report(ctx, period, buying_reports.waste_share, buying_reports.WasteShare, "waste-share")  # type: ignore[return-value]


@router.get("/reports/forecast-vs-actual", responses=CSV_RESPONSES)
def forecast_vs_actual(
    ctx: CtxDep, period: Annotated[ReportQuery, Query()]
) -> list[buying_reports.ForecastActual]:
    """The forecast made the day before a period (at most 14 days, ended by yesterday) against what sold."""
    return _report(  # type: ignore[return-value]
        ctx,
        period,
        buying_reports.forecast_vs_actual,
        buying_reports.ForecastActual,
        "forecast-vs-actual",
    )


@router.get("/reports/suggested-vs-ordered", responses=CSV_RESPONSES)
def suggested_vs_ordered(
    ctx: CtxDep, period: Annotated[ReportQuery, Query()]
) -> list[buying_reports.SuggestedOrdered]:
    """Over the purchase orders made in a period: what the suggestions said and what was ordered."""
    return _report(  # type: ignore[return-value]
        ctx,
        period,
        buying_reports.suggested_vs_ordered,
        buying_reports.SuggestedOrdered,
        "suggested-vs-ordered",
    )
