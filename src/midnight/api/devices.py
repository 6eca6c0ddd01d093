"""Till devices: the browsers an owner set up as tills, where staff switch users with a PIN.

A browser is set up on the till page or in Admin (the device secret is a cookie, so there is no API
call to make one); the API lists and revokes them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials

from midnight.api.deps import CtxDep, bearer, token_of
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.people import Confirm, DeviceQuery
from midnight.db.paging import Page
from midnight.services import devices

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["people"])


@router.get("/till-devices")
def list_devices(ctx: CtxDep, query: Annotated[DeviceQuery, Query()]) -> Page[devices.DeviceInfo]:
    """Browsers set up as tills, newest first (owner); `all=true` includes revoked ones."""
    return devices.list_devices(ctx, query)


@router.delete("/till-devices/{device_id}")
def revoke_device(
    request: Request,
    ctx: CtxDep,
    device_id: Id,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    body: Annotated[Confirm | None, Body()] = None,
) -> devices.DeviceInfo:
    """Stop a browser switching users by PIN (owner); the sessions begun on it end (but the one
    revoking it). From a session begun on a till, send `{"current_password": ...}`."""
    return devices.revoke_device(
        ctx, device_id, body.current_password if body else None, token_of(request, credentials)
    )
