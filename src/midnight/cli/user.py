"""midnight user: users, roles and API tokens."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import print_json, table
from midnight.commands.catalog import PageQuery
from midnight.commands.people import AddUser, ChangeUser, CreateToken, SetPassword, SetPin, TokenQuery
from midnight.domain.errors import InvalidInput
from midnight.services import people, pins

user_app = typer.Typer(help="Users, roles, PINs and API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")


def read_password(password_file: Path | None, prompt: str = "Password") -> str:
    """From a file (first line), or asked twice at the terminal; never from the command line."""
    if password_file is not None:
        try:
            return (
                password_file.read_text(encoding="utf-8").splitlines()[0]
                if password_file.stat().st_size
                else ""
            )
        except OSError as exc:
            raise InvalidInput(
                f"cannot read {password_file}: {exc.strerror}", field="password_file"
            ) from None
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for a password: give --password-file", field="password")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} again: ") != first:
        raise InvalidInput("the two passwords differ", field="password")
    return first


PasswordFile = Annotated[
    Path | None, typer.Option("--password-file", help="Read the password from this file's first line.")
]


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: Annotated[str, typer.Option(help="owner or staff.")] = "staff",
    password_file: PasswordFile = None,
) -> None:
    """Add a user (owner only)."""
    new = command(AddUser, {"name": name, "role": role, "password": read_password(password_file)})
    user = people.add_user(context_of(ctx), new)
    print(f"added {user.role} {user.name}")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Users and their roles (owner only)."""
    s = context_of(ctx)
    users = list(every(lambda cursor: people.list_users(s, command(PageQuery, {"cursor": cursor}))))
    if as_json:
        print_json(users)
        return
    table(
        "Users",
        ["name", "role", "active", "PIN", "since"],
        [[u.name, u.role, u.active, _pin_state(u), u.created_at.date()] for u in users],
    )


def _pin_state(user: people.UserInfo) -> str:
    return "locked" if user.pin_locked else "set" if user.has_pin else ""


@user_app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    password_file: PasswordFile = None,
) -> None:
    """Change a password (your own, or anyone's as owner); their sessions end."""
    secret = command(SetPassword, {"password": read_password(password_file, "New password")})
    user = people.set_password(context_of(ctx), name, secret)
    print(f"password changed for {user.name}")


def read_pin(pin_file: Path | None) -> str:
    """From a file (first line), or asked twice at the terminal; never from the command line."""
    if pin_file is not None:
        try:
            lines = pin_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise InvalidInput(f"cannot read {pin_file}: {reason}", field="pin_file") from None
        return lines[0].strip() if lines else ""
    if not sys.stdin.isatty():
        raise InvalidInput("no terminal to ask for a PIN: give --pin-file", field="pin")
    first = getpass.getpass("PIN (4-8 digits): ")
    if getpass.getpass("PIN again: ") != first:
        raise InvalidInput("the two PINs differ", field="pin")
    return first


@user_app.command("pin")
def user_pin(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    pin_file: Annotated[
        Path | None, typer.Option("--pin-file", help="Read the PIN from this file's first line.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Take the PIN away.")] = False,
) -> None:
    """Set the PIN that switches to a user on a till (4-8 digits), or --clear it. Unlocks it too."""
    s = context_of(ctx)
    if clear:
        if pin_file is not None:
            raise InvalidInput("give --pin-file or --clear, not both", field="clear")
        user = pins.clear_pin(s, name)
        print(f"PIN cleared for {user.name}")
        return
    user = pins.set_pin(s, name, command(SetPin, {"pin": read_pin(pin_file)}))
    print(f"PIN set for {user.name}")


@user_app.command("pin-unlock")
def user_pin_unlock(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Unlock a PIN locked after five wrong tries (owner)."""
    user = pins.unlock_pin(context_of(ctx), name)
    print(f"PIN unlocked for {user.name}")


@user_app.command("role")
def user_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: Annotated[str | None, typer.Option(help="owner or staff.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
) -> None:
    """Change a user's role, or switch them off (owner only)."""
    user = people.change_user(context_of(ctx), name, command(ChangeUser, {"role": role, "active": active}))
    print(f"{user.name}: {user.role}, {'active' if user.active else 'inactive'}")


@user_app.command("token")
def user_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    label: Annotated[str, typer.Option(help="What it is for, e.g. 'till 1'.")] = "api",
    as_json: JsonFlag = False,
) -> None:
    """Create an API token; it is shown this once."""
    issued = people.create_token(context_of(ctx), name, command(CreateToken, {"label": label}))
    if as_json:
        print_json(issued)
        return
    print(issued.token)
    print(
        f"token {issued.info.id} for {issued.info.user} ({issued.info.label}); keep it safe, it is not shown again",
        file=sys.stderr,
    )


@user_app.command("tokens")
def user_tokens(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(metavar="[NAME]")] = None,
    as_json: JsonFlag = False,
) -> None:
    """API tokens (their secrets are never shown again)."""
    s = context_of(ctx)
    tokens = list(
        every(lambda cursor: people.list_tokens(s, command(TokenQuery, {"user": name, "cursor": cursor})))
    )
    if as_json:
        print_json(tokens)
        return
    table(
        "Tokens",
        ["id", "user", "label", "created", "revoked"],
        [
            [tk.id, tk.user, tk.label, tk.created_at.date(), tk.revoked_at.date() if tk.revoked_at else ""]
            for tk in tokens
        ],
    )


@user_app.command("revoke")
def user_revoke(ctx: typer.Context, token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID")]) -> None:
    """Revoke an API token."""
    revoked = people.revoke_token(context_of(ctx), record_id(token_id, "token"))
    print(f"token {revoked.id} of {revoked.user} revoked")
