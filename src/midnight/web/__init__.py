"""The web pages (Jinja2 + htmx), over the same services as the API and CLI."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from midnight.web import admin, login, reports, shelf, stock, till
from midnight.web.core import LoginRequired, redirect, render


def install(app: FastAPI) -> None:
    app.mount(
        "/static", StaticFiles(directory=str(resources.files("midnight.web") / "static")), name="static"
    )
    for module in (login, till, stock, shelf, reports, admin):
        app.include_router(module.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return redirect("/static/favicon.svg")

    @app.exception_handler(LoginRequired)
    async def _login(_: Request, __: LoginRequired) -> Response:
        return redirect("/login")


def error_page(request: Request, status: int, message: str) -> Response:
    titles = {
        403: "Not allowed",
        404: "Not found",
        409: "Refused",
        422: "Not understood",
        401: "Log in first",
    }
    return render(
        request, "error.html", None, status_code=status, title=titles.get(status, "Error"), text=message
    )
