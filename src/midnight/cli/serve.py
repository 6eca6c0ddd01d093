"""midnight serve: the HTTP API and the web pages."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from midnight.cli.app import CliState, app, context_of


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the HTTP API (and its docs at /docs) and the web pages.

    Behind a reverse proxy that terminates HTTPS, set MIDNIGHT_TRUST_PROXY=true (and
    MIDNIGHT_PROXY_ADDRESSES to the proxy's address) so cookies are marked Secure.
    """
    import uvicorn

    from midnight.server import HeaderDeadlineProtocol

    state: CliState = ctx.find_root().obj
    context_of(ctx)  # migrate and seed before the workers start
    os.environ["MIDNIGHT_DATABASE_URL"] = state.url()
    os.environ["MIDNIGHT_LISTEN_PORT"] = str(port)  # no network printer may be given this port
    settings = state.settings
    print(
        f"Midnight Express serving on http://{host}:{port}  (API docs: http://{host}:{port}/docs)", flush=True
    )
    uvicorn.run(
        "midnight.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HeaderDeadlineProtocol,
        timeout_keep_alive=5,
        # X-Forwarded-Proto/-For are believed only from a proxy the owner said to trust.
        proxy_headers=settings.trust_proxy,
        forwarded_allow_ips=settings.proxy_addresses if settings.trust_proxy else "",
        log_level="warning",
        access_log=False,
    )
