"""midnight supplier ... and midnight po ..., through Typer's runner, on one shop for the module."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli.app import CliState
from midnight.commands.catalog import AddProduct
from midnight.commands.people import AddUser
from midnight.domain.clock import FixedClock
from midnight.services import catalog, people
from tests.conftest import NOW, shop_from

runner = CliRunner()
MILK_SCAN = "(01)04890008100309(17)261231(10)L1"  # TODAY is Wednesday 2026-11-25


def run(db: Path, *args: str, code: int = 0, user: str = "ada") -> str:
    result = runner.invoke(app, ["--db", str(db), *args], obj=CliState(clock=FixedClock(NOW), user=user))
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result.stdout if code == 0 else result.stderr


@pytest.fixture(scope="module")
def db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Milk (with a barcode) and pineapple; an owner and a staff member (argon2: made once)."""
    path = tmp_path_factory.mktemp("buying") / "shop.db"
    ctx = shop_from(template_db, path, FixedClock(NOW))
    people.add_user(ctx, AddUser(name="ada", role="owner", password="owner pass phrase"))
    owner = ctx.acting_as(people.local_actor(ctx, "ada"))
    people.add_user(owner, AddUser(name="kwan", role="staff", password="staff pass phrase"))
    catalog.add_product(
        owner,
        AddProduct(sku="MILK", name="Fresh milk 1 L", shelf_life_days=7, barcode="4890008100309"),
    )
    catalog.add_product(
        owner,
        AddProduct(
            sku="PINE", name="Tinned pineapple 罐頭菠蘿", expiry_kind="best_before", shelf_life_days=365
        ),
    )
    ctx.db.dispose()
    return path


def test_a_supplier_an_order_sent_received_by_scan_and_finished(db: Path, tmp_path: Path) -> None:
    added = run(
        db,
        *("supplier", "add", "Kowloon Dairy 九龍奶品", "--days", "mon,thu", "--lead-time", "1"),
        *("--minimum", "100", "--contact", "mailto://orders@kowloondairy.example"),
    )
    assert "supplier 1: Kowloon Dairy 九龍奶品; delivers mon, thu, 1 day(s) after ordering" in added
    assert "HK$100.00" in added
    run(
        db,
        "supplier",
        "supply",
        "kowloon dairy 九龍奶品",
        "MILK",
        "--pack",
        "12",
        "--cost",
        "14.50",
        "--code",
        "KD-1L",
    )
    assert "packs of 24 each at HK$9.00" in run(
        db, "supplier", "supply", "1", "PINE", "--pack", "24", "--cost", "9"
    )
    shown = json.loads(run(db, "supplier", "show", "1", "--json"))
    assert [(p["sku"], p["pack_size"], p["unit_cost"]) for p in shown["products"]] == [
        ("MILK", "12", 1450),
        ("PINE", "24", 900),
    ]
    assert "Kowloon Dairy" in run(db, "supplier", "list")
    edited = run(db, "supplier", "edit", "1", "--note", "ring before 7")
    assert "note: ring before 7" in edited
    assert "97.5% of demand" in run(db, "product", "service-level", "MILK", "97.5")
    assert "as its margin says" in run(db, "product", "service-level", "MILK", "margin")

    draft = run(
        db, "po", "new", "Kowloon Dairy 九龍奶品", "--line", "MILK=24", "--line", "PINE=24", "--key", "k1"
    )
    assert "PO-00001 Kowloon Dairy 九龍奶品: draft, delivery Thu 2026-11-26, 2 line(s), HK$564.00" in draft
    again = json.loads(
        run(
            db,
            "po",
            "new",
            "Kowloon Dairy 九龍奶品",
            "--line",
            "MILK=24",
            "--line",
            "PINE=24",
            "--key",
            "k1",
            "--json",
        )
    )
    assert again["order"]["number"] == "PO-00001"  # run again with the same key: the same order
    assert "used for another request (PO-00001)" in run(
        db, "po", "new", "1", "--line", "MILK=12", "--key", "k1", code=2
    )
    changed = json.loads(run(db, "po", "edit", "PO-00001", "--line", "MILK=36", "--json"))
    assert [(ln["sku"], ln["quantity"], ln["packs"]) for ln in changed["lines"]] == [
        ("MILK", "36", 3),
        ("PINE", "24", 1),
    ]
    rows = list(csv.DictReader(io.StringIO(run(db, "po", "csv", "1"))))
    assert [(r["sku"], r["supplier_code"], r["quantity"], r["line_cost"]) for r in rows] == [
        ("MILK", "KD-1L", "36", "522.00"),
        ("PINE", "", "24", "216.00"),
    ]
    written = tmp_path / "order.csv"
    assert "wrote PO-00001.csv" in run(db, "po", "csv", "po1", "--output", str(written))
    assert written.read_text(encoding="utf-8").startswith("order,delivery_date,")
    sent = run(db, "po", "send", "1")
    assert "sent PO-00001 to mailto://" in sent and "1 message(s) queued" in sent

    # staff receive at the door
    taken = run(
        db,
        "po",
        "receive",
        "PO-00001",
        "--scan",
        MILK_SCAN,
        "--quantity",
        "12",
        "--location",
        "fridge",
        user="kwan",
    )
    assert "lot 1: 12 each MILK in fridge, use by 2026-12-31, batch L1" in taken
    assert "MILK: 12 of 36 each received" in taken and "PO-00001 is partly received" in taken
    lot = json.loads(run(db, "lot", "show", "1", "--json"))
    assert (lot["lot"]["expiry_date"], lot["lot"]["batch"]) == ("2026-12-31", "L1")
    refused = run(
        db, "po", "refuse", "1", "--scan", "MILK", "--quantity", "6", "--reason", "dented crate", user="kwan"
    )
    assert "refused 6 MILK: dented crate" in refused
    over = runner.invoke(
        app,
        ["--db", str(db), "po", "receive", "1", "--code", "PINE", "--quantity", "48"],
        obj=CliState(clock=FixedClock(NOW), user="kwan"),
    )
    assert over.exit_code == 0 and "24 more PINE than ordered" in over.stderr
    done = json.loads(run(db, "po", "finish", "1", "--note", "late", "--json", user="kwan"))
    assert done["order"]["order"]["state"] == "received"
    assert [(d["sku"], d["short"], d["over"]) for d in done["differences"]] == [
        ("MILK", "24", "0"),
        ("PINE", "0", "24"),
    ]
    history = run(db, "po", "show", "1")
    assert (
        "finished short 24 MILK (6 refused at the door); over 24 PINE; late" in history
        and "dented crate" in history
    )
    assert "PO-00001" in run(db, "po", "list", "--state", "received", "--supplier", "1")
    listed = json.loads(run(db, "po", "list", "--state", "draft", "--json"))
    assert listed == {"items": [], "next_cursor": None}


