"""midnight tender: ways of paying besides cash and card (Octopus, FPS, AlipayHK, WeChat Pay)."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of
from midnight.cli.output import print_json, table
from midnight.commands.till import SetTenderActive, TenderIn
from midnight.services import tenders

tender_app = typer.Typer(
    help="Tenders besides cash and card, named by the owner: they pay exactly, no change.",
    no_args_is_help=True,
)
app.add_typer(tender_app, name="tender")


@tender_app.command("add")
def tender_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")], as_json: JsonFlag = False
) -> None:
    """Take a new way of paying (owner)."""
    added = tenders.add_tender(context_of(ctx), command(TenderIn, {"name": name}))
    if as_json:
        print_json(added)
        return
    print(f"the till now takes {added.name}")


@tender_app.command("list")
def tender_list(
    ctx: typer.Context,
    include_retired: Annotated[bool, typer.Option("--all", help="Include tenders no longer taken.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The tenders the till takes besides cash and card."""
    found = tenders.list_tenders(context_of(ctx), include_inactive=include_retired)
    if as_json:
        print_json(found)
        return
    table("Tenders", ["name", "taken"], [[t.name, "yes" if t.active else "no"] for t in found])


@tender_app.command("retire")
def tender_retire(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Stop taking a tender (its past payments stay on record and in the reports)."""
    done = tenders.set_tender_active(context_of(ctx), name, command(SetTenderActive, {"active": "false"}))
    print(f"the till no longer takes {done.name}")


@tender_app.command("restore")
def tender_restore(ctx: typer.Context, name: Annotated[str, typer.Argument(metavar="NAME")]) -> None:
    """Take a retired tender again."""
    done = tenders.set_tender_active(context_of(ctx), name, command(SetTenderActive, {"active": "true"}))
    print(f"the till takes {done.name} again")
