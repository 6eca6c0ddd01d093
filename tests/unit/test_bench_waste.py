"""bench/waste.py's replay, small and fast: stock is conserved and a seed gives the same run.

The bench is not a test (it prints numbers, asserts no target); this keeps its simulation honest so
the numbers it prints in docs/performance.md cannot silently rot.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "waste.py"
DAYS = 40


def load() -> ModuleType:
    if "bench_waste" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_waste", BENCH)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_waste"] = module  # dataclasses look their module up while being made
        spec.loader.exec_module(module)
    return sys.modules["bench_waste"]


def replay(seed: int) -> dict[str, dict[str, object]]:
    w = load()
    products = w.shop(3)
    demand = w.demand_draws(products, DAYS, seed)
    suggested, _ = w.run_suggestions(products, demand, DAYS, "simple", 1)
    par = w.simulate(products, demand, DAYS, w.par_policy(w.par_levels(products, DAYS, 1.0)))
    return {"a": par.stocks, "b": suggested.stocks}


@pytest.mark.parametrize("policy", ["a", "b"])
def test_every_unit_received_is_sold_wasted_or_still_on_hand(policy: str) -> None:
    stocks = replay(12)[policy]
    assert len(stocks) == 3
    for sku, s in stocks.items():
        t = s.tally
        assert t.opening + t.received == t.sold + t.wasted + t.closing, sku
        assert t.sold + t.short == t.demand and t.received > 0 and t.sold > 0, sku
        assert t.closing == sum(lot.on_hand for lot in s.lots), sku
        assert all(lot.on_hand % 1000 == 0 for lot in s.lots), sku  # whole units, in thousandths
        assert (
            t.sales == t.sold * s.product.price // 1000 and t.waste_cost == t.wasted * s.product.cost // 1000
        )


def test_the_same_seed_replays_the_same_days_and_another_seed_does_not() -> None:
    def tallies(seed: int) -> dict[str, object]:
        runs = replay(seed)
        return {f"{policy} {sku}": s.tally for policy, stocks in runs.items() for sku, s in stocks.items()}

    assert tallies(12) == tallies(12)
    assert tallies(12) != tallies(13)
