"""Logging in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.deps import client_address, set_session_cookie
from midnight.api.security import DEVICE_COOKIE
from midnight.commands.people import LogIn
from midnight.domain.errors import MidnightError
from midnight.services import devices, people
from midnight.web.core import SESSION_COOKIE, check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> Response:
    return redirect("/till")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    ended = request.query_params.get("ended") == "1"
    message = (
        "Your session has ended: log in again. An order that was not paid was not recorded."
        if ended
        else None
    )
    # On a browser set up as a till, staff may sign in with their PIN instead.
    till = devices.device_till(request.app.state.ctx, request.cookies.get(DEVICE_COOKIE, ""))
    return render(request, "login.html", None, errors={}, values={}, message=message, till=till)


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    base = request.app.state.ctx
    values: dict[str, str] = {}
    try:
        form = await check_csrf(request)
        values = {"name": str(form.get("name", ""))}
        issued = people.log_in(
            base,
            form_command(LogIn, form, ("name", "password")),
            client_address(request),
            request.cookies.get(DEVICE_COOKIE, ""),
        )
    except MidnightError as exc:
        return render(
            request, "login.html", None, status_code=exc.http_status, errors={"_": exc.message}, values=values
        )
    response = redirect("/till")
    set_session_cookie(request, response, issued.token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    ctx = page_context(request)
    people.log_out(ctx, request.cookies.get(SESSION_COOKIE, ""))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
