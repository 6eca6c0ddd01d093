"""Telling people: message templates, the outbox, delivery through Apprise, where staff messages go.

Messages are rendered (in a sandboxed worker process, with time and size limits) before the write
transaction that queues them, sealed (encrypted) into the outbox in that transaction, and sent
later by the worker, outside any transaction. Delivery is at most once per (event, address): a
message is claimed ('sending') and committed before it is handed to Apprise, and marked 'sent'
after; a worker that dies in between leaves it 'uncertain', never sent twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.adapters.contacts import ContactPolicy, check_contact, check_destination, known_schemes
from midnight.adapters.notifier import Attachment
from midnight.adapters.templates import TemplateFailed
from midnight.commands.catalog import PageQuery
from midnight.commands.counter import AddTarget, ContactPolicyIn, DigestTime, EditTemplate, MessageQuery
from midnight.db import notify as notify_db
from midnight.db import stores as stores_db
from midnight.db.notify import Delivery, Outgoing, Target
from midnight.db.paging import Page
from midnight.domain import messages
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.messages import Event, MessageState
from midnight.domain.people import Permission
from midnight.services.context import Context
from midnight.services.customers import contact_policy

__all__ = ["Delivery", "Target"]
log = logging.getLogger("midnight.notify")


def lease() -> dt.timedelta:
    """How long a claimed message may stay 'sending' before it is judged uncertain."""
    return dt.timedelta(seconds=float(os.environ.get("MIDNIGHT_OUTBOX_LEASE_SECONDS", "300")))


@dataclass(frozen=True)
class Prepared:
    """A rendered message, ready to queue; `fallback` says why the standard wording was used instead."""

    subject: str
    body: str
    fallback: str | None = None


def prepare(ctx: Context, event: Event, language: str, context: Mapping[str, object]) -> Prepared:
    """Render the owner's template for an event, outside any transaction.

    If a saved template fails on real data (it was checked against sample data when saved), the
    message goes out in the shipped wording rather than not at all, and the reason is returned.
    """
    with ctx.db.read() as conn:
        saved = notify_db.template(conn, event, language)
    renderer = ctx.adapters.renderer
    if saved is not None:
        try:
            rendered = renderer.render(saved[0], saved[1], context)
            return Prepared(rendered.subject, rendered.body)
        except TemplateFailed as exc:
            log.warning("the %s template (%s) failed: %s", event.value, language, exc.message)
            reason = (
                f"the shop's {event.value} template failed ({exc.message}); the standard wording was sent"
            )
            subject, body = messages.default_template(event, language)
            rendered = renderer.render(subject, body, context)
            return Prepared(rendered.subject, rendered.body, reason)
    subject, body = messages.default_template(event, language)
    rendered = renderer.render(subject, body, context)
    return Prepared(rendered.subject, rendered.body)


def sealed(
    ctx: Context,
    addresses: list[tuple[str, str]],
    message: Prepared,
    attachment: tuple[str, str] | None = None,
) -> list[Outgoing]:
    """The message to each (sealed address, its masked form), sealed too: done before the write lock.
    `attachment`: (file name, text) sent with it, sealed like the body."""
    box = ctx.adapters.box
    subject, body = box.seal(message.subject), box.seal(message.body)
    name, content = (attachment[0], box.seal(attachment[1])) if attachment else (None, None)
    return [Outgoing(url, display, subject, body, name, content) for url, display in addresses]


def enqueue(ctx: Context, conn: Connection, event_key: str, event: Event, outgoing: list[Outgoing]) -> int:
    """Queue sealed messages in the caller's transaction; returns how many were new."""
    return notify_db.enqueue(conn, ctx.store.id, event_key, event, outgoing, ctx.now())


# --- what the owner sets ---------------------------------------------------------------------------


def add_target(ctx: Context, cmd: AddTarget) -> Target:
    """Where staff messages go: the expiry digest and low stock (owner). Any Apprise address, but
    not one on the shop's own network unless the owner allowed that."""
    ctx.require(Permission.NOTIFY)
    with ctx.db.read() as conn:
        policy = contact_policy(conn, ctx.store.id)
    try:
        contact = check_contact(cmd.url, policy, any_scheme=True)
    except InvalidInput as exc:  # the request calls it url, not contacts
        raise InvalidInput(exc.message, field="url") from None
    # Stored in Apprise's own spelling, so the same address typed twice is one target.
    sealed = ctx.adapters.box.seal(contact.same_as)
    with ctx.db.write() as conn:
        if sealed in {url for url, _ in notify_db.active_targets(conn)}:
            raise Conflict(f"{contact.display} is already a target", field="url")
        return notify_db.insert_target(conn, sealed, contact.display, cmd.label)


def list_targets(ctx: Context, query: PageQuery) -> Page[Target]:
    ctx.require(Permission.NOTIFY)
    with ctx.db.read() as conn:
        return notify_db.targets(conn, cursor=query.cursor, limit=query.limit)


def remove_target(ctx: Context, target_id: int) -> None:
    ctx.require(Permission.NOTIFY)
    with ctx.db.write() as conn:
        notify_db.deactivate_target(conn, target_id)


def edit_template(ctx: Context, cmd: EditTemplate) -> None:
    """Change a message template (owner). It is tried on sample data first: a template that does not
    parse, names something the message does not have, runs too long or says too much is refused."""
    ctx.require(Permission.NOTIFY)
    event = Event.parse(cmd.event)
    sample = messages.SAMPLES[event]
    ctx.adapters.renderer.check(cmd.subject, cmd.body, sample, sample.keys())
    with ctx.db.write() as conn:
        notify_db.save_template(conn, event, cmd.language, cmd.subject, cmd.body, ctx.actor, ctx.now())


