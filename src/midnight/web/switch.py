"""Switching users on a shared till with a PIN; setting PINs; setting a browser up as a till.

- /till/who: the till page's header line (who is signed in, on which till) with Switch user, or for
  an owner on a browser that is no till yet, "Use this browser as Till 1".
- /till/switch: the names that can switch in, as big buttons; /till/switch/{name}: a keypad; the
  PIN is posted to /till/switch. Only on a browser an owner set up as a till (its device cookie);
  no session is needed, and the session the browser had ends when someone else switches in.
- /account: your own PIN (with your password). /admin/pins: owners set, clear and unlock anyone's
  PIN, and see and revoke the browsers set up as tills.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.deps import client_address, set_session_cookie
from midnight.api.security import DEVICE_COOKIE, SESSION_COOKIE
from midnight.commands import build
from midnight.commands.catalog import PageQuery
from midnight.commands.people import DeviceQuery, EnrollDevice, SetPin, SwitchUser
from midnight.domain.errors import InvalidInput, MidnightError, parse_id
from midnight.services import devices, people, pins
from midnight.services.context import Context
from midnight.web.core import LoginRequired, check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)
BACK = ("/till", "/admin/pins")  # where setting a browser up returns to


def device_of(request: Request) -> str:
    return request.cookies.get(DEVICE_COOKIE, "")


def set_device_cookie(request: Request, response: Response, secret: str) -> None:
    """The device secret: HttpOnly (no script reads it), SameSite=Strict, Secure over HTTPS, long-lived."""
    response.set_cookie(
        DEVICE_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(devices.DEVICE_LIFE.total_seconds()),
    )


def _signed_in(request: Request) -> Context | None:
    """Whoever is signed in on this browser, if anyone: the switch pages work without a session."""
    try:
        return page_context(request)
    except LoginRequired:
        return None


# --- the till page's header ------------------------------------------------------------------------


@router.get("/till/who", response_class=HTMLResponse)
def who_here(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    return render(request, "switch_who.html", ctx, here=devices.here(ctx, device_of(request)))


@router.post("/till/device", response_model=None)
async def enroll(request: Request) -> Response:
    """Use this browser as a till (owner): its secret goes in this browser's cookie only."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    back = form.get("back") if form.get("back") in BACK else "/till"
    try:
        made = devices.enroll_device(
            ctx,
            form_command(EnrollDevice, form, ("till", "label", "current_password")),
            device_of(request),
            request.cookies.get(SESSION_COOKIE, ""),
        )
    except MidnightError as exc:
        kept = {k: v for k, v in form.items() if k != "current_password"}  # a password is never shown back
        return _admin_page(request, ctx, exc.http_status, {"devices": {exc.field or "_": exc.message}}, kept)
    response = redirect(str(back))
    set_device_cookie(request, response, made.secret)
    return response


# --- switching -----------------------------------------------------------------------------------


@router.get("/till/switch", response_class=HTMLResponse)
def switch_page(request: Request, cursor: str | None = None) -> HTMLResponse:
    base: Context = request.app.state.ctx
    ctx = _signed_in(request)
    try:
        query = build(PageQuery, {"cursor": cursor} if cursor else {})
        found = pins.switch_names(base, device_of(request), query)
    except MidnightError as exc:
        return render(
            request, "switch.html", ctx, status_code=exc.http_status, refused=exc.message, found=None
        )
    return render(request, "switch.html", ctx, refused=None, found=found)


@router.get("/till/switch/{name}", response_class=HTMLResponse)
def keypad(request: Request, name: str) -> HTMLResponse:
    return _keypad(request, name)


def _keypad(request: Request, name: str, status_code: int = 200, error: str | None = None) -> HTMLResponse:
    base: Context = request.app.state.ctx
    till = devices.device_till(base, device_of(request))
    ctx = _signed_in(request)
    if till is None:
        return render(request, "switch.html", ctx, status_code=403, refused=devices.NOT_A_TILL, found=None)
    return render(
        request, "switch_pin.html", ctx, status_code=status_code, person=name[:64], till=till, error=error
    )


@router.post("/till/switch", response_model=None)
async def switch(request: Request) -> Response:
    base: Context = request.app.state.ctx
    name = ""
    try:
        form = await check_csrf(request)
        name = str(form.get("name") or "")[:64]
        cmd = form_command(SwitchUser, form, ("name", "pin"))
        issued = pins.switch_user(
            base,
            device_of(request),
            cmd.name,
            cmd.pin,
            client_address(request),
            request.cookies.get(SESSION_COOKIE),
        )
    except MidnightError as exc:
        return _keypad(request, name, exc.http_status, exc.message)
    response = redirect("/till")
    set_session_cookie(request, response, issued.token)
    set_device_cookie(request, response, device_of(request))  # a till in use stays set up
    return response


