"""The till keeps selling with the server unreachable, and never loses or doubles a sale: Chromium with
its own profile on disk (so IndexedDB and the service worker outlive a closed browser), against a
`midnight serve` of its own that these tests kill and restart."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, Route, expect

from midnight.commands.catalog import AddProduct
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers
from midnight.commands.people import AddUser
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import AddMenuItem
from midnight.services import catalog, menu, modifiers, people, stock
from midnight.services.context import open_context
from midnight.settings import Settings
from tests.browser.conftest import CHROMIUM, FLAGS, PASSWORDS, eventually, midnight, serious_violations
from tests.e2e.test_server import free_port

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}


class Shop:
    """A snack bar's database and the `midnight serve` on it, which a test may kill -9 and restart."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "shop.db"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with (self.home / f"server-{self.starts}.log").open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "midnight", "--db", str(self.db), "serve", "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for _ in range(600):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        """kill -9: no shutdown, no flushing; whatever was acknowledged is on disk (WAL, synchronous)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(20)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(20)
        self.proc = None

    def cli(self, *args: str, user: str = "ada") -> str:
        return midnight(self.db, *args, user=user)

    def sql(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return list(conn.execute(query, params))


def set_up(db: Path) -> None:
    """A snack bar: tins of pineapple (plenty), tins of mango (only four), coffee in two sizes."""
    ctx = open_context(Settings(), url=f"sqlite:///{db}", actor="ada")
    try:
        people.add_user(ctx, AddUser(name="ada", role="owner", password=PASSWORDS["ada"]))
        people.add_user(ctx, AddUser(name="kwan", role="staff", password=PASSWORDS["kwan"]))
        for product in (
            AddProduct(sku="PINE", name="Tinned pineapple", expiry_kind="best_before", shelf_life_days=365),
            AddProduct(sku="MANGO", name="Tinned mango", expiry_kind="best_before", shelf_life_days=365),
            AddProduct(
                sku="BEANS", name="Coffee beans", unit="kg", expiry_kind="best_before", shelf_life_days=90
            ),
        ):
            catalog.add_product(ctx, product)
        for sku, quantity in (("PINE", 200), ("MANGO", 4), ("BEANS", 5)):
            stock.receive(ctx, ReceiveLot(sku=sku, quantity=quantity, cost="9", expires="2099-01-01"))
        for item in (
            AddMenuItem(
                code="TIN", name="Tinned pineapple 罐頭菠蘿", price="18", category="tins", product="PINE"
            ),
            AddMenuItem(
                code="MANGO", name="Tinned mango 罐頭芒果", price="22", category="tins", product="MANGO"
            ),
            AddMenuItem(
                code="COFFEE",
                name="Coffee 咖啡",
                price="30",
                category="drinks",
                recipe=[{"sku": "BEANS", "quantity": "0.02"}],
            ),
        ):
            menu.add_menu_item(ctx, item)
        modifiers.add_group(ctx, AddModifierGroup(code="SIZE", name="Size 份量", min=1, max=1))
        modifiers.add_option(ctx, "SIZE", AddModifierOption(code="REGULAR", name="Regular"))
        modifiers.add_option(
            ctx,
            "SIZE",
            AddModifierOption(code="LARGE", name="Large", price="6", effect="scale", factor="1.5"),
        )
        modifiers.offer(ctx, "COFFEE", OfferModifiers(groups=["SIZE"]))
    finally:
        ctx.db.dispose()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: make test installs it (scripts/ensure-chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    shop = Shop(tmp_path_factory.mktemp("offline-shop"))
    set_up(shop.db)
    shop.start()
    yield shop
    shop.stop()


@pytest.fixture(scope="module")
def pw(shop: Shop, playwright: Playwright) -> Playwright:
    return playwright  # the run's one Playwright (tests/browser/conftest.py)


class Tablet:
    """One browser profile on disk: closing and opening it again keeps its IndexedDB and service worker."""

    def __init__(self, pw: Playwright, shop: Shop, profile: Path, viewport: dict[str, int]) -> None:
        self.pw, self.shop, self.profile, self.viewport = pw, shop, profile, viewport
        self.context: BrowserContext | None = None

    def open(self, *, offline: bool = False) -> Page:
        self.context = self.pw.chromium.launch_persistent_context(
            str(self.profile),
            executable_path=CHROMIUM,
            args=FLAGS,
            headless=True,
            viewport=self.viewport,
            base_url=self.shop.base,
            service_workers="allow",
        )
        self.context.set_offline(offline)
        page = self.context.pages[0] if self.context.pages else self.context.new_page()
        return page

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None

    @property
    def page(self) -> Page:
        assert self.context is not None
        return self.context.pages[0]


@pytest.fixture
def tablet(pw: Playwright, shop: Shop, tmp_path: Path) -> Iterator[Tablet]:
    made = Tablet(pw, shop, tmp_path / "profile", TABLET)
    yield made
    made.close()


SINCE: dict[str, int] = {"order": 0, "offline": 0}


@pytest.fixture(autouse=True)
def since(shop: Shop) -> None:
    """Each new browser profile numbers its orders from 1 under a random device code (T1 to T99), so
    two tests' local numbers may be alike: a test looks only at what was recorded after it began."""
    SINCE["order"] = shop.sql("SELECT COALESCE(MAX(id), 0) FROM orders")[0][0]
    SINCE["offline"] = shop.sql("SELECT COALESCE(MAX(id), 0) FROM offline_orders")[0][0]


def log_in(page: Page, user: str = "kwan") -> None:
    page.goto("/login")
    page.fill("input[name=name]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url("**/till")


def ready_for_offline(page: Page) -> None:
    """The service worker controls the till and has kept its page; the snapshot is in IndexedDB."""
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30000
    )
    eventually(
        page,
        """async () => (await caches.open('midnight-till-page').then(c => c.match('/till'))) !== undefined""",
    )
    kept_snapshot(page)


# Whether the page kept a snapshot in IndexedDB (with this offline card limit, if one is given); the
# database is read without ever being created or upgraded here, and closed after.
SNAPSHOT = """want => new Promise(resolve => {
    const open = indexedDB.open('midnight-till');
    open.onupgradeneeded = () => { open.transaction.abort(); };
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('meta')) { db.close(); resolve(false); return; }
      const get = db.transaction('meta').objectStore('meta').get('snapshot');
      get.onsuccess = () => {
        db.close();
        resolve(Boolean(get.result) && (want === null || get.result.offline_card_limit === want));
      };
      get.onerror = () => { db.close(); resolve(false); };
    };
})"""


def kept_snapshot(page: Page, card_limit: int | None = None) -> None:
    eventually(page, SNAPSHOT, card_limit)


def go_offline(context: BrowserContext) -> None:
    context.set_offline(True)


def go_online(context: BrowserContext) -> None:
    context.set_offline(False)


def ring_cash(page: Page, code: str, times: int = 1, cash: str | None = None) -> str:
    """Ring an order offline: tap the item, hand over cash (exact unless said), pay; its local number."""
    for _ in range(times):
        page.click(f"#items button.item[data-code={code}]")
    if cash is None:
        page.click("#offline-exact")
    else:
        page.fill("#offline-cash", cash)
    expect(page.locator("#offline-pay")).to_be_enabled()
    page.click("#offline-pay")
    expect(page.locator("#offline-kept")).to_be_visible()
    return page.locator("#offline-kept").inner_text().split()[1]


def offline_orders(shop: Shop, numbers: list[str]) -> list[tuple[Any, ...]]:
    marks = ",".join("?" * len(numbers))
    return shop.sql(
        f"SELECT offline_number, call_number, total, state FROM orders WHERE offline_number IN ({marks})"
        " AND id > ? ORDER BY id",
        *numbers,
        SINCE["order"],
    )


def drawn_for(shop: Shop, numbers: list[str]) -> int:
    marks = ",".join("?" * len(numbers))
    return int(
        shop.sql(
            "SELECT COALESCE(-SUM(m.quantity), 0) FROM movements m JOIN order_lines l ON l.id = m.order_line_id"
            f" JOIN orders o ON o.id = l.order_id WHERE o.offline_number IN ({marks}) AND o.id > ?",
            *numbers,
            SINCE["order"],
        )[0][0]
    )


def tins_on_hand(shop: Shop, sku: str) -> int:
    return int(
        shop.sql(
            "SELECT COALESCE(SUM(l.on_hand), 0) FROM lots l JOIN products p ON p.id = l.product_id WHERE p.sku = ?",
            sku,
        )[0][0]
    )


def banner_states(page: Page) -> dict[str, str]:
    found = page.locator("#offline-banner li").evaluate_all(
        "items => items.map(li => [li.dataset.number, li.dataset.state])"
    )
    return dict(found)


def test_five_cash_orders_rung_offline_outlive_a_reload_and_a_closed_browser_and_are_recorded_once_each(
    tablet: Tablet, shop: Shop
) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    before = tins_on_hand(shop, "PINE")
    go_offline(page.context)
    # the till notices, and sells from the menu and prices it last saw
    expect(page.locator("#offline-panel")).to_be_visible()
    expect(page.locator("#panel")).to_be_hidden()
    expect(page.locator("#offline-note")).to_contain_text("Offline — prices as last seen at")
    expect(page.locator("#offline-note")).to_contain_text("the server checks each order when it is back")
    numbers = [ring_cash(page, "TIN") for _ in range(2)]
    numbers.append(ring_cash(page, "TIN", times=2, cash="50"))
    expect(page.locator("#offline-change")).to_have_text("HK$14.00")
    expect(page.locator("#offline-banner")).to_contain_text("Offline — 3 orders waiting to be sent")
    # reloaded while still offline: the page comes from the service worker, the orders from IndexedDB
    page.reload()
    expect(page.locator("#offline-settings")).to_have_attribute("data-origin", "cache")
    expect(page.locator("#offline-panel")).to_be_visible()
    expect(page.locator("#offline-banner")).to_contain_text("Offline — 3 orders waiting to be sent")
    numbers += [ring_cash(page, "TIN") for _ in range(2)]
    expect(page.locator("#offline-banner")).to_contain_text("Offline — 5 orders waiting to be sent")
    assert banner_states(page) == {n: "waiting" for n in numbers}
    assert len(set(numbers)) == 5 and numbers == sorted(numbers)  # one device, counting up
    tablet.close()
    assert offline_orders(shop, numbers) == []  # nothing reached the server
    # the browser opened again, still offline: the same five are there
    page = tablet.open(offline=True)
    page.goto("/till")
    expect(page.locator("#offline-settings")).to_have_attribute("data-origin", "cache")
    expect(page.locator("#offline-banner")).to_contain_text("Offline — 5 orders waiting to be sent")
    go_online(page.context)
    expect(page.locator("#offline-banner li[data-state=recorded]")).to_have_count(5, timeout=60_000)
    # sent, it is the server's panel again: a fresh order
    expect(page.locator("#offline-panel")).to_have_count(0, timeout=30_000)
    expect(page.locator("#panel")).to_be_visible()
    recorded = offline_orders(shop, numbers)
    assert [r[0] for r in recorded] == numbers  # exactly these five, in the order they were rung
    assert [r[2] for r in recorded] == [1800, 1800, 3600, 1800, 1800] and {r[3] for r in recorded} == {"paid"}
    calls = [r[1] for r in recorded]
    assert all(calls) and calls == sorted(calls) and len(set(calls)) == 5  # numbered for calling
    assert drawn_for(shop, numbers) == 6000 and tins_on_hand(shop, "PINE") == before - 6000
    marks = ",".join("?" * len(numbers))
    assert shop.sql(
        "SELECT count(*), count(DISTINCT idempotency_key) FROM offline_orders"
        f" WHERE local_number IN ({marks}) AND id > ?",
        *numbers,
        SINCE["offline"],
    ) == [(5, 5)]
    listed = json.loads(shop.cli("offline", "list", "--state", "recorded", "--json"))
    mine = [i for i in listed if i["local_number"] in numbers and i["id"] > SINCE["offline"]]
    assert sorted(i["local_number"] for i in mine) == numbers
    # and the till sells online again, under a key of its own
    page.click("#items button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$18.00")
    key = page.locator("#panel input[name=key]").input_value()
    assert shop.sql("SELECT count(*) FROM offline_orders WHERE idempotency_key = ?", key) == [(0,)]
    page.click("button[data-cash] >> nth=0")
    page.click("button[name=pay]")
    expect(page.locator("#change")).to_have_text("HK$0.00")
    expect(page.locator("#offline-banner li[data-state=recorded]")).to_have_count(5)


def test_a_server_killed_while_the_queue_is_sent_and_restarted_still_records_each_order_once(
    tablet: Tablet, shop: Shop
) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    go_offline(page.context)
    numbers = [ring_cash(page, "TIN") for _ in range(5)]
    seen: list[str] = []

    def third_one_kills_the_server(route: Route) -> None:
        seen.append(route.request.headers.get("idempotency-key", ""))
        if len(seen) == 3:
            route.fetch()  # the server records the third order ...
            shop.kill()  # ... and is killed before the till hears back
            route.abort("connectionreset")
        else:
            route.continue_()

    page.context.route("**/till/offline/orders", third_one_kills_the_server)
    go_online(page.context)
    for _ in range(600):
        if shop.proc is None:
            break
        page.wait_for_timeout(50)
    assert shop.proc is None, "the third order was never sent"
    expect(page.locator("#offline-banner li[data-state=recorded]")).to_have_count(2)
    expect(page.locator("#offline-banner")).to_contain_text("3 orders waiting to be sent")
    shop.start()  # the same database, the same port
    expect(page.locator("#offline-banner li[data-state=recorded]")).to_have_count(5, timeout=90_000)
    page.context.unroute("**/till/offline/orders")
    assert seen[2] == seen[3]  # the third order sent again, under its own key: answered, not doubled
    recorded = offline_orders(shop, numbers)
    assert [r[0] for r in recorded] == numbers
    assert drawn_for(shop, numbers) == 5000
    marks = ",".join("?" * len(numbers))
    assert shop.sql(
        f"SELECT count(*) FROM offline_orders WHERE local_number IN ({marks}) AND id > ?",
        *numbers,
        SINCE["offline"],
    ) == [(5,)]


def log_out(page: Page) -> None:
    page.click("header form.who button[type=submit]")
    page.wait_for_url("**/login")


def test_an_order_refused_on_arrival_waits_for_a_decision_and_the_owner_refunds_it(
    tablet: Tablet, shop: Shop
) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    go_offline(page.context)
    numbers = [ring_cash(page, "MANGO", cash="30") for _ in range(5)]  # five sold, four on the shelf
    go_online(page.context)
    expect(page.locator("#offline-banner li[data-state=recorded]")).to_have_count(4, timeout=60_000)
    expect(page.locator("#offline-banner li[data-state=decision]")).to_have_count(1)
    expect(page.locator("#offline-banner li[data-state=decision]")).to_contain_text(
        "needs a manager's decision"
    )
    recorded = offline_orders(shop, numbers)
    assert [r[0] for r in recorded] == numbers[:4] and tins_on_hand(shop, "MANGO") == 0
    kept = shop.sql(
        "SELECT local_number, state, amount_paid, problem FROM offline_orders WHERE local_number = ? AND id > ?",
        numbers[4],
        SINCE["offline"],
    )
    assert kept[0][:3] == (numbers[4], "waiting", 2200) and "not enough sellable stock of MANGO" in kept[0][3]
    # 4 recorded + 1 waiting: none lost; the till, the X report and the decisions page say so
    page.goto("/till")
    expect(page.locator("#offline-decisions")).to_have_text("1 order rung offline needs a manager's decision")
    assert "Rung offline, waiting for a decision: 1 (HK$22.00)" in shop.cli("report", "x")
    page.click("#offline-decisions a")
    page.wait_for_url("**/till/offline")
    order = page.locator("article.offline-order", has_text=numbers[4])
    expect(order).to_contain_text("not enough sellable stock of MANGO")
    expect(order).to_contain_text("HK$22.00")
    expect(order.locator("form")).to_have_count(0)  # staff see it; the owner decides
    expect(page.locator("#decided-by-owner")).to_be_visible()
    assert serious_violations(page) == []
    log_out(page)
    log_in(page, "ada")
    page.goto("/till/offline")
    order = page.locator("article.offline-order", has_text=numbers[4])
    expect(order.locator("form")).to_have_count(2)  # accept, refund
    for size in (PHONE, TABLET):
        page.set_viewport_size(size)
        assert serious_violations(page) == []
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    order.locator("form.decide-refund button").click()
    expect(page.locator("form.decide-refund .error")).to_contain_text("note")  # a note is needed
    order = page.locator("article.offline-order", has_text=numbers[4])
    order.locator("form.decide-refund input[name=note]").fill("gave the HK$22 back from the drawer")
    order.locator("form.decide-refund button").click()
    expect(page.locator(".flash")).to_contain_text(f"Offline order {numbers[4]} refunded")
    shown = json.loads(shop.cli("offline", "list", "--state", "refunded", "--json"))
    mine = next(i for i in shown if i["local_number"] == numbers[4] and i["id"] > SINCE["offline"])
    assert mine["resolved_by"] == "ada" and mine["order_id"]
    assert shop.sql("SELECT state FROM orders WHERE id = ?", mine["order_id"]) == [("refunded",)]
    page.goto("/till")
    expect(page.locator("#offline-decisions")).to_have_count(0)


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["tablet", "phone"])
def test_card_is_refused_offline_without_a_limit_and_taken_within_one(
    pw: Playwright, shop: Shop, tmp_path: Path, size: dict[str, int]
) -> None:
    shop.cli("till", "offline-card", "--off")
    tablet = Tablet(pw, shop, tmp_path / "profile", size)
    try:
        page = tablet.open()
        log_in(page)
        ready_for_offline(page)
        go_offline(page.context)
        page.click("#items button.item[data-code=TIN]")
        expect(page.locator("#offline-no-card")).to_have_text("Card can't be taken offline — cash only")
        expect(page.locator("#offline-card")).to_be_hidden()
        expect(page.locator("#offline-pay")).to_be_disabled()  # no cash yet
        page.fill("#offline-cash", "10")
        expect(page.locator("#offline-due")).to_have_text("Still to pay: HK$8.00")
        page.fill("#offline-cash", "20.005")
        expect(page.locator("#offline-due")).to_contain_text("not an amount")
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        box = page.locator("#offline-pay").bounding_box()
        assert box is not None and box["y"] + box["height"] <= size["height"]  # Pay in view
        assert serious_violations(page) == []
        page.fill("#offline-cash", "20")
        page.click("#offline-pay")
        cash_number = page.locator("#offline-kept").inner_text().split()[1]
        go_online(page.context)
        expect(page.locator("#offline-panel")).to_have_count(0, timeout=60_000)
        # the owner allows card offline, up to HK$20 an order; the till learns it on its next load
        shop.cli("till", "offline-card", "--limit", "20")
        page.reload()
        kept_snapshot(page, 2000)
        go_offline(page.context)
        page.click("#items button.item[data-code=TIN]")
        page.click("#items button.item[data-code=TIN]")
        expect(page.locator("#offline-card")).to_be_visible()
        expect(page.locator("#offline-all-card")).to_be_hidden()  # HK$36 is over the limit
        page.fill("#offline-card", "36")
        expect(page.locator("#offline-due")).to_contain_text("Card can't be taken offline above HK$20.00")
        expect(page.locator("#offline-pay")).to_be_disabled()
        page.click("button[aria-label^='one fewer']")
        page.fill("#offline-card", "")
        page.click("#offline-all-card")
        expect(page.locator("#offline-card")).to_have_value("18.00")
        page.click("#offline-pay")
        card_number = page.locator("#offline-kept").inner_text().split()[1]
        go_online(page.context)
        expect(page.locator("#offline-panel")).to_have_count(0, timeout=60_000)
        paid = shop.sql(
            "SELECT o.offline_number, p.method, p.applied FROM payments p JOIN orders o ON o.id = p.order_id"
            " WHERE o.offline_number IN (?, ?) AND o.id > ? ORDER BY o.id",
            cash_number,
            card_number,
            SINCE["order"],
        )
        assert paid == [(cash_number, "cash", 1800), (card_number, "card", 1800)]
    finally:
        tablet.close()
        shop.cli("till", "offline-card", "--off")


def test_an_item_with_a_required_choice_is_rung_offline_with_it(tablet: Tablet, shop: Shop) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    go_offline(page.context)
    page.click("#items button.item[data-code=COFFEE]")
    page.click("#offline-choose-add")
    expect(page.locator("#offline-choose-error")).to_have_text("Coffee 咖啡 needs a choice of Size 份量")
    page.check("#offline-choose input[value=LARGE]")
    page.click("#offline-choose-add")
    expect(page.locator("#offline-lines tr[data-code=COFFEE]")).to_contain_text("Large")
    expect(page.locator("#offline-total")).to_have_text("HK$36.00")
    page.click("button[aria-label='one more Coffee 咖啡']")
    expect(page.locator("#offline-total")).to_have_text("HK$72.00")
    # parking is the server's
    page.click("#offline-exact")
    page.click("#offline-pay")
    number = page.locator("#offline-kept").inner_text().split()[1]
    go_online(page.context)
    expect(page.locator("#offline-panel")).to_have_count(0, timeout=60_000)
    line = shop.sql(
        "SELECT l.quantity, l.unit_price, m.code FROM order_lines l JOIN orders o ON o.id = l.order_id"
        " JOIN order_line_modifiers m ON m.order_line_id = l.id WHERE o.offline_number = ? AND o.id > ?",
        number,
        SINCE["order"],
    )
    assert line == [(2000, 3600, "LARGE")]


def test_a_session_that_ended_keeps_the_queue_until_someone_logs_in(tablet: Tablet, shop: Shop) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    go_offline(page.context)
    number = ring_cash(page, "TIN")
    page.context.clear_cookies()  # the session is gone while offline
    go_online(page.context)
    link = page.locator("#offline-banner a", has_text="Log in to send 1 waiting order")
    expect(link).to_be_visible(timeout=60_000)
    assert offline_orders(shop, [number]) == []
    link.click()
    page.fill("input[name=name]", "kwan")
    page.fill("input[name=password]", PASSWORDS["kwan"])
    page.click("button[type=submit]")
    page.wait_for_url("**/till")
    expect(page.locator(f"#offline-banner li[data-number='{number}'][data-state=recorded]")).to_be_visible(
        timeout=60_000
    )
    assert [r[0] for r in offline_orders(shop, [number])] == [number]


def test_a_payment_that_reached_the_server_before_the_connection_dropped_is_never_recorded_twice(
    tablet: Tablet, shop: Shop
) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    page.click("#items button.item[data-code=TIN]")
    expect(page.locator("#total")).to_have_text("HK$18.00")
    key = page.locator("#panel input[name=key]").input_value()
    page.fill("#cash", "20")

    lost: list[int] = []

    def answer_lost(route: Route) -> None:
        lost.append(route.fetch().status)  # the server records the sale ...
        route.abort("internetdisconnected")  # ... and the till never hears it

    page.route("**/till/pay", answer_lost)
    page.click("button[name=pay]")
    # the till can't tell: the order goes on offline, under the key it had
    expect(page.locator("#offline-panel")).to_be_visible()
    expect(page.locator("#offline-lines tr[data-code=TIN]")).to_have_count(1)
    for _ in range(600):
        if lost:
            break
        page.wait_for_timeout(50)
    assert lost == [200]
    page.unroute("**/till/pay")
    page.fill("#offline-cash", "20")
    page.click("#offline-pay")
    number = page.locator("#offline-kept").inner_text().split()[1]
    refused = page.locator(f"#offline-banner li[data-number='{number}'][data-state=refused]")
    expect(refused).to_contain_text("already recorded as order #", timeout=60_000)
    assert shop.sql("SELECT count(*) FROM orders WHERE idempotency_key = ?", key) == [(1,)]
    assert shop.sql("SELECT count(*) FROM offline_orders WHERE idempotency_key = ?", key) == [(0,)]
    expect(page.locator("#offline-panel")).to_have_count(0, timeout=30_000)  # back to the server's panel


def test_a_reduced_item_rung_offline_is_charged_as_its_button_shows_and_recorded_as_rung(
    tablet: Tablet, shop: Shop
) -> None:
    """The till's button shows the reduce-to-clear price; offline the line charges that same price
    (the snapshot carries the server's price of one unit now), and the server records it as rung."""
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    shop.cli("product", "add", "PEACH", "Tinned peach", "--kind", "best_before", "--shelf-life", "365")
    shop.cli("receive", "PEACH", "1", "--cost", "9", "--expires", tomorrow)  # near its date: 30% off
    shop.cli("receive", "PEACH", "10", "--cost", "9", "--expires", "2099-01-01")
    shop.cli(
        "menu", "add", "PEACH", "Tinned peach 罐頭黃桃", "--price", "18", "--category", "tins",
        "--product", "PEACH", "--markdown-days", "2", "--markdown-percent", "30",
    )  # fmt: skip
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    expect(page.locator("#items button.item[data-code=PEACH] .reduced")).to_have_text("HK$12.60")
    go_offline(page.context)
    page.click("#items button.item[data-code=PEACH]")
    expect(page.locator("#offline-lines tr[data-code=PEACH] td.amount")).to_have_text("HK$12.60")
    expect(page.locator("#offline-total")).to_have_text("HK$12.60")
    page.fill("#offline-cash", "20")
    expect(page.locator("#offline-due")).to_have_text("Change to give: HK$7.40")
    page.click("#offline-pay")
    number = page.locator("#offline-kept").inner_text().split()[1]
    go_online(page.context)
    expect(page.locator(f"#offline-banner li[data-number='{number}'][data-state=recorded]")).to_be_visible(
        timeout=60_000
    )
    assert [(r[0], r[2], r[3]) for r in offline_orders(shop, [number])] == [(number, 1260, "paid")]
    assert shop.sql(
        "SELECT l.unit_price, l.markdown, l.net FROM order_lines l JOIN orders o ON o.id = l.order_id"
        " WHERE o.offline_number = ? AND o.id > ?",
        number,
        SINCE["order"],
    ) == [(1800, 540, 1260)]
    assert shop.sql(
        "SELECT state, problem FROM offline_orders WHERE local_number = ? AND id > ?",
        number,
        SINCE["offline"],
    ) == [("recorded", None)]


def offline_lines(page: Page) -> list[tuple[str, str, str]]:
    """The offline panel's lines as shown: code, quantity, note."""
    return [
        tuple(row)
        for row in page.locator("#offline-lines tr[data-code]").evaluate_all(
            "rows => rows.map(r => [r.dataset.code, r.querySelector('output').textContent,"
            " r.querySelector('input[name=note]').value])"
        )
    ]


def test_an_order_being_rung_offline_outlives_a_reload_and_a_closed_browser_and_is_recorded_once(
    tablet: Tablet, shop: Shop
) -> None:
    page = tablet.open()
    log_in(page)
    ready_for_offline(page)
    go_offline(page.context)
    page.click("#items button.item[data-code=TIN]")
    page.click("#items button.item[data-code=TIN]")
    page.click("#items button.item[data-code=COFFEE]")
    page.check("#offline-choose input[value=LARGE]")
    page.click("#offline-choose-add")
    page.fill("#offline-lines tr[data-code=TIN] input[name=note]", "one opened")
    expect(page.locator("#offline-total")).to_have_text("HK$72.00")
    rung = [("TIN", "2", "one opened"), ("COFFEE", "1", "")]
    assert offline_lines(page) == rung
    banner = page.locator("#offline-banner")
    expect(banner).to_contain_text("Offline — 0 orders waiting to be sent")
    expect(banner).not_to_contain_text("null")
    page.reload()  # offline: the page from the service worker, the order being rung from IndexedDB
    expect(page.locator("#offline-settings")).to_have_attribute("data-origin", "cache")
    expect(page.locator("#offline-lines tr[data-code]")).to_have_count(2)
    assert offline_lines(page) == rung
    expect(page.locator("#offline-lines tr[data-code=COFFEE] .mods")).to_have_text("Large")
    expect(page.locator("#offline-total")).to_have_text("HK$72.00")
    tablet.close()
    page = tablet.open(offline=True)  # the browser closed and opened again, still offline
    page.goto("/till")
    expect(page.locator("#offline-lines tr[data-code]")).to_have_count(2)
    assert offline_lines(page) == rung
    page.click("#offline-exact")
    page.click("#offline-pay")
    number = page.locator("#offline-kept").inner_text().split()[1]
    expect(page.locator("#offline-lines td.empty")).to_have_text("Tap an item.")
    page.reload()  # paid: it is in the queue, no longer the order being rung
    expect(page.locator("#offline-banner")).to_contain_text("Offline — 1 order waiting to be sent")
    expect(page.locator("#offline-lines tr[data-code]")).to_have_count(0)
    go_online(page.context)
    expect(page.locator(f"#offline-banner li[data-number='{number}'][data-state=recorded]")).to_be_visible(
        timeout=60_000
    )
    recorded = shop.sql(
        "SELECT o.id, o.total, o.state FROM orders o WHERE o.offline_number = ? AND o.id > ?",
        number,
        SINCE["order"],
    )
    assert [(r[1], r[2]) for r in recorded] == [(7200, "paid")]
    assert shop.sql(
        "SELECT l.quantity, l.note, l.unit_price FROM order_lines l WHERE l.order_id = ? ORDER BY l.line_no",
        recorded[0][0],
    ) == [(2000, "one opened", 1800), (1000, "", 3600)]
    assert shop.sql(
        "SELECT count(*) FROM offline_orders WHERE local_number = ? AND id > ?", number, SINCE["offline"]
    ) == [(1,)]


def test_the_banner_says_the_connection_is_back_mid_order_reads_well_and_keeps_the_till_name(
    tablet: Tablet, shop: Shop
) -> None:
    if "Counter" not in shop.cli("till", "list"):
        shop.cli("till", "add", "Counter")
    page = tablet.open()
    log_in(page, "ada")
    ready_for_offline(page)
    expect(page.locator("#use-as-till")).to_be_visible()  # the header line is the server's by now
    if page.locator("#who-here select").count():
        page.select_option("#who-here select", "Counter")
    page.click("#use-as-till")  # the owner sets this browser up as the till "Counter"
    expect(page.locator("#signed-in")).to_have_text("Signed in as ada on Counter")
    eventually(  # the page kept from now on is the one of this till
        page,
        """async () => {
            const kept = await caches.open('midnight-till-page').then(c => c.match('/till'));
            return kept !== undefined && (await kept.text()).includes('data-till="Counter"');
        }""",
    )
    go_offline(page.context)
    page.reload()  # offline: the kept page still says which till this is
    expect(page.locator("#offline-settings")).to_have_attribute("data-origin", "cache")
    expect(page.locator("#signed-in")).to_have_text("Signed in as ada on Counter")
    page.click("#items button.item[data-code=TIN]")
    banner = page.locator("#offline-banner")
    expect(banner).to_contain_text("Offline — 0 orders waiting to be sent")
    expect(banner).not_to_contain_text("null")
    go_online(page.context)  # back while the order is being rung: it is finished here
    expect(banner).to_contain_text("Back online", timeout=60_000)
    expect(page.locator("#offline-finish")).to_contain_text("finish this order here")
    expect(banner).not_to_contain_text("Offline —")
    page.click("#offline-exact")
    page.click("#offline-pay")
    number = page.locator("#offline-kept").inner_text().split()[1]
    assert number.startswith("COUNTER-")
    expect(page.locator(f"#offline-banner li[data-number='{number}'][data-state=recorded]")).to_be_visible(
        timeout=60_000
    )
    expect(page.locator("#offline-panel")).to_have_count(0, timeout=30_000)
    expect(page.locator("#offline-banner-close")).to_be_visible()  # "Hide", readable on the dark banner
    expect(banner).not_to_contain_text("null")
    for size in (TABLET, PHONE):
        page.set_viewport_size(size)
        assert serious_violations(page) == []
    page.click("#offline-banner-close")
    expect(banner).to_be_hidden()
