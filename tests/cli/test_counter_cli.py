"""The counter shelf and notifications through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.test_cli import Cli
from tests.receiver import Receiver


def test_hold_and_hand_over_with_the_code(tmp_path: Path) -> None:
    receiver = Receiver()
    try:
        cli = Cli(tmp_path / "c.db")
        assert "customer #1: Mr Chan 陳先生" in cli(
            "customer",
            "add",
            "Mr Chan 陳先生",
            "--nickname",
            "663",
            "--contact",
            receiver.url(),
            "--language",
            "zh-Hant",
        )
        out = cli("hold", "add", "envelope with keys", "--for", "663", "--left-by", "Ms Wong", "--slot", "B2")
        code = re.search(r"pickup code: (\d{6})", out).group(1)  # type: ignore[union-attr]
        assert "queued 0, delivered 1, failed 0" in cli("notify", "run")
        assert code in str(receiver.messages[0]["message"])
        assert "envelope with keys" in cli("hold", "list")
        err = cli("hold", "pickup", "1", "--code", "999999" if code != "999999" else "111111", code=2)
        assert "wrong pickup code; 4 tries left" in err
        assert "picked_up" in cli("hold", "pickup", "1", "--code", code)
        history = cli("hold", "show", "1")
        assert "wrong_code" in history and "picked_up with the pickup code" in history
        assert json.loads(cli("notify", "list", "--json"))[0]["state"] == "sent"
        assert "1" in cli("customer", "list", "663")
    finally:
        receiver.close()


def test_counter_bad_input(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "c.db")
    assert "is not a notification URL" in cli("customer", "add", "X", "--contact", "nonsense", code=2)
    assert "unknown customer 'nobody'" in cli("hold", "add", "x", "--for", "nobody", code=2)
    assert "no held item 5" in cli("hold", "pickup", "5", "--id-checked", code=2)
    assert "give the pickup code" in cli("hold", "pickup", "5", code=2)
    assert "not a notification URL" in cli("notify", "test", "nonsense", code=2)
    assert "digest time must be HH:MM" in cli("notify", "digest-time", "seven", code=2)
