"""midnight notify: the outbox, where staff messages go, message templates, contact rules."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.adapters.contacts import ContactPolicy, check_contact, known_schemes
from midnight.adapters.notifier import AppriseNotifier
from midnight.cli.app import JsonFlag, app, command, context_of, every
from midnight.cli.output import print_json, table
from midnight.commands.counter import AddTarget, ContactPolicyIn, DigestTime, EditTemplate, MessageQuery
from midnight.domain.errors import InvalidInput
from midnight.services import notify, schedule

notify_app = typer.Typer(
    help="Notifications through Apprise: the outbox, targets, templates.", no_args_is_help=True
)
app.add_typer(notify_app, name="notify")


@notify_app.command("list")
def notify_list(
    ctx: typer.Context,
    state: Annotated[str | None, typer.Option(help="pending, sent, failed, uncertain")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Messages in the outbox, newest first, with their delivery state."""
    s = context_of(ctx)
    found = list(
        every(
            lambda cursor: notify.messages_page(s, command(MessageQuery, {"state": state, "cursor": cursor}))
        )
    )
    if as_json:
        print_json(found)
        return
    table(
        "Outbox",
        ["#", "event", "to", "state", "tries", "error"],
        [[m.id, m.event, m.to, m.state, m.attempts, m.error or ""] for m in found],
    )


@notify_app.command("run")
def notify_run(ctx: typer.Context) -> None:
    """Queue what today's schedule calls for, then deliver what is due, once."""
    done = schedule.run(context_of(ctx))
    failed = done["attempted"] - done["delivered"]
    print(f"queued {done['queued']}, delivered {done['delivered']}, failed {failed}")


@notify_app.command("test")
def notify_test(url: Annotated[str, typer.Argument(metavar="URL")]) -> None:
    """Send a test message to an Apprise URL now (nothing is stored)."""
    contact = check_contact(url, ContactPolicy(known_schemes()), any_scheme=True)
    error = AppriseNotifier().send(contact.url, "Midnight Express", "Test message from Midnight Express.")
    if error is not None:
        raise InvalidInput(
            f"the test message to {contact.display} could not be delivered: {error}", field="url"
        )
    print(f"sent to {contact.display}")


@notify_app.command("target")
def notify_target(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL")],
    label: Annotated[str, typer.Option()] = "staff",
) -> None:
    """Add where staff messages go (owner)."""
    target = notify.add_target(context_of(ctx), command(AddTarget, {"url": url, "label": label}))
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
    cmd = command(EditTemplate, {"event": event, "language": language, "subject": subject, "body": body})
    notify.edit_template(context_of(ctx), cmd)
    print(f"template {event} ({language}) saved")


@notify_app.command("digest-time")
def notify_digest_time(ctx: typer.Context, hhmm: Annotated[str, typer.Argument(metavar="HH:MM")]) -> None:
    """When the morning expiry digest goes out (owner)."""
    print(f"digest at {notify.set_digest_time(context_of(ctx), command(DigestTime, {'time': hhmm}))}")


@notify_app.command("contacts")
def notify_contacts(
    ctx: typer.Context,
    scheme: Annotated[
        list[str] | None, typer.Option("--scheme", help="A kind of address staff may type (repeat).")
    ] = None,
    default: Annotated[bool, typer.Option("--default", help="Back to the personal kinds.")] = False,
    private: Annotated[
        bool | None, typer.Option("--private/--no-private", help="Allow addresses on the shop's own network.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Which kinds of contact address staff may type for customers (owner); no options: show them."""
    s = context_of(ctx)
    if scheme or default or private is not None:
        current = notify.get_contact_policy(s)
        schemes = None if default else (scheme or (None if current.default else current.schemes))
        allow = current.allow_private_addresses if private is None else private
        policy = notify.set_contact_policy(
            s, command(ContactPolicyIn, {"schemes": schemes, "allow_private_addresses": allow})
        )
    else:
        policy = notify.get_contact_policy(s)
    if as_json:
        print_json(policy)
        return
    kind = "the personal default" if policy.default else "chosen by the owner"
    print(f"contact kinds ({kind}): {', '.join(policy.schemes)}")
    print(f"private addresses: {'allowed' if policy.allow_private_addresses else 'refused'}")