# --- your PIN ------------------------------------------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
def account(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    return _account_page(request, ctx)


def _account_page(
    request: Request, ctx: Context, status_code: int = 200, errors: dict[str, str] | None = None
) -> HTMLResponse:
    message = request.query_params.get("done")
    shown = {"set": "Your PIN is set.", "cleared": "Your PIN is cleared."}.get(message or "")
    return render(
        request,
        "switch_account.html",
        ctx,
        status_code=status_code,
        me=pins.own_pin(ctx),
        errors=errors or {},
        message=shown,
    )


@router.post("/account/pin", response_model=None)
async def set_own_pin(request: Request) -> Response:
    ctx = page_context(request)
    try:
        form = {k: str(v) for k, v in (await check_csrf(request)).items()}
        if form.get("pin", "") != form.get("pin_again", ""):
            raise InvalidInput("the two PINs differ: type the same PIN twice", field="pin_again")
        pins.set_pin(ctx, ctx.actor, form_command(SetPin, form, ("pin", "current_password")))
    except MidnightError as exc:
        return _account_page(request, ctx, exc.http_status, {exc.field or "_": exc.message})
    return redirect("/account?done=set")


@router.post("/account/pin/clear", response_model=None)
async def clear_own_pin(request: Request) -> Response:
    ctx = page_context(request)
    try:
        await check_csrf(request)
        pins.clear_pin(ctx, ctx.actor)
    except MidnightError as exc:
        return _account_page(request, ctx, exc.http_status, {"_": exc.message})
    return redirect("/account?done=cleared")


# --- owners: everyone's PINs and the tills' browsers ------------------------------------------------


def _admin_page(
    request: Request, ctx: Context, status_code: int = 200, errors: Any = None, values: Any = None
) -> HTMLResponse:
    every = request.query_params.get("all") == "1"
    return render(
        request,
        "switch_admin.html",
        ctx,
        status_code=status_code,
        errors=errors or {},
        values=values or {},
        users=people.list_users(ctx, PageQuery(limit=200)).items,
        devices=devices.list_devices(ctx, DeviceQuery(include_revoked=every, limit=100)),
        here=devices.here(ctx, device_of(request)),
        every=every,
    )


@router.get("/admin/pins", response_class=HTMLResponse)
def admin_pins(request: Request) -> HTMLResponse:
    return _admin_page(request, page_context(request))


async def _owner_action(request: Request, section: str, action: Any) -> Response:
    ctx = page_context(request)
    form: dict[str, str] = {}
    try:
        form = {k: str(v) for k, v in (await check_csrf(request)).items()}
        action(ctx, form)
    except MidnightError as exc:
        # a PIN or a password is never shown back
        kept = {k: v for k, v in form.items() if k not in ("pin", "csrf", "current_password")}
        return _admin_page(request, ctx, exc.http_status, {section: {exc.field or "_": exc.message}}, kept)
    return redirect("/admin/pins")


@router.post("/admin/pins/set", response_model=None)
async def owner_sets_pin(request: Request) -> Response:
    return await _owner_action(
        request,
        "pins",
        lambda ctx, f: pins.set_pin(
            ctx, f.get("name", ""), form_command(SetPin, f, ("pin", "current_password"))
        ),
    )


@router.post("/admin/pins/{name}/clear", response_model=None)
async def owner_clears_pin(request: Request, name: str) -> Response:
    return await _owner_action(request, "pins", lambda ctx, _: pins.clear_pin(ctx, name))


@router.post("/admin/pins/{name}/unlock", response_model=None)
async def owner_unlocks_pin(request: Request, name: str) -> Response:
    return await _owner_action(request, "pins", lambda ctx, _: pins.unlock_pin(ctx, name))


@router.post("/admin/pins/devices/{device_id}/revoke", response_model=None)
async def owner_revokes_device(request: Request, device_id: str) -> Response:
    return await _owner_action(
        request,
        "devices",
        lambda ctx, f: devices.revoke_device(
            ctx,
            parse_id(device_id, "device"),
            f.get("current_password") or None,
            request.cookies.get(SESSION_COOKIE, ""),
        ),
    )
