"""PINs and till devices through the CLI: set, clear, unlock, list and revoke."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from midnight.commands.people import EnrollDevice
from midnight.domain.clock import FixedClock
from midnight.domain.errors import NotAuthenticated, TooManyAttempts
from midnight.services import devices, people, pins, tills
from midnight.services.context import open_context
from tests.cli.test_people_cli import call, password
from tests.conftest import NOW


def pin_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pin.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_an_owner_sets_clears_and_unlocks_pins_and_revokes_a_till_device(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    call(db, "init", "--owner", "ada", "--password-file", password(tmp_path, "ada", "owner pass phrase"))
    call(db, "user", "add", "kwan", "--password-file", password(tmp_path, "kwan", "staff pass phrase"))
    err = call(db, "user", "pin", "kwan", "--pin-file", pin_file(tmp_path, "1111"), code=2)
    assert (
        err
        == "error: one digit repeated (like 0000) is among the first PINs a guesser tries: choose another PIN\n"
    )
    err = call(db, "user", "pin", "kwan", "--pin-file", pin_file(tmp_path, "12a4"), code=2)
    assert err == "error: a PIN is 4 to 8 digits, 0-9 only\n"
    assert call(db, "user", "pin", "kwan", "--pin-file", pin_file(tmp_path, "2580")) == "PIN set for kwan\n"
    listed = {u["name"]: u for u in json.loads(call(db, "user", "list", "--json"))}
    assert (listed["kwan"]["has_pin"], listed["kwan"]["pin_locked"]) == (True, False)
    assert "set" in call(db, "user", "list")

    ctx = open_context(url=f"sqlite:///{db}", clock=FixedClock(NOW), actor="ada")
    try:
        owner = ctx.acting_as(people.local_actor(ctx, "ada"))
        tills.add_till(owner, "Till 1")
        device = devices.enroll_device(owner, EnrollDevice(till="Till 1", label="front tablet")).secret
        for _ in range(5):
            with pytest.raises((NotAuthenticated, TooManyAttempts), match="wrong PIN"):
                pins.switch_user(ctx, device, "kwan", "1357", "10.0.0.7", None)
        with pytest.raises(TooManyAttempts, match="PIN locked after 5 wrong tries"):
            pins.switch_user(ctx, device, "kwan", "2580", "10.0.0.7", None)
        assert "locked" in call(db, "user", "list")
        err = call(db, "user", "pin-unlock", "kwan", user="kwan", code=2)
        assert err == "error: kwan (staff) may not manage users: owner only\n"
        assert call(db, "user", "pin-unlock", "kwan") == "PIN unlocked for kwan\n"
        pins.switch_user(ctx, device, "kwan", "2580", "10.0.0.7", None)

        shown = call(db, "till", "devices")
        assert "front tablet" in shown and "Till 1" in shown
        assert [d["id"] for d in json.loads(call(db, "till", "devices", "--json"))] == [1]
        err = call(db, "till", "devices", user="kwan", code=2)
        assert "may not manage users" in err
        assert call(db, "till", "revoke-device", "#1") == "till device 1 (Till 1, front tablet) revoked\n"
        assert json.loads(call(db, "till", "devices", "--json")) == []
        assert json.loads(call(db, "till", "devices", "--all", "--json"))[0]["revoked_at"] is not None
        assert call(db, "till", "revoke-device", "9", code=2) == "error: no till device 9\n"
        assert devices.device_till(ctx, device) is None
    finally:
        ctx.db.dispose()

    assert call(db, "user", "pin", "kwan", "--clear") == "PIN cleared for kwan\n"
    err = call(db, "user", "pin", "kwan", "--clear", "--pin-file", pin_file(tmp_path, "2580"), code=2)
    assert err == "error: give --pin-file or --clear, not both\n"
    err = call(db, "user", "pin", "kwan", code=2)
    assert err == "error: no terminal to ask for a PIN: give --pin-file\n"
