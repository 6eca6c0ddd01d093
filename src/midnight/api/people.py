"""Logging in, users and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from midnight.api.deps import SESSION_COOKIE, CtxDep, base_context, bearer, token_of
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id, LoginIn, LoginOut, PasswordIn, TokenIn, UserChange, UserIn
from midnight.services import people

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["people"])


@router.post("/login", responses={429: ERROR_RESPONSES[401]})
def log_in(request: Request, response: Response, body: LoginIn) -> LoginOut:
    """Check a password: a session token (also set as a cookie). Ten failures lock it for 15 minutes."""
    ctx = base_context(request)
    address = request.client.host if request.client else "unknown"
    issued = people.log_in(ctx, body.name, body.password, address)
    who = people.authenticate(ctx, issued.token)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="strict",
        max_age=int(people.SESSION_LIFE.total_seconds()),
    )
    return LoginOut(token=issued.token, user=who.name, role=who.role.value, expires_at=issued.info.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def log_out(
    request: Request,
    response: Response,
    ctx: CtxDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    people.log_out(ctx, token_of(request, credentials))
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(ctx: CtxDep) -> dict[str, str]:
    return {"name": ctx.who.name, "role": ctx.who.role.value}


@router.get("/users")
def list_users(ctx: CtxDep) -> list[people.UserInfo]:
    return people.list_users(ctx)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(ctx: CtxDep, body: UserIn) -> people.UserInfo:
    return people.add_user(ctx, body.name, body.role, body.password)


@router.patch("/users/{name}")
def change_user(ctx: CtxDep, name: str, body: UserChange) -> people.UserInfo:
    return people.set_role(ctx, name, body.role, body.active)


@router.post("/users/{name}/password")
def set_password(ctx: CtxDep, name: str, body: PasswordIn) -> people.UserInfo:
    return people.set_password(ctx, name, body.password)


@router.post("/users/{name}/tokens", status_code=status.HTTP_201_CREATED)
def create_token(ctx: CtxDep, name: str, body: TokenIn) -> people.IssuedToken:
    """A new API token; its secret is in this response only."""
    return people.create_token(ctx, name, body.label)


@router.get("/tokens")
def list_tokens(ctx: CtxDep, user: str | None = None) -> list[people.TokenInfo]:
    return people.list_tokens(ctx, user)


@router.delete("/tokens/{token_id}")
def revoke_token(ctx: CtxDep, token_id: Id) -> people.TokenInfo:
    return people.revoke_token(ctx, token_id)
