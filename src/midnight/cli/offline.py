"""midnight offline: orders rung while the till could not reach the server, and the decisions on those
that wait; midnight till offline-card: whether card may be taken offline, and up to how much."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every, record_id
from midnight.cli.output import print_json, table
from midnight.cli.till import till_app
from midnight.commands.offline import DecideOffline, OfflineQuery
from midnight.domain.errors import InvalidInput
from midnight.domain.money import parse_amount
from midnight.services import offline
from midnight.services.context import Context
from midnight.services.offline import OfflineInfo

offline_app = typer.Typer(
    help="Orders rung offline: those the server could not record as rung wait for a decision.",
    no_args_is_help=True,
)
app.add_typer(offline_app, name="offline")


def _print(s: Context, info: OfflineInfo) -> None:
    tz = s.store.tz
    print(f"offline order {info.local_number} (#{info.id}): {info.state.label}")
    if info.replayed:
        print("  (already taken with this key; nothing new written)")
    print(f"  rung     {info.rung_at.astimezone(tz):%Y-%m-%d %H:%M} by {info.rung_by} on {info.till}")
    print(f"  arrived  {info.received_at.astimezone(tz):%Y-%m-%d %H:%M}, sent by {info.sent_by}")
    for line in info.request.get("lines") or []:
        mods = f" ({', '.join(line.get('modifiers') or [])})" if line.get("modifiers") else ""
        note = f" — {line['note']}" if line.get("note") else ""
        print(f"  {line.get('quantity')} × {line.get('code')}{mods} at {line.get('unit_price')}{note}")
    paid = ", ".join(
        f"{p.get('amount')} by {p.get('tender') or p.get('method')}"
        for p in info.request.get("payments") or []
    )
    print(
        f"  total    {info.request.get('total')}; paid {paid or 'nothing'}; the customer paid {s.money(info.paid)}"
    )
    if info.problem:
        print(f"  waits because: {info.problem}")
    if info.order_id:
        called = f", called as {info.call_number}" if info.call_number else ""
        print(f"  order    #{info.order_id}{called}")
    if info.resolved_at:
        print(
            f"  decided  {info.resolved_at.astimezone(tz):%Y-%m-%d %H:%M} by {info.resolved_by}: "
            f"{info.resolution_note}"
        )


@offline_app.command("list")
def offline_list(
    ctx: typer.Context,
    state: Annotated[
        str | None,
        typer.Option(help="waiting (the default), recorded, accepted or refunded."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Offline orders in one state, oldest first: by default those waiting for a decision."""
    s = context_of(ctx)
    found = list(
        every(
            lambda cursor: offline.list_offline(s, command(OfflineQuery, {"state": state, "cursor": cursor}))
        )
    )
    if as_json:
        print_json(found)
        return
    tz = s.store.tz
    table(
        "Orders rung offline",
        ["id", "number", "state", "rung", "by", "customer paid", "order", "problem"],
        [
            [
                i.id,
                i.local_number,
                i.state.value,
                f"{i.rung_at.astimezone(tz):%Y-%m-%d %H:%M}",
                i.rung_by,
                s.money(i.paid),
                f"#{i.order_id}" if i.order_id else "",
                i.problem or "",
            ]
            for i in found
        ],
    )
    count, paid = offline.waiting(s)
    print(f"waiting for a decision: {count} ({s.money(paid)} paid by their customers)")


@offline_app.command("show")
def offline_show(
    ctx: typer.Context, offline_id: Annotated[str, typer.Argument(metavar="ID")], as_json: JsonFlag = False
) -> None:
    """One offline order: what was rung and paid, when, by whom, why it waits, what was decided."""
    s = context_of(ctx)
    info = offline.get_offline(s, record_id(offline_id, "id"))
    if as_json:
        print_json(info)
        return
    _print(s, info)


Note = Annotated[str, typer.Option("--note", help="Why (it is kept with the decision).")]


def _decide(ctx: typer.Context, offline_id: str, decision: str, note: str, as_json: bool) -> None:
    s = context_of(ctx)
    done = offline.decide(
        s, record_id(offline_id, "id"), command(DecideOffline, {"decision": decision, "note": note})
    )
    if as_json:
        print_json(done)
        return
    _print(s, done)


@offline_app.command("accept")
def offline_accept(
    ctx: typer.Context,
    offline_id: Annotated[str, typer.Argument(metavar="ID")],
    note: Note,
    as_json: JsonFlag = False,
) -> None:
    """Let a waiting offline order stand as rung (owner): stock drawn as far as there is any."""
    _decide(ctx, offline_id, "accept", note, as_json)


@offline_app.command("refund")
def offline_refund(
    ctx: typer.Context,
    offline_id: Annotated[str, typer.Argument(metavar="ID")],
    note: Note,
    as_json: JsonFlag = False,
) -> None:
    """Give a waiting offline order's money back the way it was paid (owner)."""
    _decide(ctx, offline_id, "refund", note, as_json)


@till_app.command("offline-card")
def till_offline_card(
    ctx: typer.Context,
    limit: Annotated[
        str | None, typer.Option("--limit", help="Take card offline up to this much per order.")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Refuse card offline: cash only.")] = False,
) -> None:
    """Whether the till takes card while offline (owner): --limit 200 or --off.

    Cash is always taken offline; card only up to the limit per order, at the shop's risk."""
    s = context_of(ctx)
    if off == (limit is not None):
        if not off:
            limit_now = offline.offline_card_limit(s)
            shown = (
                "refused (cash only)" if limit_now is None else f"taken up to {s.money(limit_now)} an order"
            )
            print(f"card offline: {shown}")
            return
        raise InvalidInput("give --limit AMOUNT or --off, not both", field="limit")
    amount: Decimal | None = None if off else parse_amount(limit, field="limit")
    done = offline.set_offline_card_limit(s, amount)
    if done is None:
        print("card offline: refused from now on; cash only while the till is offline")
    else:
        print(f"card offline: taken up to {s.money(done)} an order")
