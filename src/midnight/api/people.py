"""Logging in, users and tokens."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel

from midnight.api.deps import CtxDep, base_context, bearer, client_address, set_session_cookie, token_of
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.api.security import DEVICE_COOKIE
from midnight.commands.catalog import PageQuery
from midnight.commands.people import (
    AddUser,
    ChangeUser,
    Confirm,
    CreateToken,
    LogIn,
    SetPassword,
    SetPin,
    TokenQuery,
)
from midnight.db.paging import Page
from midnight.services import people, pins

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["people"])


class LoginOut(BaseModel):
    token: str
    user: str
    role: str
    expires_at: dt.datetime | None


@router.post("/login", responses={429: ERROR_RESPONSES[401]})
def log_in(request: Request, response: Response, body: LogIn) -> LoginOut:
    """Check a password: a session token (also set as a cookie). Ten failures lock it for 15 minutes.
    On a browser set up as a till, the session is marked as begun on that till."""
    ctx = base_context(request)
    issued = people.log_in(ctx, body, client_address(request), request.cookies.get(DEVICE_COOKIE, ""))
    who = people.authenticate(ctx, issued.token)
    set_session_cookie(request, response, issued.token)
    return LoginOut(token=issued.token, user=who.name, role=who.role.value, expires_at=issued.info.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(
    request: Request,
    response: Response,
    ctx: CtxDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    people.log_out(ctx, token_of(request, credentials))
    response.delete_cookie("midnight_session")


@router.get("/me")
def me(ctx: CtxDep) -> dict[str, str]:
    return {"name": ctx.who.name, "role": ctx.who.role.value}


@router.get("/users")
def list_users(ctx: CtxDep, query: Annotated[PageQuery, Query()]) -> Page[people.UserInfo]:
    return people.list_users(ctx, query)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(ctx: CtxDep, body: AddUser) -> people.UserInfo:
    """Add a user (owner). From a session begun on a till (a PIN, or a browser set up as a till),
    give your own password again as `current_password`."""
    return people.add_user(ctx, body)


@router.patch("/users/{name}")
def change_user(ctx: CtxDep, name: str, body: ChangeUser) -> people.UserInfo:
    """A user's role or whether they may sign in (owner; from a session begun on a till, with
    `current_password`)."""
    return people.change_user(ctx, name, body)


@router.post("/users/{name}/password")
def set_password(ctx: CtxDep, name: str, body: SetPassword) -> people.UserInfo:
    """Change a password; every token and session of that user ends. Your own needs
    `current_password`; another's too, from a session begun on a till."""
    return people.set_password(ctx, name, body)


@router.put("/users/{name}/pin")
def set_pin(ctx: CtxDep, name: str, body: SetPin) -> people.UserInfo:
    """Set a PIN to switch to this user on a till (4-8 digits); your own needs `current_password`."""
    return pins.set_pin(ctx, name, body)


@router.delete("/users/{name}/pin")
def clear_pin(ctx: CtxDep, name: str) -> people.UserInfo:
    """Take a PIN away: yours, or anyone's (owner)."""
    return pins.clear_pin(ctx, name)


@router.post("/users/{name}/pin/unlock")
def unlock_pin(ctx: CtxDep, name: str) -> people.UserInfo:
    """Unlock a PIN locked after five wrong tries (owner)."""
    return pins.unlock_pin(ctx, name)


@router.post("/users/{name}/tokens", status_code=status.HTTP_201_CREATED)
def create_token(ctx: CtxDep, name: str, body: CreateToken) -> people.IssuedToken:
    """A new API token; its secret is in this response only. From a session begun on a till, give
    your password again as `current_password`."""
    return people.create_token(ctx, name, body)


@router.get("/tokens")
def list_tokens(ctx: CtxDep, query: Annotated[TokenQuery, Query()]) -> Page[people.TokenInfo]:
    return people.list_tokens(ctx, query)


@router.delete("/tokens/{token_id}")
def revoke_token(
    ctx: CtxDep, token_id: Id, body: Annotated[Confirm | None, Body()] = None
) -> people.TokenInfo:
    """End an API token. From a session begun on a till, send `{"current_password": ...}`."""
    return people.revoke_token(ctx, token_id, body.current_password if body else None)
