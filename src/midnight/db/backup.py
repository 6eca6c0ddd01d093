"""Copies of a whole database: backing up while the shop runs, and restoring into an empty one.

SQLite: the online backup API copies every page from one read snapshot (in WAL mode writers go on
meanwhile), into a file beside the target that is renamed into place only once it is complete and
checked. PostgreSQL: `pg_dump -Fc` (one snapshot, the custom format) and `pg_restore` in a single
transaction. A backup is recognised by its first bytes, so one kind is never restored as the other.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    """Where a copy is made before it is renamed into place: this process's own."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _unwritable(path: Path, exc: BaseException) -> InvalidInput:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InvalidInput(
        f"{path} could not be written: {reason} (nothing was left half-written)", field="file"
    )


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


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress) -> None:
    # pages=-1: every page in one step, so the copy is one snapshot. Copied a few pages at a time,
    # any write by a till would restart it, and a busy shop's backup might never end.
    source.backup(target, pages=-1, progress=lambda _status, left, total: progress(total - left, total))


def back_up_sqlite(engine: Engine, path: Path, progress: Progress) -> int:
    """Copy the SQLite database to `path` from one snapshot; returns its size in bytes."""
    _refuse_existing(path)
    partial = _partial(path)
    source = sqlite3.connect(_sqlite_file(engine), timeout=30)
    try:
        target = sqlite3.connect(partial)
        try:
            _copy(source, target, progress)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(f"the copy failed its check: {ok}")
        finally:
            target.close()
        try:
            os.link(partial, path)  # never over a file: another backup to the same name may have won
        except FileExistsError:
            raise InvalidInput(
                f"{path} already exists: give a new file name (a backup never overwrites)", field="file"
            ) from None
    except (OSError, sqlite3.Error) as exc:
        raise _unwritable(path, exc) from None
    finally:
        source.close()
        partial.unlink(missing_ok=True)
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
        lines = (done.stderr or done.stdout).strip().splitlines()
        # the line that says what went wrong, not the statement it was running
        errors = [line for line in lines if "error" in line.lower()] or lines
        detail = errors[0].split("error:", 1)[-1].strip() if errors else f"exit {done.returncode}"
        raise InvalidInput(f"{what} failed: {detail}", field="db")


def back_up_postgres(engine: Engine, path: Path, progress: Progress) -> int:
    _refuse_existing(path)
    partial = _partial(path)
    dsn, env = _libpq(engine.url)
    progress(0, 1)
    try:
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={dsn}"],
            env,
            "pg_dump",
        )
        os.link(partial, path)
    except FileExistsError:
        raise InvalidInput(
            f"{path} already exists: give a new file name (a backup never overwrites)", field="file"
        ) from None
    except OSError as exc:
        raise _unwritable(path, exc) from None
    finally:
        partial.unlink(missing_ok=True)
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


RESTORE_LOCK = 0x4D584552  # the advisory lock a restore holds on PostgreSQL


@contextmanager
def restoring(engine: Engine) -> Iterator[None]:
    """Only one restore at a time into a database: a second is refused at once, not raced."""
    busy = InvalidInput(
        "another restore into this database is running: wait for it, then check it", field="db"
    )
    if engine.dialect.name == "sqlite":
        fd = os.open(f"{_sqlite_file(engine)}.restoring", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise busy from None
            yield
        finally:
            os.close(fd)
        return
    with engine.connect() as conn:
        if not conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (RESTORE_LOCK,)).scalar():
            raise busy
        try:
            yield
        finally:
            conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (RESTORE_LOCK,))


def remove_sqlite(engine: Engine) -> None:
    """Take away a SQLite file whose restore failed (it was empty before it began)."""
    engine.dispose()
    name = _sqlite_file(engine)
    for leftover in (Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")):
        leftover.unlink(missing_ok=True)


def is_empty(engine: Engine) -> bool:
    """No tables at all: a database a backup may be restored into."""
    return not inspect(engine).get_table_names()


def restore_sqlite(path: Path, engine: Engine, progress: Progress) -> None:
    target_file = Path(_sqlite_file(engine))
    partial = _partial(target_file)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            _copy(source, target, progress)
        finally:
            target.close()
        engine.dispose()
        # An empty target may exist as a file (with its -wal); the restored copy takes its place whole.
        for leftover in (Path(f"{target_file}-wal"), Path(f"{target_file}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(partial, target_file)
    except (OSError, sqlite3.Error) as exc:
        raise _unwritable(target_file, exc) from None
    finally:
        source.close()
        partial.unlink(missing_ok=True)


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
