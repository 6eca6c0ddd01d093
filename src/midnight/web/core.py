"""What every page needs: templates, the signed-in person, CSRF protection, money and time formatting."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from midnight.api.security import CSRF_COOKIE, SESSION_COOKIE
from midnight.commands import build
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.money import format_money
from midnight.domain.people import Permission
from midnight.domain.quantity import format_about
from midnight.services import people
from midnight.services.context import Context

M = TypeVar("M", bound=BaseModel)
templates = Jinja2Templates(directory=str(resources.files("midnight.web") / "templates"))


class LoginRequired(Exception):
    """No valid session: the page sends the browser to /login."""


def page_context(request: Request) -> Context:
    base: Context = request.app.state.ctx
    try:
        return base.acting_as(people.authenticate(base, request.cookies.get(SESSION_COOKIE, "")))
    except MidnightError:
        raise LoginRequired() from None


def csrf_token(request: Request) -> str:
    """The page's CSRF token: the value of the CSRF cookie, made on first use."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


async def check_csrf(request: Request) -> dict[str, Any]:
    """Every form post must carry the token from its cookie (double submit); returns the form."""
    form = dict(await request.form())
    sent = str(form.get("csrf") or request.headers.get("X-CSRF-Token") or "")
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise InvalidInput(
            "the form expired or came from elsewhere; reload the page and try again", field="csrf"
        )
    return form


def form_command(model: type[M], form: Mapping[str, object], names: tuple[str, ...] | None = None) -> M:
    """The command a form describes; empty boxes count as not given, so the command's defaults apply."""
    chosen = names if names is not None else tuple(form)
    return build(
        model, {name: form[name] for name in chosen if name in form and form[name] not in ("", None)}
    )


def render(
    request: Request, name: str, ctx: Context | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    store = ctx.store if ctx is not None else request.app.state.ctx.store

    def money(minor: int) -> str:
        return format_money(minor, store.currency, store.locale)

    def local(instant: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return instant.astimezone(store.tz).strftime(fmt) if instant else ""

    response = templates.TemplateResponse(
        request,
        name,
        {
            "who": ctx.who if ctx else None,
            "can": (lambda permission: ctx.who.may(Permission[permission])) if ctx else (lambda _: False),
            "store": store,
            "money": money,
            "local": local,
            "about": format_about,
            "csrf": csrf_token(request),
            **context,
        },
        status_code=status_code,
    )
    if getattr(request.state, "new_csrf", None):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.new_csrf,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


FLASH_COOKIE = "midnight_flash"


def redirect_with_message(request: Request, url: str, message: str) -> RedirectResponse:
    """Redirect after a form did something (so a reload cannot do it twice), carrying what to say on
    the page it lands on, once."""
    response = redirect(url)
    response.set_cookie(
        FLASH_COOKIE,
        quote(message[:1000]),
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def take_message(request: Request, response: Response) -> None:
    """The redirect's message was shown: it is not shown again."""
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE)


def pending_message(request: Request) -> str | None:
    text = request.cookies.get(FLASH_COOKIE)
    return unquote(text) if text else None
