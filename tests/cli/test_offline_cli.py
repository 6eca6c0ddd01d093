"""Orders rung offline through the CLI: list, show, accept, refund; card offline on or off; the X report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from midnight.commands import build
from midnight.commands.offline import OfflineOrderIn
from midnight.domain.clock import FixedClock
from midnight.domain.people import Actor, Role
from midnight.services import offline
from midnight.services.context import open_context
from tests.cli.test_cli import Cli
from tests.conftest import NOW


@pytest.fixture
def bar(tmp_path: Path) -> Cli:
    c = Cli(tmp_path / "bar.db")
    c("init")
    c("product", "add", "PINE", "Tinned pineapple", "--kind", "best_before", "--shelf-life", "365")
    c("receive", "PINE", "1", "--cost", "9")
    c("menu", "add", "TIN", "Tinned pineapple 罐頭菠蘿", "--price", "18", "--product", "PINE")
    c.clock.advance(dt.timedelta(minutes=30))
    return c


def send(c: Cli, key: str, number: str, tins: int, cash: str, card: str | None = None) -> offline.OfflineInfo:
    """What the till page sends when it is back online, as kwan."""
    ctx = open_context(url=f"sqlite:///{c.db}", clock=FixedClock(c.clock.now()), actor="kwan")
    try:
        payments = [{"method": "cash", "amount": cash}] + (
            [{"method": "card", "amount": card}] if card else []
        )
        cmd = build(
            OfflineOrderIn,
            {
                "lines": [{"code": "TIN", "quantity": str(tins), "unit_price": "18"}],
                "payments": payments,
                "total": str(18 * tins),
                "rung_at": (NOW + dt.timedelta(minutes=10)).isoformat(),
                "local_number": number,
                "rung_by": "kwan",
            },
        )
        return offline.take(ctx.acting_as(Actor("kwan", Role.STAFF)), key, cmd)
    finally:
        ctx.db.dispose()


def test_waiting_orders_are_listed_shown_and_decided(bar: Cli) -> None:
    recorded = send(bar, "k-1", "T1-0001", 1, "20")
    waiting = send(bar, "k-2", "T1-0002", 2, "40")  # one tin left
    assert recorded.state.value == "recorded" and waiting.state.value == "waiting"
    listed = bar("offline", "list")
    assert "T1-0002" in listed and "T1-0001" not in listed
    assert "waiting for a decision: 1 (HK$36.00 paid by their customers)" in listed
    assert [i["local_number"] for i in bar.json("offline", "list", "--state", "recorded")] == ["T1-0001"]
    shown = bar("offline", "show", str(waiting.id))
    assert "waits because: Tinned pineapple 罐頭菠蘿: not enough sellable stock of PINE" in shown
    assert "2 × TIN at 18" in shown and "the customer paid HK$36.00" in shown
    assert "Rung offline, waiting for a decision: 1 (HK$36.00)" in bar("report", "x")
    assert bar("offline", "accept", str(waiting.id), code=2).startswith("error:")  # --note is needed
    done = bar.json("offline", "accept", f"#{waiting.id}", "--note", "the tins were on the shelf")
    assert done["state"] == "accepted" and done["order_id"]  # type: ignore[index]
    refused = bar("offline", "refund", str(waiting.id), "--note", "no", code=2)
    assert "already accepted" in refused
    assert "Rung offline" not in bar("report", "x")
    assert "no offline order 99" in bar("offline", "show", "99", code=2)


def test_a_refund_gives_the_money_back(bar: Cli) -> None:
    waiting = send(bar, "k-1", "T1-0001", 3, "60")
    done = bar("offline", "refund", str(waiting.id), "--note", "paid back from the drawer")
    assert "refunded" in done and "paid back from the drawer" in done


def test_the_owner_turns_card_offline_on_up_to_a_limit_and_off_again(bar: Cli) -> None:
    assert bar("till", "offline-card") == "card offline: refused (cash only)\n"
    assert bar("till", "offline-card", "--limit", "200") == "card offline: taken up to HK$200.00 an order\n"
    assert bar("till", "offline-card") == "card offline: taken up to HK$200.00 an order\n"
    assert "not both" in bar("till", "offline-card", "--limit", "5", "--off", code=2)
    assert "limit" in bar("till", "offline-card", "--limit", "lots", code=2)
    assert bar("till", "offline-card", "--off").startswith("card offline: refused from now on")
    assert bar("till", "offline-card") == "card offline: refused (cash only)\n"
