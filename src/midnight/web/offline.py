"""The till when the server can't be reached, and what happens once it can.

- `/till-sw.js`: the service worker that keeps the till page, its scripts and style on the device;
- `/till/offline/snapshot`: what the page sells from while offline (menu, prices, modifiers, card
  limit, who is signed in), kept by the page in IndexedDB;
- `/till/offline/orders`: where the page sends each order it rang offline, once the server is back
  (JSON, an Idempotency-Key, the CSRF header); always JSON, never a redirect, so the page keeps its
  queue whatever the answer;
- `/till/offline`: the orders that arrived but could not be recorded as rung, for a manager to
  accept or refund.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

from babel.numbers import get_currency_symbol
from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from midnight.api.models import Id
from midnight.api.security import CSRF_COOKIE
from midnight.commands import build
from midnight.commands.offline import DecideOffline, OfflineOrderIn, OfflineQuery
from midnight.commands.till import OrderKey
from midnight.domain.errors import InvalidInput, MidnightError, NotAuthenticated
from midnight.domain.money import parse_amount, to_minor
from midnight.domain.offline import OfflineState
from midnight.services import menu, offline
from midnight.services.context import Context
from midnight.services.offline import OfflineInfo
from midnight.web.core import (
    LoginRequired,
    check_csrf,
    csrf_token,
    form_command,
    page_context,
    redirect,
    render,
)

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
STATIC = resources.files("midnight.web") / "static"
WORKER = STATIC / "sw.js"


def _static_version() -> str:
    """A digest of the files the worker keeps: any change to one of them makes a new worker, which
    fetches them afresh (a kept till.js never outlives the server's)."""
    digest = hashlib.sha256()
    for item in sorted(STATIC.iterdir(), key=lambda i: i.name):
        if item.name != "sw.js" and item.name.endswith((".js", ".css", ".svg")):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]


@router.get("/till-sw.js")
def service_worker() -> Response:
    """The service worker, from the site's root so that it may control /till (its scope)."""
    script = WORKER.read_text(encoding="utf-8").replace("__STATIC_VERSION__", _static_version())
    return Response(
        script,
        media_type="application/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/till"},
    )


def _json_error(exc: MidnightError, status: int | None = None, code: str | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code or exc.code, "message": exc.message, "field": exc.field}},
        status_code=status or exc.http_status,
        headers={"Cache-Control": "no-store"},
    )


def _signed_in(request: Request) -> Context:
    """The person signed in; without a session, a 401 in JSON (the page keeps its queue and asks
    the cashier to log in) rather than the redirect to /login that a page gets."""
    try:
        return page_context(request)
    except LoginRequired:
        raise NotAuthenticated(
            "your session has ended: log in again, and the orders rung offline are sent then"
        ) from None


def _with_csrf_cookie(request: Request, response: Response) -> Response:
    if getattr(request.state, "new_csrf", None):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.new_csrf,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


@router.get("/till/offline/snapshot")
def snapshot(request: Request) -> Response:
    """The menu as the till sells it now, for selling offline; with the page's CSRF token (the cached
    page's may be stale), which a page of another site can't read."""
    try:
        ctx = _signed_in(request)
        taken = offline.snapshot(ctx)
    except MidnightError as exc:
        return _json_error(exc)
    body = {
        **jsonable_encoder(taken),
        "csrf": csrf_token(request),
        # how the page writes money and the time of the prices, as the rest of the till does
        "symbol": get_currency_symbol(ctx.store.currency, ctx.store.locale),
        "issued_local": taken.issued_at.astimezone(ctx.store.tz).strftime("%H:%M"),
    }
    return _with_csrf_cookie(request, JSONResponse(body, headers={"Cache-Control": "no-store"}))


def _answer(done: OfflineInfo) -> dict[str, Any]:
    return {
        "state": done.state.value,
        "offline_id": done.id,
        "order_id": done.order_id,
        "call_number": done.call_number,
        "local_number": done.local_number,
        "problem": done.problem,
        "replayed": done.replayed,
    }


