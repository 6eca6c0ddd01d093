"""Logging in, users and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials

from midnight.api.deps import SESSION_COOKIE, ShopDep, base_shop, bearer, token_of
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id, LoginIn, LoginOut, PasswordIn, TokenIn, UserChange, UserIn
from midnight.services import people

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["people"])


@router.post("/login", responses={429: ERROR_RESPONSES[401]})
def log_in(request: Request, response: Response, body: LoginIn) -> LoginOut:
    """Check a password: a session token (also set as a cookie). Ten failures lock it for 15 minutes."""
    shop = base_shop(request)
    address = request.client.host if request.client else "unknown"
    issued = people.log_in(shop, body.name, body.password, address)
    who = people.authenticate(shop, issued.token)
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
    shop: ShopDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    people.log_out(shop, token_of(request, credentials))
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me")
def me(shop: ShopDep) -> dict[str, str]:
    return {"name": shop.who.name, "role": shop.who.role.value}


@router.get("/users")
def list_users(shop: ShopDep) -> list[people.UserInfo]:
    return people.list_users(shop)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(shop: ShopDep, body: UserIn) -> people.UserInfo:
    return people.add_user(shop, body.name, body.role, body.password)


@router.patch("/users/{name}")
def change_user(shop: ShopDep, name: str, body: UserChange) -> people.UserInfo:
    return people.set_role(shop, name, body.role, body.active)


@router.post("/users/{name}/password")
def set_password(shop: ShopDep, name: str, body: PasswordIn) -> people.UserInfo:
    return people.set_password(shop, name, body.password)


@router.post("/users/{name}/tokens", status_code=status.HTTP_201_CREATED)
def create_token(shop: ShopDep, name: str, body: TokenIn) -> people.IssuedToken:
    """A new API token; its secret is in this response only."""
    return people.create_token(shop, name, body.label)


@router.get("/tokens")
def list_tokens(shop: ShopDep, user: str | None = None) -> list[people.TokenInfo]:
    return people.list_tokens(shop, user)


@router.delete("/tokens/{token_id}")
def revoke_token(shop: ShopDep, token_id: Id) -> people.TokenInfo:
    return people.revoke_token(shop, token_id)
