"""midnight forecast: each product's demand forecast from the ledger, and how well each method does."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import NUMBERS_AS_ARGS, JsonFlag, app, command, context_of, every
from midnight.cli.output import print_json, progress_bar, table
from midnight.commands.forecasts import BacktestQuery, ForecastQuery
from midnight.services import forecasts
from midnight.services.forecasts import Score

forecast_app = typer.Typer(
    help="Demand forecasts per product, learned from the ledger, and their backtest.", no_args_is_help=True
)
app.add_typer(forecast_app, name="forecast")

ProductOption = Annotated[str | None, typer.Option("--product", help="One product, by SKU or barcode.")]
DaysOption = Annotated[
    str | None, typer.Option(help="Days of sales history to read, ending yesterday (default 140).")
]


@forecast_app.command("show", context_settings=NUMBERS_AS_ARGS)
def forecast_show(
    ctx: typer.Context,
    product: ProductOption = None,
    days: DaysOption = None,
    horizon: Annotated[str | None, typer.Option(help="Days ahead, from today (1-14, default 14).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Each product's forecast: the model chosen for it, the history it learned from (and how many
    days of it were censored: closed, or out of stock), and the expected units each day."""
    s = context_of(ctx)
    values = {"sku": product, "days": days, "horizon": horizon}
    found = list(
        every(
            lambda cursor: forecasts.forecast_products(
                s, command(ForecastQuery, {**values, "cursor": cursor})
            )
        )
    )
    if as_json:
        print_json(found)
        return
    if product is not None:
        (f,) = found
        print(
            f"{f.sku} {f.name}: {f.method}, learned from {f.history_days} days "
            f"({f.closed_days} closed, {f.out_of_stock_days} out of stock)"
        )
        table(
            None,
            ["Day", f"Expected ({f.unit})", "80% interval"],
            [
                [f"{d.date:%a %Y-%m-%d}", d.mean, f"{d.low} – {d.high}" if d.low is not None else ""]
                for d in f.days
            ]
            + [["Total", f.total, ""]],
        )
        return
    if not found:
        print("no products yet")
        return
    table(
        f"Forecast for the next {len(found[0].days)} days",
        ["SKU", "Product", "Model", "History", "Censored", "Expected", "Per day"],
        [
            [
                f.sku,
                f.name,
                f.method,
                f.history_days,
                f.censored_days,
                f"{f.total} {f.unit}",
                " ".join(str(d.mean) for d in f.days[:7]) + (" …" if len(f.days) > 7 else ""),
            ]
            for f in found
        ],
    )


def _score(score: Score | None) -> str:
    if score is None:
        return ""
    wape = f"{score.wape:.3f}" if score.wape is not None else "–"
    mase = f"{score.mase:.2f}" if score.mase is not None else "–"
    return f"{wape} / {mase}"


@forecast_app.command("backtest", context_settings=NUMBERS_AS_ARGS)
def forecast_backtest(
    ctx: typer.Context,
    product: ProductOption = None,
    days: DaysOption = None,
    as_json: JsonFlag = False,
) -> None:
    """How each method would have forecast the last 28 days of each product from the days before:
    WAPE / MASE per product and overall, against seasonal-naive (MASE below 1 beats it)."""
    s = context_of(ctx)
    query = command(BacktestQuery, {"sku": product, "days": days})
    with progress_bar("Backtesting") as progress:
        result = forecasts.backtest(s, query, progress=progress)
    if as_json:
        print_json(result)
        return
    methods = result.methods
    rows = []
    for p in result.products:
        by_method = {score.method: score for score in p.scores}
        rows.append(
            [
                p.sku,
                p.chosen or "too little history",
                p.scored_days,
                *(_score(by_method.get(m)) for m in methods),
            ]
        )
    overall = {score.method: score for score in result.overall}
    rows.append(
        [
            "Overall",
            "",
            sum(p.scored_days for p in result.products),
            *(_score(overall.get(m)) for m in methods),
        ]
    )
    table(
        f"Backtest: the last {result.days} days, WAPE / MASE (baseline {result.baseline})",
        ["SKU", "Chosen model", "Days scored", *methods],
        rows,
    )
