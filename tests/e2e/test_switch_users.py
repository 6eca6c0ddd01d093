"""Switching users with a PIN over HTTP, as a browser and a program send it: the device cookie, the
pages' forms and the API for PINs and till devices."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from midnight.api import create_app
from midnight.api.security import DEVICE_COOKIE, SESSION_COOKIE
from midnight.commands.people import AddUser, CreateToken
from midnight.services import people, tills
from midnight.services.context import Context
from tests.e2e.conftest import Api, assert_error, everything

OWNER = "owner pass phrase"
STAFF = "staff pass phrase"


@pytest.fixture
def owner_browser(sqlite_ctx: Context) -> Iterator[TestClient]:
    """A browser signed in as the owner ada, in a shop with staff kwan and Till 1."""
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=OWNER))
    owner = sqlite_ctx.acting_as(people.local_actor(sqlite_ctx, "ada"))
    people.add_user(owner, AddUser(name="kwan", role="staff", password=STAFF))
    tills.add_till(owner, "Till 1")
    with TestClient(create_app(ctx=sqlite_ctx)) as client:
        client.get("/login")
        signed = client.post("/login", data={"csrf": csrf(client), "name": "ada", "password": OWNER})
        assert signed.url.path == "/till"
        yield client


def csrf(client: TestClient) -> str:
    token = client.cookies.get("midnight_csrf")
    assert token
    return token


def set_up_as_till(client: TestClient) -> str:
    done = client.post("/till/device", data={"csrf": csrf(client), "till": "Till 1", "back": "/till"})
    assert done.status_code == 200 and done.url.path == "/till"
    cookie = next(c for c in client.cookies.jar if c.name == DEVICE_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite") == "strict"
    assert cookie.expires is not None
    assert cookie.value.startswith("mxd_")
    return cookie.value


def test_an_owner_sets_up_the_browser_and_staff_switch_in_with_a_pin_ending_the_owners_session(
    owner_browser: TestClient,
) -> None:
    client = owner_browser
    header = client.get("/till/who")
    assert "Signed in as <strong>ada</strong>" in header.text
    assert "Use this browser as Till 1" in header.text and "Switch user" not in header.text
    set_up_as_till(client)
    header = client.get("/till/who")
    assert "Signed in as <strong>ada</strong> on <strong>Till 1</strong>" in header.text
    assert 'href="/till/switch"' in header.text
    set_pin = client.post("/admin/pins/set", data={"csrf": csrf(client), "name": "kwan", "pin": "2580"})
    assert set_pin.url.path == "/admin/pins" and 'id="pin-kwan"><td>kwan</td><td>set</td>' in set_pin.text
    names = client.get("/till/switch")
    assert names.status_code == 200 and 'href="/till/switch/kwan"' in names.text
    keypad = client.get("/till/switch/kwan")
    assert 'inputmode="numeric"' in keypad.text and 'type="password"' in keypad.text
    owners_session = client.cookies.get(SESSION_COOKIE)
    wrong = client.post("/till/switch", data={"csrf": csrf(client), "name": "kwan", "pin": "1357"})
    assert wrong.status_code == 401
    assert "Wrong PIN: 4 more tries before it locks" in wrong.text and "1357" not in wrong.text
    switched = client.post("/till/switch", data={"csrf": csrf(client), "name": "kwan", "pin": "2580"})
    assert switched.url.path == "/till"
    assert "Signed in as <strong>kwan</strong> on <strong>Till 1</strong>" in client.get("/till/who").text
    with TestClient(client.app) as other:
        assert other.get("/api/me", headers={"Authorization": f"Bearer {owners_session}"}).status_code == 401


def test_a_pin_posted_without_the_device_cookie_is_refused_and_counts_nothing(
    owner_browser: TestClient, sqlite_ctx: Context
) -> None:
    client = owner_browser
    set_up_as_till(client)
    client.post("/admin/pins/set", data={"csrf": csrf(client), "name": "kwan", "pin": "2580"})
    client.cookies.delete(DEVICE_COOKIE)
    refused = client.post("/till/switch", data={"csrf": csrf(client), "name": "kwan", "pin": "2580"})
    assert refused.status_code == 403
    assert "PINs work only on a browser an owner has set up as a till" in refused.text
    assert client.get("/till/switch").status_code == 403
    assert client.get("/till/switch/kwan").status_code == 403


def test_staff_set_their_own_pin_on_their_account_page_with_their_password(owner_browser: TestClient) -> None:
    client = owner_browser
    client.post("/logout", data={"csrf": csrf(client)})
    client.post("/login", data={"csrf": csrf(client), "name": "kwan", "password": STAFF})
    page = client.get("/account")
    assert "You have no PIN yet." in page.text
    differ = client.post(
        "/account/pin",
        data={"csrf": csrf(client), "current_password": STAFF, "pin": "2580", "pin_again": "2581"},
    )
    assert differ.status_code == 422 and "the two PINs differ" in differ.text
    guessed = client.post(
        "/account/pin",
        data={"csrf": csrf(client), "current_password": STAFF, "pin": "1234", "pin_again": "1234"},
    )
    assert "a straight run of digits (like 1234 or 4321) is among the first PINs" in guessed.text
    no_password = client.post(
        "/account/pin",
        data={"csrf": csrf(client), "current_password": "", "pin": "2580", "pin_again": "2580"},
    )
    assert "give your current password to set your PIN" in no_password.text
    done = client.post(
        "/account/pin",
        data={"csrf": csrf(client), "current_password": STAFF, "pin": "2580", "pin_again": "2580"},
    )
    assert done.url.path == "/account" and "Your PIN is set." in done.text and "You have a PIN." in done.text
    assert client.get("/admin/pins").status_code == 403
    cleared = client.post("/account/pin/clear", data={"csrf": csrf(client)})
    assert "You have no PIN yet." in cleared.text


def test_the_login_page_of_a_till_offers_the_pin(owner_browser: TestClient) -> None:
    client = owner_browser
    assert "Sign in with your PIN" not in client.get("/login").text
    set_up_as_till(client)
    client.post("/logout", data={"csrf": csrf(client)})
    assert "Sign in with your PIN on Till 1" in client.get("/login").text


def test_owners_unlock_clear_and_revoke_from_the_pins_page(owner_browser: TestClient) -> None:
    client = owner_browser
    set_up_as_till(client)
    client.post("/admin/pins/set", data={"csrf": csrf(client), "name": "kwan", "pin": "2580"})
    for _ in range(5):
        last = client.post("/till/switch", data={"csrf": csrf(client), "name": "kwan", "pin": "1357"})
    assert last.status_code == 429
    assert (
        "PIN locked after 5 wrong tries: log in with your password or ask an owner to unlock it" in last.text
    )
    page = client.get("/admin/pins")
    assert "<td>kwan</td><td>locked</td>" in page.text
    assert "kwan <small>PIN locked" in client.get("/till/switch").text
    unlocked = client.post("/admin/pins/kwan/unlock", data={"csrf": csrf(client)})
    assert "<td>kwan</td><td>set</td>" in unlocked.text
    cleared = client.post("/admin/pins/kwan/clear", data={"csrf": csrf(client)})
    assert "<td>kwan</td><td>none</td>" in cleared.text
    refused = client.post("/admin/pins/set", data={"csrf": csrf(client), "name": "kwan", "pin": "0000"})
    assert refused.status_code == 422 and "one digit repeated" in refused.text
    # The owner's session is on this till now: revoking it asks for the password again.
    refused = client.post("/admin/pins/devices/1/revoke", data={"csrf": csrf(client)})
    assert refused.status_code == 403 and "needs your password" in refused.text
    revoked = client.post(
        "/admin/pins/devices/1/revoke", data={"csrf": csrf(client), "current_password": OWNER}
    )
    assert "No browser is set up as a till." in revoked.text
    assert "revoked 2026-11-25 10:00" in client.get("/admin/pins?all=1").text
    assert "Signed in as <strong>ada</strong></p>" in client.get("/till/who").text


def test_the_api_sets_clears_and_unlocks_pins_and_lists_and_revokes_devices(api: Api) -> None:
    tills.add_till(api.ctx, "Till 1")
    own = api.as_staff("PUT", "/api/users/kwan/pin", json={"pin": "2580"})
    assert own.status_code == 422 and own.json()["error"]["field"] == "current_password"
    own = api.as_staff("PUT", "/api/users/kwan/pin", json={"pin": "2580", "current_password": STAFF})
    assert own.status_code == 200 and own.json()["has_pin"] is True
    bad = api.as_owner("PUT", "/api/users/kwan/pin", json={"pin": "4321"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "pin"
    assert api.as_staff("POST", "/api/users/kwan/pin/unlock").status_code == 403
    assert api.as_owner("POST", "/api/users/kwan/pin/unlock").json()["pin_locked"] is False
    assert api.as_owner("DELETE", "/api/users/kwan/pin").json()["has_pin"] is False
    users = api.as_owner("GET", "/api/users").json()["items"]
    assert {u["name"]: u["has_pin"] for u in users} == {"ada": False, "kwan": False}
    assert api.as_owner("GET", "/api/till-devices").json() == {"items": [], "next_cursor": None}
    assert api.as_staff("GET", "/api/till-devices").status_code == 403
    assert api.as_owner("DELETE", "/api/till-devices/7").status_code == 404


# --- a session begun on a till hands out no lasting access without the password ---------------------


def switch_in(client: TestClient, name: str, pin: str) -> str:
    """`name` switches in on this till with `pin` (an owner set it); the session it gave."""
    given = {"csrf": csrf(client), "name": name, "pin": pin, "current_password": OWNER}  # ada's own too
    assert client.post("/admin/pins/set", data=given).status_code == 200
    switched = client.post("/till/switch", data={"csrf": csrf(client), "name": name, "pin": pin})
    assert switched.url.path == "/till"
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    return session


LASTING = [  # what a session begun on a till may not do without the password again
    ("POST", "/api/users/ada/tokens", {"label": "mine"}),
    ("POST", "/api/users", {"name": "eve", "role": "owner", "password": "eve pass phrase"}),
    ("PATCH", "/api/users/kwan", {"role": "owner"}),
    ("POST", "/api/users/kwan/password", {"password": "a new pass phrase"}),
    ("DELETE", "/api/till-devices/1", None),
]


def test_an_owner_switched_in_by_pin_mints_no_token_and_adds_no_owner_without_the_password(
    owner_browser: TestClient, sqlite_ctx: Context
) -> None:
    client = owner_browser
    set_up_as_till(client)
    session = switch_in(client, "ada", "2580")
    token = people.create_token(sqlite_ctx, "kwan", CreateToken(label="the back office")).info.id
    lasting = [*LASTING, ("DELETE", f"/api/tokens/{token}", None)]
    before = everything(sqlite_ctx)
    with TestClient(client.app) as elsewhere:  # the session copied off the till: the same answer
        for method, url, body in lasting:
            for asked in (client, elsewhere):
                headers = {"Authorization": f"Bearer {session}"} if asked is elsewhere else {}
                refused = asked.request(method, url, json=body, headers=headers | same_origin(asked))
                assert_error(refused, 403, "forbidden", "log in with your password", "current_password")
                assert "this session began with a PIN" in refused.json()["error"]["message"]
    assert everything(sqlite_ctx) == before
    # The pages refuse alike: adding a user, setting the browser up again.
    page = client.post(
        "/admin/users",
        data={"csrf": csrf(client), "name": "eve", "role": "owner", "password": "eve pass phrase"},
    )
    assert page.status_code == 403 and "needs your password" in page.text
    again = client.post("/till/device", data={"csrf": csrf(client), "till": "Till 1", "back": "/till"})
    assert again.status_code == 403 and "needs your password" in again.text


def test_with_the_password_given_again_a_pin_session_may_and_a_wrong_one_is_refused(
    owner_browser: TestClient,
) -> None:
    client = owner_browser
    set_up_as_till(client)
    session = switch_in(client, "ada", "2580")
    auth = {"Authorization": f"Bearer {session}"}
    wrong = client.post(
        "/api/users/ada/tokens", json={"label": "mine", "current_password": "not it at all"}, headers=auth
    )
    assert_error(wrong, 403, "forbidden", "the password given is not ada's", "current_password")
    minted = client.post(
        "/api/users/ada/tokens", json={"label": "mine", "current_password": OWNER}, headers=auth
    )
    assert minted.status_code == 201, minted.text
    added = client.post(
        "/admin/users",
        data={
            "csrf": csrf(client),
            "name": "mei",
            "role": "staff",
            "password": "mei pass phrase",
            "current_password": OWNER,
        },
    )
    assert added.url.path == "/admin" and "<td>mei</td>" in added.text
    revoked = client.request(
        "DELETE", f"/api/tokens/{minted.json()['info']['id']}", json={"current_password": OWNER}, headers=auth
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None


def test_a_password_typed_on_a_till_is_a_till_session_too_and_ten_wrong_passwords_stop_the_tries(
    owner_browser: TestClient,
) -> None:
    client = owner_browser
    set_up_as_till(client)  # the owner's session on it is now on a till as well
    refused = client.post("/api/users/ada/tokens", json={"label": "x"}, headers=same_origin(client))
    assert_error(refused, 403, "forbidden", "this session is on a browser set up as a till")
    client.post("/logout", data={"csrf": csrf(client)})
    client.post("/login", data={"csrf": csrf(client), "name": "ada", "password": OWNER})
    refused = client.post(
        "/api/users", json={"name": "eve", "password": "eve pass phrase"}, headers=same_origin(client)
    )
    assert_error(refused, 403, "forbidden", "log in with your password on a computer that is not a till")
    for _ in range(10):
        wrong = client.post(
            "/api/users/ada/tokens",
            json={"label": "x", "current_password": "guess guess"},
            headers=same_origin(client),
        )
        assert wrong.status_code == 403
    stopped = client.post(
        "/api/users/ada/tokens", json={"label": "x", "current_password": OWNER}, headers=same_origin(client)
    )
    assert_error(stopped, 429, "too_many_attempts", "too many wrong passwords given for ada")
    # Off the till, with a password, the owner may: a session begun so needs nothing more.
    with TestClient(client.app) as office:
        office.get("/login")
        office.post("/login", data={"csrf": csrf(office), "name": "ada", "password": OWNER})
        made = office.post("/api/users/ada/tokens", json={"label": "office"}, headers=same_origin(office))
        assert made.status_code == 201, made.text


def test_clearing_a_pin_ends_its_sessions_and_revoking_the_device_ends_the_sessions_begun_on_it(
    owner_browser: TestClient,
) -> None:
    client = owner_browser
    set_up_as_till(client)
    kwans = switch_in(client, "kwan", "1357")
    with TestClient(client.app) as office:
        office.get("/login")
        office.post("/login", data={"csrf": csrf(office), "name": "ada", "password": OWNER})
        me = {"Authorization": f"Bearer {kwans}"}
        assert office.get("/api/me", headers=me).status_code == 200
        cleared = office.delete("/api/users/kwan/pin", headers=same_origin(office))
        assert cleared.status_code == 200 and cleared.json()["has_pin"] is False
        assert office.get("/api/me", headers=me).status_code == 401
        office.put("/api/users/kwan/pin", json={"pin": "1357"}, headers=same_origin(office))
        switched = client.post("/till/switch", data={"csrf": csrf(client), "name": "kwan", "pin": "1357"})
        assert switched.url.path == "/till"
        me = {"Authorization": f"Bearer {client.cookies.get(SESSION_COOKIE)}"}
        assert office.get("/api/me", headers=me).status_code == 200
        gone = office.request("DELETE", "/api/till-devices/1", headers=same_origin(office))
        assert gone.status_code == 200 and gone.json()["revoked_at"] is not None
        assert office.get("/api/me", headers=me).status_code == 401
        assert office.get("/api/me").status_code == 200  # the office's own session goes on


def same_origin(client: TestClient) -> dict[str, str]:
    """What the shop's own pages send with an API write authenticated by the session cookie."""
    token = client.cookies.get("midnight_csrf")
    return {"X-CSRF-Token": token} if token else {}
