"""Copies of a whole database: backing up while the shop runs, and restoring into an empty one.

SQLite: the online backup API copies every page from one read snapshot (in WAL mode writers go on
meanwhile), into a file beside the target that is renamed into place only once it is complete and
checked. PostgreSQL: `pg_dump -Fc` (one snapshot, the custom format) and `pg_restore` in a single
transaction. A backup is recognised by its first bytes, so one kind is never restored as the other.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from midnight.domain.errors import InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"

# progress(done, total) in pages (SQLite) or in tables (PostgreSQL, where only the end is known)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BackupFile:
    kind: str  # "sqlite" or "postgresql"
    revision: str | None  # the schema revision it was made at (SQLite: read from it; else unknown)


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise InvalidInput(
            f"{path} already exists: give a new file name (a backup never overwrites)", field="file"
        )
    if not path.parent.is_dir():
        raise InvalidInput(f"{path.parent} is not a folder", field="file")


def _sqlite_file(engine: Engine) -> str:
    name = engine.url.database or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        raise InvalidInput("this database lives only in memory: there is no file to back up", field="db")
    return name


def back_up_sqlite(engine: Engine, path: Path, progress: Progress) -> int:
    """Copy the SQLite database to `path` from one snapshot; returns its size in bytes."""
    _refuse_existing(path)
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(_sqlite_file(engine), timeout=30)
    try:
        target = sqlite3.connect(partial)
        try:
            # pages=-1: every page in one step, so the copy is one snapshot. Copied a few pages at a
            # time, any write by a till would restart it, and a busy shop's backup might never end.
            source.backup(
                target, pages=-1, progress=lambda _status, left, total: progress(total - left, total)
            )
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise RuntimeError(f"the copy failed its check: {ok}")
        finally:
            target.close()
    finally:
        source.close()
    os.replace(partial, path)
    return path.stat().st_size


def _tool(name: str) -> str:
    """pg_dump or pg_restore: on the PATH, else the newest server install's."""
    found = shutil.which(name)
    if found:
        return found
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if installed:
        return installed[-1]
    raise InvalidInput(
        f"{name} is not installed: install PostgreSQL's client tools (postgresql-client)", field="db"
    )


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as libpq reads it, with the password passed in the environment, not on the command line."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise InvalidInput(
            f"{what} failed: {detail[-1] if detail else f'exit {done.returncode}'}", field="db"
        )


def back_up_postgres(engine: Engine, path: Path, progress: Progress) -> int:
    _refuse_existing(path)
    partial = _partial(path)
    partial.unlink(missing_ok=True)
    dsn, env = _libpq(engine.url)
    progress(0, 1)
    _run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={dsn}"],
        env,
        "pg_dump",
    )
    os.replace(partial, path)
    progress(1, 1)
    return path.stat().st_size


def read_backup(path: Path) -> BackupFile:
    """What kind of backup a file is, refusing anything that is not one."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist", field="file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a backup file", field="file") from None
    if head.startswith(PG_MAGIC):
        return BackupFile("postgresql", None)
    if head != SQLITE_MAGIC:
        raise InvalidInput(
            f"{path} is not a Midnight Express backup (neither SQLite nor pg_dump -Fc)", field="file"
        )
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
        if ok != "ok":
            raise InvalidInput(f"{path} is damaged: {ok}", field="file")
        try:
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            revision = None
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{path} is damaged: {exc}", field="file") from None
    finally:
        conn.close()
    if revision is None:
        raise InvalidInput(f"{path} is a SQLite file but not a Midnight Express database", field="file")
    return BackupFile("sqlite", str(revision[0]))


def is_empty(engine: Engine) -> bool:
    """No tables at all: a database a backup may be restored into."""
    return not inspect(engine).get_table_names()


def restore_sqlite(path: Path, engine: Engine, progress: Progress) -> None:
    target_file = Path(_sqlite_file(engine))
    partial = _partial(target_file)
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(
                target, pages=-1, progress=lambda _status, left, total: progress(total - left, total)
            )
        finally:
            target.close()
    finally:
        source.close()
    engine.dispose()
    # An empty target may exist as a file (with its -wal); the restored copy takes its place whole.
    for leftover in (Path(f"{target_file}-wal"), Path(f"{target_file}-shm")):
        leftover.unlink(missing_ok=True)
    os.replace(partial, target_file)


def restore_postgres(path: Path, engine: Engine, progress: Progress) -> None:
    dsn, env = _libpq(engine.url)
    progress(0, 1)
    command = [
        _tool("pg_restore"),
        "--single-transaction",
        "--exit-on-error",
        "--no-owner",
        "--no-privileges",
        f"--dbname={dsn}",
        str(path),
    ]
    _run(command, env, "pg_restore")
    progress(1, 1)
