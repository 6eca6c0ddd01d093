"""Daily demand forecasts with statsforecast: a model chosen per product by backtest.

The candidates are the fast statistical models with weekly seasonality; each product's model is the
one with the lowest WAPE over the last 28 days (two 14-day windows), seasonal-naive among them, so
the choice can only match or beat the baseline on the backtest. Prediction intervals are conformal
(from the same backtest errors). A series shorter than the models need gets the documented simple
method (domain.forecasting.weekday_average) and no interval.

Measured (see docs/buying.md): AutoETS over two years of days costs ~0.75 s a series, too slow for a
thousand products; fitted on the last 16 weeks as additive-seasonal ETS it costs ~6 ms.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from midnight.domain.forecasting import WEEK, wape, weekday_average

HORIZON = 14
BACKTEST_WINDOWS = 2  # 2 x 14 = the last 28 days
FIT_DAYS = 112  # models read the last 16 weeks: enough for a weekly pattern, and fast
MIN_DAYS = HORIZON * (BACKTEST_WINDOWS + 1) + WEEK  # shorter: the simple method
LEVEL = 80  # the prediction interval's coverage, percent
SIMPLE = "WeekdayAverage"


@dataclass(frozen=True)
class Forecast:
    method: str
    mean: list[float]  # units a day, from the day after the history ends
    low: list[float] | None = None  # the LEVEL% interval, when the method gives one
    high: list[float] | None = None


def _models() -> list[object]:
    from statsforecast.models import (
        AutoETS,
        SeasonalExponentialSmoothingOptimized,
        SeasonalNaive,
        SeasonalWindowAverage,
    )
    from statsforecast.utils import ConformalIntervals

    intervals = ConformalIntervals(h=HORIZON, n_windows=BACKTEST_WINDOWS)
    return [
        SeasonalNaive(season_length=WEEK),
        SeasonalWindowAverage(season_length=WEEK, window_size=4, prediction_intervals=intervals),
        SeasonalExponentialSmoothingOptimized(season_length=WEEK, prediction_intervals=intervals),
        AutoETS(season_length=WEEK, model="ANA"),
    ]


def _frame(long: Mapping[str, Sequence[float]]) -> Any:
    import pandas as pd

    frames = []
    for key, ys in long.items():
        days = pd.date_range(end="2000-12-31", periods=len(ys), freq="D")  # only the weekday rhythm matters
        frames.append(pd.DataFrame({"unique_id": key, "ds": days, "y": [float(y) for y in ys]}))
    return pd.concat(frames, ignore_index=True)


def _choose(rows: Any, names: list[str]) -> str:
    """The model with the lowest WAPE on a product's backtest rows (ties: the earlier candidate)."""
    actual = rows["y"].tolist()
    scores = {name: wape(actual, rows[name].tolist()) for name in names}
    return min(names, key=lambda n: (scores[n] if scores[n] is not None else float("inf"), names.index(n)))


def forecast(
    history: Mapping[str, Sequence[float]], horizon: int = HORIZON, *, jobs: int = 1
) -> dict[str, Forecast]:
    """Forecast each series (units a day, oldest first, censored days already filled), on `jobs` cores."""
    result = {key: Forecast(SIMPLE, weekday_average(ys, horizon)) for key, ys in history.items()}
    long = {key: list(ys)[-FIT_DAYS:] for key, ys in history.items() if len(ys) >= MIN_DAYS}
    if not long:
        return result
    from statsforecast import StatsForecast

    df = _frame(long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = _models()
        sf = StatsForecast(models=models, freq="D", n_jobs=jobs)
        backtest = sf.cross_validation(df=df, h=HORIZON, n_windows=BACKTEST_WINDOWS, step_size=HORIZON)
        ahead = sf.forecast(df=df, h=horizon, level=[LEVEL])
    names = [str(m) for m in models]
    ahead_of = {str(key): rows for key, rows in ahead.groupby("unique_id")}  # one pass, not one per product
    for key, rows in backtest.groupby("unique_id"):
        best = _choose(rows, names)
        mine = ahead_of[str(key)]
        low, high = f"{best}-lo-{LEVEL}", f"{best}-hi-{LEVEL}"
        result[str(key)] = Forecast(
            best,
            [max(0.0, v) for v in mine[best].tolist()],
            [max(0.0, v) for v in mine[low].tolist()] if low in mine else None,
            [max(0.0, v) for v in mine[high].tolist()] if high in mine else None,
        )
    return result


@dataclass(frozen=True)
class Candidates:
    """Every method's forecast of one series, and the one `forecast` would have chosen for it."""

    chosen: str
    means: dict[str, list[float]]  # method -> units a day, from the day after the history ends


def candidates(
    history: Mapping[str, Sequence[float]], horizon: int, *, jobs: int = 1
) -> dict[str, Candidates]:
    """For a backtest: each candidate's forecast `horizon` days on (any horizon: no intervals), the
    simple method's too, and the choice `forecast` makes on the same history by the same rule."""
    result = {key: Candidates(SIMPLE, {SIMPLE: weekday_average(ys, horizon)}) for key, ys in history.items()}
    long = {key: list(ys)[-FIT_DAYS:] for key, ys in history.items() if len(ys) >= MIN_DAYS}
    if not long:
        return result
    from statsforecast import StatsForecast

    df = _frame(long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = _models()
        sf = StatsForecast(models=models, freq="D", n_jobs=jobs)
        backtest = sf.cross_validation(df=df, h=HORIZON, n_windows=BACKTEST_WINDOWS, step_size=HORIZON)
        ahead = sf.forecast(df=df, h=horizon)
    names = [str(m) for m in models]
    ahead_of = {str(key): rows for key, rows in ahead.groupby("unique_id")}
    for key, rows in backtest.groupby("unique_id"):
        mine = ahead_of[str(key)]
        means = {name: [max(0.0, v) for v in mine[name].tolist()] for name in names}
        means[SIMPLE] = result[str(key)].means[SIMPLE]
        result[str(key)] = Candidates(_choose(rows, names), means)
    return result
