"""midnight backup, restore, export: copies of the shop, and its records for an accountant."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from midnight.cli.app import CliState, JsonFlag, app, command, context_of
from midnight.cli.output import print_json, progress_bar
from midnight.commands.till import Period
from midnight.services import backups
from midnight.services.context import key_file


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The backup file to make (never overwritten).")],
    as_json: JsonFlag = False,
) -> None:
    """Back up the whole database to FILE while the shop goes on selling (owner): SQLite by its
    online backup, PostgreSQL by pg_dump -Fc. The secrets key is not in it: keep that too."""
    s = context_of(ctx)
    state: CliState = ctx.find_root().obj
    with progress_bar("Backing up") as progress:
        made = backups.back_up(
            s, file, key_file(state.settings, s.db), lambda what, d, t: progress(d, t, what)
        )
    if as_json:
        print_json(made)
        return
    print(f"backed up to {made.path} ({made.kind}, {made.size:,} bytes)")
    if made.key_file is not None:
        print(
            f"the secrets key is not in the backup: keep {made.key_file} too, apart from it",
            file=sys.stderr,
        )


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup made by 'midnight backup'.")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The secrets key kept with the backup: put where the server reads it."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Restore FILE into the empty database given by --db (a new SQLite file, or an empty PostgreSQL
    database), then upgrade it to this version. Never into a database that holds anything."""
    state: CliState = ctx.find_root().obj
    with progress_bar("Restoring") as progress:
        done = backups.restore(
            state.settings, state.url(), file, key, lambda what, d, t: progress(d, t, what)
        )
    if as_json:
        print_json(done)
        return
    upgraded = (
        f", upgraded from schema {done.made_at_revision}" if done.made_at_revision != done.revision else ""
    )
    print(f"restored {file} ({done.kind}) at schema {done.revision}{upgraded}")
    if done.key_copied:
        print(f"the secrets key is in {done.key_file}")
    elif done.key_file is not None:
        print(
            f"copy the secrets key kept with the backup to {done.key_file} before anything else uses "
            "this database: without it, customers' addresses and waiting messages can't be read "
            "(and nothing starts until it is there, if the shop had any)",
            file=sys.stderr,
        )


@app.command("export")
def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A new folder, or one without these files.")],
    start: Annotated[str, typer.Option("--from", help="First business day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last business day, YYYY-MM-DD.")],
    as_json: JsonFlag = False,
) -> None:
    """The store's ledger, waste, orders, order lines, payments, refunds and counter-shelf items of
    the days --from to --to, as CSV files for an accountant (owner), all from one moment."""
    s = context_of(ctx)
    period = command(Period, {"start": start, "end": end})
    with progress_bar("Exporting") as progress:
        done = backups.export(s, directory, period, lambda what, d, t: progress(d, t, what))
    if as_json:
        print_json(done)
        return
    print(f"{done.store}, {done.first} to {done.last}, in {done.directory}:")
    for name, rows in done.files.items():
        print(f"  {name}: {rows:,} rows")
