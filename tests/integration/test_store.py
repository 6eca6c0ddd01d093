"""The database layer: migrations, durability, settings."""

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Select

from midnight.db import stock as stock_db
from midnight.db.engine import current_revision, head_revision, make_engine
from midnight.db.tables import STORE_KEYED, metadata
from midnight.domain.errors import InvalidInput
from midnight.services.context import Context


def _sqlite_only_differences(diff: list[object]) -> list[object]:
    """On SQLite a store-keyed table's (store_id, id) is a unique key beside the rowid, not its primary
    key (tables._sqlite_rowid), and the index on id alone is the rowid itself (PostgreSQL only)."""
    expected = []
    for item in diff:
        if not isinstance(item, tuple):
            continue
        kind, thing = item[0], item[1]
        columns = [c.name for c in getattr(thing, "columns", [])]
        if kind == "remove_constraint" and columns == ["store_id", "id"] and thing.table.name in STORE_KEYED:
            expected.append(item)
        if kind == "add_index" and columns == ["id"] and thing.table.name in STORE_KEYED:
            expected.append(item)
    return expected


def test_migrations_build_exactly_the_declared_schema(ctx: Context) -> None:
    with ctx.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    if ctx.db.is_sqlite:
        expected = _sqlite_only_differences(diff)
        assert len(expected) == 2 * len(STORE_KEYED)
        diff = [item for item in diff if item not in expected]
    assert diff == []
    assert current_revision(ctx.db.engine) == head_revision()


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(sqlite_ctx: Context) -> None:
    with sqlite_ctx.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def query_plan(ctx: Context, query: Select) -> str:  # type: ignore[type-arg]
    """SQLite's plan for the statement exactly as the application sends it, bound parameters and all."""
    compiled = query.compile(ctx.db.engine)
    params = compiled.construct_params()
    values = tuple(
        v.isoformat() if isinstance(v, dt.date) else v
        for v in (params[name] for name in compiled.positiontup or ())
    )
    with ctx.db.engine.connect() as conn:
        return " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values))


def test_the_expiry_board_reads_its_partial_index_in_order(sqlite_ctx: Context) -> None:
    plan = query_plan(sqlite_ctx, stock_db.board_query(dt.date(2026, 12, 1), 1000))
    assert "ix_lots_board" in plan
    assert "TEMP B-TREE" not in plan  # no sort: the index gives the order


def test_fefo_reads_the_sellable_index_in_order(sqlite_ctx: Context) -> None:
    plan = query_plan(
        sqlite_ctx, stock_db.SELLABLE_BY_SKU.params(sku="MILK", today=dt.date(2026, 11, 25), past_ok=False)
    )
    assert "ix_lots_sellable" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.parametrize(
    ("url", "message"),
    [("mysql://x/y", "unsupported database"), ("not a url", "not a valid URL")],
)
def test_refuses_unsupported_database_urls(url: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        make_engine(url)


def test_an_acknowledged_sale_survives_the_process_being_killed(tmp_path: Path) -> None:
    """Invariant 5: once `sell` returns, a crash of the process loses nothing."""
    db = tmp_path / "crash.db"
    script = textwrap.dedent(
        f"""
        import os
        from midnight.commands.catalog import AddProduct
        from midnight.commands.stock import DrawStock, ReceiveLot
        from midnight.services import catalog, stock
        from midnight.services.context import open_context
        ctx = open_context(url="sqlite:///{db}", actor="crash")
        catalog.add_product(
            ctx, AddProduct(sku="TIN", name="Tin", expiry_kind="best_before", shelf_life_days=300)
        )
        stock.receive(ctx, ReceiveLot(sku="TIN", quantity=10))
        stock.sell(ctx, DrawStock(sku="TIN", quantity=3))
        print("acknowledged", flush=True)
        os._exit(9)  # no clean shutdown, no checkpoint, no close
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "acknowledged", out.stderr
    from midnight.services import views
    from midnight.services.context import open_context

    reopened = open_context(url=f"sqlite:///{db}")
    assert views.product_stock(reopened, "TIN").on_hand == 7
    reopened.db.dispose()
