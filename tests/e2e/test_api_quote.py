"""The quote over HTTP: what an order comes to, and a payment refused when it no longer does."""

from __future__ import annotations

from tests.e2e.conftest import Api
from tests.e2e.test_api import assert_error, stock_shop


def test_a_quote_records_nothing_and_pays_at_the_total_it_gave(api: Api) -> None:
    stock_shop(api)
    body = {"lines": [{"code": "TIN", "quantity": 2}], "discount": "10%", "discount_reason": "regular"}
    quote = api.as_staff("POST", "/api/orders/quote", json=body)
    assert quote.status_code == 200, quote.text
    shown = quote.json()
    assert shown["payable"] and shown["currency"] == "HKD"
    assert [line["code"] for line in shown["lines"]] == ["TIN"]
    before = api.as_staff("GET", "/api/orders").json()["items"]
    assert before == []  # a quote is not an order
    total = f"{shown['total'] // 100}.{shown['total'] % 100:02d}"
    paid = api.as_staff(
        "POST",
        "/api/orders",
        json={**body, "payments": [{"method": "card", "amount": total}], "expected_total": total},
        headers={"Idempotency-Key": "q-1"},
    )
    assert paid.status_code == 201 and paid.json()["total"] == shown["total"]
    wrong = api.as_staff(
        "POST",
        "/api/orders",
        json={**body, "payments": [{"method": "cash", "amount": "100"}], "expected_total": "1.00"},
        headers={"Idempotency-Key": "q-2"},
    )
    assert_error(wrong, 409, "conflict", "not the HK$1.00 shown")
    assert len(api.as_staff("GET", "/api/orders").json()["items"]) == 1


def test_a_quote_names_a_line_the_stock_cannot_cover_and_refuses_junk(api: Api) -> None:
    stock_shop(api)
    short = api.as_staff("POST", "/api/orders/quote", json={"lines": [{"code": "TIN", "quantity": 999}]})
    assert short.status_code == 200 and not short.json()["payable"]
    assert "not enough" in short.json()["lines"][0]["short"]
    assert_error(
        api.as_staff("POST", "/api/orders/quote", json={"lines": [{"code": "TIN", "quantity": "1e3"}]}),
        422,
        "invalid_input",
        "quantity",
    )
    assert_error(
        api.as_staff("POST", "/api/orders/quote", json={"lines": [{"code": "NOPE"}]}),
        404,
        "not_found",
        "NOPE",
    )
