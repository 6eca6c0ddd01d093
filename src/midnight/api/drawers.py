"""Cash drawers and shifts: open with a float, pay in and out, close with the cash counted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.cash import CloseDrawer, DrawerMove, DrawerQuery, OpenDrawer
from midnight.db.paging import Page
from midnight.services import drawers

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["cash drawers"])


@router.get("/drawers")
def list_sessions(ctx: CtxDep, query: Annotated[DrawerQuery, Query()]) -> Page[drawers.SessionInfo]:
    """Drawer sessions, newest first: everyone's for an owner, your own otherwise."""
    return drawers.sessions(ctx, query)


@router.post("/drawers", status_code=status.HTTP_201_CREATED)
def open_drawer(ctx: CtxDep, body: OpenDrawer) -> drawers.SessionInfo:
    """Open a till's drawer with its float. One open drawer per till and per person: the cash you
    take and refund while it is open goes in it (and, if it is the shop's only open drawer, others' too)."""
    return drawers.open_drawer(ctx, body)


@router.get("/drawers/current")
def current(ctx: CtxDep) -> drawers.SessionInfo | None:
    """Your open drawer as it stands now (expected cash so far), or null."""
    return drawers.current(ctx)


@router.get("/drawers/{session_id}")
def get_session(ctx: CtxDep, session_id: Id) -> drawers.SessionInfo:
    """One session: an open one as it stands now, a closed one as its count recorded it."""
    return drawers.get_session(ctx, session_id)


@router.get("/drawers/{session_id}/moves")
def moves(ctx: CtxDep, session_id: Id, query: Annotated[DrawerQuery, Query()]) -> Page[drawers.MoveInfo]:
    """A session's pay-ins and pay-outs, newest first."""
    return drawers.moves(ctx, session_id, query)


@router.post("/drawers/{session_id}/moves", status_code=status.HTTP_201_CREATED)
def record_move(ctx: CtxDep, session_id: Id, body: DrawerMove) -> drawers.MoveInfo:
    """A pay-in or pay-out with its reason; with a `key`, a retry records it once."""
    return drawers.record_move(ctx, body, session_id)


@router.post("/drawers/{session_id}/close")
def close(ctx: CtxDep, session_id: Id, body: CloseDrawer) -> drawers.SessionInfo:
    """Close with the cash counted (a total, or notes and coins): expected, counted and over/short
    are recorded once."""
    return drawers.close_drawer(ctx, body, session_id)
