"""The kitchen through the CLI: stations, marking menu items, the tickets waiting, bump and recall."""

from __future__ import annotations

from tests.cli.test_cli import Cli
from tests.cli.test_till_cli import bar  # noqa: F401  (the fixture: a snack bar with TIN and SALAD)


def test_a_station_makes_the_salad_and_its_tickets_are_bumped_and_recalled(bar: Cli) -> None:  # noqa: F811
    assert "added the station Kitchen" in bar("kitchen", "station", "add", "Kitchen")
    assert "SALAD is made at Kitchen" in bar("menu", "kitchen", "SALAD", "--station", "kitchen")
    assert "made at: Kitchen" in bar("menu", "show", "SALAD")
    bar("order", "new", "SALAD:2:no onion", "TIN", "--cash", "100")
    out = bar("kitchen", "tickets", "Kitchen")
    assert "Kitchen: 1 to make" in out and "2 × 廚師沙律 Chef's salad" in out and "no onion" in out
    assert "Tinned" not in out
    (ticket,) = bar.json("kitchen", "tickets", "Kitchen")["items"]  # type: ignore[index]
    assert ticket["call_number"] == 1 and ticket["items"][0]["quantity"] == "2"
    assert f"bumped ticket {ticket['id']} (#1) at Kitchen" in bar("kitchen", "bump", str(ticket["id"]))
    assert bar.json("kitchen", "tickets", "Kitchen")["items"] == []  # type: ignore[index]
    assert "back on the screen" in bar("kitchen", "recall", f"#{ticket['id']}")
    assert "not bumped" in bar("kitchen", "recall", str(ticket["id"]), code=2)
    assert [s["waiting"] for s in bar.json("kitchen", "station", "list")] == [1]  # type: ignore[union-attr]
    assert "SALAD is not made in the kitchen" in bar("menu", "kitchen", "SALAD", "--none")


def test_kitchen_commands_say_what_is_wrong(bar: Cli) -> None:  # noqa: F811
    assert "say --station NAME, or --none" in bar("menu", "kitchen", "SALAD", code=2)
    assert "no kitchen station called Grill" in bar("menu", "kitchen", "SALAD", "--station", "Grill", code=2)
    assert "no printer called Nope" in bar("kitchen", "station", "add", "Bar", "--printer", "Nope", code=2)
    assert "no kitchen station called Bar" in bar("kitchen", "tickets", "Bar", code=2)
    assert "no kitchen ticket 7" in bar("kitchen", "bump", "7", code=2)
    bar("kitchen", "station", "add", "Bar")
    assert "already a station called bar" in bar("kitchen", "station", "add", "bar", code=2)
    assert "Bar prints nothing" in bar("kitchen", "station", "printer", "Bar", "--none")
    assert "name the PRINTER" in bar("kitchen", "station", "printer", "Bar", code=2)