@router.post("/till/offline/orders")
async def send(request: Request) -> Response:
    """One order rung offline, as the page kept it: 201 recorded or waiting for a decision (200 for a
    resend of one already taken); 401 when the session ended; 403 with code "csrf" when the page's
    token is stale (fetch the snapshot for a fresh one); otherwise 4xx: this order is refused."""
    try:
        ctx = _signed_in(request)
    except MidnightError as exc:
        return _json_error(exc)
    try:
        await check_csrf(request)
    except InvalidInput as exc:
        return _json_error(exc, status=403, code="csrf")
    try:
        key = form_command(OrderKey, {"key": request.headers.get("Idempotency-Key", "")}).key
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("the order is not JSON this server can read", field="body") from None
        except RecursionError:  # [[[[...]]]]: deeper than any parser goes, and than any order is
            raise InvalidInput(
                "the body is not an order: it is nested far too deeply", field="body"
            ) from None
        if not isinstance(data, dict):
            raise InvalidInput("the order must be a JSON object", field="body")
        done = offline.take(ctx, key, build(OfflineOrderIn, data))
    except MidnightError as exc:
        return _json_error(exc)
    return JSONResponse(
        _answer(done), status_code=200 if done.replayed else 201, headers={"Cache-Control": "no-store"}
    )


def _amount(ctx: Context, value: object) -> int:
    """An amount as the till sent it ("18.00"), in minor units for showing."""
    try:
        return to_minor(parse_amount(value), ctx.store.currency)
    except MidnightError:
        return 0


def _shown(ctx: Context, info: OfflineInfo) -> dict[str, Any]:
    """What the till sent, as the page shows it: lines with their amounts, the payments, the total."""
    sent = info.request
    lines = [
        {
            "code": str(line.get("code", "")),
            "quantity": str(line.get("quantity", "")),
            "note": str(line.get("note") or ""),
            "modifiers": [str(m) for m in line.get("modifiers") or []],
            "unit_price": _amount(ctx, line.get("unit_price", "0")),
        }
        for line in sent.get("lines") or []
    ]
    payments = [
        {"way": str(p.get("tender") or p.get("method", "")), "amount": _amount(ctx, p.get("amount", "0"))}
        for p in sent.get("payments") or []
    ]
    return {"lines": lines, "payments": payments, "total": _amount(ctx, sent.get("total", "0"))}


def _decisions(
    request: Request,
    ctx: Context,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    params = dict(request.query_params)
    error = None
    try:
        query = form_command(OfflineQuery, {**params, "limit": str(PER_PAGE)}, ("state", "cursor", "limit"))
    except MidnightError as exc:
        error, query = exc.message, OfflineQuery(limit=PER_PAGE)
        status_code = max(status_code, exc.http_status)
    page = offline.list_offline(ctx, query)
    codes = sorted({line["code"] for info in page.items for line in info.request.get("lines") or []})
    return render(
        request,
        "till_offline.html",
        ctx,
        status_code=status_code,
        state=query.state or OfflineState.WAITING,
        states=list(OfflineState),
        found=[(info, _shown(ctx, info)) for info in page.items],
        names=menu.names(ctx, codes) if codes else {},
        next_cursor=page.next_cursor,
        error=error,
        errors=errors or {},
        values=values or {},
        message=message,
        waiting=offline.waiting(ctx),
    )


@router.get("/till/offline", response_class=HTMLResponse)
def decisions(request: Request) -> HTMLResponse:
    """Orders rung offline that wait for a decision (or, by ?state=, those recorded or decided)."""
    ctx = page_context(request)
    message = None
    done = request.query_params.get("done", "")
    if done.isdigit():
        try:
            info = offline.get_offline(ctx, int(done))
            message = f"Offline order {info.local_number} {info.state.value}: order #{info.order_id}."
        except MidnightError:
            message = None
    return _decisions(request, ctx, message=message)


@router.post("/till/offline/{offline_id}/decide", response_model=None)
async def decide(request: Request, offline_id: Id) -> Response:
    """Accept (the sale stands as rung) or refund (the money goes back), with a note (owner)."""
    ctx = page_context(request)
    form = await request.form()
    decision = str(form.get("decision") or "")
    where = f"{offline_id}-{decision}"
    try:
        await check_csrf(request)
        cmd = form_command(DecideOffline, {"decision": decision, "note": form.get("note")})
        done = offline.decide(ctx, offline_id, cmd)
    except MidnightError as exc:
        return _decisions(
            request,
            ctx,
            errors={where: exc.message},
            values={where: str(form.get("note") or "")},
            status_code=exc.http_status,
        )
    return redirect(f"/till/offline?done={done.id}")
