"""Users through the CLI: the first owner at init, roles obeyed by the CLI as by the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli.app import CliState
from midnight.commands.people import LogIn
from midnight.domain.clock import FixedClock
from midnight.domain.errors import NotAuthenticated
from midnight.services import people
from midnight.services.context import open_context
from tests.conftest import NOW

runner = CliRunner()


def call(db: Path, *args: str, user: str | None = None, code: int = 0) -> str:
    result = runner.invoke(app, ["--db", str(db), *args], obj=CliState(clock=FixedClock(NOW), user=user))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result.stdout if code == 0 else result.stderr


def password(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.pw"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_init_creates_the_owner_and_users_follow_their_roles(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    call(db, "init", "--owner", "Ada", "--password-file", password(tmp_path, "ada", "owner pass phrase"))
    err = call(db, "init", "--owner", "bob", "--password-file", password(tmp_path, "bob", "x" * 9), code=2)
    assert "already has users" in err
    assert "added staff kwan" in call(
        db,
        "user",
        "add",
        "kwan",
        "--role",
        "staff",
        "--password-file",
        password(tmp_path, "kwan", "staff pass phrase"),
        user="ada",
    )
    assert [u["name"] for u in json.loads(call(db, "user", "list", "--json", user="ada"))] == [
        "ada",
        "kwan",
    ]
    call(
        db, "product", "add", "PINE", "Pineapple", "--kind", "best_before", "--shelf-life", "365", user="ada"
    )
    assert "received lot 1" in call(db, "receive", "PINE", "3", user="kwan")
    err = call(db, "waste", "1", "1", "--reason", "dented", user="kwan", code=2)
    assert err == "error: kwan (staff) may not write off stock: owner only\n"
    err = call(db, "user", "list", user="kwan", code=2)
    assert "may not manage users" in err
    assert "no user nobody" in call(db, "receive", "PINE", "1", user="nobody", code=2)
    token = call(db, "user", "token", "kwan", "--label", "till 1", user="kwan").strip()
    assert token.startswith("mxt_")
    assert "revoked" in call(db, "user", "revoke", "1", user="ada")
    assert "password changed for kwan" in call(
        db,
        "user",
        "passwd",
        "kwan",
        "--password-file",
        password(tmp_path, "k2", "new staff phrase"),
        user="kwan",
    )
    err = call(
        db, "user", "add", "x", "--password-file", password(tmp_path, "x", "short"), user="ada", code=2
    )
    assert "at least 8 characters" in err
    assert "kwan: owner, active" in call(db, "user", "role", "kwan", "--role", "owner", user="ada")
    err = call(db, "user", "role", "ada", "--inactive", user="ada")
    assert "ada: owner, inactive" in err


def test_a_password_change_ends_every_token_and_session_of_that_user(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    call(db, "init", "--owner", "ada", "--password-file", password(tmp_path, "ada", "owner pass phrase"))
    staff_pw = password(tmp_path, "kwan", "staff pass phrase")
    call(db, "user", "add", "kwan", "--password-file", staff_pw, user="ada")
    kept = call(db, "user", "token", "ada", "--label", "office", user="ada").strip()
    tokens = [call(db, "user", "token", "kwan", "--label", f"till {n}", user="kwan").strip() for n in (1, 2)]
    ctx = open_context(url=f"sqlite:///{db}", clock=FixedClock(NOW), actor="test")
    try:
        session = people.log_in(ctx, LogIn(name="kwan", password="staff pass phrase"), "127.0.0.1").token
        assert people.authenticate(ctx, session).name == "kwan"

        call(
            db,
            "user",
            "passwd",
            "kwan",
            "--password-file",
            password(tmp_path, "k2", "new staff phrase"),
            user="kwan",
        )

        listed = json.loads(call(db, "user", "tokens", "kwan", "--json", user="kwan"))
        assert len(listed) == 2 and all(t["revoked_at"] for t in listed)
        for token in [*tokens, session]:
            with pytest.raises(NotAuthenticated):
                people.authenticate(ctx, token)
        assert people.authenticate(ctx, kept).name == "ada"  # only that user's tokens end
        with pytest.raises(NotAuthenticated):
            people.log_in(ctx, LogIn(name="kwan", password="staff pass phrase"), "127.0.0.1")
        assert people.log_in(ctx, LogIn(name="kwan", password="new staff phrase"), "127.0.0.1").token
    finally:
        ctx.db.dispose()


def test_staff_change_only_their_own_password(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    call(db, "init", "--owner", "ada", "--password-file", password(tmp_path, "ada", "owner pass phrase"))
    call(
        db,
        "user",
        "add",
        "kwan",
        "--password-file",
        password(tmp_path, "kwan", "staff pass phrase"),
        user="ada",
    )
    token = call(db, "user", "token", "ada", user="ada").strip()
    err = call(
        db,
        "user",
        "passwd",
        "ada",
        "--password-file",
        password(tmp_path, "x", "taken over!"),
        user="kwan",
        code=2,
    )
    assert err.startswith("error: ") and "may not manage users" in err and err.count("\n") == 1
    ctx = open_context(url=f"sqlite:///{db}", clock=FixedClock(NOW), actor="test")
    try:
        assert people.authenticate(ctx, token).name == "ada"  # nothing was revoked
    finally:
        ctx.db.dispose()
