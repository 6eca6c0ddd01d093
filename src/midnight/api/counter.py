"""Customers, the counter shelf and notifications."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.catalog import PageQuery
from midnight.commands.counter import (
    AddCustomer,
    AddTarget,
    ContactPolicyIn,
    CustomerQuery,
    DigestTime,
    Dispose,
    EditTemplate,
    Extend,
    FindHold,
    HoldItem,
    MessageQuery,
    PickUp,
    ReturnHold,
    ShelfQuery,
)
from midnight.db.paging import Page
from midnight.domain.errors import MAX_ID
from midnight.services import customers, holds, notify, schedule

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["counter"])
HoldId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/customers")
def search_customers(ctx: CtxDep, query: Annotated[CustomerQuery, Query()]) -> Page[customers.CustomerInfo]:
    """Customers whose name, nickname or phone contains `q`."""
    return customers.search_customers(ctx, query)


@router.post("/customers", status_code=status.HTTP_201_CREATED)
def add_customer(ctx: CtxDep, body: AddCustomer) -> customers.CustomerInfo:
    """A customer; contact addresses must be of a kind the owner allows (credentials are shown masked)."""
    return customers.add_customer(ctx, body)


@router.get("/customers/{customer_id}")
def get_customer(ctx: CtxDep, customer_id: Id) -> customers.CustomerInfo:
    return customers.get_customer(ctx, f"#{customer_id}")


@router.get("/holds")
def shelf(ctx: CtxDep, query: Annotated[ShelfQuery, Query()]) -> Page[holds.HoldInfo]:
    """Items waiting, overdue first; with `all=true`, every item, newest first; `customer` for one person's."""
    return holds.shelf(ctx, query)


@router.post("/holds", status_code=status.HTTP_201_CREATED)
def hold_item(ctx: CtxDep, body: HoldItem) -> holds.NewHold:
    """Put an item on the shelf. The response carries the pickup code, this once (null on a retry with
    the same `key`). With `new_customer`, someone unknown is added as a customer in the same step."""
    return holds.hold_item(ctx, body)


@router.post("/holds/find")
def find_by_code(ctx: CtxDep, body: FindHold) -> list[holds.Found]:
    """The waiting item with this pickup code. Five wrong codes in a row stop your look-ups a while."""
    return holds.find_by_code(ctx, body)


@router.get("/holds/{hold_id}")
def get_hold(ctx: CtxDep, hold_id: HoldId) -> holds.HoldInfo:
    return holds.get_hold(ctx, hold_id)


@router.post("/holds/{hold_id}/pickup")
def pick_up(ctx: CtxDep, hold_id: HoldId, body: PickUp) -> holds.HoldInfo:
    """Hand over with the code, or after checking identity. Five wrong codes lock the item."""
    return holds.pick_up(ctx, hold_id, body)


@router.post("/holds/{hold_id}/extend")
def extend(ctx: CtxDep, hold_id: HoldId, body: Extend) -> holds.HoldInfo:
    return holds.extend(ctx, hold_id, body)


@router.post("/holds/{hold_id}/return")
def return_to_sender(ctx: CtxDep, hold_id: HoldId, body: ReturnHold) -> holds.HoldInfo:
    return holds.return_to_sender(ctx, hold_id, body)


@router.post("/holds/{hold_id}/dispose")
def dispose(ctx: CtxDep, hold_id: HoldId, body: Dispose) -> holds.HoldInfo:
    """Dispose of an uncollected item after its date (owner)."""
    return holds.dispose(ctx, hold_id, body)


@router.post("/holds/{hold_id}/unlock")
def unlock(ctx: CtxDep, hold_id: HoldId) -> holds.HoldInfo:
    """Unlock an item locked after wrong codes (owner)."""
    return holds.unlock(ctx, hold_id)


@router.get("/notify/messages")
def messages(ctx: CtxDep, query: Annotated[MessageQuery, Query()]) -> Page[notify.Delivery]:
    """The outbox, newest first (owner)."""
    return notify.messages_page(ctx, query)


@router.post("/notify/run")
def run(ctx: CtxDep) -> dict[str, int]:
    """Queue today's scheduled messages and deliver what is due (owner)."""
    return schedule.run(ctx)


@router.get("/notify/targets")
def targets(ctx: CtxDep, query: Annotated[PageQuery, Query()]) -> Page[notify.Target]:
    return notify.list_targets(ctx, query)


@router.post("/notify/targets", status_code=status.HTTP_201_CREATED)
def add_target(ctx: CtxDep, body: AddTarget) -> notify.Target:
    return notify.add_target(ctx, body)


@router.delete("/notify/targets/{target_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_target(ctx: CtxDep, target_id: Id) -> None:
    notify.remove_target(ctx, target_id)


@router.put("/notify/templates")
def edit_template(ctx: CtxDep, body: EditTemplate) -> dict[str, str]:
    """Change a message template (owner); it is tried on sample data before it is saved."""
    notify.edit_template(ctx, body)
    return {"event": body.event, "language": body.language}


@router.put("/notify/digest-time")
def digest_time(ctx: CtxDep, body: DigestTime) -> dict[str, str]:
    return {"time": notify.set_digest_time(ctx, body)}


@router.get("/notify/contact-policy")
def get_contact_policy(ctx: CtxDep) -> notify.PolicyInfo:
    """Which kinds of contact address staff may type, and whether private addresses are allowed (owner)."""
    return notify.get_contact_policy(ctx)


@router.put("/notify/contact-policy")
def set_contact_policy(ctx: CtxDep, body: ContactPolicyIn) -> notify.PolicyInfo:
    return notify.set_contact_policy(ctx, body)
