"""`midnight serve` as a real process on a loopback port: log in, sell, report; logins racing each other."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx

MIDNIGHT = [sys.executable, "-m", "midnight"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, db: Path) -> str:
    out = subprocess.run([*MIDNIGHT, "--db", str(db), *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


@contextmanager
def serving(db: Path, log_path: Path, *options: str) -> Iterator[str]:
    """`midnight serve` on a free loopback port until the block ends; yields its base URL."""
    port = free_port()
    log = log_path.open("w")
    server = subprocess.Popen(
        [*MIDNIGHT, "--db", str(db), "serve", "--port", str(port), *options],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not start: " + log_path.read_text())
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(20)
        log.close()


def new_shop(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    secret = tmp_path / "owner.pw"
    secret.write_text("a long owner pass phrase\n", encoding="utf-8")
    run("init", "--owner", "ada", "--password-file", str(secret), db=db)
    return db


def test_a_real_server_logs_in_sells_and_reports(tmp_path: Path) -> None:
    db = new_shop(tmp_path)
    run("product", "add", "PINE", "Tinned pineapple", "--kind", "best_before", "--shelf-life", "365", db=db)
    run("receive", "PINE", "5", "--cost", "9", db=db)
    run("menu", "add", "TIN", "Tin 罐頭", "--price", "18", "--product", "PINE", db=db)
    with serving(db, tmp_path / "server.log") as base:
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        with httpx.Client(base_url=base, timeout=10) as client:
            login = client.post("/api/login", json={"name": "ada", "password": "a long owner pass phrase"})
            assert login.status_code == 200
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            order = {
                "lines": [{"code": "TIN", "quantity": 2}],
                "payments": [{"method": "cash", "amount": "50"}],
            }
            sold = client.post("/api/orders", json=order, headers={**auth, "Idempotency-Key": "e2e-1"})
            assert sold.status_code == 201 and sold.json()["payments"][0]["change"] == 1400
            retry = client.post("/api/orders", json=order, headers={**auth, "Idempotency-Key": "e2e-1"})
            assert retry.status_code == 200 and retry.json()["id"] == sold.json()["id"]
            report = client.get("/api/reports/x", headers=auth).json()
            assert report["orders"] == 1 and report["net_sales"] == 3600 and report["cash_expected"] == 3600
            assert (
                client.get("/api/stock", headers=auth, params={"sku": "PINE"}).json()["items"][0]["on_hand"]
                == "3"
            )


def test_parallel_wrong_logins_cannot_slip_under_the_lock(tmp_path: Path) -> None:
    """Twelve wrong passwords at once, to two server processes: ten are checked, two refused unchecked."""
    db = new_shop(tmp_path)
    with serving(db, tmp_path / "server.log", "--workers", "2") as base:
        start = threading.Barrier(12)

        def wrong_login(_: int) -> int:
            with httpx.Client(base_url=base, timeout=60) as client:
                start.wait()
                return client.post(
                    "/api/login", json={"name": "ada", "password": "not the password"}
                ).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = sorted(pool.map(wrong_login, range(12)))
        assert statuses == [401] * 10 + [429] * 2
        with httpx.Client(base_url=base, timeout=60) as client:
            # locked now, even with the right password
            locked = client.post("/api/login", json={"name": "ada", "password": "a long owner pass phrase"})
            assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
