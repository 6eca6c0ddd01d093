"""Printers, tills, receipts and the cash drawer over the API, printed by the worker run in-process
to a fake network printer on loopback; and the web pages that show a print job and reprint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from midnight.print_worker import PrintWorker
from tests.e2e.conftest import OWNER_PASSWORD, STAFF_PASSWORD, Api, assert_error, stock_shop
from tests.fake_printer import CUT, KICK_PIN_2, FakePrinter, allow_loopback, refused_address


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    allow_loopback(monkeypatch)
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def till(api: Api, printer: FakePrinter) -> Api:
    stock_shop(api)
    added = api.as_owner(
        "POST",
        "/api/printers",
        json={"name": "Counter", "kind": "network", "address": printer.address, "paper_mm": 58},
    )
    assert added.status_code == 201, added.text
    assert api.as_owner("POST", "/api/tills", json={"name": "Till 1"}).status_code == 201
    set_up = api.as_owner(
        "PATCH", "/api/tills/Till 1", json={"printer": "Counter", "drawer_pin": 2, "auto_print": True}
    )
    assert set_up.status_code == 200, set_up.text
    assert set_up.json() == {
        "id": 1,
        "name": "Till 1",
        "receipt_printer": "Counter",
        "drawer_pin": 2,
        "auto_print": True,
        "active": True,
    }
    return api


def sell_tin(api: Api, key: str = "k1") -> int:
    sold = api.as_staff(
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}], "till": "Till 1"},
        headers={"Idempotency-Key": key},
    )
    assert sold.status_code == 201, sold.text
    return int(sold.json()["id"])


def print_all(api: Api) -> None:
    PrintWorker(api.ctx).run_once()


def test_staff_reprint_a_receipt_and_follow_the_job_until_it_is_printed(
    till: Api, printer: FakePrinter
) -> None:
    order = sell_tin(till)
    queued = till.as_staff("POST", f"/api/orders/{order}/print", json={"till": "Till 1"})
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job["state"], job["kind"], job["printer"], job["open_drawer"]) == (
        "pending",
        "receipt",
        "Counter",
        False,
    )
    print_all(till)
    (sent,) = printer.wait_for(1)
    assert b"TOTAL" in sent and CUT in sent and KICK_PIN_2 not in sent
    done = till.as_staff("GET", f"/api/print-jobs/{job['id']}").json()
    assert done["state"] == "done" and done["error"] is None


def test_no_sale_over_the_api_opens_the_drawer_with_who_and_why(till: Api, printer: FakePrinter) -> None:
    kicked = till.as_staff("POST", "/api/tills/Till 1/drawer", json={"reason": "change for the float"})
    assert kicked.status_code == 202, kicked.text
    assert kicked.json()["reason"] == "change for the float" and kicked.json()["actor"] == "kwan"
    print_all(till)
    (sent,) = printer.wait_for(1)
    assert KICK_PIN_2 in sent
    assert_error(till.as_staff("POST", "/api/tills/Till 1/drawer", json={}), 422, "invalid_input", "reason")


def test_an_unreachable_printer_fails_the_job_and_the_order_stays_paid(till: Api) -> None:
    address = refused_address()
    changed = till.as_owner("PATCH", "/api/printers/Counter", json={"kind": "network", "address": address})
    assert changed.status_code == 200 and changed.json()["address"] == address
    order = sell_tin(till)
    job = till.as_staff("POST", f"/api/orders/{order}/print", json={}).json()  # the till it was rung on
    print_all(till)
    failed = till.as_staff("GET", f"/api/print-jobs/{job['id']}").json()
    assert (
        failed["state"] == "failed"
        and f"Counter (network {address}) refused the connection" in failed["error"]
    )
    assert till.as_staff("GET", f"/api/orders/{order}").json()["state"] == "paid"
    listed = till.as_staff("GET", "/api/print-jobs", params={"state": "failed"}).json()
    assert [j["id"] for j in listed["items"]] == [job["id"]] and listed["next_cursor"] is None


def test_only_owners_set_printers_and_tills_up(till: Api) -> None:
    assert [p["name"] for p in till.as_staff("GET", "/api/printers").json()] == ["Counter"]
    assert [t["name"] for t in till.as_staff("GET", "/api/tills").json()] == ["Till 1"]
    body = {"name": "Bar", "kind": "network", "address": "10.0.0.9"}
    assert_error(till.as_staff("POST", "/api/printers", json=body), 403, "forbidden")
    assert_error(till.as_staff("PATCH", "/api/tills/Till 1", json={"auto_print": False}), 403, "forbidden")
    assert_error(till.as_staff("POST", "/api/printers/Counter/test"), 403, "forbidden")
    assert till.as_owner("POST", "/api/printers/Counter/test").status_code == 202


def test_bad_printer_settings_are_refused_naming_the_field(till: Api) -> None:
    def add(**body: object):  # type: ignore[no-untyped-def]
        return till.as_owner("POST", "/api/printers", json={"name": "Bar", "kind": "network", **body})

    assert_error(add(address="10.0.0.9:70000"), 422, "invalid_input", "port must be between", "address")
    assert_error(add(address="10.0.0.9", paper_mm=76), 422, "invalid_input", "58 or 80", "paper_mm")
    assert_error(add(address="10.0.0.9", text_mode="utf8"), 422, "invalid_input", "image", "text_mode")
    assert_error(add(kind="wifi", address="x"), 422, "invalid_input", "network, usb or serial", "kind")
    assert_error(
        till.as_owner("PATCH", "/api/tills/Till 1", json={"drawer_pin": 3}),
        422,
        "invalid_input",
        "pin 2 or 5",
    )
    assert_error(till.as_owner("PATCH", "/api/tills/Till 9", json={"auto_print": True}), 404, "not_found")
    assert_error(
        till.as_staff("POST", "/api/orders/1/print", json={"till": "Till 1", "printer": "Counter"}),
        422,
        "invalid_input",
        "not both",
    )
    assert_error(till.as_staff("GET", "/api/print-jobs/99"), 404, "not_found")


# --- the web pages ------------------------------------------------------------------------------


def csrf(api: Api) -> str:
    token = api.client.cookies.get("midnight_csrf")
    assert token
    return token


def log_in(api: Api, name: str, password: str) -> None:
    api.client.get("/login")
    done = api.client.post("/login", data={"csrf": csrf(api), "name": name, "password": password})
    assert done.status_code == 200, done.text


def test_the_order_page_reprints_and_shows_the_job_until_it_is_printed(
    till: Api, printer: FakePrinter
) -> None:
    order = sell_tin(till)
    log_in(till, "kwan", STAFF_PASSWORD)
    page = till.client.get(f"/till/orders/{order}")
    assert 'name="target"' in page.text and '<option value="till:Till 1" selected>' in page.text
    sent = till.client.post(
        f"/till/orders/{order}/print",
        data={"csrf": csrf(till), "target": "till:Till 1"},
        headers={"HX-Request": "true"},
    )
    assert sent.status_code == 200 and "Printing on Counter" in sent.text
    assert 'hx-trigger="every 1s"' in sent.text
    job = sent.text.split('id="print-job-')[1].split('"')[0]
    print_all(till)
    printer.wait_for(1)
    done = till.client.get(f"/till/print/{job}")
    assert "Receipt printed on Counter." in done.text and "hx-trigger" not in done.text
    plain = till.client.post(
        f"/till/orders/{order}/print", data={"csrf": csrf(till), "target": "printer:Counter"}
    )
    assert plain.url.path == f"/till/orders/{order}" and "Printing on Counter" in plain.text


def test_the_till_fragment_says_the_printer_failed_and_the_sale_is_recorded(till: Api) -> None:
    till.as_owner("PATCH", "/api/printers/Counter", json={"kind": "network", "address": refused_address()})
    order = sell_tin(till)
    job = till.as_staff("POST", f"/api/orders/{order}/print", json={}).json()
    print_all(till)
    log_in(till, "kwan", STAFF_PASSWORD)
    shown = till.client.get(f"/till/print/{job['id']}")
    assert shown.status_code == 200 and 'role="alert"' in shown.text
    assert "Receipt printer: Counter (network" in shown.text
    assert "the sale is recorded; reprint from Today&#39;s orders" in shown.text
    assert "hx-trigger" not in shown.text


def test_the_admin_page_adds_a_printer_sets_a_till_and_test_prints(till: Api, printer: FakePrinter) -> None:
    log_in(till, "ada", OWNER_PASSWORD)
    added = till.client.post(
        "/admin/printers",
        data={
            "csrf": csrf(till),
            "name": "Kitchen",
            "kind": "network",
            "address": printer.address,
            "paper_mm": "80",
            "text_mode": "image",
        },
    )
    assert added.url.path == "/admin" and "Kitchen" in added.text
    refused = till.client.post(
        "/admin/printers", data={"csrf": csrf(till), "name": "X", "kind": "usb", "address": "epson"}
    )
    assert refused.status_code == 422 and "VID:PID" in refused.text
    set_up = till.client.post(
        "/admin/tills/Till 1",
        data={"csrf": csrf(till), "printer": "Kitchen", "drawer_pin": "none", "auto_print": "false"},
    )
    assert set_up.url.path == "/admin"
    assert till.as_owner("GET", "/api/tills/Till 1").json()["drawer_pin"] is None
    assert till.as_owner("GET", "/api/tills/Till 1").json()["receipt_printer"] == "Kitchen"
    tested = till.client.post("/admin/printers/Kitchen/test", data={"csrf": csrf(till)})
    assert tested.url.path == "/admin" and "Printing on Kitchen" in tested.text
    print_all(till)
    (page,) = printer.wait_for(1)
    assert b"\x1dv0" in page  # image mode: a raster picture


def test_no_sale_from_a_till_page_form_answers_the_drawers_status(till: Api, printer: FakePrinter) -> None:
    log_in(till, "kwan", STAFF_PASSWORD)
    opened = till.client.post(
        "/till/drawer",
        data={"csrf": csrf(till), "till": "Till 1", "reason": "change for the float"},
        headers={"HX-Request": "true"},
    )
    assert opened.status_code == 200 and "Opening the cash drawer" in opened.text
    print_all(till)
    assert KICK_PIN_2 in printer.wait_for(1)[0]
    refused = till.client.post(
        "/till/drawer", data={"csrf": csrf(till), "till": "Till 1"}, headers={"HX-Request": "true"}
    )
    assert 'role="alert"' in refused.text and "reason is required" in refused.text


def test_out_of_paper_is_said_on_the_till_and_the_order_stays_paid(till: Api, printer: FakePrinter) -> None:
    printer.paper = False
    order = sell_tin(till)
    job = till.as_staff("POST", f"/api/orders/{order}/print", json={}).json()
    print_all(till)
    printer.wait_for(1)
    log_in(till, "kwan", STAFF_PASSWORD)
    shown = till.client.get(f"/till/print/{job['id']}")
    assert (
        "Receipt printer: Counter is out of paper — the sale is recorded; reprint from Today&#39;s orders."
        in shown.text
    )
    assert till.as_staff("GET", f"/api/orders/{order}").json()["state"] == "paid"


def test_a_printer_off_the_shops_network_is_refused_by_the_api_and_the_admin_page(
    till: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIDNIGHT_PRINTERS_ON_LOOPBACK")  # as in a shop
    before = till.as_owner("GET", "/api/printers").json()
    for typed, says in (
        ("127.0.0.1:8122", "127.0.0.1, a loopback address"),
        ("169.254.169.254", "the cloud's metadata service"),
        ("0.0.0.0", "an unspecified address"),
        ("[::1]", "::1, a loopback address"),
        ("[::ffff:127.0.0.1]", "127.0.0.1, a loopback address"),
        ("0x7f000001", "127.0.0.1, a loopback address"),
        ("2130706433", "127.0.0.1, a loopback address"),
        ("93.184.216.34", "a public address"),
        ("printer.example.invalid", "no computer called printer.example.invalid"),
        ("[::1", "has no closing ]"),
    ):
        body = {"name": "Probe", "kind": "network", "address": typed}
        assert_error(till.as_owner("POST", "/api/printers", json=body), 422, "invalid_input", says, "address")
        patched = till.as_owner("PATCH", "/api/printers/Counter", json={"address": typed})
        assert_error(patched, 422, "invalid_input", says, "address")
    assert till.as_owner("GET", "/api/printers").json() == before
    log_in(till, "ada", OWNER_PASSWORD)
    page = till.client.post(
        "/admin/printers",
        data={"csrf": csrf(till), "name": "Probe", "kind": "network", "address": "169.254.169.254"},
    )
    assert page.status_code == 422 and "the cloud&#39;s metadata service" in page.text
    changed = till.client.post(
        "/admin/printers/Counter",
        data={"csrf": csrf(till), "address": "127.0.0.1:8122", "paper_mm": "58", "text_mode": "latin"},
    )
    assert changed.status_code == 422 and "a loopback address" in changed.text
    assert till.as_owner("GET", "/api/printers").json() == before


def test_the_admin_page_changes_how_a_printer_is_connected(till: Api) -> None:
    log_in(till, "ada", OWNER_PASSWORD)
    page = till.client.get("/admin")
    assert 'aria-label="how Counter is connected"' in page.text
    changed = till.client.post(
        "/admin/printers/Counter",
        data={
            "csrf": csrf(till),
            "kind": "usb",
            "address": "04b8:0202",
            "paper_mm": "80",
            "text_mode": "latin",
        },
    )
    assert changed.url.path == "/admin", changed.text
    printer = till.as_owner("GET", "/api/printers/Counter").json()
    assert (printer["kind"], printer["address"], printer["paper_mm"]) == ("usb", "04b8:0202", 80)
    refused = till.client.post(
        "/admin/printers/Counter",
        data={
            "csrf": csrf(till),
            "kind": "serial",
            "address": "04b8:0202",
            "paper_mm": "80",
            "text_mode": "latin",
        },
    )
    assert refused.status_code == 422 and "/dev/ttyUSB0" in refused.text
    assert till.as_owner("GET", "/api/printers/Counter").json()["kind"] == "usb"
