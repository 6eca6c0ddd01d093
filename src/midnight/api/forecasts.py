"""Demand forecasts per product, learned from the ledger, and their backtest (owner: reports)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.commands.forecasts import BacktestQuery, ForecastQuery
from midnight.db.paging import Page
from midnight.services import forecasts

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["forecasts"])

_UNITS = "In the product's unit, to the thousandth, as a decimal string."


class DayForecastOut(BaseModel):
    date: dt.date
    mean: Decimal = Field(description=f"Expected units that day. {_UNITS}", examples=["12.375"])
    low: Decimal | None = Field(description="The 80% interval's low end (null: the method gives none).")
    high: Decimal | None = Field(description="The 80% interval's high end.")


class ProductForecastOut(BaseModel):
    sku: str = Field(examples=["COLA"])
    name: str
    unit: str = Field(examples=["each"])
    method: str = Field(
        description="The model chosen for this product by a 28-day backtest; WeekdayAverage when it "
        "has under 49 days of history.",
        examples=["AutoETS"],
    )
    history_days: int = Field(description="Days of history learned from, since it was first in stock.")
    censored_days: int = Field(description="Of those, days whose sales said nothing: closed + out of stock.")
    closed_days: int = Field(description="Days the shop sold nothing at all.")
    out_of_stock_days: int = Field(description="Days the product was at zero while the shop was trading.")
    total: Decimal = Field(description=f"Expected units over the days forecast. {_UNITS}")
    days: list[DayForecastOut]


class ForecastPage(BaseModel):
    items: list[ProductForecastOut]
    next_cursor: str | None = Field(description="Pass back as `cursor` for the next page; null on the last.")


class ScoreOut(BaseModel):
    method: str = Field(examples=["SeasonalNaive"])
    wape: float | None = Field(description="Σ|actual − forecast| / Σ actual; null if nothing sold.")
    mase: float | None = Field(
        description="Mean error over seasonal-naive's in-sample error: below 1 beats it; null if undefined."
    )
    products: int = Field(description="Overall: how many products the method was scored on.")


class ProductBacktestOut(BaseModel):
    sku: str
    name: str
    chosen: str = Field(description="The method the forecast would have chosen ('': too little history).")
    history_days: int
    scored_days: int = Field(description="Of the last 28 days, those not censored.")
    censored_days: int
    scores: list[ScoreOut] = Field(description="Seasonal-naive first; empty with too little history.")


class BacktestOut(BaseModel):
    days: int = Field(description="The days forecast and scored: the last 28 of the history.")
    history_days: int = Field(description="The window read, ending yesterday.")
    baseline: str
    methods: list[str]
    products: list[ProductBacktestOut]
    overall: list[ScoreOut] = Field(
        description="WAPE pooled over every product's scored days; MASE the mean of the products'."
    )


@router.get("/forecasts", response_model=ForecastPage)
def list_forecasts(ctx: CtxDep, query: Annotated[ForecastQuery, Query()]) -> Page[forecasts.ProductForecast]:
    """Each product's forecast from today on (a page by SKU, or `sku=` for one), learned from the
    last `days` of sales; closed days and days out of stock are treated as unknown, not as zero."""
    return forecasts.forecast_products(ctx, query)


@router.get("/forecasts/backtest", response_model=BacktestOut)
def backtest(ctx: CtxDep, query: Annotated[BacktestQuery, Query()]) -> forecasts.Backtest:
    """How each method would have forecast the last 28 days of each product from the days before,
    against seasonal-naive: WAPE and MASE per product and overall. Fits every product: seconds for a
    few hundred products, under 20 s for a thousand (one core)."""
    return forecasts.backtest(ctx, query)
