"""What every response carries and every request is held to: headers, cookie writes, sizes, idle sockets."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from midnight.api import create_app
from midnight.commands.people import AddUser
from midnight.services import people
from midnight.services.context import Context
from tests.e2e.test_server import MIDNIGHT, free_port, run

PASSWORD = "owner pass phrase"


@pytest.fixture
def owner_ctx(sqlite_ctx: Context) -> Context:
    people.add_user(sqlite_ctx, AddUser(name="ada", role="owner", password=PASSWORD))
    return sqlite_ctx


def log_in(client: TestClient) -> None:
    assert client.post("/api/login", json={"name": "ada", "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("path", ["/login", "/api/me", "/healthz", "/static/style.css", "/no/such/page"])
def test_every_response_forbids_framing_sniffing_referrers_and_foreign_scripts(
    owner_ctx: Context, path: str
) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_no_page_has_an_inline_script_the_policy_would_block(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        log_in(client)
        for path in ("/till", "/stock", "/shelf", "/reports", "/admin", "/login"):
            html = client.get(path).text
            assert "onclick=" not in html and "oninput=" not in html, path
            assert "<script>" not in html, path


def test_a_cookie_write_to_the_api_needs_the_shops_own_origin_or_its_csrf_token(owner_ctx: Context) -> None:
    location = {"name": "back fridge", "kind": "fridge"}
    with TestClient(create_app(ctx=owner_ctx)) as client:
        log_in(client)  # the session is now a cookie in this client
        refused = client.post("/api/locations", json=location)
        assert refused.status_code == 403 and "Origin" in refused.json()["error"]["message"]
        forged = client.post("/api/locations", json=location, headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403
        assert client.get("/api/locations").status_code == 200  # reading is fine
        own = client.post("/api/locations", json=location, headers={"Origin": "http://testserver"})
        assert own.status_code == 201
        client.get("/login")  # a page sets the CSRF cookie
        token = client.cookies.get("midnight_csrf")
        assert token
        other = {"name": "store 2", "kind": "store_room"}
        assert client.post("/api/locations", json=other, headers={"X-CSRF-Token": token}).status_code == 201
        names = [loc["name"] for loc in client.get("/api/locations").json()["items"]]
        assert "back fridge" in names and "store 2" in names


def test_a_program_with_a_bearer_token_writes_without_an_origin(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        token = client.post("/api/login", json={"name": "ada", "password": PASSWORD}).json()["token"]
        client.cookies.clear()
        added = client.post(
            "/api/locations",
            json={"name": "cellar", "kind": "store_room"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert added.status_code == 201


def test_behind_https_the_session_cookie_is_secure_and_hsts_is_sent(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx), base_url="https://shop.example") as client:
        response = client.post("/api/login", json={"name": "ada", "password": PASSWORD})
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert "midnight_session=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
        assert response.headers["strict-transport-security"].startswith("max-age=")
    with TestClient(create_app(ctx=owner_ctx), base_url="http://shop.example") as client:
        cookie = client.post("/api/login", json={"name": "ada", "password": PASSWORD}).headers["set-cookie"]
        assert "Secure" not in cookie


def test_a_request_body_over_a_mebibyte_is_refused_before_it_is_read(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'", "password": "y"}'
        response = client.post("/api/login", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_the_server_closes_a_connection_that_never_sends_its_request(tmp_path: Path) -> None:
    """A socket left silent (or sending headers a byte at a time) must not hold a slot for ever."""
    db = tmp_path / "shop.db"
    secret = tmp_path / "owner.pw"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    run("init", "--owner", "ada", "--password-file", str(secret), db=db)
    port = free_port()
    env = {**os.environ, "MIDNIGHT_HEADER_SECONDS": "1", "MIDNIGHT_BODY_SECONDS": "1"}
    server = subprocess.Popen(
        [*MIDNIGHT, "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        silent = socket.create_connection(("127.0.0.1", port))
        slow = socket.create_connection(("127.0.0.1", port))
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
        stalled = socket.create_connection(("127.0.0.1", port))  # promises a body it never sends
        stalled.sendall(b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        for sock in (silent, slow, stalled):
            sock.settimeout(30)  # a bound that proves "closed", not a speed target
            assert sock.recv(1024) == b""  # closed by the server, not timed out here
            sock.close()
        # megabytes of headers are refused, not read; an ordinary request is still served
        big = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Big": "a" * 200_000}, timeout=10)
        assert big.status_code == 400
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        server.terminate()
        server.wait(30)


def test_a_body_that_is_not_json_is_bad_input_like_any_other(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        for body in (
            b"\xff\xfe not utf-8",
            b"{" * 100_000,
            b'{"name": "ada", "password": 1' + b"0" * 5000 + b"}",
        ):
            response = client.post("/api/login", content=body, headers={"Content-Type": "application/json"})
            assert response.status_code == 422, body[:20]
            error = response.json()["error"]
            assert error["code"] == "invalid_input" and "JSON" in error["message"]


def test_changing_your_own_password_through_the_api_needs_the_current_one(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        token = client.post("/api/login", json={"name": "ada", "password": PASSWORD}).json()["token"]
        client.cookies.clear()
        auth = {"Authorization": f"Bearer {token}"}
        stolen = client.post("/api/users/ada/password", json={"password": "taken over now"}, headers=auth)
        assert stolen.status_code == 422 and stolen.json()["error"]["field"] == "current_password"
        wrong = {"password": "taken over now", "current_password": "a guess at it"}
        assert client.post("/api/users/ada/password", json=wrong, headers=auth).status_code == 422
        right = {"password": "a new pass phrase", "current_password": PASSWORD}
        assert client.post("/api/users/ada/password", json=right, headers=auth).status_code == 200
        assert (
            client.post("/api/login", json={"name": "ada", "password": "a new pass phrase"}).status_code
            == 200
        )


def test_guessing_many_names_from_one_address_is_locked_too(owner_ctx: Context) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        codes = [
            client.post("/api/login", json={"name": f"guess{n}", "password": "not the password"}).status_code
            for n in range(31)
        ]
        assert codes[:30] == [401] * 30 and codes[30] == 429
        # the address is locked whatever the name, even the right one
        assert client.post("/api/login", json={"name": "ada", "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize("value", ["yes", "on", 1, "t", "1"])
def test_a_flag_is_true_or_false_and_nothing_that_might_mean_it(owner_ctx: Context, value: object) -> None:
    with TestClient(create_app(ctx=owner_ctx)) as client:
        token = client.post("/api/login", json={"name": "ada", "password": PASSWORD}).json()["token"]
        client.cookies.clear()
        response = client.put(
            "/api/menu/NONE/active", json={"active": value}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 422 and response.json()["error"]["field"] == "active"
