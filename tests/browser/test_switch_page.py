"""Switching users with a PIN on a shared till, in Chromium at tablet and phone size: the owner sets
the browser up as Till 1, kwan switches in with a PIN tapped on the keypad and rings a sale that the
server records as kwan's; five wrong PINs lock a PIN and say so."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from midnight.domain.errors import NotFound
from midnight.services import tills
from midnight.services.context import open_context
from tests.browser.conftest import PASSWORDS, SHOP, log_in, midnight, serious_violations

SIZES = pytest.mark.parametrize(
    "size", [{"width": 768, "height": 1024}, {"width": 390, "height": 844}], ids=["tablet", "phone"]
)
LOCKED = "PIN locked after 5 wrong tries: log in with your password or ask an owner to unlock it"


@pytest.fixture(scope="module", autouse=True)
def till_1(server: str) -> None:
    """Till 1 (added by the service: `midnight till add` is another command's), and tins to sell."""
    ctx = open_context(url=f"sqlite:///{SHOP['db']}", actor="ada")
    try:
        owner = ctx.acting_as(ctx.who)
        try:
            tills.get_till(owner, "Till 1")
        except NotFound:
            tills.add_till(owner, "Till 1")
    finally:
        ctx.db.dispose()
    midnight(SHOP["db"], "receive", "PINE", "20", "--cost", "9", "--expires", "2099-06-01")


def session_of(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "midnight_session")


def set_up_as_till_1(owner: Page) -> None:
    expect(owner.locator("#use-as-till")).to_be_visible()
    if owner.locator("#who-here select").count():
        owner.select_option("#who-here select", "Till 1")
    owner.click("#use-as-till")
    expect(owner.locator("#signed-in")).to_have_text("Signed in as ada on Till 1")
    device = next(c for c in owner.context.cookies() if c["name"] == "midnight_till_device")
    assert device["httpOnly"] and device["sameSite"] == "Strict"


def tap_pin(page: Page, pin: str) -> None:
    for digit in pin:
        page.click(f".keypad button[data-key='{digit}']")


@SIZES
def test_staff_switch_in_with_a_pin_and_the_sale_they_ring_is_recorded_as_theirs(
    browser: Browser, server: str, size: dict[str, int]
) -> None:
    kwan = log_in(browser, server, "kwan", viewport=size)
    kwan.goto("/account")
    kwan.fill("input[name=current_password]", PASSWORDS["kwan"])
    kwan.fill("input[name=pin]", "1234")
    kwan.fill("input[name=pin_again]", "1234")
    kwan.click("#own-pin button[type=submit]")
    expect(kwan.locator("#own-pin .error")).to_contain_text("a straight run of digits")
    kwan.fill("input[name=current_password]", PASSWORDS["kwan"])
    kwan.fill("input[name=pin]", "2580")
    kwan.fill("input[name=pin_again]", "2580")
    kwan.click("#own-pin button[type=submit]")
    expect(kwan.locator("#pin-state")).to_have_text("You have a PIN.")
    kwan.close()

    owner = log_in(browser, server, "ada", viewport=size)
    set_up_as_till_1(owner)
    owners_session = session_of(owner)
    owner.click("#switch-user")
    expect(owner.locator("h1")).to_have_text("Who is at Till 1?")
    assert serious_violations(owner) == []
    owner.click("a.name:text-is('kwan')")
    expect(owner.locator("h1")).to_have_text("kwan: your PIN")
    assert owner.get_attribute("#pin", "type") == "password"
    assert owner.get_attribute("#pin", "inputmode") == "numeric"
    assert serious_violations(owner) == []
    tap_pin(owner, "2581")
    owner.click(".keypad button[data-key='back']")
    owner.click(".keypad button[data-key='0']")
    assert owner.input_value("#pin") == "2580"
    owner.click("#pin-ok")
    owner.wait_for_url("**/till")
    expect(owner.locator("#signed-in")).to_have_text("Signed in as kwan on Till 1")
    assert owner.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    owner.click("button.item[data-code=TIN]")
    owner.wait_for_selector("#lines tr")
    owner.click("button[data-cash] >> nth=0")  # Exact
    owner.click("button[name=pay]")
    expect(owner.locator("#change")).to_have_text("HK$0.00")
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {session_of(owner)}"}) as api:
        assert api.get("/api/me").json()["name"] == "kwan"
        newest = json.loads(api.get("/api/orders", params={"limit": 1}).text)["items"][0]
    assert newest["actor"] == "kwan" and newest["total"] == 1800
    assert newest["till"] == "Till 1"  # rung on this tablet, as it was set up
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {owners_session}"}) as api:
        assert api.get("/api/me").status_code == 401  # ada was signed out of this tablet
    owner.close()


@SIZES
def test_five_wrong_pins_lock_it_and_the_keypad_says_what_to_do(
    browser: Browser, server: str, size: dict[str, int], tmp_path: Path
) -> None:
    name = f"mei{size['width']}"
    (tmp_path / "pw").write_text("mei pass phrase\n", encoding="utf-8")
    (tmp_path / "pin").write_text("97531\n", encoding="utf-8")
    midnight(SHOP["db"], "user", "add", name, "--password-file", str(tmp_path / "pw"))
    midnight(SHOP["db"], "user", "pin", name, "--pin-file", str(tmp_path / "pin"))

    owner = log_in(browser, server, "ada", viewport=size)
    set_up_as_till_1(owner)
    owner.goto(f"/till/switch/{name}")
    for left in (4, 3, 2, 1):
        owner.keyboard.type("13579")  # typed on a keyboard, without tapping the box first
        owner.keyboard.press("Enter")
        expect(owner.locator("#pin-error")).to_contain_text(f"Wrong PIN: {left} more tr")
        assert owner.input_value("#pin") == ""  # no PIN is ever shown back
    tap_pin(owner, "13579")
    owner.click("#pin-ok")
    expect(owner.locator("#pin-error")).to_have_text(f"Wrong PIN. {LOCKED}")
    tap_pin(owner, "97531")  # the right one, too late
    owner.click("#pin-ok")
    expect(owner.locator("#pin-error")).to_have_text(LOCKED)
    owner.goto("/till/switch")
    expect(owner.locator(f".name.locked:has-text('{name}')")).to_contain_text("PIN locked")
    # the owner is still signed in (no one else signed in), and unlocks it
    owner.goto("/admin/pins")
    assert serious_violations(owner) == []
    owner.click(f"#pin-{name} button:has-text('Unlock')")
    expect(owner.locator(f"#pin-{name} td >> nth=1")).to_have_text("set")
    owner.goto(f"/till/switch/{name}")
    tap_pin(owner, "97531")
    owner.click("#pin-ok")
    expect(owner.locator("#signed-in")).to_have_text(f"Signed in as {name} on Till 1")
    owner.close()
