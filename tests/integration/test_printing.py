"""Receipts, kitchen tickets and the cash drawer on ESC/POS printers, through a fake network printer
on loopback: what arrives, what the till is told when the printer fails, and that a sale never
depends on the paper."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from midnight.adapters.printer import BAND, EscposPrinters, Line, PrinterConfig, PrintOut, checked_target
from midnight.commands import build
from midnight.commands.printing import (
    AddPrinter,
    ChangePrinter,
    KickDrawer,
    PrintJobQuery,
    PrintReceipt,
    SetTill,
)
from midnight.commands.till import ParkOrder, PlaceOrder
from midnight.db import printing as printing_db
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.order import OrderState
from midnight.domain.people import Actor, Role
from midnight.domain.printing import (
    MAX_PRINTED_LINES,
    NOTE_ON_PAPER,
    JobKind,
    JobState,
    PrinterKind,
    TextMode,
)
from midnight.print_worker import PrintWorker
from midnight.services import kitchen, orders, print_queue, printing, tickets, tills
from midnight.services.context import Context
from midnight.settings import printer_network_rules
from tests.fake_printer import (
    CHINESE_MODE,
    CUT,
    KICK_PIN_2,
    KICK_PIN_5,
    PAPER_QUERY,
    RASTER_IMAGE,
    FakePrinter,
    allow_loopback,
    refused_address,
)
from tests.integration.till_setup import add_modifiers, open_snack_bar, stock_up


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    allow_loopback(monkeypatch)
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def shop(ctx: Context, printer: FakePrinter) -> Context:
    """A snack bar with a counter printer (80 mm) on Till 1, which prints every sale and kicks pin 2."""
    open_snack_bar(ctx)
    stock_up(ctx)
    printing.add_printer(ctx, AddPrinter(name="Counter", kind="network", address=printer.address))
    tills.add_till(ctx, "Till 1")
    printing.set_till(ctx, "Till 1", SetTill(printer="Counter", drawer_pin="2", auto_print="true"))
    return ctx


def sell(ctx: Context, key: str, *codes: str, pay: list[dict[str, str]], till: str = "Till 1") -> Any:
    lines = [{"code": code, "quantity": "1"} for code in codes]
    return orders.place_order(ctx, key, build(PlaceOrder, {"lines": lines, "payments": pay, "till": till}))


def work(ctx: Context) -> int:
    return PrintWorker(ctx).run_once()


def cash(amount: str) -> list[dict[str, str]]:
    return [{"method": "cash", "amount": amount}]


def test_a_cash_sale_prints_its_receipt_cuts_the_paper_and_opens_the_drawer(
    shop: Context, printer: FakePrinter
) -> None:
    order = sell(shop, "k1", "TIN", "SALAD", pay=cash("100"))
    job_id = printing.after_sale(shop, order.id, "Till 1")
    assert job_id is not None
    assert printing.job_status(shop, job_id).state is JobState.PENDING
    assert work(shop) == 1
    (sent,) = printer.wait_for(1)
    assert sent.startswith(PAPER_QUERY)  # asked for its paper first
    assert b"Order #%d" % order.id in sent and b"TOTAL" in sent and b"HK$56.00" in sent
    assert b"Tinned pineapple ????" in sent  # latin: Chinese is a "?" each, never an error
    assert CUT in sent and KICK_PIN_2 in sent
    job = printing.job_status(shop, job_id)
    assert job.state is JobState.DONE and job.error is None and job.open_drawer
    assert job.printer == "Counter" and job.till == "Till 1" and job.kind is JobKind.RECEIPT


def test_a_card_sale_prints_but_leaves_the_drawer_shut(shop: Context, printer: FakePrinter) -> None:
    order = sell(shop, "k1", "TIN", pay=[{"method": "card", "amount": "18"}])
    job_id = printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    assert b"TOTAL" in sent and CUT in sent and KICK_PIN_2 not in sent
    assert not printing.job_status(shop, job_id or 0).open_drawer


def test_paying_again_with_the_same_key_prints_the_receipt_once(shop: Context) -> None:
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    first = printing.after_sale(shop, order.id, "Till 1")
    again = sell(shop, "k1", "TIN", pay=cash("20"))
    assert again.replayed and printing.after_sale(shop, again.id, "Till 1") == first


def test_a_till_that_does_not_print_every_sale_queues_nothing(shop: Context) -> None:
    printing.set_till(shop, "Till 1", SetTill(auto_print="false"))
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    assert printing.after_sale(shop, order.id, "Till 1") is None
    assert printing.after_sale(shop, order.id, None) is None
    assert printing.after_sale(shop, order.id, "a till nobody set up") is None
    assert printing.list_jobs(shop, PrintJobQuery()).items == []


def test_gb18030_mode_sends_the_chinese_name_in_the_printers_chinese_mode(
    shop: Context, printer: FakePrinter
) -> None:
    printing.change_printer(shop, "Counter", ChangePrinter(text_mode="gb18030", paper_mm="58"))
    order = sell(shop, "k1", "SALAD", pay=cash("40"))
    printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    assert CHINESE_MODE in sent and "廚師沙律".encode("gb18030") in sent
    assert "多謝".encode("gb18030") in sent and CUT in sent


def test_big5_mode_sends_traditional_chinese_in_big5(shop: Context, printer: FakePrinter) -> None:
    printing.change_printer(shop, "Counter", ChangePrinter(text_mode="big5"))
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    assert CHINESE_MODE in sent and "罐頭菠蘿".encode("big5") in sent


def test_image_mode_sends_the_receipt_as_a_raster_picture(shop: Context, printer: FakePrinter) -> None:
    printing.change_printer(shop, "Counter", ChangePrinter(text_mode="image", paper_mm="58"))
    order = sell(shop, "k1", "SALAD", pay=cash("40"))
    printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    at = sent.index(RASTER_IMAGE)
    width_bytes = sent[at + 4] + 256 * sent[at + 5]
    assert width_bytes == 384 // 8  # 58 mm paper: 384 dots across
    assert b"TOTAL" not in sent  # the text is in the picture
    assert CUT in sent and KICK_PIN_2 in sent


def test_out_of_paper_fails_the_receipt_says_so_and_the_order_stays_paid(
    shop: Context, printer: FakePrinter
) -> None:
    printer.paper = False
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    job_id = printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    job = printing.job_status(shop, job_id or 0)
    assert job.state is JobState.FAILED and job.error is not None
    assert "out of paper" in job.error and "drawer was opened" in job.error
    assert b"TOTAL" not in sent and KICK_PIN_2 in sent  # no receipt, but the change can be given
    assert orders.get_order(shop, order.id).state is OrderState.PAID
    assert work(shop) == 0  # not tried again by itself


def test_a_printer_that_refuses_the_connection_fails_the_job_naming_it_and_the_order_stays_paid(
    shop: Context,
) -> None:
    address = refused_address()
    printing.change_printer(shop, "Counter", ChangePrinter(kind="network", address=address))
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    job_id = printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    job = printing.job_status(shop, job_id or 0)
    assert job.state is JobState.FAILED
    assert job.error == (
        f"Counter (network {address}) refused the connection: is the printer on, and is its address right?"
    )
    assert orders.get_order(shop, order.id).state is OrderState.PAID
    failed = printing.list_jobs(shop, PrintJobQuery(state="failed")).items
    assert [j.id for j in failed] == [job_id]


def test_a_printer_that_does_not_answer_the_paper_query_is_printed_to_anyway(
    shop: Context, printer: FakePrinter
) -> None:
    printer.answers = False
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    job_id = printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    assert b"TOTAL" in sent
    assert printing.job_status(shop, job_id or 0).state is JobState.DONE


def test_a_reprint_is_a_new_job_and_never_opens_the_drawer(shop: Context, printer: FakePrinter) -> None:
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    first = printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    staff = shop.acting_as(Actor("kwan", Role.STAFF))
    again = printing.print_receipt(staff, order.id, PrintReceipt())  # on the till it was rung on
    assert again.id != first and again.state is JobState.PENDING and not again.open_drawer
    work(shop)
    _, reprinted = printer.wait_for(2)
    assert b"TOTAL" in reprinted and KICK_PIN_2 not in reprinted
    assert printing.job_status(shop, again.id).state is JobState.DONE
    mine = printing.list_jobs(shop, PrintJobQuery(order=order.id)).items
    assert [j.id for j in mine] == [again.id, first]


def test_a_reprint_goes_to_the_printer_named_or_says_what_is_missing(shop: Context) -> None:
    printing.add_printer(shop, AddPrinter(name="Back office", kind="usb", address="04B8:202", paper_mm="58"))
    order = sell(shop, "k1", "TIN", pay=cash("20"), till="Tablet by the door")
    job = printing.print_receipt(shop, order.id, PrintReceipt(printer="back office"))
    assert job.printer == "Back office"
    with pytest.raises(InvalidInput, match="not a till with a printer"):
        printing.print_receipt(shop, order.id, PrintReceipt())
    with pytest.raises(NotFound, match="no till Till 9"):
        printing.print_receipt(shop, order.id, PrintReceipt(till="Till 9"))
    with pytest.raises(NotFound, match="no order #999"):
        printing.print_receipt(shop, 999, PrintReceipt(till="Till 1"))
    printing.change_printer(shop, "Back office", ChangePrinter(active="false"))
    with pytest.raises(Conflict, match="switched off"):
        printing.print_receipt(shop, order.id, PrintReceipt(printer="Back office"))


def test_no_sale_opens_the_drawer_and_records_who_and_why(shop: Context, printer: FakePrinter) -> None:
    printing.set_till(shop, "Till 1", SetTill(drawer_pin="5"))
    staff = shop.acting_as(Actor("kwan", Role.STAFF))
    job = printing.open_drawer(staff, "till 1", KickDrawer(reason="change for the float"))
    assert job.kind is JobKind.DRAWER and job.actor == "kwan" and job.reason == "change for the float"
    work(shop)
    (sent,) = printer.wait_for(1)
    assert KICK_PIN_5 in sent and CUT not in sent
    assert printing.job_status(shop, job.id).state is JobState.DONE
    printing.set_till(shop, "Till 1", SetTill(drawer_pin="none"))
    with pytest.raises(Conflict, match="no cash drawer"):
        printing.open_drawer(staff, "Till 1", KickDrawer(reason="change"))


def test_a_kitchen_ticket_prints_on_its_stations_printer(shop: Context, printer: FakePrinter) -> None:
    kitchen_printer = FakePrinter()
    try:
        printing.add_printer(
            shop,
            AddPrinter(name="Kitchen", kind="network", address=kitchen_printer.address, text_mode="gb18030"),
        )
        kitchen.add_station(shop, "Hot kitchen", printer="Kitchen")
        kitchen.set_item_station(shop, "SALAD", "Hot kitchen")
        lines = [{"code": "SALAD", "quantity": "2", "note": "no onion 走蔥"}]
        order = orders.place_order(shop, "k1", build(PlaceOrder, {"lines": lines, "payments": cash("100")}))
        assert work(shop) == 1  # the ticket: this order was rung on no till, so no receipt
        (ticket,) = kitchen_printer.wait_for(1)
        assert b"HOT KITCHEN" in ticket and b"#%d" % order.call_number in ticket
        assert "2 x 廚師沙律 Chef's salad".encode("gb18030") in ticket
        assert "!! no onion 走蔥".encode("gb18030") in ticket and CUT in ticket
        assert b"\x1b!0" in ticket  # ESC ! 0x30: the call number printed double width and height
        assert printer.jobs == []
        (job,) = printing.list_jobs(shop, PrintJobQuery()).items
        assert job.kind is JobKind.KITCHEN and job.state is JobState.DONE and job.printer == "Kitchen"
    finally:
        kitchen_printer.close()


def test_a_test_page_shows_the_printers_settings(shop: Context, printer: FakePrinter) -> None:
    job = printing.test_printer(shop, "Counter")
    done = print_queue.print_now(shop, EscposPrinters(), job.id)
    assert done.state is JobState.DONE
    (sent,) = printer.wait_for(1)
    assert b"Printer: Counter" in sent and b"Paper: 80 mm, 48 columns" in sent and CUT in sent


def test_a_job_left_printing_by_a_crash_fails_after_a_minute(shop: Context, clock: FixedClock) -> None:
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    job_id = printing.after_sale(shop, order.id, "Till 1") or 0
    with shop.db.write() as conn:  # a worker took it, then the server stopped
        assert printing_db.claim_next(conn, shop.store.id, shop.now()) is not None
        assert printing_db.claim_next(conn, shop.store.id, shop.now()) is None  # taken once only
    assert print_queue.recover(shop) == 0
    clock.advance(dt.timedelta(seconds=61))
    assert print_queue.recover(shop) == 1
    job = printing.job_status(shop, job_id)
    assert job.state is JobState.FAILED and job.error is not None and "interrupted" in job.error


def test_a_job_nobody_printed_for_ten_minutes_is_not_printed_late(shop: Context, clock: FixedClock) -> None:
    job = printing.open_drawer(shop, "Till 1", KickDrawer(reason="change"))
    clock.advance(dt.timedelta(minutes=11))
    assert work(shop) == 0
    assert printing.job_status(shop, job.id).state is JobState.FAILED


def test_staff_print_and_open_the_drawer_but_only_owners_set_printers_up(shop: Context) -> None:
    staff = shop.acting_as(Actor("kwan", Role.STAFF))
    assert [p.name for p in printing.list_printers(staff)] == ["Counter"]
    for attempt in (
        lambda: printing.add_printer(staff, AddPrinter(name="X", kind="network", address="10.0.0.9")),
        lambda: printing.change_printer(staff, "Counter", ChangePrinter(paper_mm="58")),
        lambda: printing.set_till(staff, "Till 1", SetTill(auto_print="false")),
        lambda: printing.test_printer(staff, "Counter"),
    ):
        with pytest.raises(Forbidden):
            attempt()


def test_printer_addresses_are_checked_for_their_kind(shop: Context) -> None:
    def add(name: str, kind: str, address: str) -> str:
        return printing.add_printer(shop, AddPrinter(name=name, kind=kind, address=address)).address

    assert add("A", "network", "192.168.1.50") == "192.168.1.50:9100"
    assert add("B", "network", "localhost:9101") == "localhost:9101"  # a name, found on loopback here
    assert add("C", "usb", "0x04b8:0x0e15") == "04b8:0e15"
    assert add("D", "serial", "/dev/ttyUSB0") == "/dev/ttyUSB0:9600"
    assert add("E", "serial", "/dev/ttyS0:19200") == "/dev/ttyS0:19200"
    for kind, address, says in (
        ("network", "192.168.1.50:99999", "port must be between 1 and 65535"),
        ("network", "http://printer", "HOST or HOST:PORT"),
        ("usb", "epson", "VID:PID"),
        ("serial", "COM3", "/dev/ttyUSB0"),
        ("serial", "/dev/ttyS0:12345", "baud rate"),
    ):
        with pytest.raises(InvalidInput, match=says):
            add("F", kind, address)
    with pytest.raises(Conflict, match="already a printer called Counter"):
        add("counter", "network", "10.0.0.1")
    with pytest.raises(InvalidInput, match="latin, gb18030, big5 or image"):
        build(AddPrinter, {"name": "G", "kind": "network", "address": "10.0.0.2", "text_mode": "unicode"})
    with pytest.raises(InvalidInput, match="58 or 80"):
        build(AddPrinter, {"name": "G", "kind": "network", "address": "10.0.0.2", "paper_mm": "76"})
    with pytest.raises(InvalidInput, match="pin 2 or 5"):
        build(SetTill, {"drawer_pin": "3"})
    with pytest.raises(InvalidInput, match="network, usb or serial"):
        build(AddPrinter, {"name": "G", "kind": "bluetooth", "address": "x"})


def test_a_till_shows_its_printer_drawer_and_auto_print(shop: Context) -> None:
    (till,) = tills.list_tills(shop)
    assert (till.receipt_printer, till.drawer_pin, till.auto_print) == ("Counter", 2, True)
    changed = printing.set_till(shop, "till 1", SetTill(printer=None, drawer_pin=None))
    assert (changed.receipt_printer, changed.drawer_pin, changed.auto_print) == (None, None, True)


def test_latin_text_that_no_code_page_has_prints_as_question_marks() -> None:
    device = PrinterConfig("P", PrinterKind.NETWORK, "127.0.0.1:9100", 58, TextMode.LATIN)
    sent = EscposPrinters().render(device, PrintOut((Line("Café 🍍 罐頭"), Line("A12", big=True))))
    assert b"Caf" in sent and b"??" in sent and CUT in sent


def test_the_worker_prints_a_job_as_soon_as_it_is_queued(shop: Context, printer: FakePrinter) -> None:
    worker = PrintWorker(shop, interval=3600)  # it would look again only in an hour: the queue wakes it
    worker.start()
    try:
        printing.open_drawer(shop, "Till 1", KickDrawer(reason="change for the float"))
        (sent,) = printer.wait_for(1)
        assert KICK_PIN_2 in sent
    finally:
        worker.stop()


def test_two_workers_never_print_one_job_twice(shop: Context, printer: FakePrinter) -> None:
    queued = [printing.open_drawer(shop, "Till 1", KickDrawer(reason=f"change {n}")).id for n in range(6)]
    workers = [PrintWorker(shop), PrintWorker(shop)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    printer.wait_for(6)
    assert len(printer.jobs) == 6
    for job_id in queued:
        job = printing.job_status(shop, job_id)
        assert job.state is JobState.DONE and job.attempts == 1


# --- a network printer is on the shop's own network, never the server or the internet ---------------

REFUSED = [  # typed address, what the refusal says
    ("127.0.0.1:8122", "127.0.0.1, a loopback address"),
    ("169.254.169.254", "169.254.169.254, the cloud's metadata service"),
    ("[fd00:ec2::254]:80", "fd00:ec2::254, the cloud's metadata service"),
    ("0.0.0.0", "0.0.0.0, an unspecified address"),
    ("[::]", ":: , an unspecified address".replace(" ,", ",")),
    ("[::1]", "::1, a loopback address"),
    ("[::ffff:127.0.0.1]", "127.0.0.1, a loopback address"),
    ("[::ffff:7f00:1]:9100", "127.0.0.1, a loopback address"),
    ("0x7f000001", "127.0.0.1, a loopback address"),
    ("2130706433", "127.0.0.1, a loopback address"),
    ("0177.0.0.1", "127.0.0.1, a loopback address"),
    ("127.1", "127.0.0.1, a loopback address"),
    ("8.8.8.8", "8.8.8.8, a public address"),
    ("[2001:4860:4860::8888]", "2001:4860:4860::8888, a public address"),
    ("[::ffff:8.8.8.8]", "8.8.8.8, a public address"),
    ("224.0.0.1", "224.0.0.1, a multicast address"),
    ("[ff02::1]", "ff02::1, a multicast address"),
    ("255.255.255.255", "255.255.255.255, the broadcast address"),
    ("192.0.2.10", "192.0.2.10, a special-purpose address"),
    ("100.64.0.1", "100.64.0.1, not a public address"),
    ("[64:ff9b::c0a8:132]", "a special-purpose address"),  # NAT64 of 192.168.1.50: via a gateway
    ("localhost:9100", "localhost finds 127.0.0.1, which is not a printer's address"),
    ("printer.invalid", "no computer called printer.invalid was found on the network"),
    ("[::1", "has no closing ]"),
    ("[::1]x", "HOST or HOST:PORT"),
    ("10.0.0.5:0", "port must be between 1 and 65535"),
    ("10.0.0.5:65536", "port must be between 1 and 65535"),
]
ALLOWED = [  # typed address, as stored
    ("10.0.0.20", "10.0.0.20:9100"),
    ("172.16.5.4:9101", "172.16.5.4:9101"),
    ("172.31.255.1", "172.31.255.1:9100"),
    ("192.168.1.50", "192.168.1.50:9100"),
    ("0300.0250.1.50", "192.168.1.50:9100"),  # octal, as the resolver reads it: stored plainly
    ("[::ffff:192.168.1.50]", "192.168.1.50:9100"),
    ("169.254.10.20", "169.254.10.20:9100"),  # a printer that gave itself a link-local address
    ("[fd12:3456::50]:9100", "[fd12:3456::50]:9100"),
    ("[fe80::1%lo]", "[fe80::1%lo]:9100"),
]


def test_a_network_printer_must_be_on_the_shops_own_network(
    shop: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIDNIGHT_PRINTERS_ON_LOOPBACK")  # as in a shop
    for typed, says in REFUSED:
        with pytest.raises(InvalidInput, match=re.escape(says)) as refused:
            printing.add_printer(shop, AddPrinter(name="Probe", kind="network", address=typed))
        assert refused.value.field == "address", typed
        with pytest.raises(InvalidInput, match=re.escape(says)):
            printing.change_printer(shop, "Counter", ChangePrinter(address=typed))
    assert [p.name for p in printing.list_printers(shop)] == ["Counter"]
    for number, (typed, stored) in enumerate(ALLOWED):
        added = printing.add_printer(shop, AddPrinter(name=f"P{number}", kind="network", address=typed))
        assert added.address == stored
    with pytest.raises(InvalidInput, match="must be on the shop's own network: a private address such as"):
        printing.add_printer(shop, AddPrinter(name="Probe", kind="network", address="8.8.8.8"))


def test_the_servers_own_port_is_refused_and_loopback_only_when_allowed(
    shop: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIDNIGHT_LISTEN_PORT", "8122")
    with pytest.raises(InvalidInput, match="port 8122 is this server's own"):
        printing.add_printer(shop, AddPrinter(name="Probe", kind="network", address="192.168.1.50:8122"))
    # Allowed for tests (the fake printer): loopback, in every spelling, and names that find it.
    assert printing.add_printer(
        shop, AddPrinter(name="L1", kind="network", address="0x7f000001")
    ).address == ("127.0.0.1:9100")
    assert printing.add_printer(shop, AddPrinter(name="L2", kind="network", address="[::1]")).address == (
        "[::1]:9100"
    )
    # ... but never the unspecified address or the metadata service.
    for typed in ("0.0.0.0", "169.254.169.254"):
        with pytest.raises(InvalidInput, match="not a printer's address"):
            printing.add_printer(shop, AddPrinter(name="Probe", kind="network", address=typed))


def test_a_printers_address_is_checked_again_when_it_is_connected_to(
    shop: Context, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIDNIGHT_LISTEN_PORT", str(printer.port))  # say the server listens there now
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    job_id = printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    assert printing.job_status(shop, job_id or 0).error == (
        f"Counter (network {printer.address}) is not printed to: port {printer.port} is this server's own, "
        "not a printer's"
    )
    monkeypatch.delenv("MIDNIGHT_LISTEN_PORT")
    monkeypatch.delenv("MIDNIGHT_PRINTERS_ON_LOOPBACK")  # a printer stored before: refused when used
    job = printing.print_receipt(shop, order.id, PrintReceipt(till="Till 1"))
    work(shop)
    error = printing.job_status(shop, job.id).error or ""
    assert error.startswith(
        f"Counter (network {printer.address}) is not printed to: 127.0.0.1 is not a printer"
    )
    assert "a loopback address" in error
    assert printer.jobs == []  # nothing was sent, not even a connection made
    assert orders.get_order(shop, order.id).state is OrderState.PAID


def test_a_printer_named_is_connected_to_at_the_address_its_name_was_checked_as(
    shop: Context, printer: FakePrinter
) -> None:
    printing.change_printer(shop, "Counter", ChangePrinter(address=f"localhost:{printer.port}"))
    assert checked_target(f"localhost:{printer.port}", printer_network_rules()) == ("127.0.0.1", printer.port)
    order = sell(shop, "k1", "TIN", pay=cash("20"))
    printing.after_sale(shop, order.id, "Till 1")
    work(shop)
    (sent,) = printer.wait_for(1)
    assert b"TOTAL" in sent


# --- what one ticket may put on paper -------------------------------------------------------------


def test_an_oversized_kitchen_ticket_prints_a_bounded_job_that_ends_saying_what_is_left_out(
    shop: Context, printer: FakePrinter
) -> None:
    """200 lines, each with a 500-character note and 4 modifiers, parked and sent to a station whose
    printer draws pictures: before, 6.8 MB sent and seconds of the print worker, memory by the
    hundred megabytes."""
    add_modifiers(shop)
    printing.add_printer(
        shop, AddPrinter(name="Kitchen", kind="network", address=printer.address, text_mode="image")
    )
    kitchen.add_station(shop, "Hot kitchen", printer="Kitchen")
    kitchen.set_item_station(shop, "SALAD", "Hot kitchen")
    filler = "no onion, dressing apart, cut in four, 走蔥 " * 20
    lines = [
        {
            "code": "SALAD",
            "note": f"{n:03} {filler}"[:500],
            "modifiers": ["LARGE", "ADD-EGG", "MORE-HAM", "NO-HAM"],
        }
        for n in range(200)
    ]
    orders.park_order(
        shop, "big", build(ParkOrder, {"lines": lines, "label": "Table 4", "send_to_kitchen": True})
    )
    (job,) = printing.list_jobs(shop, PrintJobQuery()).items
    with shop.db.write() as conn:
        claimed = printing_db.claim(conn, job.id, shop.now())
    assert claimed is not None and job.ticket_id is not None
    out = print_queue.print_out(shop, claimed)
    everything = tickets.render(shop, kitchen.get_ticket(shop, job.ticket_id), 80)
    assert len(out.lines) == MAX_PRINTED_LINES < len(everything)
    left_out = len(everything) - (MAX_PRINTED_LINES - 1)
    assert out.lines[-1].text == f"… {left_out} more lines — see the screen"
    notes = [line.text for line in everything if line.text.startswith("   !! ")]
    assert notes[0] == "   !! 000 no onion, dressing apart, cut in four,"
    assert sum(len(note) - 6 for note in notes[:3]) + 2 <= NOTE_ON_PAPER + 3  # a note: 3 lines at most
    assert notes[2].endswith("…")
    finished = print_queue.run(shop, EscposPrinters(), claimed)
    assert finished.state is JobState.DONE, finished.error
    (sent,) = printer.wait_for(1)
    assert sent.count(RASTER_IMAGE) == -(-MAX_PRINTED_LINES // BAND)  # drawn band by band
    assert len(sent) < 300_000, len(sent)  # every line of every note, as one picture, was 6.8 MB
    # In text, the job's last line before the cut says what was left out.
    as_text = EscposPrinters().render(
        PrinterConfig("Kitchen", PrinterKind.NETWORK, printer.address, 80, TextMode.LATIN), out
    )
    tail = as_text[as_text.rindex(b"\x85 ") :]  # "…" in the code page (CP1252) python-escpos chose
    assert tail.startswith(b"\x85 %d more lines \x97 see the screen\n" % left_out)
    assert CUT in tail and b"!!" not in tail


def test_a_long_note_is_cut_short_on_paper_but_kept_whole_on_the_order(
    shop: Context, printer: FakePrinter
) -> None:
    printing.add_printer(shop, AddPrinter(name="Kitchen", kind="network", address=printer.address))
    kitchen.add_station(shop, "Hot kitchen", printer="Kitchen")
    kitchen.set_item_station(shop, "SALAD", "Hot kitchen")
    note = "no onion " + "x" * 300
    order = orders.place_order(
        shop, "k1", build(PlaceOrder, {"lines": [{"code": "SALAD", "note": note}], "payments": cash("100")})
    )
    work(shop)
    (ticket,) = printer.wait_for(1)
    assert b"!! no onion xxx" in ticket and b"x" * (NOTE_ON_PAPER - 9) not in ticket
    assert "…".encode("cp1252") in ticket
    assert orders.get_order(shop, order.id).lines[0].note == note
