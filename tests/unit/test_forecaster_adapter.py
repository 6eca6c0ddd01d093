"""statsforecast behind the forecaster adapter, on a seeded synthetic shop with known demand."""

from __future__ import annotations

import random

from midnight.adapters.forecaster import HORIZON, SIMPLE, forecast
from midnight.domain.forecasting import fill_censored, seasonal_naive, wape

WEEK = [1.0, 0.8, 0.9, 1.0, 1.2, 1.6, 1.4]
DAYS = 200


def shop(seed: int = 12) -> dict[str, tuple[list[float | None], list[float]]]:
    """Per product: the history as the ledger would give it (None: closed or out of stock), the truth after."""
    rng = random.Random(seed)
    found: dict[str, tuple[list[float | None], list[float]]] = {}
    for n in range(12):
        base = rng.uniform(3, 30)
        days = [max(0.0, round(rng.gauss(base * WEEK[d % 7], base * 0.25))) for d in range(DAYS + HORIZON)]
        history: list[float | None] = list(days[:DAYS])
        history[DAYS - 30] = None  # a day the shop was closed
        for d in range(DAYS - 60, DAYS - 57):  # and a stock-out of three days
            history[d] = None
        found[f"P{n}"] = (history, days[DAYS:])
    return found


def test_the_chosen_model_beats_seasonal_naive_on_wape_with_censored_days_filled() -> None:
    data = shop()
    history = {key: fill_censored(h) for key, (h, _) in data.items()}
    result = forecast(history)
    ours = [wape(data[k][1], result[k].mean) for k in data]
    naive = [wape(data[k][1], seasonal_naive(history[k], HORIZON)) for k in data]
    assert sum(w for w in ours if w is not None) < sum(w for w in naive if w is not None)
    for key, f in result.items():
        assert f.method != SIMPLE and len(f.mean) == HORIZON and min(f.mean) >= 0, key
        if f.low is not None and f.high is not None:
            assert all(
                lo <= m + 1e-9 and m <= hi + 1e-9 for lo, m, hi in zip(f.low, f.mean, f.high, strict=True)
            )


def test_little_history_falls_back_to_the_simple_method() -> None:
    result = forecast({"NEW": [2.0, 4.0, 3.0]})
    assert (
        result["NEW"].method == SIMPLE and result["NEW"].mean == [3.0] * HORIZON and result["NEW"].low is None
    )
