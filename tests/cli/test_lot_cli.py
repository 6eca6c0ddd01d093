"""midnight lot expiry / lot show, and writing off everything expired after a confirmation."""

from __future__ import annotations

from tests.cli.test_cli import Cli, cli  # noqa: F401  (the fixture)


def test_correct_a_lots_expiry_and_see_its_history(cli: Cli) -> None:  # noqa: F811
    cli("receive", "MILK", "3", "--expires", "2026-11-30")
    out = cli("lot", "expiry", "1", "2026-11-28", "--reason", "date misread")
    assert "expiry corrected from 2026-11-30 to 2026-11-28 (date misread)" in out
    shown = cli("lot", "show", "1")
    assert "received with expiry 2026-11-30, corrected to 2026-11-28" in shown and "date misread" in shown
    assert cli.json("lot", "show", "1")["lot"]["effective_expiry"] == "2026-11-28"  # type: ignore[index]
    err = cli("lot", "expiry", "1", "2026-11-27", code=2)
    assert "reason" in err and "--reason" not in err
    err = cli("lot", "expiry", "1", "28/11/2026", "--reason", "x", code=2)
    assert "must be a date like 2026-12-31" in err


def test_waste_expired_asks_first_and_says_what_it_costs(cli: Cli) -> None:  # noqa: F811
    cli("receive", "MILK", "3", "--cost", "10", "--received", "2026-11-15", "--expires", "2026-11-20")
    cli("receive", "PINE", "1", "--cost", "5", "--received", "2026-11-15", "--expires", "2026-11-20")
    refused = cli("waste", "--expired", code=1)  # no answer: nothing written off
    assert "expired: 1 lot (3 each) at a cost of HK$30.00" in refused
    assert "1 best-before lot(s) past their date are kept" in refused
    assert [lot["status"] for lot in cli.json("expiring")["lots"]] == ["expired", "expired"]  # type: ignore[index]
    done = cli("waste", "--expired", "--include-best-before", "--yes")
    assert "total written off: 2 lot(s), HK$35.00" in done
    assert "total written off: 0 lot(s)" in cli("waste", "--expired", "--yes")
