"""Orders rung offline over HTTP: the API (token), the till page's own routes (session cookie and CSRF
header, always JSON), the service worker script, and the decisions page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from midnight.domain.clock import FixedClock
from tests.conftest import NOW
from tests.e2e.conftest import OWNER_PASSWORD, STAFF_PASSWORD, Api, assert_error, everything, stock_shop

RUNG = NOW + dt.timedelta(minutes=10)  # after the shop was set up, before the clock says now


def order(number: str = "T1-0001", qty: str = "1", cash: str = "20", **extra: Any) -> dict[str, Any]:
    return {
        "lines": [{"code": "TIN", "quantity": qty, "unit_price": "18.00"}],
        "payments": [{"method": "cash", "amount": cash}],
        "total": str(18 * int(qty)),
        "rung_at": RUNG.isoformat(),
        "local_number": number,
        "till": "web till T1",
        "rung_by": "kwan",
        **extra,
    }


def shop(api: Api, clock: FixedClock) -> None:
    stock_shop(api)
    clock.advance(dt.timedelta(minutes=30))


def test_an_order_sent_through_the_api_is_recorded_once_and_listed(api: Api, clock: FixedClock) -> None:
    shop(api, clock)
    sent = api.as_staff("POST", "/api/offline-orders", json=order(), headers={"Idempotency-Key": "k-1"})
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["state"] == "recorded" and body["order_id"] and body["call_number"] == 1
    assert body["replayed"] is False and body["sent_by"] == "kwan" and body["paid"] == 1800
    again = api.as_staff("POST", "/api/offline-orders", json=order(), headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200 and again.json()["replayed"] and again.json()["id"] == body["id"]
    other = api.as_staff(
        "POST", "/api/offline-orders", json=order(qty="2", cash="40"), headers={"Idempotency-Key": "k-1"}
    )
    assert_error(other, 409, "conflict", "already used for a different offline order")
    recorded = api.as_staff("GET", "/api/offline-orders", params={"state": "recorded"}).json()
    assert [i["local_number"] for i in recorded["items"]] == ["T1-0001"] and recorded["next_cursor"] is None
    assert api.as_staff("GET", "/api/offline-orders").json()["items"] == []  # none waiting
    one = api.as_staff("GET", f"/api/offline-orders/{body['id']}").json()
    assert one["request"]["lines"][0]["quantity"] == "1"
    assert api.as_owner("GET", f"/api/orders/{body['order_id']}").json()["offline_number"] == "T1-0001"


def test_a_waiting_order_is_decided_by_the_owner_only(api: Api, clock: FixedClock) -> None:
    shop(api, clock)
    sent = api.as_staff(
        "POST", "/api/offline-orders", json=order(qty="11", cash="200"), headers={"Idempotency-Key": "k-1"}
    )
    assert sent.status_code == 201 and sent.json()["state"] == "waiting"
    assert "not enough sellable stock of PINE" in sent.json()["problem"]
    waiting = api.as_staff("GET", "/api/offline-orders").json()["items"]
    assert [w["id"] for w in waiting] == [sent.json()["id"]]
    decide = f"/api/offline-orders/{sent.json()['id']}/decide"
    assert_error(api.as_staff("POST", decide, json={"decision": "accept", "note": "ok"}), 403, "forbidden")
    assert_error(api.as_owner("POST", decide, json={"decision": "maybe", "note": "ok"}), 422, "invalid_input")
    done = api.as_owner("POST", decide, json={"decision": "accept", "note": "the tins were there"})
    assert done.status_code == 200 and done.json()["state"] == "accepted"
    assert "not drawn, no stock on record: 1 PINE" in done.json()["resolution_note"]
    assert_error(
        api.as_owner("POST", decide, json={"decision": "refund", "note": "x"}), 409, "conflict", "already"
    )
    x = api.as_owner("GET", "/api/reports/x").json()
    assert x["offline_waiting"] == 0 and x["orders"] == 1


def test_a_malformed_offline_order_is_refused_and_nothing_is_written(api: Api, clock: FixedClock) -> None:
    shop(api, clock)
    before = everything(api.ctx)
    wrong = api.as_staff(
        "POST", "/api/offline-orders", json=order(total="30"), headers={"Idempotency-Key": "k"}
    )
    assert_error(wrong, 422, "invalid_input", "lines come to HK$18.00 but its total says HK$30.00")
    short = api.as_staff(
        "POST", "/api/offline-orders", json=order(cash="10"), headers={"Idempotency-Key": "k"}
    )
    assert_error(short, 422, "invalid_input", "don't cover")
    keyless = api.as_staff("POST", "/api/offline-orders", json=order())
    assert_error(keyless, 422, "invalid_input")
    naive = api.as_staff(
        "POST",
        "/api/offline-orders",
        json=order(rung_at="2026-11-25 10:00"),
        headers={"Idempotency-Key": "k"},
    )
    assert_error(naive, 422, "invalid_input", "ISO time with its offset", field="rung_at")
    assert everything(api.ctx) == before


def browser(api: Api, name: str = "kwan") -> TestClient:
    """The API's client logged in through the login form, as the till page is."""
    client = api.client
    client.cookies.clear()
    client.get("/login")
    password = STAFF_PASSWORD if name == "kwan" else OWNER_PASSWORD
    login = client.post(
        "/login", data={"csrf": client.cookies["midnight_csrf"], "name": name, "password": password}
    )
    assert login.status_code == 200 and login.url.path == "/till"
    return client


