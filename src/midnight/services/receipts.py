"""Receipts as plain text, narrow enough for 58 mm (32 columns) or 80 mm (48 columns) paper."""

from __future__ import annotations

import unicodedata

from midnight.db.orders import OrderInfo
from midnight.domain.errors import InvalidInput
from midnight.domain.money import format_money
from midnight.domain.order import OrderState
from midnight.domain.people import Permission
from midnight.services.context import Context
from midnight.services.orders import get_order

WIDTHS = {58: 32, 80: 48}


def cells(text: str) -> int:
    """Columns a string takes on a receipt printer: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = cells(ch)
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out


def row(left: str, right: str, width: int) -> str:
    """Left text and right-aligned amount on one line; a long left side wraps above the amount."""
    gap = width - cells(left) - cells(right)
    if gap >= 1:
        return left + " " * gap + right
    return clip(left, width) + "\n" + " " * (width - cells(right)) + right


def centre(text: str, width: int) -> str:
    text = clip(text, width)
    pad = (width - cells(text)) // 2
    return " " * pad + text


def render(ctx: Context, order: OrderInfo, paper_mm: int = 80) -> str:
    if paper_mm not in WIDTHS:
        raise InvalidInput("paper width must be 58 or 80 (mm)", field="width")
    width = WIDTHS[paper_mm]
    store = ctx.store

    def money(minor: int) -> str:
        return format_money(minor, store.currency, store.locale)

    when = (order.paid_at or order.created_at).astimezone(store.tz)
    out = [
        centre(store.name, width),
        centre(f"Order #{order.id}", width),
    ]
    if order.call_number is not None:
        out.append(centre(f"Your number: {order.call_number}", width))
    if order.label:
        out.append(centre(order.label, width))
    out.append(centre(when.strftime("%Y-%m-%d %H:%M"), width))
    if order.offline_number:
        out.append(centre(f"rung offline as {order.offline_number}", width))
    out.append(centre(f"Served by {order.actor}" + (f" · {order.till}" if order.till else ""), width))
    rule = "-" * width
    out.append(rule)
    for line in order.lines:
        out.append(row(f"{line.quantity} x {line.name}", money(line.gross), width))
        for mod in line.modifiers:
            extra = (
                f"{'+' if mod.price_delta > 0 else '-'}{money(abs(mod.price_delta))}"
                if mod.price_delta
                else ""
            )
            out.append(
                row(clip(f"  {mod.name}", width - cells(extra) - 1), extra, width)
                if extra
                else clip(f"  {mod.name}", width)
            )
        if line.quantity != 1:
            out.append(f"  @ {money(line.unit_price)}")
        if line.note:
            out.append(clip(f"  ({line.note})", width))
        if line.markdown:
            out.append(row("  reduced to clear", "-" + money(line.markdown), width))
        if line.discount:
            out.append(
                row(
                    clip(f"  discount: {line.discount_reason or ''}", width - 12),
                    "-" + money(line.discount),
                    width,
                )
            )
    out.append(rule)
    if order.markdowns or order.line_discounts or order.order_discount:
        out.append(row("Subtotal", money(order.gross), width))
    if order.markdowns:
        out.append(row("Reduced to clear", "-" + money(order.markdowns), width))
    if order.line_discounts:
        out.append(row("Line discounts", "-" + money(order.line_discounts), width))
    if order.order_discount:
        out.append(
            row(
                clip(f"Discount: {order.discount_reason or ''}", width - 12),
                "-" + money(order.order_discount),
                width,
            )
        )
    out.append(row("TOTAL", money(order.total), width))
    for p in order.payments:
        out.append(row(p.label[:1].upper() + p.label[1:], money(p.tendered), width))
    if order.change:
        out.append(row("Change", money(order.change), width))
    for r in order.refunds:
        out.append(row(clip(f"Refund ({r.label}): {r.reason}", width - 12), "-" + money(r.amount), width))
    if order.state is OrderState.OPEN:
        out.append(centre("NOT PAID", width))
    if order.state is OrderState.VOID:
        out.append(centre(f"VOID: {order.void_reason}", width))
    out.append(rule)
    out.append(centre("Thank you 多謝", width))
    return "\n".join(out) + "\n"


def receipt(ctx: Context, order_id: int, paper_mm: int = 80) -> str:
    ctx.require(Permission.SELL)
    return render(ctx, get_order(ctx, order_id), paper_mm)