def set_digest_time(ctx: Context, cmd: DigestTime) -> str:
    ctx.require(Permission.NOTIFY)
    try:
        if not re.fullmatch(r"[0-9]{2}:[0-9]{2}", cmd.time):
            raise ValueError(cmd.time)
        parsed = dt.time.fromisoformat(cmd.time)
    except ValueError:
        raise InvalidInput(f"digest time must be HH:MM like 07:30, got {cmd.time!r}", field="time") from None
    hhmm = parsed.strftime("%H:%M")
    with ctx.db.write() as conn:
        stores_db.set_digest_time(conn, ctx.store.id, hhmm)
    return hhmm


@dataclass(frozen=True)
class PolicyInfo:
    schemes: list[str]
    default: bool
    allow_private_addresses: bool


def get_contact_policy(ctx: Context) -> PolicyInfo:
    ctx.require(Permission.NOTIFY)
    with ctx.db.read() as conn:
        schemes, allow_private = stores_db.contact_policy(conn, ctx.store.id)
        policy = contact_policy(conn, ctx.store.id)
    return PolicyInfo(sorted(policy.schemes), schemes is None, allow_private)


def set_contact_policy(ctx: Context, cmd: ContactPolicyIn) -> PolicyInfo:
    """Which kinds of address staff may type for customers, and whether private addresses are allowed."""
    ctx.require(Permission.NOTIFY)
    chosen: str | None = None
    if cmd.schemes is not None:
        known = known_schemes()
        wanted = sorted({s.strip().lower() for s in cmd.schemes})
        unknown = [s for s in wanted if s not in known]
        if unknown:
            raise InvalidInput(f"not a kind of address Apprise knows: {', '.join(unknown)}", field="schemes")
        chosen = ",".join(wanted)
    with ctx.db.write() as conn:
        stores_db.set_contact_policy(conn, ctx.store.id, chosen, cmd.allow_private_addresses)
    return get_contact_policy(ctx)


def messages_page(ctx: Context, query: MessageQuery) -> Page[Delivery]:
    """Messages in the outbox, newest first, with their delivery state (owner)."""
    ctx.require(Permission.NOTIFY)
    state = None
    if query.state:
        try:
            state = MessageState(query.state.strip().lower())
        except ValueError:
            known = ", ".join(s.value for s in MessageState)
            raise InvalidInput(f"state must be one of {known}, got {query.state!r}", field="state") from None
    with ctx.db.read() as conn:
        return notify_db.messages(conn, state, cursor=query.cursor, limit=query.limit)


# --- delivery --------------------------------------------------------------------------------------


def deliver(ctx: Context, *, limit: int = 50) -> list[Delivery]:
    """Send what is due. Safe to run from several workers: each message is claimed before sending."""
    ctx.require(Permission.NOTIFY)
    now = ctx.now()
    with ctx.db.write() as conn:
        notify_db.mark_stale_uncertain(conn, now - lease())
        due = notify_db.due(conn, now, limit)
        policy = contact_policy(conn, ctx.store.id)
    results = []
    for row in due:
        with ctx.db.write() as conn:
            if not notify_db.claim(conn, row.id, now):
                continue
        attachment = None
        if row.attachment_name and row.attachment:
            text = ctx.adapters.box.open(row.attachment)
            attachment = Attachment(row.attachment_name, text.encode("utf-8-sig"), "text/csv")
        error = _send(ctx, row.event, row.url, row.subject, row.body, policy, attachment)
        attempts = row.attempts + 1
        with ctx.db.write() as conn:
            if error is None:
                # A pickup code has done its job once delivered: it does not stay in the outbox.
                kept = (
                    ctx.adapters.box.seal("(delivered; the pickup code is not kept)")
                    if row.event == Event.ITEM_WAITING
                    else row.body
                )
                notify_db.mark_sent(conn, row.id, ctx.now(), attempts, kept)
                state = MessageState.SENT
            else:
                state, backoff = messages.after_failure(attempts)
                notify_db.mark_failed(conn, row.id, state, attempts, error, ctx.now() + backoff)
                log.warning("message %s (%s) failed (attempt %d): %s", row.id, row.event, attempts, error)
        results.append(Delivery(row.id, row.event, row.display, state.value, attempts, error))
    return results


def _send(
    ctx: Context,
    event: str,
    sealed_url: str,
    subject: str,
    body: str,
    policy: ContactPolicy,
    attachment: Attachment | None,
) -> str | None:
    box = ctx.adapters.box
    url = box.open(sealed_url)
    # Staff targets may be any kind of address; customers' only what the owner allows. Either way the
    # destination is looked up now and refused if it turned out to be on the shop's own network.
    checking = ContactPolicy(known_schemes(), policy.allow_private) if event in _STAFF_EVENTS else policy
    refusal = check_destination(url, checking)
    if refusal is not None:
        return refusal
    return ctx.adapters.notifier.send(url, box.open(subject), box.open(body), attachment)


# Addresses the owner typed (staff, suppliers) may be any kind Apprise knows; customers' only the allowed.
_STAFF_EVENTS = {Event.EXPIRY_DIGEST.value, Event.LOW_STOCK.value, Event.PURCHASE_ORDER.value}
