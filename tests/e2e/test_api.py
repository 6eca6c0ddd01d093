"""The HTTP API through httpx against the app: every endpoint, roles, and the one error shape."""

from __future__ import annotations

import pytest

from midnight.services import people
from tests.e2e.conftest import (
    OWNER_PASSWORD,
    STAFF_PASSWORD,
    Api,
    assert_error,
    bearer,
    everything,
    stock_shop,
)
from tests.receiver import Receiver


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["status"] == "ready"


def test_openapi_is_served(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    assert "/api/orders" in spec["paths"] and "ErrorBody" in spec["components"]["schemas"]
    assert api.client.get("/docs").status_code == 200


def test_requests_without_a_valid_token_get_401(api: Api) -> None:
    assert_error(api.client.get("/api/stock"), 401, "not_authenticated")
    assert_error(api.client.get("/api/stock", headers=bearer("mxt_nope")), 401, "not_authenticated")


def test_login_gives_a_session_and_logout_ends_it(api: Api) -> None:
    r = api.client.post("/api/login", json={"name": "ada", "password": OWNER_PASSWORD})
    assert r.status_code == 200 and r.json()["role"] == "owner"
    token = r.json()["token"]
    assert api.client.get("/api/me", headers=bearer(token)).json() == {"name": "ada", "role": "owner"}
    assert api.client.post("/api/logout", headers=bearer(token)).status_code == 204
    assert_error(api.client.get("/api/me", headers=bearer(token)), 401, "not_authenticated")
    assert_error(
        api.client.post("/api/login", json={"name": "ada", "password": "wrong"}), 401, "not_authenticated"
    )


def test_ten_failed_logins_lock_the_name_for_that_address(api: Api, caplog) -> None:  # type: ignore[no-untyped-def]
    for _ in range(10):
        assert api.client.post("/api/login", json={"name": "kwan", "password": "wrong"}).status_code == 401
    assert "locked after 10 failures" in caplog.text
    locked = api.client.post("/api/login", json={"name": "kwan", "password": "staff pass phrase"})
    assert_error(locked, 429, "too_many_attempts", "try again after")
    # another user is not locked
    assert api.client.post("/api/login", json={"name": "ada", "password": OWNER_PASSWORD}).status_code == 200


def test_products_locations_and_stock(api: Api) -> None:
    stock_shop(api)
    page = api.as_staff("GET", "/api/products", params={"limit": 1}).json()
    assert [p["sku"] for p in page["items"]] == ["HAM"] and isinstance(page["next_cursor"], str)
    rest = api.as_staff("GET", "/api/products", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [p["sku"] for p in rest["items"]] == ["PINE"] and rest["next_cursor"] is None
    # cursors are opaque: the last SKU shown is not one
    assert_error(
        api.as_staff("GET", "/api/products", params={"limit": 1, "cursor": "HAM"}),
        422,
        "invalid_input",
        "cursor",
        field="cursor",
    )
    assert api.as_staff("GET", "/api/products/4006381333931").json()["on_hand"] == "10"
    assert (
        api.as_owner("POST", "/api/locations", json={"name": "back fridge", "kind": "fridge"}).status_code
        == 201
    )
    locations = api.as_staff("GET", "/api/locations").json()
    assert "back fridge" in [loc["name"] for loc in locations["items"]] and locations["next_cursor"] is None
    assert api.as_staff("GET", "/api/stock", params={"sku": "HAM"}).json()["items"][0]["on_hand"] == "20"
    assert api.as_staff("GET", "/api/lots/1").json()["sku"] == "PINE"


def test_sell_use_open_and_the_ledger(api: Api) -> None:
    stock_shop(api)
    sold = api.as_staff("POST", "/api/stock/sell", json={"sku": "PINE", "quantity": "2"}).json()
    assert sold["draws"][0]["quantity"] == "2" and sold["cost"] == 1900
    assert api.as_staff("POST", "/api/stock/use", json={"sku": "HAM", "quantity": "0.5"}).status_code == 200
    assert api.as_staff("POST", "/api/lots/2/open", json={}).json()["opened_at"] is not None
    ledger = api.as_staff("GET", "/api/movements", params={"limit": 2}).json()
    assert len(ledger["items"]) == 2 and ledger["next_cursor"] is not None
    older = api.as_staff(
        "GET", "/api/movements", params={"limit": 100, "cursor": ledger["next_cursor"]}
    ).json()
    newest = [m["id"] for m in ledger["items"]]
    rest = [m["id"] for m in older["items"]]
    # newest first, and the next page carries on strictly older, with every movement shown once
    assert newest == sorted(newest, reverse=True) and rest == sorted(rest, reverse=True)
    assert rest and max(rest) < min(newest) and older["next_cursor"] is None
    assert sorted(newest + rest) == list(range(1, len(newest + rest) + 1))
    assert {m["actor"] for m in older["items"]} == {"kwan"}
    board = api.as_staff("GET", "/api/expiring", params={"days": 7}).json()
    assert all(lot["sku"] == "HAM" for lot in board["items"])


def test_owner_only_stock_actions(api: Api) -> None:
    stock_shop(api)
    for method, url, body in [
        ("POST", "/api/lots/1/waste", {"quantity": "1", "reason": "dented"}),
        ("POST", "/api/lots/1/count", {"quantity": "9"}),
        ("POST", "/api/lots/1/move", {"quantity": "1", "location": "fridge"}),
        ("POST", "/api/stock/write-off-expired", {}),
        ("POST", "/api/movements/1/undo", None),
        ("POST", "/api/products", {"sku": "X", "name": "X"}),
        ("POST", "/api/locations", {"name": "roof"}),
        ("POST", "/api/menu", {"code": "X", "name": "X", "price": "1", "product": "PINE"}),
        ("PUT", "/api/menu/TIN/price", {"price": "20"}),
        ("PUT", "/api/menu/TIN/active", {"active": False}),
        ("GET", "/api/reports/x", None),
        ("POST", "/api/reports/z", {"date": "2026-11-25"}),
        ("GET", "/api/users", None),
        ("POST", "/api/users", {"name": "x", "password": "12345678"}),
        ("PATCH", "/api/users/ada", {"active": False}),
        ("POST", "/api/users/ada/password", {"password": "taken over now"}),
        ("POST", "/api/users/ada/tokens", {"label": "mine now"}),
        ("GET", "/api/tokens?user=ada", None),
        ("DELETE", "/api/tokens/1", None),
        ("POST", "/api/holds/1/unlock", None),
        ("POST", "/api/holds/1/dispose", {"reason": "x"}),
        ("GET", "/api/notify/messages", None),
        ("POST", "/api/notify/run", None),
        ("GET", "/api/notify/targets", None),
        ("POST", "/api/notify/targets", {"url": "mailto://staff@example.com"}),
        ("DELETE", "/api/notify/targets/1", None),
        ("PUT", "/api/notify/templates", {"event": "item_waiting", "subject": "s", "body": "b"}),
        ("PUT", "/api/notify/digest-time", {"time": "07:30"}),
        ("GET", "/api/notify/contact-policy", None),
        ("PUT", "/api/notify/contact-policy", {"schemes": ["json"], "allow_private_addresses": True}),
    ]:
        before = everything(api.ctx)
        assert_error(api.as_staff(method, url, json=body), 403, "forbidden", "owner only")
        assert everything(api.ctx) == before, f"{method} {url} wrote something"
    # staff may still see their own tokens
    mine = api.as_staff("GET", "/api/tokens", params={"user": "kwan"}).json()
    assert [token["user"] for token in mine["items"]] == ["kwan"]
    wasted = api.as_owner("POST", "/api/lots/1/waste", json={"quantity": "1", "reason": "dented"}).json()
    assert wasted["cost"] == 950
    assert api.as_owner("POST", "/api/lots/1/count", json={"quantity": "8"}).json()["adjustment"] == "-1"
    assert (
        api.as_owner("POST", "/api/lots/1/move", json={"quantity": "1", "location": "fridge"}).status_code
        == 201
    )
    assert api.as_owner("POST", "/api/stock/write-off-expired", json={}).json() == []
    # the delivery cannot be undone once some of it is gone; the write-off can
    assert_error(api.as_owner("POST", "/api/movements/1/undo"), 409, "conflict", "cannot undo movement 1")
    undone = api.as_owner("POST", f"/api/movements/{wasted['movement_id']}/undo")
    assert undone.status_code == 200 and [m["quantity"] for m in undone.json()] == ["1"]
    assert api.as_owner("GET", "/api/lots/1").json()["quantity"] == "8"


def test_orders_exactly_once_pay_refund_void_receipt(api: Api) -> None:
    stock_shop(api)
    order = {
        "lines": [{"code": "TIN", "quantity": 2}, {"code": "SANDWICH", "note": "no butter"}],
        "payments": [{"method": "cash", "amount": "100"}],
    }
    first = api.as_staff("POST", "/api/orders", json=order, headers={"Idempotency-Key": "till-1-1"})
    assert (
        first.status_code == 201
        and first.json()["total"] == 6100
        and first.json()["payments"][0]["change"] == 3900
    )
    again = api.as_staff("POST", "/api/orders", json=order, headers={"Idempotency-Key": "till-1-1"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["replayed"]
    other = dict(order, note="different")
    assert_error(
        api.as_staff("POST", "/api/orders", json=other, headers={"Idempotency-Key": "till-1-1"}),
        409,
        "conflict",
        "different order",
    )
    assert_error(api.as_staff("POST", "/api/orders", json=order), 422, "invalid_input", "Idempotency-Key")
    open_order = api.as_staff(
        "POST", "/api/orders", json={"lines": [{"code": "TIN"}]}, headers={"Idempotency-Key": "till-1-2"}
    ).json()
    assert open_order["state"] == "open"
    paid = api.as_staff(
        "POST", f"/api/orders/{open_order['id']}/pay", json={"payments": [{"method": "card", "amount": "18"}]}
    ).json()
    assert paid["state"] == "paid"
    assert_error(
        api.as_staff("POST", f"/api/orders/{open_order['id']}/refund", json={"reason": "x"}), 403, "forbidden"
    )
    refunded = api.as_owner(
        "POST", f"/api/orders/{open_order['id']}/refund", json={"reason": "dented"}
    ).json()
    assert refunded["state"] == "refunded" and refunded["refunds"][0]["method"] == "card"
    voidable = api.as_staff(
        "POST", "/api/orders", json={"lines": [{"code": "TIN"}]}, headers={"Idempotency-Key": "till-1-3"}
    ).json()
    assert (
        api.as_staff("POST", f"/api/orders/{voidable['id']}/void", json={"reason": "left"}).json()["state"]
        == "void"
    )
    listing = api.as_staff("GET", "/api/orders", params={"limit": 2}).json()
    assert len(listing["items"]) == 2 and listing["next_cursor"]
    assert api.as_staff("GET", f"/api/orders/{first.json()['id']}").json()["lines"][1]["note"] == "no butter"
    receipt = api.as_staff("GET", f"/api/orders/{first.json()['id']}/receipt", params={"width": 58})
    assert receipt.headers["content-type"].startswith("text/plain") and "TOTAL" in receipt.text


def test_menu_and_reports(api: Api) -> None:
    stock_shop(api)
    assert [i["code"] for i in api.as_staff("GET", "/api/menu").json()["items"]] == ["SANDWICH", "TIN"]
    assert api.as_owner("PUT", "/api/menu/TIN/price", json={"price": "20"}).json()["price"] == 2000
    assert api.as_staff("GET", "/api/menu/TIN").json()["prices"][1]["price"] == 1800
    api.as_staff(
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]},
        headers={"Idempotency-Key": "r1"},
    )
    x = api.as_owner("GET", "/api/reports/x").json()
    assert x["orders"] == 1 and x["cash_expected"] == 2000
    z = api.as_owner("POST", "/api/reports/z", json={"date": "2026-11-25"})
    assert z.status_code == 201 and z.json()["kind"] == "Z"
    assert_error(api.as_owner("POST", "/api/reports/z", json={}), 422, "invalid_input", "date is required")
    again = api.as_owner("POST", "/api/reports/z", json={"date": "2026-11-25"})
    assert_error(again, 409, "conflict", "already closed")
    assert api.as_owner("GET", f"/api/reports/z/{z.json()['business_date']}").json() == z.json()
    assert_error(api.as_owner("GET", "/api/reports/z/2020-01-01"), 404, "not_found")


def test_users_and_tokens(api: Api) -> None:
    assert (
        api.as_owner(
            "POST", "/api/users", json={"name": "mei", "role": "staff", "password": "mei pass phrase"}
        ).status_code
        == 201
    )
    assert_error(
        api.as_owner("POST", "/api/users", json={"name": "mei", "password": "another pass"}), 409, "conflict"
    )
    assert_error(
        api.as_owner("POST", "/api/users", json={"name": "x", "password": "short"}), 422, "invalid_input", "8"
    )
    users = api.as_owner("GET", "/api/users").json()
    assert {u["name"] for u in users["items"]} == {"ada", "kwan", "mei"} and users["next_cursor"] is None
    assert api.as_owner("PATCH", "/api/users/mei", json={"role": "owner"}).json()["role"] == "owner"
    issued = api.as_staff("POST", "/api/users/kwan/tokens", json={"label": "phone"}).json()
    assert issued["token"].startswith("mxt_")
    assert api.client.get("/api/me", headers=bearer(issued["token"])).json()["name"] == "kwan"
    assert_error(api.as_staff("POST", "/api/users/ada/tokens", json={"label": "x"}), 403, "forbidden")
    revoked = api.as_staff("DELETE", f"/api/tokens/{issued['info']['id']}")
    assert revoked.status_code == 200
    assert_error(api.client.get("/api/me", headers=bearer(issued["token"])), 401, "not_authenticated")
    session = api.client.post("/api/login", json={"name": "kwan", "password": STAFF_PASSWORD}).json()["token"]
    other = api.as_staff("POST", "/api/users/kwan/tokens", json={"label": "tablet"}).json()["token"]
    assert (
        api.as_staff(
            "POST",
            "/api/users/kwan/password",
            json={"password": "new staff phrase", "current_password": STAFF_PASSWORD},
        ).status_code
        == 200
    )
    # a new password ends every token and session of that user, the one that changed it too
    for old in (api.staff, bearer(session), bearer(other)):
        assert_error(api.client.get("/api/me", headers=old), 401, "not_authenticated")
    assert api.as_owner("GET", "/api/me").status_code == 200  # nobody else's
    assert_error(
        api.client.post("/api/login", json={"name": "kwan", "password": STAFF_PASSWORD}),
        401,
        "not_authenticated",
    )
    fresh = api.client.post("/api/login", json={"name": "kwan", "password": "new staff phrase"})
    assert fresh.status_code == 200
    # and an owner setting someone's password ends theirs
    assert (
        api.as_owner("POST", "/api/users/kwan/password", json={"password": "owner chose this"}).status_code
        == 200
    )
    assert_error(api.client.get("/api/me", headers=bearer(fresh.json()["token"])), 401, "not_authenticated")


def test_every_change_records_who_did_it(api: Api) -> None:
    stock_shop(api)
    api.as_owner("PUT", "/api/menu/TIN/price", json={"price": "19"})
    assert api.as_owner("GET", "/api/menu/TIN").json()["prices"][0]["actor"] == "ada"
    order = api.as_staff(
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]},
        headers={"Idempotency-Key": "w1"},
    ).json()
    assert order["actor"] == "kwan"
    refunded = api.as_owner("POST", f"/api/orders/{order['id']}/refund", json={"reason": "x"}).json()
    assert refunded["refunds"][0]["actor"] == "ada"
    moves = api.as_owner("GET", "/api/movements", params={"sku": "PINE"}).json()["items"]
    assert {m["actor"] for m in moves} == {"kwan", "ada"}


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "code", "text"),
    [
        ("POST", "/api/stock/sell", {"sku": "NOPE", "quantity": "1"}, 404, "not_found", "unknown SKU NOPE"),
        (
            "POST",
            "/api/stock/sell",
            {"sku": "PINE", "quantity": "-1"},
            422,
            "invalid_input",
            "greater than zero",
        ),
        (
            "POST",
            "/api/stock/sell",
            {"sku": "PINE", "quantity": 1.5},
            422,
            "invalid_input",
            "must be an exact number",
        ),
        (
            "POST",
            "/api/stock/sell",
            {"sku": "PINE", "quantity": "99"},
            409,
            "insufficient_stock",
            "wanted 99",
        ),
        ("POST", "/api/stock/sell", {"sku": "PINE"}, 422, "invalid_input", "quantity"),
        (
            "POST",
            "/api/stock/sell",
            {"sku": "PINE", "quantity": "1", "bogus": 1},
            422,
            "invalid_input",
            "bogus",
        ),
        (
            "POST",
            "/api/stock/receive",
            {"sku": "PINE", "quantity": "1", "expires": "2026-02-30"},
            422,
            "invalid_input",
            "expires",
        ),
        (
            "POST",
            "/api/products",
            {"sku": "EGG", "name": "Eggs", "barcode": "4006381333932"},
            422,
            "invalid_input",
            "check digit",
        ),
        ("POST", "/api/products", {"sku": "PINE", "name": "Again"}, 409, "conflict", "already exists"),
        ("GET", "/api/lots/999", None, 404, "not_found", "no lot 999"),
        ("GET", "/api/lots/abc", None, 422, "invalid_input", "lot_id"),
        ("GET", "/api/orders/99999999999999999999", None, 422, "invalid_input", "order_id"),
        ("GET", "/api/orders/999", None, 404, "not_found", "no order #999"),
        ("GET", "/api/expiring?days=-1", None, 422, "invalid_input", "days"),
        (
            "POST",
            "/api/orders/1/pay",
            {"payments": [{"method": "cash"}]},
            422,
            "invalid_input",
            "payment 1: amount is required",
        ),
        ("GET", "/api/nowhere", None, 404, "not_found", ""),
        ("DELETE", "/api/stock", None, 405, "method_not_allowed", ""),
    ],
)
def test_bad_input_gets_the_json_error_shape(api: Api, method, url, body, status, code, text) -> None:  # type: ignore[no-untyped-def]
    stock_shop(api)
    assert_error(api.as_owner(method, url, json=body), status, code, text)