def test_the_till_page_sends_its_orders_with_the_session_and_the_csrf_header(
    api: Api, clock: FixedClock
) -> None:
    shop(api, clock)
    page = browser(api)
    snap = page.get("/till/offline/snapshot")
    assert snap.status_code == 200 and snap.headers["cache-control"] == "no-store"
    taken = snap.json()
    assert (
        taken["user"] == "kwan"
        and taken["symbol"] == "HK$"
        and taken["csrf"] == page.cookies["midnight_csrf"]
    )
    assert [(i["code"], i["price"]) for i in taken["items"]] == [("SANDWICH", 2500), ("TIN", 1800)]
    headers = {"Idempotency-Key": "page-1", "X-CSRF-Token": taken["csrf"]}
    no_token = page.post("/till/offline/orders", json=order(), headers={"Idempotency-Key": "page-1"})
    assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf"
    sent = page.post("/till/offline/orders", json=order(), headers=headers)
    assert sent.status_code == 201
    assert set(sent.json()) == {
        "state",
        "offline_id",
        "order_id",
        "call_number",
        "local_number",
        "problem",
        "replayed",
    }
    assert sent.json()["state"] == "recorded" and sent.json()["call_number"] == 1
    again = page.post("/till/offline/orders", json=order(), headers=headers)
    assert (
        again.status_code == 200
        and again.json()["replayed"]
        and again.json()["order_id"] == sent.json()["order_id"]
    )
    bad = page.post(
        "/till/offline/orders", content=b"[1, 2]", headers={**headers, "Content-Type": "application/json"}
    )
    assert bad.status_code == 422 and "JSON object" in bad.json()["error"]["message"]
    wrong = page.post(
        "/till/offline/orders", json=order(total="30"), headers={**headers, "Idempotency-Key": "page-2"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "total"
    # the session ends: JSON 401, never a redirect to the login page, so the page keeps its queue
    page.cookies.delete("midnight_session")
    ended = page.post("/till/offline/orders", json=order(), headers=headers, follow_redirects=False)
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "not_authenticated"
    assert page.get("/till/offline/snapshot", follow_redirects=False).status_code == 401


def test_the_service_worker_is_served_for_the_till_and_never_kept_stale(api: Api) -> None:
    script = api.client.get("/till-sw.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("application/javascript")
    assert (
        script.headers["cache-control"] == "no-cache" and script.headers["service-worker-allowed"] == "/till"
    )
    assert "__STATIC_VERSION__" not in script.text and "midnight-till-shell-" in script.text


def test_the_decisions_page_lists_waiting_orders_and_the_owner_refunds_one(
    api: Api, clock: FixedClock
) -> None:
    shop(api, clock)
    sent = api.as_staff(
        "POST", "/api/offline-orders", json=order(qty="11", cash="200"), headers={"Idempotency-Key": "k-1"}
    ).json()
    staff = browser(api)
    till = staff.get("/till")
    assert "1 order rung offline needs a manager's decision" in till.text
    listed = staff.get("/till/offline")
    assert (
        listed.status_code == 200 and "T1-0001" in listed.text and "not enough sellable stock" in listed.text
    )
    assert "decide-refund" not in listed.text and "The owner decides on these" in listed.text
    owner = browser(api, "ada")
    shown = owner.get("/till/offline")
    assert "decide-refund" in shown.text and "decide-accept" in shown.text
    token = owner.cookies["midnight_csrf"]
    noteless = owner.post(
        f"/till/offline/{sent['id']}/decide", data={"csrf": token, "decision": "refund", "note": ""}
    )
    assert noteless.status_code == 422 and "note" in noteless.text
    done = owner.post(
        f"/till/offline/{sent['id']}/decide",
        data={"csrf": token, "decision": "refund", "note": "paid back in cash"},
    )
    assert done.status_code == 200 and done.url.path == "/till/offline"
    assert "Offline order T1-0001 refunded" in done.text
    assert "rung offline needs" not in owner.get("/till").text
    refunded = owner.get("/till/offline?state=refunded")
    assert "paid back in cash" in refunded.text
    assert owner.get("/till/offline?state=lost").status_code == 422
