"""Contacts against the owner's policy, credentials never shown, and owners' templates checked before saving."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import Api, assert_error, everything
from tests.receiver import Receiver

SECRET = "S3cretPa55"
OPEN_TO_JSON = {"schemes": ["json", "mailto", "mailtos"], "allow_private_addresses": False}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_staff_cannot_point_a_contact_at_the_shop_machine(api: Api, receiver: Receiver) -> None:
    before = everything(api.ctx)
    refused = api.as_staff("POST", "/api/customers", json={"name": "Mr Chan", "contacts": [receiver.url()]})
    assert_error(refused, 422, "invalid_input", "json://", field="contacts")
    assert everything(api.ctx) == before
    # with json:// allowed, the loopback address is still refused
    assert api.as_owner("PUT", "/api/notify/contact-policy", json=OPEN_TO_JSON).status_code == 200
    before = everything(api.ctx)
    refused = api.as_staff("POST", "/api/customers", json={"name": "Mr Chan", "contacts": [receiver.url()]})
    assert_error(refused, 422, "invalid_input", "loopback", field="contacts")
    assert everything(api.ctx) == before


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:9/x",
        "json://localhost/x",
        "json://10.0.0.1/x",
        "json://192.168.1.20/x",
        "json://172.16.0.1/x",
        "json://169.254.169.254/latest/meta-data",
        "json://[::1]/x",
        "json://[fd00::1]/x",
        "json://[::ffff:127.0.0.1]/x",
        "json://0x7f000001/x",
        "json://2130706433/x",
        "json://printer.local/x",
        "mailtos://user:pw@192.168.0.1",
    ],
)
def test_no_private_address_gets_in_unless_the_owner_allows_it(api: Api, url: str) -> None:
    assert api.as_owner("PUT", "/api/notify/contact-policy", json=OPEN_TO_JSON).status_code == 200
    before = everything(api.ctx)
    assert_error(
        api.as_staff("POST", "/api/customers", json={"name": "Mr Chan", "contacts": [url]}),
        422,
        "invalid_input",
        "a contact must be a public service",
        field="contacts",
    )
    # nor as a staff target, which may be of any kind but not on the shop's own network
    assert_error(
        api.as_owner("POST", "/api/notify/targets", json={"url": url}), 422, "invalid_input", field="url"
    )
    assert everything(api.ctx) == before


def test_credentials_in_contacts_are_masked_everywhere(api: Api) -> None:
    contact = f"mailtos://chan:{SECRET}@example.com"
    added = api.as_staff(
        "POST", "/api/customers", json={"name": "Mr Chan", "nickname": "663", "contacts": [contact]}
    )
    assert added.status_code == 201
    assert added.json()["contacts"][0].startswith("mailtos://chan:****@example.com")
    held = api.as_staff("POST", "/api/holds", json={"description": "keys", "for_customer": "663"})
    assert held.status_code == 201
    target = api.as_owner("POST", "/api/notify/targets", json={"url": f"mailtos://shop:{SECRET}@example.com"})
    assert target.status_code == 201 and target.json()["to"].startswith("mailtos://shop:****@example.com")
    customer_id = added.json()["id"]
    responses = [added, held, target]
    for who in (api.as_staff, api.as_owner):
        responses += [who("GET", "/api/customers"), who("GET", f"/api/customers/{customer_id}")]
        responses += [who("GET", "/api/customers", params={"q": "Chan"}), who("GET", "/api/holds")]
    responses += [api.as_owner("GET", "/api/notify/targets"), api.as_owner("GET", "/api/notify/messages")]
    for response in responses:
        assert response.status_code in (200, 201), response.text
        assert SECRET not in response.text, response.request.url
    assert "****" in api.as_owner("GET", "/api/customers").text
    outbox = api.as_owner("GET", "/api/notify/messages").json()["items"]
    assert [m["to"].split("?")[0] for m in outbox] == ["mailtos://chan:****@example.com"]
    # nor is the secret stored in the clear
    assert SECRET not in repr(everything(api.ctx))


GOOD = {"event": "item_waiting", "subject": "Waiting for you", "body": "{{ customer }}: code {{ code }}"}


@pytest.mark.parametrize(
    ("field", "source", "reason"),
    [
        pytest.param("subject", "{{ nosuchvar }}", "nosuchvar", id="unknown-name"),
        pytest.param("body", "Code {{ code }", "mistake on line 1", id="syntax-error"),
        pytest.param("body", "{% if %}{% endif %}", "mistake on line 1", id="empty-if"),
        pytest.param(
            "body",
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
            "range()",
            id="nested-huge-loops",
        ),
        pytest.param("body", "{{ range(10**9)|list }}", "range()", id="huge-list"),
        pytest.param("body", "{{ (code|int) ** 1000000 }}", "exponent", id="huge-power"),
        pytest.param("subject", "{{ 'x' * 100000000 }}", "repeated", id="huge-repeat"),
        pytest.param("body", "{{ ''.__class__.__mro__ }}", "unsafe", id="sandbox-escape"),
        pytest.param(
            "body",
            "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
            "took longer than",
            id="too-slow",
        ),
        pytest.param("subject", "", "empty", id="empty"),
    ],
)
def test_a_bad_template_is_refused_with_its_field_and_reason(
    api: Api, field: str, source: str, reason: str
) -> None:
    before = everything(api.ctx)
    started = time.monotonic()
    response = api.as_owner("PUT", "/api/notify/templates", json={**GOOD, field: source})
    assert time.monotonic() - started < 15  # refused in bounded time, never a hang
    assert response.status_code == 422, response.text
    assert_error(response, 422, response.json()["error"]["code"], reason, field=field)
    assert response.json()["error"]["code"] in ("template_failed", "invalid_input")
    assert everything(api.ctx) == before


def test_a_good_template_saves_and_is_used(api: Api, receiver: Receiver) -> None:
    assert_error(api.as_staff("PUT", "/api/notify/templates", json=GOOD), 403, "forbidden")
    saved = api.as_owner("PUT", "/api/notify/templates", json=GOOD)
    assert saved.status_code == 200 and saved.json() == {"event": "item_waiting", "language": "en"}
    policy = {"schemes": ["json"], "allow_private_addresses": True}
    assert api.as_owner("PUT", "/api/notify/contact-policy", json=policy).status_code == 200
    customer = {"name": "Mr Chan", "nickname": "663", "contacts": [receiver.url("chan")]}
    assert api.as_staff("POST", "/api/customers", json=customer).status_code == 201
    code = api.as_staff("POST", "/api/holds", json={"description": "keys", "for_customer": "663"}).json()[
        "code"
    ]
    assert api.as_owner("POST", "/api/notify/run").status_code == 200
    assert len(receiver.messages) == 1
    assert receiver.messages[0]["title"] == "Waiting for you"
    assert receiver.messages[0]["message"] == f"Mr Chan: code {code}"
