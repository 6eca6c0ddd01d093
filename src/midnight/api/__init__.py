"""The JSON HTTP API. `create_app()` builds it; nothing is opened at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from midnight import __version__, web
from midnight.api import (
    counter,
    devices,
    drawers,
    errors,
    forecasts,
    kitchen,
    modifiers,
    offline,
    people,
    planning,
    printing,
    purchasing,
    stock,
    till,
)
from midnight.api.security import SecurityMiddleware
from midnight.domain.clock import Clock
from midnight.print_worker import PrintWorker
from midnight.services import health
from midnight.services.context import Context, open_context
from midnight.settings import Settings
from midnight.worker import NotifyWorker


def create_app(
    settings: Settings | None = None,
    *,
    ctx: Context | None = None,
    clock: Clock | None = None,
    worker: bool | None = None,
) -> FastAPI:
    """The application. Give `ctx` to serve an open database (tests), else settings decide.

    `worker` runs the notification worker and daily schedule, and the print worker, in the background
    (default: on for a real server, off when a test hands in its context).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ctx is None:
            app.state.ctx = open_context(settings or Settings(), clock=clock, actor="server")
        else:
            app.state.ctx = ctx
        app.state.ctx.store  # read once, shared by every request  # noqa: B018
        run_worker = worker if worker is not None else ctx is None
        background = NotifyWorker(app.state.ctx) if run_worker else None
        printer = PrintWorker(app.state.ctx) if run_worker else None
        if background is not None:
            background.start()
        if printer is not None:
            printer.start()
        yield
        if printer is not None:
            printer.stop()
        if background is not None:
            background.stop()
        if ctx is None:
            app.state.ctx.db.dispose()

    app = FastAPI(
        title="Midnight Express",
        version=__version__,
        description="Stock and till for small food businesses: perishable stock kept exactly, FEFO, the till.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(SecurityMiddleware)
    app.include_router(people.router)
    app.include_router(devices.router)
    app.include_router(stock.router)
    app.include_router(till.router)
    app.include_router(modifiers.router)
    app.include_router(kitchen.router)
    app.include_router(counter.router)
    app.include_router(drawers.router)
    app.include_router(offline.router)
    app.include_router(printing.router)
    app.include_router(forecasts.router)
    app.include_router(planning.router)
    app.include_router(purchasing.router)
    web.install(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], responses={503: {"description": "Not ready"}})
    def readyz(request: Request) -> Any:
        """The database answers and its schema is current."""
        state = health.readiness(request.app.state.ctx)
        if not state.ready:
            return JSONResponse({"status": state.status}, status_code=503)
        return {"status": "ready", "schema": state.schema}

    return app
