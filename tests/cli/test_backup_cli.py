"""midnight backup, restore and export as a person types them: what they print, and what they refuse."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli.app import CliState
from midnight.db.engine import head_revision
from midnight.domain.clock import FixedClock
from tests.cli.test_cli import Cli, cli  # noqa: F401 - the fixture
from tests.conftest import NOW

runner = CliRunner()


def _run(db: str, *args: str, user: str = "cli") -> tuple[int, str, str]:
    state = CliState(clock=FixedClock(NOW), user=user)
    try:
        result = runner.invoke(app, ["--db", db, *args], obj=state)
    finally:
        state.close()
    return result.exit_code, result.stdout, result.stderr


def test_back_up_restore_and_export_from_the_command_line(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    cli("receive", "PINE", "24", "--cost", "9.50", "--expires", "2027-06-01")
    cli("sell", "PINE", "3")
    out = cli("backup", str(tmp_path / "shop.backup"))
    assert out.startswith(f"backed up to {tmp_path / 'shop.backup'} (sqlite, ")

    target = tmp_path / "restored.db"
    code, out, err = _run(str(target), "restore", str(tmp_path / "shop.backup"), "--key", f"{cli.db}.key")
    assert code == 0, err
    assert out.splitlines() == [
        f"restored {tmp_path / 'shop.backup'} (sqlite) at schema {head_revision()}",
        f"the secrets key is in {target}.key",
    ]
    code, out, _ = _run(str(target), "stock", "--json")
    assert {p["sku"]: p["on_hand"] for p in json.loads(out)}["PINE"] == "21"

    code, out, err = _run(str(target), "restore", str(tmp_path / "shop.backup"))
    assert code == 2 and "error: the database to restore into is not empty" in err

    out = cli("export", str(tmp_path / "books"), "--from", "2026-11-25", "--to", "2026-11-25")
    assert "ledger.csv: 2 rows" in out and "orders.csv: 0 rows" in out
    assert (tmp_path / "books" / "waste.csv").exists()
    made = json.loads(
        cli("export", str(tmp_path / "books2"), "--from", "2026-11-25", "--to", "2026-11-25", "--json")
    )
    assert made["files"]["ledger.csv"] == 2


def test_what_the_backup_commands_refuse_says_what_was_wrong(cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    cli("backup", str(tmp_path / "b"))
    assert "already exists: give a new file name" in cli("backup", str(tmp_path / "b"), code=2)
    assert "ends (2026-11-24) before it starts (2026-11-25)" in cli(
        "export", str(tmp_path / "e"), "--from", "2026-11-25", "--to", "2026-11-24", code=2
    )
    assert "start" in cli("export", str(tmp_path / "e"), "--from", "25/11/2026", "--to", "2026-11-24", code=2)
    code, _, err = _run(str(tmp_path / "new.db"), "restore", str(tmp_path / "missing"))
    assert code == 2 and "missing does not exist" in err
    cli("user", "add", "cli", "--role", "owner", "--password-file", _password(tmp_path))
    cli("user", "add", "sam", "--password-file", _password(tmp_path))
    code, _, err = _run(str(cli.db), "backup", str(tmp_path / "c"), user="sam")
    assert code != 0 and "may not back up the shop or export its records: owner only" in err


def _password(tmp_path: Path) -> str:
    path = tmp_path / "pw"
    path.write_text("a long enough password\n")
    return str(path)
