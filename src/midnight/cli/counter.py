"""The counter shelf, customers and notifications."""

from __future__ import annotations

from typing import Annotated

import apprise
import typer

from midnight.cli.app import JsonFlag, app, context_of
from midnight.cli.output import print_json, table
from midnight.domain.errors import InvalidInput
from midnight.notify import outbox, schedule
from midnight.services import customers, holds

customer_app = typer.Typer(
    help="Customers: who items are held for, and how to reach them.", no_args_is_help=True
)
hold_app = typer.Typer(help="The counter shelf: items left for someone.", no_args_is_help=True)
notify_app = typer.Typer(
    help="Notifications through Apprise: the outbox, targets, templates.", no_args_is_help=True
)
app.add_typer(customer_app, name="customer")
app.add_typer(hold_app, name="hold")
app.add_typer(notify_app, name="notify")


@customer_app.command("add")
def customer_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    nickname: Annotated[str | None, typer.Option(help="Nickname or staff number, e.g. 663.")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    contact: Annotated[list[str] | None, typer.Option(help="Apprise URL to reach them (repeat).")] = None,
    birthday: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    greet: Annotated[bool, typer.Option("--greet/--no-greet", help="Send a birthday greeting.")] = False,
    language: Annotated[str, typer.Option(help="en or zh-Hant")] = "en",
    notes: Annotated[str, typer.Option()] = "",
    as_json: JsonFlag = False,
) -> None:
    """Add a customer."""
    who = customers.add_customer(
        context_of(ctx),
        name,
        nickname=nickname,
        phone=phone,
        contacts=contact,
        birthday=birthday,
        birthday_greeting=greet,
        language=language,
        notes=notes,
    )
    if as_json:
        print_json(who)
        return
    print(f"customer #{who.id}: {who.name}")


@customer_app.command("list")
def customer_list(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(metavar="[SEARCH]")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Customers, found by name, nickname or phone."""
    found = customers.search_customers(context_of(ctx), query)
    if as_json:
        print_json(found)
        return
    table(
        "Customers",
        ["#", "name", "nickname", "phone", "language", "contacts"],
        [[c.id, c.name, c.nickname, c.phone, c.language, len(c.contacts)] for c in found],
    )


@customer_app.command("show")
def customer_show(
    ctx: typer.Context, who: Annotated[str, typer.Argument(metavar="CUSTOMER")], as_json: JsonFlag = False
) -> None:
    """One customer (by #number, name or nickname)."""
    found = customers.get_customer(context_of(ctx), who)
    if as_json:
        print_json(found)
        return
    print(
        f"#{found.id} {found.name} ({found.nickname or '-'}), {found.phone or 'no phone'}, {found.language}"
    )
    for url in found.contacts:
        print(f"  {url}")


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
    as_json: JsonFlag = False,
) -> None:
    """Put an item on the shelf; prints the pickup code once."""
    new = holds.hold_item(
        context_of(ctx),
        description,
        for_customer,
        left_by=left_by,
        shelf_slot=slot,
        photo_path=photo,
        hold_until=until,
    )
    if as_json:
        print_json(new)
        return
    _print_hold(new.hold)
    print(f"pickup code: {new.code}  (shown once; {new.hold.for_customer} is sent it too)")


@hold_app.command("list")
def hold_list(
    ctx: typer.Context, all_items: Annotated[bool, typer.Option("--all")] = False, as_json: JsonFlag = False
) -> None:
    """The shelf: items waiting, overdue first."""
    found = holds.shelf(context_of(ctx), include_closed=all_items)
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
    found = holds.get_hold(context_of(ctx), hold)
    if as_json:
        print_json(found)
        return
    _print_hold(found)
    for e in found.history:
        print(f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.action} {e.detail}")


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
    _print_hold(holds.pick_up(context_of(ctx), hold, code=code, identity_checked=id_checked))


@hold_app.command("extend")
def hold_extend(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    until: Annotated[str, typer.Option(help="New date YYYY-MM-DD.")],
) -> None:
    """Keep an item longer."""
    _print_hold(holds.extend(context_of(ctx), hold, until))


@hold_app.command("return")
def hold_return(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    note: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Give an item back to whoever left it."""
    _print_hold(holds.return_to_sender(context_of(ctx), hold, note))


@hold_app.command("dispose")
def hold_dispose(
    ctx: typer.Context,
    hold: Annotated[str, typer.Argument(metavar="ITEM")],
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Dispose of an uncollected item after its date (owner)."""
    _print_hold(holds.dispose(context_of(ctx), hold, reason))


@hold_app.command("unlock")
def hold_unlock(ctx: typer.Context, hold: Annotated[str, typer.Argument(metavar="ITEM")]) -> None:
    """Unlock an item locked after wrong codes (owner)."""
    _print_hold(holds.unlock(context_of(ctx), hold))


@notify_app.command("list")
def notify_list(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="pending, sent, failed, uncertain")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Messages in the outbox, newest first, with their delivery state."""
    found = outbox.messages(context_of(ctx), state=state)
    if as_json:
        print_json(found)
        return
    table(
        "Outbox",
        ["#", "event", "to", "state", "tries", "error"],
        [
            [m.id, m.event, m.url.split("://")[0] + "://...", m.state, m.attempts, m.error or ""]
            for m in found
        ],
    )


@notify_app.command("run")
def notify_run(ctx: typer.Context) -> None:
    """Queue what today's schedule calls for, then deliver what is due, once."""
    s = context_of(ctx)
    queued = schedule.queue_due(s)
    sent = outbox.deliver(s)
    ok = sum(1 for d in sent if d.state == "sent")
    print(f"queued {queued}, delivered {ok}, failed {len(sent) - ok}")


@notify_app.command("test")
def notify_test(url: Annotated[str, typer.Argument(metavar="URL")]) -> None:
    """Send a test message to an Apprise URL now (nothing is stored)."""
    clean = outbox.check_url(url)
    sender = apprise.Apprise()
    sender.add(clean)
    if not sender.notify(title="Midnight Express", body="Test message from Midnight Express."):
        raise InvalidInput("the test message could not be delivered", field="url")
    print("sent")


@notify_app.command("target")
def notify_target(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL")],
    label: Annotated[str, typer.Option()] = "staff",
) -> None:
    """Add where staff messages go (owner)."""
    target = schedule.add_target(context_of(ctx), url, label)
    print(f"target {target.id} added ({target.label})")


@notify_app.command("template")
def notify_template(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(metavar="EVENT")],
    language: Annotated[str, typer.Option()] = "en",
    subject: Annotated[str, typer.Option()] = "",
    body: Annotated[str, typer.Option()] = "",
) -> None:
    """Change a message template (owner)."""
    schedule.edit_template(context_of(ctx), event, language, subject, body)
    print(f"template {event} ({language}) saved")


@notify_app.command("digest-time")
def notify_digest_time(ctx: typer.Context, hhmm: Annotated[str, typer.Argument(metavar="HH:MM")]) -> None:
    """When the morning expiry digest goes out (owner)."""
    schedule.set_digest_time(context_of(ctx), hhmm)
    print(f"digest at {hhmm}")
