"""Dependencies: the context for this request, acting as the person its token or session names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from midnight.api.security import SESSION_COOKIE
from midnight.services import people
from midnight.services.context import Context

__all__ = ["SESSION_COOKIE", "CtxDep"]
bearer = HTTPBearer(
    auto_error=False, description="An API token (midnight user token) or a session from /api/login."
)


def base_context(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The session as an HttpOnly, SameSite=Strict cookie; Secure whenever the page came over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(people.SESSION_LIFE.total_seconds()),
    )


def token_of(request: Request, credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is not None:
        return credentials.credentials
    return request.cookies.get(SESSION_COOKIE, "")


def current_context(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Context:
    base = base_context(request)
    return base.acting_as(people.authenticate(base, token_of(request, credentials)))


CtxDep = Annotated[Context, Depends(current_context)]
