"""Forecasting maths that needs no library: accuracy measures, censored days, the simple method.

Demand here is a daily series in units (floats: these are estimates, never money or stock). A day
the shop was closed, or the product was out of stock, is *censored*: what sold that day says
nothing about (or only a lower bound of) what would have sold, so it is given as None and filled
from the same weekday's recent days before any model reads the series.
"""

from __future__ import annotations

from collections.abc import Sequence

from midnight.domain.errors import InvalidInput

WEEK = 7
RECENT_WEEKS = 4  # the simple method, and filling a censored day, look back this many same weekdays


def _check_lengths(actual: Sequence[float], forecast: Sequence[float]) -> None:
    if len(actual) != len(forecast) or not actual:
        raise InvalidInput("actual and forecast need the same, non-zero number of days", field="forecast")


def wape(actual: Sequence[float], forecast: Sequence[float]) -> float | None:
    """Weighted absolute percentage error: Σ|a − f| / Σa (None when nothing was sold)."""
    _check_lengths(actual, forecast)
    sold = sum(actual)
    if sold <= 0:
        return None
    return sum(abs(a - f) for a, f in zip(actual, forecast, strict=True)) / sold


def mase(
    actual: Sequence[float], forecast: Sequence[float], history: Sequence[float], season: int = WEEK
) -> float | None:
    """Mean absolute scaled error: the forecast's mean error over seasonal-naive's in-sample error.

    Below 1 beats "same as last week" on the history; None when the history has no such error to
    scale by (shorter than a season and a day, or perfectly repeating).
    """
    _check_lengths(actual, forecast)
    if len(history) <= season:
        return None
    scale = sum(abs(history[i] - history[i - season]) for i in range(season, len(history))) / (
        len(history) - season
    )
    if scale == 0:
        return None
    error = sum(abs(a - f) for a, f in zip(actual, forecast, strict=True)) / len(actual)
    return error / scale


def seasonal_naive(history: Sequence[float], horizon: int, season: int = WEEK) -> list[float]:
    """Each day as the same weekday last week (the baseline every method is measured against)."""
    if not history:
        return [0.0] * horizon
    if len(history) < season:
        mean = sum(history) / len(history)
        return [mean] * horizon
    last = list(history[-season:])
    return [last[i % season] for i in range(horizon)]


def fill_censored(history: Sequence[float | None]) -> list[float]:
    """Censored days (None) as the mean of the same weekday's last uncensored days.

    Days count back from the last one, so weekday k is every 7th day from it. With no same weekday
    seen yet, the mean of all uncensored days; with none at all, zero.
    """
    seen = [v for v in history if v is not None]
    overall = sum(seen) / len(seen) if seen else 0.0
    filled: list[float] = []
    for i, value in enumerate(history):
        if value is not None:
            filled.append(value)
            continue
        same = [history[j] for j in range(i - WEEK, -1, -WEEK) if history[j] is not None][:RECENT_WEEKS]
        if len(same) < RECENT_WEEKS:  # look forward too, for a censored day early in the series
            after = [history[j] for j in range(i + WEEK, len(history), WEEK) if history[j] is not None]
            same += after[: RECENT_WEEKS - len(same)]
        filled.append(sum(v for v in same if v is not None) / len(same) if same else overall)
    return filled


def weekday_average(history: Sequence[float], horizon: int) -> list[float]:
    """The simple method for little history: each weekday's mean over its last four weeks.

    Shorter than a week: the plain mean. The forecast for day h is that of its weekday, counted from
    the day after the last one in the history.
    """
    if not history:
        return [0.0] * horizon
    if len(history) < WEEK:
        mean = sum(history) / len(history)
        return [mean] * horizon
    n = len(history)
    means = []
    for k in range(WEEK):  # k: the weekday of day n + k
        days = [history[j] for j in range(n + k - WEEK, -1, -WEEK)][:RECENT_WEEKS]
        means.append(sum(days) / len(days))
    return [means[h % WEEK] for h in range(horizon)]
