"""midnight hold: the counter shelf, items left for someone."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import print_json, table
from midnight.commands.counter import Dispose, Extend, FindHold, HoldItem, PickUp, ReturnHold, ShelfQuery
from midnight.services import holds

hold_app = typer.Typer(help="The counter shelf: items left for someone.", no_args_is_help=True)
app.add_typer(hold_app, name="hold")


def _print_hold(h: holds.HoldInfo) -> None:
    flag = " OVERDUE" if h.overdue else ""
    lock = " LOCKED" if h.locked else ""
    print(
        f"item {h.id}: {h.description} for {h.for_customer}, from {h.left_by}, shelf {h.shelf_slot or '-'}, "
        f"until {h.hold_until}, {h.state}{flag}{lock}"
    )


@hold_app.command("add")
def hold_add(
    ctx: typer.Context,
    description: Annotated[str, typer.Argument(metavar="DESCRIPTION")],
    for_customer: Annotated[str, typer.Option("--for", help="Who it is for (#number, name or nickname).")],
    left_by: Annotated[str | None, typer.Option(help="Who left it (a customer or any name).")] = None,
    slot: Annotated[str, typer.Option(help="Shelf slot.")] = "",
    photo: Annotated[str | None, typer.Option(help="Path of a photo of the item.")] = None,
    until: Annotated[str | None, typer.Option(help="Hold until YYYY-MM-DD (default 30 days).")] = None,
    new_customer: Annotated[
        bool, typer.Option("--new-customer", help="Add them as a customer if no one goes by that name.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Put an item on the shelf; prints the pickup code once."""
    item = command(
        HoldItem,
        {
            "description": description,
            "for_customer": for_customer,
            "left_by": left_by,
            "shelf_slot": slot,
            "photo_path": photo,
            "hold_until": until,
            "new_customer": new_customer,
        },
    )
    new = holds.hold_item(context_of(ctx), item)
    if as_json:
        print_json(new)
        return
    if new.new_customer:
        print(f"added customer #{new.hold.for_customer_id}: {new.hold.for_customer}")
    _print_hold(new.hold)
    print(f"pickup code: {new.code}  (shown once; {new.hold.for_customer} is sent it too)")


@hold_app.command("list")
def hold_list(
    ctx: typer.Context, all_items: Annotated[bool, typer.Option("--all")] = False, as_json: JsonFlag = False
) -> None:
    """The shelf: items waiting, overdue first."""
    s = context_of(ctx)
    found = list(
        every(lambda cursor: holds.shelf(s, command(ShelfQuery, {"all": all_items, "cursor": cursor})))
    )
    if as_json:
        print_json(found)
        return
    table(
        "Counter shelf",
        ["item", "what", "for", "from", "slot", "since", "until", "state"],
        [
            [
                h.id,
                h.description,
                h.for_customer,
                h.left_by,
                h.shelf_slot,
                h.created_at.date(),
                h.hold_until,
                ("OVERDUE " if h.overdue else "") + ("LOCKED " if h.locked else "") + h.state,
            ]
            for h in found
        ],
    )


@hold_app.command("show")
def hold_show(
    ctx: typer.Context, hold: Annotated[str, typer.Argument(metavar="ITEM")], as_json: JsonFlag = False
) -> None:
    """One item and its history."""
    found = holds.get_hold(context_of(ctx), record_id(hold, "item"))
    if as_json:
        print_json(found)
        return
    _print_hold(found)
    for e in found.history:
        print(f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.action} {e.detail}")


@hold_app.command("find")
def hold_find(
    ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="CODE")], as_json: JsonFlag = False
) -> None:
    """The waiting item with this pickup code (five wrong codes in a row stop look-ups a while)."""
    found = holds.find_by_code(context_of(ctx), command(FindHold, {"code": code}))
    if as_json:
        print_json(found)
        return
    for f in found:
        _print_hold(f.hold)
        if f.refusal:
            print(f"  {f.refusal}")


@hold_app.command("pickup")
def hold_pickup(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    code: Annotated[str | None, typer.Option(help="The six-digit pickup code.")] = None,
    id_checked: Annotated[
        bool, typer.Option("--id-checked", help="You checked the recipient's identity.")
    ] = False,
) -> None:
    """Hand an item over, with its code or an identity check."""
    how = command(PickUp, {"code": code, "identity_checked": id_checked})
    _print_hold(holds.pick_up(context_of(ctx), record_id(hold, "item"), how))


@hold_app.command("extend")
def hold_extend(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    until: Annotated[str, typer.Option(help="New date YYYY-MM-DD.")],
) -> None:
    """Keep an item longer."""
    _print_hold(
        holds.extend(context_of(ctx), record_id(hold, "item"), command(Extend, {"hold_until": until}))
    )


@hold_app.command("return")
def hold_return(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Give an item back to whoever left it."""
    _print_hold(
        holds.return_to_sender(context_of(ctx), record_id(hold, "item"), command(ReturnHold, {"note": note}))
    )


@hold_app.command("dispose")
def hold_dispose(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Dispose of an uncollected item after its date (owner)."""
    _print_hold(holds.dispose(context_of(ctx), record_id(hold, "item"), command(Dispose, {"reason": reason})))


@hold_app.command("unlock")
def hold_unlock(ctx: typer.Context, hold: Annotated[str, typer.Argument(metavar="ITEM")]) -> None:
    """Unlock an item locked after wrong codes (owner)."""
    _print_hold(holds.unlock(context_of(ctx), record_id(hold, "item")))
