"""Customers, the counter shelf and notifications."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import Field

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import MAX_ID, Body, Id
from midnight.notify import outbox, schedule
from midnight.services import customers, holds

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["counter"])


class CustomerIn(Body):
    name: str = Field(examples=["Mr Chan 陳先生"])
    nickname: str | None = Field(default=None, examples=["663"])
    phone: str | None = Field(default=None, examples=["+852 9123 4567"])
    contacts: list[str] = Field(default_factory=list, examples=[["ntfy://ntfy.example.org/chan663"]])
    birthday: dt.date | None = None
    birthday_greeting: bool = False
    language: str = Field(default="en", examples=["zh-Hant"])
    notes: str = ""


class HoldIn(Body):
    description: str = Field(examples=["envelope with keys"])
    for_customer: str = Field(examples=["663"], description="#number, name or nickname")
    left_by: str | None = Field(default=None, examples=["Ms Wong"])
    shelf_slot: str = Field(default="", examples=["B2"])
    photo_path: str | None = None
    hold_until: dt.date | None = None


class PickupIn(Body):
    code: str | None = Field(default=None, examples=["042917"])
    identity_checked: bool = False


class ExtendIn(Body):
    hold_until: dt.date


class NoteIn(Body):
    note: str | None = None


class ReasonIn(Body):
    reason: str = Field(examples=["uncollected after 30 days"])


class TargetIn(Body):
    url: str = Field(examples=["mailto://shop:secret@example.com"])
    label: str = "staff"


class TemplateIn(Body):
    event: str = Field(examples=["item_waiting"])
    language: str = Field(default="en", examples=["zh-Hant"])
    subject: str
    body: str


HoldId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/customers")
def search_customers(ctx: CtxDep, q: str = "") -> list[customers.CustomerInfo]:
    """Customers whose name, nickname or phone contains `q`."""
    return customers.search_customers(ctx, q)


@router.post("/customers", status_code=status.HTTP_201_CREATED)
def add_customer(ctx: CtxDep, body: CustomerIn) -> customers.CustomerInfo:
    return customers.add_customer(
        ctx,
        body.name,
        nickname=body.nickname,
        phone=body.phone,
        contacts=body.contacts,
        birthday=body.birthday,
        birthday_greeting=body.birthday_greeting,
        language=body.language,
        notes=body.notes,
    )


@router.get("/customers/{customer_id}")
def get_customer(ctx: CtxDep, customer_id: Id) -> customers.CustomerInfo:
    return customers.get_customer(ctx, f"#{customer_id}")


@router.get("/holds")
def shelf(ctx: CtxDep, all_items: bool = False) -> list[holds.HoldInfo]:
    """Items waiting, overdue first."""
    return holds.shelf(ctx, include_closed=all_items)


@router.post("/holds", status_code=status.HTTP_201_CREATED)
def hold_item(ctx: CtxDep, body: HoldIn) -> holds.NewHold:
    """Put an item on the shelf. The response carries the pickup code, this once."""
    return holds.hold_item(
        ctx,
        body.description,
        body.for_customer,
        left_by=body.left_by,
        shelf_slot=body.shelf_slot,
        photo_path=body.photo_path,
        hold_until=body.hold_until,
    )


@router.get("/holds/{hold_id}")
def get_hold(ctx: CtxDep, hold_id: HoldId) -> holds.HoldInfo:
    return holds.get_hold(ctx, hold_id)


@router.post("/holds/{hold_id}/pickup")
def pick_up(ctx: CtxDep, hold_id: HoldId, body: PickupIn) -> holds.HoldInfo:
    """Hand over with the code, or after checking identity. Five wrong codes lock the item."""
    return holds.pick_up(ctx, hold_id, code=body.code, identity_checked=body.identity_checked)


@router.post("/holds/{hold_id}/extend")
def extend(ctx: CtxDep, hold_id: HoldId, body: ExtendIn) -> holds.HoldInfo:
    return holds.extend(ctx, hold_id, body.hold_until)


@router.post("/holds/{hold_id}/return")
def return_to_sender(ctx: CtxDep, hold_id: HoldId, body: NoteIn) -> holds.HoldInfo:
    return holds.return_to_sender(ctx, hold_id, body.note)


@router.post("/holds/{hold_id}/dispose")
def dispose(ctx: CtxDep, hold_id: HoldId, body: ReasonIn) -> holds.HoldInfo:
    """Dispose of an uncollected item after its date (owner)."""
    return holds.dispose(ctx, hold_id, body.reason)


@router.post("/holds/{hold_id}/unlock")
def unlock(ctx: CtxDep, hold_id: HoldId) -> holds.HoldInfo:
    """Unlock an item locked after wrong codes (owner)."""
    return holds.unlock(ctx, hold_id)


@router.get("/notify/messages")
def messages(ctx: CtxDep, state: str | None = None) -> list[outbox.Delivery]:
    ctx.require(schedule.Permission.NOTIFY)
    return outbox.messages(ctx, state=state)


@router.post("/notify/run")
def run(ctx: CtxDep) -> dict[str, Any]:
    """Queue today's scheduled messages and deliver what is due (owner)."""
    ctx.require(schedule.Permission.NOTIFY)
    queued = schedule.queue_due(ctx)
    sent = outbox.deliver(ctx)
    return {"queued": queued, "delivered": sum(1 for d in sent if d.state == "sent"), "attempted": len(sent)}


@router.get("/notify/targets")
def targets(ctx: CtxDep) -> list[schedule.Target]:
    return schedule.list_targets(ctx)


@router.post("/notify/targets", status_code=status.HTTP_201_CREATED)
def add_target(ctx: CtxDep, body: TargetIn) -> schedule.Target:
    return schedule.add_target(ctx, body.url, body.label)


@router.put("/notify/templates")
def edit_template(ctx: CtxDep, body: TemplateIn) -> dict[str, str]:
    schedule.edit_template(ctx, body.event, body.language, body.subject, body.body)
    return {"event": body.event, "language": body.language}
