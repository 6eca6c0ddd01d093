"""The `midnight` command line: thin commands over the services."""

from __future__ import annotations

from midnight.cli import catalog, counter, data, people, stock, till  # noqa: F401  (registers the commands)
from midnight.cli.app import app


def main() -> None:
    app()
