"""The API of cash drawers, closing the day with a count, and the counter shelf's code look-up."""

from __future__ import annotations

from tests.e2e.conftest import Api, assert_error, stock_shop


def sell_tin(api: Api, key: str) -> None:
    sold = api.as_staff(
        "POST",
        "/api/orders",
        json={"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]},
        headers={"Idempotency-Key": key},
    )
    assert sold.status_code == 201, sold.text


def test_a_shift_from_float_to_count_over_the_api(api: Api) -> None:
    stock_shop(api)
    opened = api.as_staff("POST", "/api/drawers", json={"till": "Till 1", "float": "300"})
    assert opened.status_code == 201, opened.text
    session = opened.json()
    assert session["expected"] == 30000 and session["closed_at"] is None
    sell_tin(api, "a")
    moved = api.as_staff(
        "POST",
        f"/api/drawers/{session['id']}/moves",
        json={"kind": "out", "amount": "12.50", "reason": "bread", "key": "m1"},
    )
    assert moved.status_code == 201 and moved.json()["kind"] == "out"
    again = api.as_staff(
        "POST",
        f"/api/drawers/{session['id']}/moves",
        json={"kind": "out", "amount": "12.50", "reason": "bread", "key": "m1"},
    )
    assert again.json() == moved.json()  # a retry: recorded once
    now = api.as_staff("GET", "/api/drawers/current").json()
    assert now["expected"] == 30000 + 1800 - 1250
    assert now["figures"] == {
        "float_amount": 30000,
        "cash_sales": 1800,
        "cash_refunds": 0,
        "pay_ins": 0,
        "pay_outs": 1250,
    }
    closed = api.as_staff(
        "POST",
        f"/api/drawers/{session['id']}/close",
        json={"counts": [{"value": "100", "count": 3}, {"value": "5", "count": 1}]},
    )
    assert closed.status_code == 200, closed.text
    count = closed.json()["count"]
    assert (count["expected"], count["counted"], count["over_short"]) == (30550, 30500, -50)
    assert count["denominations"] == {"10000": 3, "500": 1}
    assert api.as_staff("GET", "/api/drawers/current").json() is None
    assert [s["id"] for s in api.as_owner("GET", "/api/drawers").json()["items"]] == [session["id"]]
    assert len(api.as_staff("GET", f"/api/drawers/{session['id']}/moves").json()["items"]) == 1


def test_drawer_refusals_are_people_sentences(api: Api) -> None:
    assert_error(api.as_staff("POST", "/api/drawers", json={"till": " "}), 422, "invalid_input", field="till")
    opened = api.as_owner("POST", "/api/drawers", json={"till": "Till 1"}).json()
    assert_error(
        api.as_staff("POST", "/api/drawers", json={"till": "till 1"}), 409, "conflict", "already open"
    )
    assert_error(
        api.as_staff("POST", f"/api/drawers/{opened['id']}/close", json={"counted": "0"}),
        403,
        "forbidden",
        "only they or an owner",
    )
    assert_error(
        api.as_owner(
            "POST", f"/api/drawers/{opened['id']}/close", json={"counts": [{"value": "7", "count": 1}]}
        ),
        422,
        "invalid_input",
        "HK$7.00 is not a note or coin",
        field="counts",
    )
    assert_error(api.as_owner("GET", "/api/drawers/999"), 404, "not_found", "no drawer session 999")


def test_closing_the_day_over_the_api_records_the_count(api: Api) -> None:
    stock_shop(api)
    sell_tin(api, "z1")
    z = api.as_owner("POST", "/api/reports/z", json={"date": "2026-11-25", "counted": "17"})
    assert z.status_code == 201, z.text
    body = z.json()
    assert (body["business_date"], body["cash_expected"], body["cash_counted"], body["over_short"]) == (
        "2026-11-25",
        1800,
        1700,
        -100,
    )
    assert api.as_owner("GET", "/api/reports/z/2026-11-25").json() == body
    assert_error(
        api.as_owner("POST", "/api/reports/z", json={"date": "2026-11-26"}),
        422,
        "invalid_input",
        "not started",
    )


def test_holds_found_by_code_and_for_someone_new(api: Api) -> None:
    held = api.as_staff(
        "POST",
        "/api/holds",
        json={"description": "keys", "for_customer": "Mrs Lee", "new_customer": True, "key": "h1"},
    )
    assert held.status_code == 201, held.text
    code = held.json()["code"]
    assert held.json()["new_customer"] is True and held.json()["hold"]["for_customer"] == "Mrs Lee"
    retry = api.as_staff(
        "POST",
        "/api/holds",
        json={"description": "keys", "for_customer": "Mrs Lee", "new_customer": True, "key": "h1"},
    )
    assert retry.json()["replayed"] is True and retry.json()["code"] is None
    assert retry.json()["hold"]["id"] == held.json()["hold"]["id"]
    found = api.as_staff("POST", "/api/holds/find", json={"code": code})
    assert [f["hold"]["id"] for f in found.json()] == [held.json()["hold"]["id"]]
    wrong = "000000" if code != "000000" else "111111"
    assert_error(
        api.as_staff("POST", "/api/holds/find", json={"code": wrong}),
        422,
        "wrong_code",
        "4 tries left",
        "code",
    )
    assert_error(
        api.as_staff("POST", "/api/holds", json={"description": "x", "for_customer": "Nobody Here"}),
        404,
        "not_found",
        "no customer is called 'Nobody Here'",
        "customer",
    )
