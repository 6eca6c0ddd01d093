"""A real `midnight serve` with a small snack bar, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from typer.testing import CliRunner

from midnight.cli.app import app
from tests.e2e.test_server import free_port
from tests.fake_printer import LOOPBACK

CHROMIUM = os.environ.get("MIDNIGHT_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = os.environ.get(
    "MIDNIGHT_TEST_AXE", str(Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js")
)
CLI = CliRunner()
PASSWORDS = {"ada": "owner pass phrase", "kwan": "staff pass phrase"}


def midnight(db: Path, *args: str, user: str = "ada") -> str:
    """Run the CLI in this process (as a subprocess it cost a second of start-up a call)."""
    result = CLI.invoke(
        app,
        ["--db", str(db), "--user", user, *args],
        env=LOOPBACK,  # printers on the fake printer's loopback (tests only)
    )
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result.stdout


SHOP: dict[str, Any] = {}  # the running server's database, for tests that set up more with the CLI


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: make test installs it (scripts/ensure-chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    home = tmp_path_factory.mktemp("web")
    db = home / "shop.db"
    SHOP["db"] = db
    for name, secret in PASSWORDS.items():
        (home / f"{name}.pw").write_text(secret + "\n", encoding="utf-8")
    midnight(db, "init", "--owner", "ada", "--password-file", str(home / "ada.pw"))
    midnight(db, "user", "add", "kwan", "--role", "staff", "--password-file", str(home / "kwan.pw"))
    midnight(
        db,
        "product",
        "add",
        "PINE",
        "Tinned pineapple 罐頭菠蘿",
        "--kind",
        "best_before",
        "--shelf-life",
        "365",
        "--barcode",
        "4891028164456",
    )
    midnight(db, "product", "add", "LETTUCE", "Lettuce 生菜", "--unit", "kg", "--shelf-life", "5")
    midnight(db, "product", "add", "HAM", "Ham slice 火腿", "--shelf-life", "5")
    # Plenty behind the first-expiring 2: tests in many files sell from this one shop, in any order.
    midnight(db, "receive", "PINE", "200", "--cost", "9", "--expires", "2099-01-01")
    midnight(db, "receive", "PINE", "2", "--cost", "9", "--expires", "2098-01-01")
    midnight(db, "receive", "LETTUCE", "20", "--cost", "20")
    midnight(db, "receive", "HAM", "200", "--cost", "1.5")
    midnight(
        db,
        "menu",
        "add",
        "SALAD",
        "廚師沙律 Chef's salad",
        "--price",
        "38",
        "--category",
        "salads",
        "--recipe",
        "LETTUCE=0.1",
        "--recipe",
        "HAM=2",
    )
    midnight(
        db,
        "menu",
        "add",
        "TIN",
        "Tinned pineapple 罐頭菠蘿",
        "--price",
        "18",
        "--category",
        "tins",
        "--product",
        "PINE",
    )
    midnight(db, "customer", "add", "Mr Chan 陳先生", "--nickname", "663")
    # The salad is made in the kitchen: every salad sold puts a ticket on /kitchen/Kitchen.
    midnight(db, "kitchen", "station", "add", "Kitchen")
    midnight(db, "menu", "kitchen", "SALAD", "--station", "Kitchen")
    SHOP["ready"] = time.time()  # when the menu was set up (a sale can't be older)
    port = free_port()
    log = (home / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "midnight", "--db", str(db), "serve", "--port", str(port)],
        env={**os.environ, **LOOPBACK},  # it prints to tests/fake_printer.py, on loopback
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(20)
    log.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright per run: its sync API can't be started twice in one thread."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(server: str, playwright: Playwright) -> Iterator[Browser]:
    b = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    yield b
    b.close()


def log_in(browser: Browser, server: str, user: str, viewport: dict[str, int] | None = None) -> Page:
    page = browser.new_page(viewport=viewport or {"width": 768, "height": 1024}, base_url=server)
    page.goto("/login")
    page.fill("input[name=name]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url("**/till")
    return page


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds serious or critical on the page as it is now, one line per violation.

    axe is evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
    """
    if not Path(AXE).exists():
        pytest.fail(f"no axe-core at {AXE}: make test installs it (scripts/ensure-axe)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(Path(AXE).read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help} -- ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)"""
    )
    return list(found)


def eventually(page: Page, check: str, arg: object = None) -> None:
    """Until an asynchronous check in the page comes true. (wait_for_function takes the promise an
    async check returns for true at once, whatever it resolves to: it would not wait at all.)"""
    for _ in range(600):
        try:
            if page.evaluate(check, arg):
                return
        except PlaywrightError:
            pass  # the page was navigating meanwhile: ask the new one
        page.wait_for_timeout(50)
    raise AssertionError(f"never came true: {check[:120]}")


def session_api(page: Page, server: str) -> httpx.Client:
    """The API as the person logged in on `page` (their session, as a bearer token)."""
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session}"})


def scan(page: Page, code: str) -> None:
    """What a barcode scanner does: the characters typed very fast, then Enter.

    The keys go through the DevTools protocol with the time stamps a scanner gives them, 4 ms apart:
    on a loaded machine Playwright's own typing can leave 100 ms between keys, which is a person's pace.
    """
    cdp = page.context.new_cdp_session(page)
    start = time.time()
    for i, key in enumerate([*code, "Enter"]):
        at = start + i * 0.004
        if key == "Enter":
            typed = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"}
        else:
            typed = {"key": key, "text": key}
            if key.isdigit():
                typed["code"] = f"Digit{key}"
            if key.isalnum():  # a key code for letters and digits only: 40, "(", is the down arrow's
                typed["windowsVirtualKeyCode"] = ord(key.upper())
        cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "timestamp": at, **typed})
        up = {k: v for k, v in typed.items() if k != "text"}
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "timestamp": at + 0.001, **up})
    cdp.detach()
