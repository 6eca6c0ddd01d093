"""The `midnight` command line: thin commands over the services, one file per command group."""

from __future__ import annotations

# Importing the modules registers their commands.
from midnight.cli import (  # noqa: F401
    backup,
    customer,
    drawer,
    forecast,
    hold,
    kitchen,
    location,
    lot,
    menu,
    modifier,
    notify,
    offline,
    order,
    plan,
    po,
    printer,
    product,
    report,
    serve,
    setup,
    stock,
    supplier,
    tender,
    till,
    till_devices,
    user,
)
from midnight.cli.app import app


def main() -> None:
    app()
