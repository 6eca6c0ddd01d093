from pathlib import Path

import pytest

from midnight.commands.catalog import PageQuery
from midnight.domain.errors import InvalidInput
from midnight.services import catalog, views
from midnight.services.context import Context
from midnight.services.importer import ImportRejected, import_csv
from tests.integration.helpers import movement_count

PRODUCTS = (
    "sku,name,unit,barcode,expiry_kind,shelf_life_days,opened_shelf_life_days,reorder_point\n"
    "PINE,Tinned pineapple 罐頭菠蘿,each,4006381333931,best_before,365,3,6\n"
    "MILK,Fresh milk,each,,use_by,7,3,\n"
)


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_imports_products_and_then_lots(ctx: Context, tmp_path: Path) -> None:
    assert import_csv(ctx, write(tmp_path, "products.csv", PRODUCTS)).rows == 2
    assert catalog.get_product(ctx, "PINE").name == "Tinned pineapple 罐頭菠蘿"
    lots = "sku,quantity,expires,cost,location,supplier,received\nMILK,12,2026-11-30,18.00,fridge,Dairy,\nPINE,24,,9.50,,,2026-11-20\n"
    result = import_csv(ctx, write(tmp_path, "lots.csv", lots))
    assert (result.kind, result.rows) == ("lots", 2)
    pine = views.product_stock(ctx, "PINE").lots[0]
    assert str(pine.expiry_date) == "2027-11-20" and pine.location == "shelf"


def test_a_bad_row_rejects_the_whole_file_and_names_every_bad_row(ctx: Context, tmp_path: Path) -> None:
    body = (
        PRODUCTS
        + "BAD SKU,x,each,,use_by,,,\nEGG,Eggs,each,4006381333932,best_before,21,,\nPINE,dup,each,,use_by,,,\n"
    )
    with pytest.raises(ImportRejected) as err:
        import_csv(ctx, write(tmp_path, "products.csv", body))
    assert [row for row, _ in err.value.errors] == [4, 5, 6]
    assert "row 5: barcode 4006381333932 has a bad check digit" in err.value.message
    assert "row 6: SKU PINE already exists" in err.value.message
    assert catalog.list_products(ctx, PageQuery()).items == []


def test_bad_lot_rows_write_nothing(ctx: Context, tmp_path: Path) -> None:
    import_csv(ctx, write(tmp_path, "products.csv", PRODUCTS))
    body = (
        "sku,quantity,expires\nMILK,2,2026-11-30\nMILK,-1,2026-11-30\nNOPE,1,2026-11-30\nMILK,1,2026-02-30\n"
    )
    with pytest.raises(ImportRejected) as err:
        import_csv(ctx, write(tmp_path, "lots.csv", body))
    assert [row for row, _ in err.value.errors] == [3, 4, 5]
    assert movement_count(ctx) == 0


def test_lot_rows_are_held_to_the_same_rules_as_any_receipt(ctx: Context, tmp_path: Path) -> None:
    import_csv(ctx, write(tmp_path, "products.csv", PRODUCTS))
    body = (
        "sku,quantity,expires\n"
        "MILK,1_000,2026-11-30\n"
        "MILK,１２,2026-11-30\n"
        "MILK,1.5,2026-11-30\n"
        "MILK,1,2101-01-01\n"
        "MILK,1000001,2026-11-30\n"
    )
    with pytest.raises(ImportRejected) as err:
        import_csv(ctx, write(tmp_path, "lots.csv", body))
    assert [row for row, _ in err.value.errors] == [2, 3, 4, 5, 6]
    assert "row 2: quantity must be a number like" in err.value.message
    assert "row 3: quantity must be a number like" in err.value.message
    assert "row 4: MILK is counted in whole units" in err.value.message
    assert "row 5: expires 2101-01-01 is not between 2000-01-01 and 2100-12-31" in err.value.message
    assert "row 6: quantity 1000001 is too large" in err.value.message
    assert movement_count(ctx) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "empty"),
        ("sku,name\n", "no rows"),
        ("what,ever\n1,2\n", "cannot tell products from lots"),
        ("sku,name,colour\nA,B,red\n", "unknown column"),
    ],
)
def test_refuses_files_it_cannot_read(ctx: Context, tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        import_csv(ctx, write(tmp_path, "x.csv", body))


def test_refuses_missing_and_non_utf8_files(ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        import_csv(ctx, tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("sku,name\nA,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInput, match="not UTF-8"):
        import_csv(ctx, path)
