"""The web pages (Jinja2 + htmx), over the same services as the API and CLI."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from midnight.web import (
    admin,
    buying,
    drawer,
    kitchen,
    login,
    offline,
    orders,
    printing,
    reports,
    shelf,
    stock,
    switch,
    till,
)
from midnight.web.core import LoginRequired, page_context, redirect, render


def install(app: FastAPI) -> None:
    app.mount(
        "/static", StaticFiles(directory=str(resources.files("midnight.web") / "static")), name="static"
    )
    for module in (
        login,
        offline,
        switch,
        till,
        orders,
        printing,
        stock,
        buying,
        shelf,
        reports,
        drawer,
        kitchen,
        admin,
    ):
        app.include_router(module.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return redirect("/static/favicon.svg")

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, __: LoginRequired) -> Response:
        if request.headers.get("HX-Request"):
            # A panel's request after the session ended: the whole page goes to log in, not the panel.
            return Response(status_code=200, headers={"HX-Redirect": "/login?ended=1"})
        return redirect("/login")


def error_page(
    request: Request, status: int, message: str, headers: dict[str, str] | None = None
) -> Response:
    """A page that says, in a sentence, what went wrong — with the menu, if the person is logged in."""
    titles = {
        400: "Not understood",
        401: "Log in first",
        403: "Not allowed",
        404: "Not found",
        405: "Not available this way",
        409: "Refused",
        413: "Too large",
        422: "Not understood",
        429: "Too many tries",
        500: "Something went wrong",
    }
    try:
        ctx = page_context(request)
    except Exception:  # no session (or no database): the page without the menu
        ctx = None
    response = render(
        request, "error.html", ctx, status_code=status, title=titles.get(status, "Error"), text=message
    )
    response.headers.update(headers or {})
    return response
