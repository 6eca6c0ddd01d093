"""The API under the stock page: receiving lookups, product search, the board's pages, expiry
corrections and writing off everything expired."""

from __future__ import annotations

from tests.e2e.conftest import Api, assert_error, everything, stock_shop


def test_receiving_looks_up_without_booking(api: Api) -> None:
    stock_shop(api)
    before = everything(api.ctx)
    found = api.as_staff("GET", "/api/receiving", params={"code": "4006381333931"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["product"]["sku"] == "PINE" and body["expires"] == "2027-11-25" and body["matches"] == []
    assert everything(api.ctx) == before
    assert_error(
        api.as_staff("GET", "/api/receiving", params={"code": "nothing like it"}),
        404,
        "not_found",
        "no product has the code or a name like",
        field="code",
    )
    names = api.as_staff("GET", "/api/search/products", params={"q": "菠蘿"}).json()
    assert [p["sku"] for p in names["items"]] == ["PINE"]


def test_the_board_pages_both_ways(api: Api) -> None:
    stock_shop(api)
    for n in range(3):
        api.as_owner(
            "POST", "/api/stock/receive", json={"sku": "HAM", "quantity": "1", "expires": f"2026-12-0{n + 1}"}
        )
    first = api.as_staff("GET", "/api/lots", params={"limit": 2}).json()
    assert first["previous_cursor"] is None and first["next_cursor"]
    second = api.as_staff("GET", "/api/lots", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    back = api.as_staff("GET", "/api/lots", params={"limit": 2, "before": second["previous_cursor"]}).json()
    assert [lot["id"] for lot in back["items"]] == [lot["id"] for lot in first["items"]]


def test_expiry_correction_through_the_api(api: Api) -> None:
    stock_shop(api)
    body = {"expires": "2026-12-20", "reason": "label misread"}
    assert_error(api.as_staff("POST", "/api/lots/1/expiry", json=body), 403, "forbidden", "owner only")
    assert_error(
        api.as_owner("POST", "/api/lots/1/expiry", json={"expires": "2026-12-20"}),
        422,
        "invalid_input",
        field="reason",
    )
    done = api.as_owner("POST", "/api/lots/1/expiry", json=body)
    assert done.status_code == 200, done.text
    assert (
        done.json()["correction"]["to_date"] == "2026-12-20" and done.json()["correction"]["actor"] == "ada"
    )
    lot = api.as_staff("GET", "/api/lots/1").json()
    assert lot["effective_expiry"] == "2026-12-20" and lot["corrected_expiry"] == "2026-12-20"
    history = api.as_staff("GET", "/api/lots/1/expiry-corrections").json()
    assert [(c["from_date"], c["to_date"], c["reason"]) for c in history["items"]] == [
        (lot["expiry_date"], "2026-12-20", "label misread")
    ]


def test_write_off_expired_with_its_check(api: Api) -> None:
    stock_shop(api)
    api.as_owner(
        "POST",
        "/api/stock/receive",
        json={"sku": "HAM", "quantity": "2", "cost": "4", "received": "2026-11-20", "expires": "2026-11-24"},
    )
    assert_error(api.as_staff("GET", "/api/stock/expired"), 403, "forbidden", "owner only")
    summary = api.as_owner("GET", "/api/stock/expired").json()
    assert (summary["lots"], summary["cost"], summary["cost_text"]) == (1, 800, "HK$8.00")
    assert_error(
        api.as_owner("POST", "/api/stock/write-off-expired", json={"expected": "not what was shown"}),
        409,
        "conflict",
        "changed since it was shown",
        field="expected",
    )
    written = api.as_owner("POST", "/api/stock/write-off-expired", json={"expected": summary["check"]}).json()
    assert [w["cost"] for w in written] == [800]
    again = api.as_owner("POST", "/api/stock/write-off-expired", json={"expected": summary["check"]}).json()
    assert again == []