def test_malformed_json_is_a_clear_422(api: Api) -> None:
    response = api.as_owner(
        "POST", "/api/stock/sell", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(response, 422, "invalid_input")


def test_user_changes_are_audited(api: Api) -> None:
    from sqlalchemy import select

    from midnight.db import tables as t

    api.as_owner("POST", "/api/users", json={"name": "mei", "password": "mei pass phrase"})
    with api.ctx.db.read() as conn:
        events = conn.execute(
            select(t.user_events.c.actor, t.user_events.c.user_name, t.user_events.c.action)
        ).all()
    assert ("ada", "mei", "add") in [tuple(e) for e in events]
    assert people.count_users(api.ctx) == 3


def test_the_counter_shelf_over_http_with_role_rules(api: Api) -> None:
    receiver = Receiver()
    try:
        # A json:// address on this machine only because the owner allowed that kind and private addresses.
        policy = {"schemes": ["json", "mailto"], "allow_private_addresses": True}
        assert api.as_owner("PUT", "/api/notify/contact-policy", json=policy).status_code == 200
        chan = api.as_staff(
            "POST",
            "/api/customers",
            json={"name": "Mr Chan", "nickname": "663", "contacts": [receiver.url("chan")]},
        )
        assert chan.status_code == 201
        assert_error(
            api.as_staff("POST", "/api/customers", json={"name": "X", "contacts": ["nope"]}),
            422,
            "invalid_input",
            "Apprise",
            field="contacts",
        )
        new = api.as_staff(
            "POST", "/api/holds", json={"description": "keys", "for_customer": "663", "shelf_slot": "B2"}
        )
        assert new.status_code == 201 and len(new.json()["code"]) == 6
        hold_id = new.json()["hold"]["id"]
        shelf = api.as_staff("GET", "/api/holds").json()
        assert [h["id"] for h in shelf["items"]] == [hold_id] and shelf["next_cursor"] is None
        wrong = "000000" if new.json()["code"] != "000000" else "111111"
        for _ in range(5):
            api.as_staff("POST", f"/api/holds/{hold_id}/pickup", json={"code": wrong})
        assert_error(
            api.as_staff("POST", f"/api/holds/{hold_id}/pickup", json={"code": new.json()["code"]}),
            409,
            "conflict",
            "locked",
        )
        assert_error(api.as_staff("POST", f"/api/holds/{hold_id}/unlock"), 403, "forbidden")
        assert api.as_owner("POST", f"/api/holds/{hold_id}/unlock").json()["locked"] is False
        done = api.as_staff("POST", f"/api/holds/{hold_id}/pickup", json={"identity_checked": True}).json()
        assert done["state"] == "picked_up" and done["history"][-1]["detail"] == "identity checked by kwan"
        assert_error(api.as_staff("POST", "/api/notify/run"), 403, "forbidden")
        assert_error(api.as_staff("GET", "/api/notify/messages"), 403, "forbidden")
        assert api.as_owner("POST", "/api/notify/run").status_code == 200
        outbox = api.as_owner("GET", "/api/notify/messages").json()
        assert [(m["event"], m["state"]) for m in outbox["items"]] == [("item_waiting", "sent")]
        assert len(receiver.messages) == 1 and new.json()["code"] in str(receiver.messages[0]["message"])
    finally:
        receiver.close()


def test_staff_see_their_own_tokens_and_only_theirs(api: Api) -> None:
    mine = api.as_staff("GET", "/api/tokens")
    assert mine.status_code == 200
    assert {token["user"] for token in mine.json()["items"]} == {"kwan"}
    assert api.as_staff("GET", "/api/tokens?user=ada").status_code == 403
