"""Printers on the Admin page in a real browser, at a tablet and a phone: add one, test print it, and
watch the page follow the job (htmx, every second) until the server's print worker has printed it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import log_in, serious_violations
from tests.fake_printer import RASTER_IMAGE, FakePrinter

VIEWPORTS = {"tablet": {"width": 768, "height": 1024}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_printer_added_on_the_admin_page_prints_its_test_page(
    browser: Browser, server: str, printer: FakePrinter, size: str
) -> None:
    page = log_in(browser, server, "ada", viewport=VIEWPORTS[size])
    page.goto("/admin")
    add = page.locator("form[action='/admin/printers']")
    add.get_by_label("Printer name").fill(f"Counter {size}")
    add.get_by_label("Connected by").select_option("network")
    add.get_by_label("Address").fill(printer.address)
    add.get_by_label("Paper").select_option("58")
    add.get_by_label("Chinese").select_option("image")
    add.get_by_role("button", name="Add printer").click()
    expect(page.get_by_label(f"address of Counter {size}")).to_have_value(printer.address)
    page.get_by_role("button", name=f"Test print on Counter {size}").click()
    status = page.locator(".print-status")
    expect(status).to_have_text(f"Test page printed on Counter {size}.")  # polled until the worker printed it
    (sent,) = printer.wait_for(1)
    assert RASTER_IMAGE in sent
    assert serious_violations(page) == []
    page.close()
