"""Forecasts: how many days of the ledger to learn from, how far ahead, which products."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from midnight.commands import Command
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import Limit, ProductCode, whole

# 16 weeks for the models plus the 28 days their choice is backtested on (adapters/forecaster.py).
DEFAULT_HISTORY = 140
BACKTEST_DAYS = 28

HistoryDays = Annotated[
    int, whole(7, 730, "Days of sales history to read, ending yesterday (7-730; default 140).")
]
Horizon = Annotated[int, whole(1, 14, "Days ahead to forecast, from today (1-14).")]
BacktestHistory = Annotated[
    int,
    whole(
        BACKTEST_DAYS + 7,
        730,
        f"Days of sales history to read, ending yesterday; the last {BACKTEST_DAYS} are forecast "
        f"from the ones before ({BACKTEST_DAYS + 7}-730; default 140).",
    ),
]


class ForecastQuery(PageQuery):
    """The forecast of each product (a page of them by SKU, or one product)."""

    sku: ProductCode | None = Field(default=None, description="One product, by SKU or barcode.")
    days: HistoryDays = DEFAULT_HISTORY
    horizon: Horizon = 14
    limit: Limit = 100


class BacktestQuery(Command):
    """How each method would have forecast the last 28 days, against seasonal-naive."""

    sku: ProductCode | None = Field(default=None, description="One product, by SKU or barcode.")
    days: BacktestHistory = DEFAULT_HISTORY
