"""Suppliers, purchase orders and receiving against them over HTTP: the whole flow, roles, bad input."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator

import pytest

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.purchasing import AddSupplier, NewPurchaseOrder, SupplyProduct
from midnight.services import catalog, purchase_orders, suppliers
from tests.e2e.conftest import Api, assert_error, everything
from tests.receiver import Receiver

DAIRY = "Kowloon Dairy 九龍奶品"
MILK_BARCODE = "4890008100309"
MILK_SCAN = f"(01)0{MILK_BARCODE}(17)261231(10)L1"  # TODAY is Wednesday 2026-11-25
PINE_BARCODE = "4006381333931"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def ok(response, status: int = 200):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def add_products(api: Api) -> None:
    milk = {
        "sku": "MILK",
        "name": "Fresh milk 1 L",
        "expiry_kind": "use_by",
        "shelf_life_days": 7,
        "barcode": MILK_BARCODE,
    }
    pine = {
        "sku": "PINE",
        "name": "Tinned pineapple 罐頭菠蘿",
        "shelf_life_days": 365,
        "barcode": PINE_BARCODE,
    }
    ok(api.as_owner("POST", "/api/products", json=milk), 201)
    ok(api.as_owner("POST", "/api/products", json=pine), 201)


def test_supplier_to_order_sent_received_by_scan_and_finished(api: Api, receiver: Receiver) -> None:
    policy = {"schemes": ["json"], "allow_private_addresses": True}
    ok(api.as_owner("PUT", "/api/notify/contact-policy", json=policy))
    add_products(api)

    # the supplier and what it sells
    made = ok(
        api.as_owner(
            "POST",
            "/api/suppliers",
            json={
                "name": DAIRY,
                "delivery_days": ["monday", "thu"],
                "lead_time_days": 1,
                "minimum_order": "100",
                "contacts": [receiver.url("orders")],
            },
        ),
        201,
    )
    assert (made["delivery_days"], made["minimum_order"], made["currency"]) == (["mon", "thu"], 10000, "HKD")
    assert made["active"] is True and len(made["contacts"]) == 1
    edited = ok(api.as_owner("PATCH", f"/api/suppliers/{made['id']}", json={"note": "ring before 7"}))
    assert edited["note"] == "ring before 7" and edited["name"] == DAIRY
    milk = ok(
        api.as_owner(
            "PUT",
            f"/api/suppliers/{DAIRY}/products/MILK",
            json={"pack_size": "12", "cost": "14.50", "supplier_code": "KD-1L"},
        )
    )
    assert (milk["sku"], milk["pack_size"], milk["unit_cost"], milk["supplier_code"]) == (
        "MILK",
        "12",
        1450,
        "KD-1L",
    )
    pine = ok(
        api.as_owner(
            "PUT", f"/api/suppliers/{made['id']}/products/{PINE_BARCODE}", json={"pack_size": 24, "cost": "9"}
        )
    )
    assert (pine["sku"], pine["pack_size"]) == ("PINE", "24")  # named by its barcode
    first = ok(api.as_owner("GET", "/api/suppliers/kowloon dairy 九龍奶品", params={"limit": 1}))
    assert first["supplier"]["id"] == made["id"] and [p["sku"] for p in first["products"]["items"]] == [
        "MILK"
    ]
    rest = ok(
        api.as_owner(
            "GET",
            f"/api/suppliers/{made['id']}",
            params={"limit": 1, "cursor": first["products"]["next_cursor"]},
        )
    )
    assert [p["sku"] for p in rest["products"]["items"]] == ["PINE"] and rest["products"][
        "next_cursor"
    ] is None
    listed = ok(api.as_owner("GET", "/api/suppliers"))
    assert [s["name"] for s in listed["items"]] == [DAIRY] and listed["next_cursor"] is None
    level = ok(api.as_owner("PUT", "/api/products/MILK/service-level", json={"percent": "97.5"}))
    assert level == {"sku": "MILK", "percent": "97.5"}
    assert (
        ok(api.as_owner("PUT", "/api/products/MILK/service-level", json={"percent": None}))["percent"] is None
    )

    # a draft, made once however often the form is sent
    body = {
        "supplier": DAIRY,
        "lines": [{"sku": "MILK", "quantity": "24"}, {"sku": "PINE", "quantity": "24"}],
    }
    draft = ok(
        api.as_owner("POST", "/api/purchase-orders", json=body, headers={"Idempotency-Key": "po-form-1"}), 201
    )
    again = ok(api.as_owner("POST", "/api/purchase-orders", json={**body, "key": "po-form-1"}), 201)
    head = draft["order"]
    assert again["order"]["id"] == head["id"]
    assert (head["number"], head["state"], head["delivery_date"]) == ("PO-00001", "draft", "2026-11-26")
    assert head["total"] == 24 * 1450 + 24 * 900 and head["lines"] == 2
    assert [(ln["sku"], ln["quantity"], ln["packs"], ln["received"]) for ln in draft["lines"]] == [
        ("MILK", "24", 2, "0"),
        ("PINE", "24", 1, "0"),
    ]
    assert len(ok(api.as_owner("GET", "/api/purchase-orders"))["items"]) == 1
    changed = ok(
        api.as_owner(
            "PATCH", "/api/purchase-orders/PO-00001", json={"lines": [{"sku": "MILK", "quantity": "36"}]}
        )
    )
    assert [ln["quantity"] for ln in changed["lines"]] == ["36", "24"]
    assert [e["action"] for e in changed["events"]] == ["created", "edited"]
    as_csv = api.as_staff("GET", "/api/purchase-orders/po1/csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"] == 'attachment; filename="PO-00001.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [(r["sku"], r["supplier_code"], r["quantity"], r["packs"], r["line_cost"]) for r in rows] == [
        ("MILK", "KD-1L", "36", "3", "522.00"),
        ("PINE", "", "24", "1", "216.00"),
    ]

    # sent: one message in the outbox, delivered with the CSV attached
    sent = ok(api.as_owner("POST", f"/api/purchase-orders/{head['id']}/send"))
    assert sent["messages"] == 1 and sent["order"]["order"]["state"] == "sent" and len(sent["to"]) == 1
    (queued,) = ok(api.as_owner("GET", "/api/notify/messages"))["items"]
    assert (queued["event"], queued["state"]) == ("purchase_order", "pending")
    ok(api.as_owner("POST", "/api/notify/run"))
    (reached,) = ok(api.as_owner("GET", f"/api/purchase-orders/{head['id']}/deliveries"))
    assert (reached["state"], reached["attempts"], reached["error"]) == ("sent", 1, None)
    (message,) = receiver.messages
    (attached,) = message["attachments"]  # type: ignore[misc]
    assert attached["filename"] == "PO-00001.csv"
    sent_rows = list(csv.DictReader(io.StringIO(base64.b64decode(attached["base64"]).decode("utf-8-sig"))))
    assert [r["quantity"] for r in sent_rows] == ["36", "24"]
    assert_error(
        api.as_owner("PATCH", "/api/purchase-orders/1", json={"note": "more"}),
        409,
        "conflict",
        "only a draft can be changed",
    )

    # staff receive at the door: a GS1 scan carries the batch and the date
    taken = ok(
        api.as_staff(
            "POST",
            "/api/purchase-orders/PO-00001/receive",
            json={"code": MILK_SCAN, "quantity": "12", "location": "fridge"},
        ),
        201,
    )
    lot = taken["lot"]
    assert (lot["sku"], lot["expiry_date"], lot["batch"], lot["quantity"], lot["unit_cost"]) == (
        "MILK",
        "2026-12-31",
        "L1",
        "12",
        1450,
    )
    assert taken["kind"] == "received" and taken["line"]["received"] == "12"
    assert taken["order"]["order"]["state"] == "partly_received"
    stored = ok(api.as_staff("GET", f"/api/lots/{lot['id']}"))
    assert (stored["expiry_date"], stored["location"], stored["supplier"]) == ("2026-12-31", "fridge", DAIRY)
    refused = ok(
        api.as_staff(
            "POST",
            "/api/purchase-orders/1/refuse",
            json={"code": "MILK", "quantity": "6", "reason": "dented crate", "expires": "2026-11-26"},
        )
    )
    assert refused["receipts"]["items"][-1]["kind"] == "refused"
    over = ok(
        api.as_staff(
            "POST",
            "/api/purchase-orders/1/receive",
            json={"code": PINE_BARCODE, "quantity": "48", "expires": "2027-06-30"},
        ),
        201,
    )
    assert any("24 more PINE than ordered" in w for w in over["warnings"])

    # finished: what did not come is short, what came over is over
    done = ok(api.as_staff("POST", "/api/purchase-orders/1/finish", json={"note": "driver was late"}))
    assert done["order"]["order"]["state"] == "received" and done["order"]["order"]["closed_at"]
    assert [(d["sku"], d["ordered"], d["received"], d["short"], d["over"]) for d in done["differences"]] == [
        ("MILK", "36", "12", "24", "0"),
        ("PINE", "24", "48", "0", "24"),
    ]
    assert (
        done["order"]["events"][-1]["detail"]
        == "short 24 MILK (6 refused at the door); over 24 PINE; driver was late"
    )
    received = ok(
        api.as_staff("GET", "/api/purchase-orders", params={"state": "received", "supplier": DAIRY})
    )
    assert [o["number"] for o in received["items"]] == ["PO-00001"]
    assert ok(api.as_staff("GET", "/api/purchase-orders", params={"state": "sent"}))["items"] == []
    page = ok(api.as_staff("GET", "/api/purchase-orders/1/receipts", params={"limit": 2}))
    more = ok(api.as_staff("GET", "/api/purchase-orders/1/receipts", params={"cursor": page["next_cursor"]}))
    assert [r["kind"] for r in page["items"] + more["items"]] == ["received", "refused", "received"]
    assert more["next_cursor"] is None
    assert_error(
        api.as_staff("POST", "/api/purchase-orders/1/receive", json={"code": MILK_SCAN, "quantity": "1"}),
        409,
        "conflict",
        "nothing can be received",
    )


def seed(api: Api) -> int:
    """Milk and pineapple from a dairy (packs of 12 and 24); a draft for 24 of each. Its id."""
    ctx = api.ctx
    catalog.add_product(
        ctx,
        AddProduct(sku="MILK", name="Milk", expiry_kind="use_by", shelf_life_days=7, barcode=MILK_BARCODE),
    )
    catalog.add_product(ctx, AddProduct(sku="EGG", name="Eggs", shelf_life_days=14))
    suppliers.add_supplier(ctx, build(AddSupplier, {"name": "Dairy", "delivery_days": ["mon", "thu"]}))
    suppliers.supply_product(
        ctx, "Dairy", build(SupplyProduct, {"sku": "MILK", "pack_size": "12", "cost": "14"})
    )
    draft = purchase_orders.new_order(
        ctx, build(NewPurchaseOrder, {"supplier": "Dairy", "lines": [{"sku": "MILK", "quantity": "24"}]})
    )
    return draft.head.id


def test_staff_read_and_receive_but_may_not_manage_suppliers_or_orders(api: Api) -> None:
    po = seed(api)
    before = everything(api.ctx)
    refused = [
        api.as_staff("GET", "/api/suppliers"),
        api.as_staff("GET", "/api/suppliers/Dairy"),
        api.as_staff("POST", "/api/suppliers", json={"name": "Fish", "delivery_days": ["tue"]}),
        api.as_staff("PATCH", "/api/suppliers/Dairy", json={"active": False}),
        api.as_staff("PUT", "/api/suppliers/Dairy/products/EGG", json={"pack_size": "30", "cost": "1"}),
        api.as_staff("DELETE", "/api/suppliers/Dairy/products/MILK"),
        api.as_staff("PUT", "/api/products/MILK/service-level", json={"percent": "90"}),
        api.as_staff("POST", "/api/purchase-orders", json={"supplier": "Dairy"}),
        api.as_staff("PATCH", f"/api/purchase-orders/{po}", json={"note": "x"}),
        api.as_staff("POST", f"/api/purchase-orders/{po}/send"),
        api.as_staff("POST", f"/api/purchase-orders/{po}/cancel", json={"reason": "no"}),
    ]
    for response in refused:
        assert_error(response, 403, "forbidden", "staff")
    assert everything(api.ctx) == before
    assert ok(api.as_staff("GET", "/api/purchase-orders"))["items"][0]["id"] == po
    assert ok(api.as_staff("GET", f"/api/purchase-orders/{po}"))["order"]["supplier"] == "Dairy"
    assert_error(
        api.as_staff("POST", f"/api/purchase-orders/{po}/receive", json={"code": "MILK", "quantity": "12"}),
        409,
        "conflict",
        "send it first",
    )


def test_bad_input_gets_a_clear_status_message_and_field(api: Api) -> None:
    po = seed(api)
    lines = "/api/purchase-orders"
    cases = [
        (
            api.as_owner("POST", lines, json={"supplier": "Nobody"}),
            404,
            "not_found",
            "no supplier",
            "supplier",
        ),
        (
            api.as_owner(
                "POST", lines, json={"supplier": "Dairy", "lines": [{"sku": "NOPE", "quantity": "12"}]}
            ),
            404,
            "not_found",
            "NOPE",
            "lines.1.sku",
        ),
        (
            api.as_owner(
                "POST", lines, json={"supplier": "Dairy", "lines": [{"sku": "EGG", "quantity": "1"}]}
            ),
            422,
            "invalid_input",
            "Dairy does not sell EGG",
            "lines.1.sku",
        ),
        (
            api.as_owner("PATCH", f"{lines}/{po}", json={"lines": [{"sku": "MILK", "quantity": "13"}]}),
            422,
            "invalid_input",
            "MILK comes in packs of 12: order 12 or 24, not 13",
            "lines.1.quantity",
        ),
        (
            api.as_owner(
                "POST", lines, json={"supplier": "Dairy", "lines": [{"sku": "MILK", "quantity": 1.5}]}
            ),
            422,
            "invalid_input",
            "not 1.5",
            "lines.1.quantity",
        ),
        (
            api.as_owner(
                "POST", lines, json={"supplier": "Dairy", "key": "a"}, headers={"Idempotency-Key": "b"}
            ),
            422,
            "invalid_input",
            "differ",
            "key",
        ),
        (
            api.as_owner("GET", lines, params={"state": "lost"}),
            422,
            "invalid_input",
            "state must be one of",
            "state",
        ),
        (api.as_owner("GET", f"{lines}/PO-12x"), 422, "invalid_input", "named like PO-00012", "order"),
        (api.as_owner("GET", f"{lines}/PO-00099"), 404, "not_found", "no purchase order 99", "order"),
        (api.as_owner("GET", f"{lines}/99/csv"), 404, "not_found", "no purchase order 99", "order"),
        (api.as_owner("POST", f"{lines}/{po}/cancel", json={}), 422, "invalid_input", "", "reason"),
        (
            api.as_owner("POST", "/api/suppliers", json={"name": "Fish", "delivery_days": ["someday"]}),
            422,
            "invalid_input",
            "weekday",
            "delivery_days",
        ),
        (
            api.as_owner(
                "POST",
                "/api/suppliers",
                json={
                    "name": "Fish",
                    "delivery_days": ["tue"],
                    "contacts": ["mailto://a@example.com", "nonsense"],
                },
            ),
            422,
            "invalid_input",
            "",
            "contacts.2",
        ),
        (
            api.as_owner("POST", "/api/suppliers", json={"name": "dairy", "delivery_days": ["tue"]}),
            409,
            "conflict",
            "already a supplier",
            "name",
        ),
        (
            api.as_owner("PUT", "/api/suppliers/Dairy/products/EGG", json={"pack_size": "0.5", "cost": "1"}),
            422,
            "invalid_input",
            "whole",
            "pack_size",
        ),
        (
            api.as_owner("PUT", "/api/suppliers/Dairy/products/EGG", json={"sku": "EGG", "cost": "1"}),
            422,
            "invalid_input",
            "",
            "sku",
        ),
        (
            api.as_owner("DELETE", "/api/suppliers/Dairy/products/EGG"),
            404,
            "not_found",
            "does not sell",
            "sku",
        ),
        (
            api.as_owner("PUT", "/api/products/MILK/service-level", json={"percent": 97.5}),
            422,
            "invalid_input",
            "exact number",
            "percent",
        ),
        (
            api.as_owner("PUT", "/api/products/MILK/service-level", json={"percent": "100"}),
            422,
            "invalid_input",
            "50 to 99.5",
            "percent",
        ),
    ]
    for response, status, code, text, field in cases:
        assert_error(response, status, code, text, field=field)
    for url in ("/api/suppliers", "/api/suppliers/Dairy", lines, f"{lines}/{po}/receipts"):
        assert_error(
            api.as_owner("GET", url, params={"cursor": "bogus"}), 422, "invalid_input", field="cursor"
        )
    ok(api.as_owner("POST", f"{lines}/{po}/send"))
    bad_scans = [
        (f"(01)0{MILK_BARCODE[:-1]}8(17)261231(10)L1", 422, "invalid_input", "check digit"),
        ("(01)04006381333931(17)261231", 404, "not_found", "GTIN 4006381333931"),
        ("EGG", 409, "conflict", "EGG is not on this order"),
    ]
    for code, status, kind, text in bad_scans:
        response = api.as_owner("POST", f"{lines}/{po}/receive", json={"code": code, "quantity": "12"})
        assert_error(response, status, kind, text, field="code")
    assert_error(
        api.as_owner(
            "POST",
            f"{lines}/{po}/receive",
            json={"code": MILK_SCAN, "quantity": "12", "expires": "2026-12-30"},
        ),
        422,
        "invalid_input",
        "the scan says the date is 2026-12-31",
        field="expires",
    )
    assert_error(
        api.as_owner("PATCH", f"{lines}/{po}", json={"lines": [{"sku": "MILK", "quantity": "12"}]}),
        409,
        "conflict",
        "the order is sent: only a draft can be changed",
    )


def test_a_sent_order_is_cancelled_with_why_and_takes_nothing_after(api: Api) -> None:
    po = seed(api)
    ok(api.as_owner("POST", f"/api/purchase-orders/PO-{po:05d}/send"))
    gone = ok(
        api.as_owner(
            "POST", f"/api/purchase-orders/{po}/cancel", json={"reason": "they closed for the holiday"}
        )
    )
    assert (
        gone["order"]["state"] == "cancelled"
        and gone["events"][-1]["detail"] == "they closed for the holiday"
    )
    assert_error(
        api.as_staff("POST", f"/api/purchase-orders/{po}/receive", json={"code": "MILK", "quantity": "12"}),
        409,
        "conflict",
        "cancelled: nothing can be received",
    )
    assert_error(
        api.as_owner("POST", f"/api/purchase-orders/{po}/send"), 409, "conflict", "only a draft is sent"
    )
    assert_error(
        api.as_owner("POST", f"/api/purchase-orders/{po}/finish"),
        409,
        "conflict",
        "only an order being received can be finished",
    )
    stopped = ok(api.as_owner("PATCH", "/api/suppliers/Dairy", json={"active": False}))
    assert stopped["active"] is False
    assert [s["name"] for s in ok(api.as_owner("GET", "/api/suppliers"))["items"]] == []
    assert [
        s["name"] for s in ok(api.as_owner("GET", "/api/suppliers", params={"all": "true"}))["items"]
    ] == ["Dairy"]
    assert_error(
        api.as_owner("POST", "/api/purchase-orders", json={"supplier": "Dairy"}),
        409,
        "conflict",
        "no longer ordered from",
    )
    assert ok(api.as_owner("DELETE", "/api/suppliers/Dairy/products/MILK"), 204) is None
