"""CSV import of products or lots: all rows or none, every bad row named by its number."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.stock import ReceiveLot
from midnight.db import catalog as catalog_db
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.people import Permission
from midnight.services.catalog import new_product
from midnight.services.context import Context
from midnight.services.stock import receive_in

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "unit",
    "barcode",
    "expiry_kind",
    "shelf_life_days",
    "opened_shelf_life_days",
    "reorder_point",
)
LOT_COLUMNS = ("sku", "quantity", "expires", "cost", "location", "supplier", "received", "reference")
MAX_ERRORS_SHOWN = 20


class ImportRejected(InvalidInput):
    """The file had bad rows; nothing was imported."""

    def __init__(self, name: str, errors: list[tuple[int, str]]) -> None:
        shown = "\n".join(f"  row {row}: {message}" for row, message in errors[:MAX_ERRORS_SHOWN])
        more = len(errors) - MAX_ERRORS_SHOWN
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(f"{name}: {len(errors)} bad row(s), nothing imported\n{shown}{tail}", field="file")
        self.errors = errors


@dataclass(frozen=True)
class Imported:
    kind: str  # "products" or "lots"
    rows: int


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text", field="file") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise InvalidInput(f"{path.name} is empty: it needs a header row", field="file")
    reader.fieldnames = header
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInput(f"{path.name} is not valid CSV: {exc}", field="file") from None
    if not rows:
        raise InvalidInput(f"{path.name} has a header but no rows", field="file")
    return header, rows


def _kind(name: str, header: list[str]) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    if "sku" in header and "quantity" in header:
        return "lots", LOT_COLUMNS, ("sku", "quantity")
    if "sku" in header and "name" in header:
        return "products", PRODUCT_COLUMNS, ("sku", "name")
    raise InvalidInput(
        f"{name}: cannot tell products from lots; a products file has sku,name,... "
        "and a lots file has sku,quantity,...",
        field="file",
    )


def import_csv(ctx: Context, path: str | Path) -> Imported:
    """Import products.csv or lots.csv (told apart by their columns) in one transaction."""
    ctx.require(Permission.CATALOG)
    file = Path(path)
    header, rows = _read(file)
    kind, known, required = _kind(file.name, header)
    unknown = [h for h in header if h not in known]
    if unknown:
        raise InvalidInput(
            f"{file.name}: unknown column(s) {', '.join(unknown)}; expected some of {', '.join(known)}",
            field="file",
        )
    errors: list[tuple[int, str]] = []
    with ctx.db.write() as conn:
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            if None in row:
                errors.append((number, "more cells than columns"))
                continue
            cells = {k: v.strip() for k, v in row.items() if v and v.strip()}
            missing = [c for c in required if c not in cells]
            if missing:
                errors.append((number, f"missing {', '.join(missing)}"))
                continue
            try:
                if kind == "products":
                    product = new_product(build(AddProduct, cells))
                    catalog_db.insert_product(conn, catalog_db.new_product_values(product, ctx.now()))
                else:
                    receive_in(ctx, conn, build(ReceiveLot, cells))
            except MidnightError as exc:
                errors.append((number, exc.message))
        if errors:
            raise ImportRejected(file.name, errors)
    return Imported(kind, len(rows))