def test_a_second_order_cancelled_staff_refused_and_bad_input_one_clear_line(db: Path) -> None:
    run(db, "supplier", "add", "Fishmonger", "--days", "tue")
    run(db, "supplier", "supply", "Fishmonger", "MILK", "--cost", "10")
    made = json.loads(run(db, "po", "new", "Fishmonger", "--line", "MILK=2", "--json"))
    number = made["order"]["number"]
    refusals = [
        ("supplier", "add", "Fish 2", "--days", "tue"),
        ("supplier", "list"),
        ("po", "new", "Fishmonger"),
        ("po", "edit", number, "--line", "MILK=3"),
        ("po", "send", number),
        ("po", "cancel", number, "--reason", "no"),
        ("product", "service-level", "MILK", "90"),
    ]
    for args in refusals:
        error = run(db, *args, code=2, user="kwan")
        assert error.startswith("error: kwan (staff) may not") and len(error.splitlines()) == 1, error
    bad = [
        (("po", "new", "Nobody"), "no supplier is called 'Nobody'"),
        (("po", "new", "Fishmonger", "--line", "MILK"), "must look like SKU=QTY"),
        (("po", "new", "Fishmonger", "--line", "NOPE=1"), "NOPE"),
        (("po", "new", "Fishmonger", "--line", "PINE=1"), "Fishmonger does not sell PINE"),
        (("po", "show", "PO-x"), "a purchase order is named like PO-00012"),
        (("po", "show", "99"), "no purchase order 99"),
        (("po", "list", "--state", "lost"), "state must be one of"),
        (("supplier", "add", "Baker", "--days", "someday"), "a delivery day is a weekday"),
        (("supplier", "supply", "Fishmonger", "PINE", "--cost", "1", "--pack", "0.5"), "whole"),
        (("product", "service-level", "MILK", "100"), "50 to 99.5 percent"),
        (("po", "receive", number, "--scan", MILK_SCAN, "--quantity", "2"), "send it first"),
    ]
    for args, text in bad:
        error = run(db, *args, code=2)
        assert text in error and len(error.splitlines()) == 1, error
    run(db, "po", "send", number)
    scan = run(
        db, "po", "receive", number, "--scan", "(01)04890008100308(17)261231", "--quantity", "2", code=2
    )
    assert "check digit" in scan
    assert "only a draft can be changed" in run(db, "po", "edit", number, "--line", "MILK=3", code=2)
    cancelled = run(db, "po", "cancel", number, "--reason", "they closed for the holiday")
    assert f"{number} Fishmonger: cancelled" in cancelled
    gone = run(db, "po", "receive", number, "--scan", "MILK", "--quantity", "2", code=2, user="kwan")
    assert "cancelled: nothing can be received" in gone
    assert "no longer ordered from" in run(db, "supplier", "edit", "Fishmonger", "--inactive")
    assert "Fishmonger" not in run(db, "supplier", "list") and "Fishmonger" in run(
        db, "supplier", "list", "--all"
    )
    assert "no longer supplies MILK" in run(db, "supplier", "unsupply", "Fishmonger", "MILK")
    assert "does not sell that product" in run(db, "supplier", "unsupply", "Fishmonger", "MILK", code=2)
