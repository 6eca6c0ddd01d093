"""Orders a till rang while it could not reach the server, and the decisions on those that wait."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.fields import IdempotencyKey
from midnight.commands.offline import DecideOffline, OfflineOrderIn, OfflineQuery
from midnight.db.paging import Page
from midnight.services import offline
from midnight.services.offline import OfflineInfo

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["offline"])
KeyHeader = Annotated[
    IdempotencyKey,
    Header(
        alias="Idempotency-Key",
        description="The key the till gave the order when it rang it; a resend under it is answered "
        "with the first answer and writes nothing.",
    ),
]


@router.post(
    "/offline-orders",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "A resend: the first answer, nothing written"}},
)
def send_offline_order(ctx: CtxDep, body: OfflineOrderIn, key: KeyHeader, response: Response) -> OfflineInfo:
    """An order rung while offline. Recorded as of when it was rung (prices, stock and business day
    then; cash into the sender's drawer), or — if that can't be done (out of stock, an item off the
    menu, a price changed, the day closed, card beyond the offline limit) — kept with `state`
    "waiting" and the `problem`, for the owner to decide. 4xx only for an order that is not whole."""
    taken = offline.take(ctx, key, body)
    if taken.replayed:
        response.status_code = status.HTTP_200_OK
    return taken


@router.get("/offline-orders")
def list_offline_orders(ctx: CtxDep, query: Annotated[OfflineQuery, Query()]) -> Page[OfflineInfo]:
    """Offline orders in one state (default: waiting for a decision), oldest first."""
    return offline.list_offline(ctx, query)


@router.get("/offline-orders/{offline_id}")
def get_offline_order(ctx: CtxDep, offline_id: Id) -> OfflineInfo:
    return offline.get_offline(ctx, offline_id)


@router.post("/offline-orders/{offline_id}/decide")
def decide_offline_order(ctx: CtxDep, offline_id: Id, body: DecideOffline) -> OfflineInfo:
    """Accept a waiting offline order (the sale stands as rung, stock drawn as far as there is any)
    or refund it (the money goes back the way it was paid), with a note (owner)."""
    return offline.decide(ctx, offline_id, body)
