"""One error shape for the whole API: {"error": {"code", "message", "field"}}. Never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from midnight.api.models import ErrorBody
from midnight.commands import invalid_input
from midnight.domain.errors import MidnightError

log = logging.getLogger("midnight.api")

_STATUSES = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed for this role",
    404: "Not found",
    409: "Refused in the current state",
    422: "Invalid input",
}
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _STATUSES.items()
}
# For routes that answer plain text (receipts): their errors are still JSON.
TEXT_ROUTE_ERRORS: dict[int | str, dict[str, object]] = {
    status: {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for status, text in _STATUSES.items()
}


# What a person is told on a web page (the API says it in its JSON shape).
PAGE_SAYS = {
    400: "The form could not be read. Reload the page and try again.",
    404: "There is no page at this address. Check it, or use the menu.",
    405: "This page cannot be opened that way. Use the menu or the page's own buttons.",
    500: "Something went wrong on our side; it has been logged. Go back and try again.",
}


def error(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status_code=status)


# Web paths a page's script calls, which always answer JSON (web/offline.py): errors too.
JSON_PATHS = ("/healthz", "/readyz", "/openapi.json", "/till/offline/snapshot", "/till/offline/orders")


def is_page(request: Request) -> bool:
    """Web pages get an HTML error page; the API (and anything else) the JSON shape."""
    path = request.url.path
    return not (path.startswith("/api") or path in JSON_PATHS)


def install(app: FastAPI) -> None:
    from midnight.web import error_page

    @app.exception_handler(MidnightError)
    async def _domain(request: Request, exc: MidnightError) -> Response:
        if is_page(request):
            return error_page(request, exc.http_status, exc.message)
        return error(exc.http_status, exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        refused = invalid_input(exc.errors())
        if is_page(request):
            if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
                return error_page(request, 404, PAGE_SAYS[404])  # /drawer/abc: a mistyped address
            return error_page(request, refused.http_status, refused.message)
        return error(refused.http_status, refused.code, refused.message, refused.field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_page(request):
            return error_page(
                request,
                exc.status_code,
                PAGE_SAYS.get(exc.status_code, "The server could not do that; go back and try again."),
                dict(exc.headers or {}),
            )
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A body no JSON parser would take (too deep, too long a number): bad input like any other.
            return error(422, "invalid_input", "the request body is not JSON this server can read")
        codes = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated", 413: "too_large"}
        return error(exc.status_code, codes.get(exc.status_code, "http_error"), str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        if is_page(request):
            try:
                return error_page(request, 500, PAGE_SAYS[500])
            except Exception:  # the page itself cannot be drawn: the plain answer below
                log.exception("the error page failed too")
        return error(500, "internal", "internal error; it has been logged")
