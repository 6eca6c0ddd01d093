"""What every response carries and every request is held to, before any route sees it.

- Security headers: a Content-Security-Policy that allows only the server's own scripts and styles
  (so an injected script cannot run), no framing (clickjacking), no MIME sniffing, no referrer
  leaks, HSTS over HTTPS.
- A request body limit: nothing a shop sends is larger than MAX_BODY; bigger is refused (413)
  before it is read into memory.
- Session cookies are not enough for writes to the JSON API: a write authenticated only by the
  cookie must come from the shop's own pages (an Origin of this server, or the CSRF token).
"""

from __future__ import annotations

import hmac
import html
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1024 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's interactive docs load Swagger UI from a CDN with an inline bootstrap script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_COOKIE = "midnight_session"  # the cookie a login sets (api/deps.py, web/core.py read it)
CSRF_COOKIE = "midnight_csrf"  # the double-submit token the pages' forms carry
DEVICE_COOKIE = "midnight_till_device"  # a browser an owner set up as a till (services/devices.py)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(header: str) -> dict[str, str]:
    found = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            found[name] = value
    return found


async def _refuse(
    send: Send, status: int, code: str, message: str, field: str | None = None, *, page: bool = False
) -> None:
    """The API's error shape; for a web page, a plain page with the sentence (nothing to run)."""
    if page:
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refused</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f"<body><main><h1>Refused</h1><p>{html.escape(message[:1].upper() + message[1:])}.</p>"
            '<p><a href="/till">Back to the till</a></p></main></body></html>'
        ).encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"error": {"code": code, "message": message, "field": field}}).encode()
        kind = b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _cookie_write_refusal(scope: Scope, headers: dict[str, str]) -> str | None:
    """Why a cookie-authenticated write to the JSON API is refused, or None if it may go on."""
    path = str(scope.get("path", ""))
    if scope.get("method") in SAFE_METHODS or not path.startswith("/api/") or path == "/api/login":
        return None
    if headers.get("authorization", "").lower().startswith("bearer "):
        return None  # a program with a token: not something a browser sends by itself
    cookies = _cookies(headers.get("cookie", ""))
    if SESSION_COOKIE not in cookies:
        return None  # not logged in by cookie: the route will answer 401
    token, expected = headers.get("x-csrf-token", ""), cookies.get(CSRF_COOKIE, "")
    if expected and token and hmac.compare_digest(token, expected):
        return None
    origin = headers.get("origin")
    if origin is not None and origin == _own_origin(scope, headers):
        return None
    return (
        "a write with the session cookie must come from this shop's own pages (an Origin of this server "
        "or the X-CSRF-Token header); programs send their token as 'Authorization: Bearer ...'"
    )


def _own_origin(scope: Scope, headers: dict[str, str]) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host", "")
    return f"{scheme}://{host}"


class SecurityMiddleware:
    """Added to the application: every request and response passes through it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get("content-length", "")
        where = str(scope.get("path", ""))
        page = not (where.startswith("/api") or where in ("/healthz", "/readyz", "/openapi.json"))
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            await _refuse(
                send, 413, "too_large", f"the request is larger than {MAX_BODY // 1024} KiB", page=page
            )
            return
        if not length and "transfer-encoding" in headers:
            # The server checks a body against its declared length; one without a length is not taken.
            await _refuse(send, 411, "length_required", "send the request with a Content-Length", page=page)
            return
        refusal = _cookie_write_refusal(scope, headers)
        if refusal is not None:
            await _refuse(send, 403, "forbidden", refusal)
            return
        path = str(scope.get("path", ""))
        policy = DOCS_CSP if path in ("/docs", "/redoc") or path.startswith("/docs/") else CSP
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", policy.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
                ]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
