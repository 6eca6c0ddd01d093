"""Users, tokens and the server."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from midnight.cli.app import CliState, JsonFlag, app, context_of
from midnight.cli.output import print_json, table
from midnight.domain.errors import InvalidInput
from midnight.services import people

user_app = typer.Typer(help="Users, roles and API tokens.", no_args_is_help=True)
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
    user = people.add_user(context_of(ctx), name, role, read_password(password_file))
    print(f"added {user.role} {user.name}")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Users and their roles (owner only)."""
    users = people.list_users(context_of(ctx))
    if as_json:
        print_json(users)
        return
    table(
        "Users",
        ["name", "role", "active", "since"],
        [[u.name, u.role, u.active, u.created_at.date()] for u in users],
    )


@user_app.command("passwd")
def user_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    password_file: PasswordFile = None,
) -> None:
    """Change a password (your own, or anyone's as owner); their sessions end."""
    user = people.set_password(context_of(ctx), name, read_password(password_file, "New password"))
    print(f"password changed for {user.name}")


@user_app.command("role")
def user_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: Annotated[str | None, typer.Option(help="owner or staff.")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
) -> None:
    """Change a user's role, or switch them off (owner only)."""
    user = people.set_role(context_of(ctx), name, role, active)
    print(f"{user.name}: {user.role}, {'active' if user.active else 'inactive'}")


@user_app.command("token")
def user_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    label: Annotated[str, typer.Option(help="What it is for, e.g. 'till 1'.")] = "api",
    as_json: JsonFlag = False,
) -> None:
    """Create an API token; it is shown this once."""
    issued = people.create_token(context_of(ctx), name, label)
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
    tokens = people.list_tokens(context_of(ctx), name)
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
def user_revoke(ctx: typer.Context, token_id: Annotated[int, typer.Argument(metavar="TOKEN_ID")]) -> None:
    """Revoke an API token."""
    revoked = people.revoke_token(context_of(ctx), token_id)
    print(f"token {revoked.id} of {revoked.user} revoked")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the HTTP API (and its docs at /docs)."""
    import os

    import uvicorn

    state: CliState = ctx.find_root().obj
    context_of(ctx)  # migrate and seed before the workers start
    os.environ["MIDNIGHT_DATABASE_URL"] = state.url()
    print(
        f"Midnight Express serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True
    )
    uvicorn.run(
        "midnight.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )
