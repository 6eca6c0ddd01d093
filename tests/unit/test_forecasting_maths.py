"""Forecast accuracy, censored days and the simple method for little history (issue 12)."""

from __future__ import annotations

import pytest

from midnight.domain.errors import InvalidInput
from midnight.domain.forecasting import fill_censored, mase, seasonal_naive, wape, weekday_average

WEEK = [10.0, 8.0, 9.0, 10.0, 12.0, 16.0, 14.0]


def test_wape_weighs_errors_by_what_sold() -> None:
    assert wape([10, 0, 10], [8, 1, 13]) == pytest.approx(6 / 20)
    assert wape([0, 0], [1, 1]) is None
    with pytest.raises(InvalidInput, match="same, non-zero number of days"):
        wape([1], [1, 2])


def test_mase_is_one_for_seasonal_naive_on_a_series_that_repeats_its_change() -> None:
    history = [float(i) for i in range(21)]  # rises by 7 a week: seasonal-naive is off by 7 a day
    actual = [21.0, 22.0]
    assert mase(actual, seasonal_naive(history, 2), history) == pytest.approx(1.0)
    assert mase(actual, actual, history) == 0.0
    assert mase(actual, actual, WEEK * 3) is None  # a perfect repeat: nothing to scale by
    assert mase(actual, actual, WEEK) is None  # not a season and a day


def test_seasonal_naive_repeats_last_week() -> None:
    assert seasonal_naive(WEEK * 2, 9) == WEEK + WEEK[:2]
    assert seasonal_naive([3.0, 5.0], 2) == [4.0, 4.0]
    assert seasonal_naive([], 3) == [0.0, 0.0, 0.0]


def test_a_censored_day_is_filled_from_its_weekday_not_read_as_zero() -> None:
    history: list[float | None] = [*WEEK, *WEEK, *WEEK]
    history[19] = None  # a Saturday (16 before) the shop was closed
    filled = fill_censored(history)
    assert filled[19] == 16.0 and filled[:19] == history[:19]
    assert fill_censored([None, 2.0, None, 4.0]) == [3.0, 2.0, 3.0, 4.0]
    assert fill_censored([None, None]) == [0.0, 0.0]


def test_the_simple_method_takes_each_weekday_over_its_last_four_weeks() -> None:
    history = [*WEEK] * 5
    history[-7] = 24.0  # the last Monday sold 24, the four before 10: mean of the last four is 13.5
    assert weekday_average(history, 8) == [(24 + 10 * 3) / 4, *WEEK[1:], (24 + 10 * 3) / 4]
    assert weekday_average([2.0, 4.0], 3) == [3.0, 3.0, 3.0]
