"""Kitchen tickets as a station's printer prints them: the station, the call number large, the
order's label and time, each dish with its modifiers and note; a dish no longer wanted is marked so
that nobody can miss it."""

from __future__ import annotations

from decimal import Decimal

from midnight.adapters.printer import Line
from midnight.db.kitchen import TicketInfo
from midnight.domain.printing import paper_note
from midnight.services.context import Context
from midnight.services.receipts import WIDTHS, cells, centre, clip


def _count(quantity: Decimal) -> str:
    return f"{abs(quantity).normalize():f}"


def _wrap(text: str, width: int, indent: str) -> list[str]:
    """Text in lines of at most `width` columns, each after `indent` (Chinese counts two)."""
    out: list[str] = []
    room = width - cells(indent)
    rest = text.strip()
    while rest:
        piece = clip(rest, room)
        if not piece:  # a character wider than the room left: never loop forever
            piece = rest[0]
        out.append(indent + piece)
        rest = rest[len(piece) :].lstrip()
    return out


def render(ctx: Context, ticket: TicketInfo, paper_mm: int) -> tuple[Line, ...]:
    width = WIDTHS[paper_mm]
    big = width // 2  # double-width characters: half as many fit
    when = ticket.created_at.astimezone(ctx.store.tz)
    cancelled = [item for item in ticket.items if item.quantity < 0]
    lines = [Line(centre(ticket.station.upper(), width))]
    number = f"#{ticket.call_number}" if ticket.call_number is not None else f"Order {ticket.order_id}"
    lines.append(Line(centre(number, big), big=True))
    if ticket.label:
        lines.append(Line(centre(clip(ticket.label, big), big), big=True))
    lines.append(Line(centre(f"order #{ticket.order_id}  {when:%H:%M}  {ticket.actor}", width)))
    if cancelled and len(cancelled) == len(ticket.items):
        lines.append(Line(centre("CANCEL", big), big=True))
    elif cancelled or ticket.follow_up:
        lines.append(Line(centre("CHANGED ORDER", big), big=True))
    lines.append(Line("=" * width))
    for item in ticket.items:
        if item.quantity < 0:
            lines.append(Line(clip(f"XX CANCEL {_count(item.quantity)} x {item.name}", width)))
        else:
            lines += [Line(text) for text in _wrap(f"{_count(item.quantity)} x {item.name}", width, "")]
        for modifier in item.modifiers.split(","):
            if modifier.strip():
                lines += [Line(text) for text in _wrap(modifier, width, "   > ")]
        if item.note:  # on paper, cut short: the screen shows it all
            lines += [Line(text) for text in _wrap(paper_note(item.note), width, "   !! ")]
        if item.quantity < 0:
            lines.append(Line("   ** NOT WANTED: DO NOT MAKE **"[:width]))
    lines.append(Line("=" * width))
    return tuple(lines)
