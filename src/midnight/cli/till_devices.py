"""midnight till devices / revoke-device: the browsers set up as tills, where staff switch users by PIN.

A browser is set up as a till from the browser itself (the till page or Admin, signed in as an
owner), since its secret lives in that browser's cookie; here an owner sees and revokes them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import print_json, table
from midnight.commands.people import DeviceQuery
from midnight.services import devices


def till_group() -> typer.Typer:
    """The `midnight till` group, shared with the commands that add and set up tills (cli/till.py,
    imported before this module): made here only if it does not exist yet."""
    for group in app.registered_groups:
        if group.name == "till" and isinstance(group.typer_instance, typer.Typer):
            return group.typer_instance
    made = typer.Typer(
        help="Tills: the places orders are rung, and the browsers set up as them.", no_args_is_help=True
    )
    app.add_typer(made, name="till")
    return made


till_app = till_group()


@till_app.command("devices")
def till_devices(
    ctx: typer.Context,
    include_revoked: Annotated[bool, typer.Option("--all", help="Include revoked devices.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Browsers set up as tills (owner), newest first."""
    s = context_of(ctx)
    found = list(
        every(
            lambda cursor: devices.list_devices(
                s, command(DeviceQuery, {"all": include_revoked, "cursor": cursor})
            )
        )
    )
    if as_json:
        print_json(found)
        return
    tz = s.store.tz
    table(
        "Till devices",
        ["id", "till", "label", "set up", "by", "revoked"],
        [
            [
                d.id,
                d.till,
                d.label,
                f"{d.created_at.astimezone(tz):%Y-%m-%d %H:%M}",
                d.created_by,
                f"{d.revoked_at.astimezone(tz):%Y-%m-%d %H:%M}" if d.revoked_at else "",
            ]
            for d in found
        ],
    )


@till_app.command("revoke-device")
def till_revoke_device(ctx: typer.Context, device_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Stop a browser switching users by PIN (a lost tablet, a till moved)."""
    revoked = devices.revoke_device(context_of(ctx), record_id(device_id, "device"))
    print(f"till device {revoked.id} ({revoked.till}, {revoked.label}) revoked")
