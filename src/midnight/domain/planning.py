"""Buying with shelf life in mind: what will expire unsold, and how much to order (issue 12).

Pure maths on quantities in milli-units and money in minor units; forecasts come in as expected
daily demand (and its spread) from whatever forecasting method the services chose.

- `expire_unsold` projects FEFO depletion of today's lots against the forecast, day by day, and
  lists the lots that reach their last good day with units left.
- `order_quantity` is the newsvendor order for one product: the demand that a delivery must cover
  (until the delivery after next, but never beyond the new stock's shelf life), taken at the
  critical ratio underage / (underage + overage) — lost margin against the unit cost that is wasted
  — or at the product's own service level when the owner set one; less the stock that will still be
  sellable then; rounded up to whole packs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from midnight.domain.errors import InvalidInput
from midnight.domain.fefo import fefo_key
from midnight.domain.lot import LotView

# The critical ratio is kept inside these bounds: 0 or 1 would ask for nothing or for infinity.
LOWEST_SERVICE = 0.50
HIGHEST_SERVICE = 0.995


@dataclass(frozen=True)
class DayDemand:
    """The forecast for one day: expected demand and its standard deviation, in milli-units."""

    mean: float
    sd: float = 0.0


@dataclass(frozen=True)
class Unsold:
    """A lot that the forecast says will reach its last good day with stock left."""

    lot_id: int
    expires: dt.date
    left: int  # milli-units still there at the end of its last good day


def expire_unsold(lots: Sequence[LotView], demand: Sequence[float], today: dt.date) -> list[Unsold]:
    """Lots that will expire with units left if sales follow `demand` (milli-units, from today on).

    Each day's demand draws FEFO from the lots still good that day (a lot is good through its
    effective expiry date); what a lot holds at the end of that date is reported. Lots whose date is
    beyond the forecast's horizon are not judged.
    """
    left = {lot.id: lot.on_hand for lot in lots if lot.on_hand > 0}
    ordered = sorted((lot for lot in lots if lot.id in left), key=fefo_key)
    found: list[Unsold] = []
    for offset, wanted in enumerate(demand):
        day = today + dt.timedelta(days=offset)
        need = max(0, round(wanted))
        for lot in ordered:
            if need == 0:
                break
            if lot.effective_expiry < day or left[lot.id] == 0:
                continue
            take = min(need, left[lot.id])
            left[lot.id] -= take
            need -= take
        found += [
            Unsold(lot.id, lot.effective_expiry, left[lot.id])
            for lot in ordered
            if lot.effective_expiry == day and left[lot.id] > 0
        ]
    # stock already past its date today is waste, not a forecast: the expiry write-off lists it
    return found


def critical_ratio(unit_cost: int, unit_price: int, service_level: float | None = None) -> float:
    """The share of demand to cover: the owner's service level, else margin / (margin + cost)."""
    if unit_cost < 0 or unit_price < 0:
        raise InvalidInput("a cost or price can't be negative", field="unit_cost")
    if service_level is not None:
        if not 0 < service_level < 1:
            raise InvalidInput(
                f"a service level is a share between 0 and 1, not {service_level}", field="service"
            )
        ratio = service_level
    elif unit_price <= unit_cost:
        ratio = LOWEST_SERVICE  # sold at no margin: running out costs nothing more than waste does
    else:
        margin = unit_price - unit_cost
        ratio = margin / (margin + unit_cost) if unit_cost else HIGHEST_SERVICE
    return min(HIGHEST_SERVICE, max(LOWEST_SERVICE, ratio))


def covered_demand(demand: Sequence[DayDemand], ratio: float) -> float:
    """The quantity that covers the summed demand of these days with probability `ratio`.

    The days' demands are summed as independent normals; the spread is never taken below the
    Poisson spread (sqrt of the mean, in units), so a series that looked flat still gets a margin.
    """
    mean = sum(max(0.0, d.mean) for d in demand)
    if mean == 0:
        return 0.0
    variance = sum(d.sd**2 for d in demand)
    poisson = mean * 1000  # milli-units: var(units) = mean(units) -> var(milli) = mean(milli) * 1000
    sd = math.sqrt(max(variance, poisson))
    return max(0.0, NormalDist(mean, sd).inv_cdf(ratio))


@dataclass(frozen=True)
class Suggestion:
    quantity: int  # milli-units to order now, a whole number of packs
    packs: int
    target: int  # what the delivery should bring stock up to over the covered days
    usable: int  # stock counted as still sellable over those days
    days_covered: int


def order_quantity(
    demand: Sequence[DayDemand],
    *,
    usable_stock: int,
    pack_size: int,
    shelf_life_days: int | None,
    ratio: float,
) -> Suggestion:
    """How much to order for the days in `demand` (from the delivery to the delivery after next).

    `usable_stock` is what will still be there and sellable on those days (lots that will expire
    unsold don't count); `shelf_life_days` limits the days a new delivery can serve. A lot received
    with the product's shelf life is dated delivery day + shelf life (`lot.default_expiry`) and is good
    through that date, so it serves the delivery day and `shelf_life_days` days after it: a 2-day
    product is never asked to cover more than 3 days of demand — nor fewer, when 3 are to be covered.
    """
    if pack_size <= 0:
        raise InvalidInput("a pack holds more than nothing", field="pack_size")
    if usable_stock < 0:
        raise InvalidInput("usable stock can't be negative", field="usable_stock")
    days = list(demand)
    if shelf_life_days is not None:
        if shelf_life_days <= 0:
            raise InvalidInput("a shelf life is at least one day", field="shelf_life_days")
        days = days[: shelf_life_days + 1]  # the delivery day, then shelf_life_days more
    target = math.ceil(covered_demand(days, ratio))
    short = max(0, target - usable_stock)
    packs = -(-short // pack_size)
    return Suggestion(packs * pack_size, packs, target, usable_stock, len(days))


def meet_minimum(packs: Sequence[int], pack_costs: Sequence[int], minimum: int) -> list[int]:
    """Raise an order to the supplier's minimum (minor units), a pack at a time, cheapest first.

    An order of nothing stays nothing: the minimum is for an order that is placed at all.
    """
    if len(packs) != len(pack_costs):
        raise InvalidInput("one pack cost for each line", field="lines")
    result = list(packs)
    if not any(result) or minimum <= 0:
        return result
    wanted = [i for i, n in enumerate(result) if n > 0]
    cheapest = min(wanted, key=lambda i: (pack_costs[i], i))
    if pack_costs[cheapest] <= 0:
        return result
    total = sum(n * c for n, c in zip(result, pack_costs, strict=True))
    if total < minimum:
        result[cheapest] += -(-(minimum - total) // pack_costs[cheapest])
    return result


# The forecaster's prediction interval is 80% (adapters/forecaster.LEVEL): its upper bound is this
# many standard deviations above the mean.
Z_INTERVAL = NormalDist().inv_cdf(0.90)


def daily_demand(
    means: Sequence[float], highs: Sequence[float] | None, selling: Sequence[bool] | None = None
) -> list[DayDemand]:
    """A forecast (units a day, and the 80% interval's upper bound) as demand in milli-units.

    The spread comes from the upper half of the interval: forecasters clip the lower bound at zero,
    which would understate how far a slow seller can go. A day known to sell nothing (`selling`
    False: the shop is shut) has no demand, whatever the model says.
    """
    found = []
    for i, mean in enumerate(means):
        if selling is not None and not selling[i]:
            found.append(DayDemand(0.0))
            continue
        sd = max(0.0, (highs[i] - mean) / Z_INTERVAL) if highs is not None else 0.0
        found.append(DayDemand(max(0.0, mean) * 1000, sd * 1000))
    return found


def suggest_order(
    lots: Sequence[LotView],
    daily: Sequence[DayDemand],
    first_day: dt.date,
    *,
    arrives: dt.date,
    lasts_until: dt.date,
    pack_size: int,
    shelf_life_days: int | None,
    ratio: float,
) -> Suggestion:
    """The order for one product, to arrive on `arrives` and last until `lasts_until` (the delivery
    after next), with `daily[i]` the forecast for `first_day + i`.

    Usable stock is what the lots (on hand, and any already on order arriving before then) will
    still hold when the delivery comes and stay good for: their total, less what `expire_unsold`
    projects will be left on their last good day up to the end of the covered days, less the demand
    expected before the delivery arrives.
    """
    lead = (arrives - first_day).days
    gap = (lasts_until - arrives).days
    if lead < 0 or gap <= 0:
        raise InvalidInput(
            "a delivery comes after the forecast starts and before the next one", field="delivery"
        )
    covered = list(daily[lead : lead + gap])
    days_covered = gap if shelf_life_days is None else min(gap, shelf_life_days)
    projected = [d.mean for d in daily[: lead + days_covered]]
    unsold = sum(u.left for u in expire_unsold(lots, projected, first_day))
    before = sum(d.mean for d in daily[:lead])
    usable = max(0, sum(lot.on_hand for lot in lots) - unsold - round(before))
    return order_quantity(
        covered, usable_stock=usable, pack_size=pack_size, shelf_life_days=shelf_life_days, ratio=ratio
    )
