"""Dependencies: the shop for this request, acting as the person its token or session names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from midnight.services import people
from midnight.services.shop import Shop

SESSION_COOKIE = "midnight_session"
bearer = HTTPBearer(
    auto_error=False, description="An API token (midnight user token) or a session from /api/login."
)


def base_shop(request: Request) -> Shop:
    shop: Shop = request.app.state.shop
    return shop


def token_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is not None:
        return credentials.credentials
    return request.cookies.get(SESSION_COOKIE, "")


def current_shop(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Shop:
    base = base_shop(request)
    return base.acting_as(people.authenticate(base, token_of(request, credentials)))


ShopDep = Annotated[Shop, Depends(current_shop)]
