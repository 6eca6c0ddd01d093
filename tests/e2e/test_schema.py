"""Generated requests never get a 5xx: schemathesis over /openapi.json, and hostile values of our own.

schemathesis is driven through Hypothesis directly (its pytest plugin does not yet run on pytest 9). It
generates what the schema describes; the second test sends what the schema forbids but people and
programs type anyway: every kind of Unicode (lone surrogates, controls, bidi and zero-width characters),
huge and tiny numbers as JSON numbers and as text, and dates from year 1 to 9999 in odd spellings.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.e2e.conftest import Api, stock_shop

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 8
HOSTILE_EXAMPLES = 15


@cache
def _spec() -> str:
    from midnight.api import create_app

    return json.dumps(create_app().openapi())


@cache
def _schemathesis() -> Any:
    """schemathesis's reading of the document, made once (from_asgi would start the app a second time
    and read the document again for every test)."""
    return schemathesis.openapi.from_dict(spec())


def spec() -> dict[str, Any]:
    """The API's OpenAPI document, a fresh copy each call. FastAPI takes ~2 s to build it for this
    many routes; it depends only on the code, so it is built once per process, not per test."""
    return json.loads(_spec())  # type: ignore[no-any-return]


def operations(*methods: str) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in spec()["paths"].items()
        for method in item
        if not methods or method.upper() in methods
    ]


@pytest.mark.parametrize("operation", operations())
def test_generated_requests_never_break_the_api(api: Api, operation: str) -> None:
    stock_shop(api)  # something to find, so not every request ends in 404
    schema = _schemathesis()
    schema.app = api.client.app  # this test's app answers the calls
    method, path = operation.split(" ", 1)
    op = schema[path][method]

    @given(case=op.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=api.owner, checks=CHECKS)

    check()


# --- hostile values ---------------------------------------------------------------------------------

NUMBER_TEXT = [
    "1e999999",
    "-1e999999",
    "1e-999999",
    "9" * 400,
    "0." + "0" * 400 + "1",
    "1_000",
    "١٢",
    "１２",
    "1,5",
    " 1",
    "+1",
    "-0",
    "0x10",
    "NaN",
    "-Infinity",
    "1000000",
    "1000000.001",
    "0.0001",
    "99999999999999999999.99",
    "10%%",
    "100.0001%",
    "-5%",
]
DATE_TEXT = [
    "0001-01-01",
    "9999-12-31",
    "1999-12-31",
    "2101-01-01",
    "2026-02-30",
    "2026-13-01",
    "+002026-01-01",
    "２０２６-11-25",
    "2026-11-25T10:00:00+08:00",
    "2026-W48-3",
    "20261125",
    "",
]
# Real values, so that some requests get past the parsers to the services.
REAL = [
    "PINE",
    "HAM",
    "TIN",
    "SANDWICH",
    "1",
    "2",
    "0.5",
    "18",
    "cash",
    "card",
    "owner",
    "staff",
    "kwan",
    "ada",
]
REAL += [
    "item_waiting",
    "en",
    "zh-Hant",
    "663",
    "fridge",
    "shelf",
    "2026-11-25",
    "2026-11-26",
    "10%",
    "07:30",
]

any_text = st.text(st.characters(exclude_categories=()), max_size=300)  # surrogates and controls too
scalars = st.one_of(
    any_text,
    st.sampled_from(REAL),
    st.sampled_from(NUMBER_TEXT),
    st.sampled_from(DATE_TEXT),
    st.dates().map(str),  # year 1 to 9999
    st.integers(),
    st.sampled_from([2**31, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**400, -(10**400)]),
    st.floats(),  # NaN and the infinities go out as the non-JSON tokens NaN and Infinity
    st.booleans(),
    st.none(),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.dictionaries(any_text, scalars, max_size=3))


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _shape(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A request body's known fields: name -> None for a value, or the fields of the objects in its list."""
    fields: dict[str, Any] = {}
    for name, prop in _resolve(document, schema).get("properties", {}).items():
        fields[name] = None
        for option in (prop, *prop.get("anyOf", ())):
            items = _resolve(document, option).get("items")
            if items is not None and "properties" in _resolve(document, items):
                fields[name] = _shape(document, items)
    return fields


def _bodies(shape: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            name: values if inner is None else st.one_of(values, st.lists(_bodies(inner), max_size=3))
            for name, inner in shape.items()
        },
    )


PATH_VALUES = {
    "code": st.sampled_from(["TIN", "SANDWICH", "PINE"]),
    "name": st.sampled_from(["kwan", "ada"]),
    "date": st.sampled_from(["2026-11-25"]),
}
query_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=100)  # a URL carries UTF-8 only
query_values = st.one_of(
    query_text,
    st.sampled_from(REAL + NUMBER_TEXT + DATE_TEXT),
    st.integers().map(str),
    st.sampled_from([str(10**400), "-1", "0", "1001"]),
)
idempotency_keys = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20)


def busy_shop(api: Api) -> None:
    """Stock and a menu, an open order (#1) and a paid one (#2), a customer and an item on the shelf (#1)."""
    stock_shop(api)
    for key, paid in (("open", None), ("paid", [{"method": "cash", "amount": "20"}])):
        order = {"lines": [{"code": "TIN"}], "payments": paid}
        assert (
            api.as_staff("POST", "/api/orders", json=order, headers={"Idempotency-Key": key}).status_code
            == 201
        )
    assert (
        api.as_staff("POST", "/api/customers", json={"name": "Mr Chan", "nickname": "663"}).status_code == 201
    )
    held = api.as_staff("POST", "/api/holds", json={"description": "keys", "for_customer": "663"})
    assert held.status_code == 201


@pytest.mark.parametrize("operation", operations("POST", "PUT", "PATCH", "GET"))
def test_hostile_values_never_break_the_api(api: Api, operation: str) -> None:
    busy_shop(api)  # something for every path to find
    document = spec()
    method, path = operation.split(" ", 1)
    op = document["paths"][path][method.lower()]
    parameters = op.get("parameters", [])
    body_schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    bodies = _bodies(_shape(document, body_schema)) if body_schema else st.none()
    path_values = st.fixed_dictionaries(
        {
            p["name"]: PATH_VALUES.get(p["name"], st.sampled_from(["1", "2"]))
            for p in parameters
            if p["in"] == "path"
        }
    )
    queries = st.fixed_dictionaries(
        {}, optional={p["name"]: query_values for p in parameters if p["in"] == "query"}
    )

    @given(body=bodies, where=path_values, query=queries, key=idempotency_keys, as_owner=st.booleans())
    @settings(
        max_examples=HOSTILE_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(body: Any, where: dict[str, str], query: dict[str, str], key: str, as_owner: bool) -> None:
        headers = {**(api.owner if as_owner else api.staff), "Idempotency-Key": key}
        content = None
        if body is not None:
            headers["content-type"] = "application/json"
            content = json.dumps(body, ensure_ascii=True).encode()  # lone surrogates as \ud800 escapes
        response = api.client.request(
            method, path.format(**where), params=query, content=content, headers=headers
        )
        assert response.status_code < 500, (response.status_code, response.text, body, query)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert set(error) == {"code", "message", "field"}, response.text

    check()
