"""The counter shelf and notifications through the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from midnight.commands.counter import AddCustomer, HoldItem
from midnight.services import customers, holds
from midnight.services.context import open_context
from tests.cli.test_cli import Cli
from tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def allow_receiver(cli: Cli) -> None:
    """The receiver is a json:// address on this machine: the owner must allow both for customers."""
    out = cli("notify", "contacts", "--private", "--scheme", "json")
    assert "contact kinds (chosen by the owner): json" in out and "private addresses: allowed" in out


def test_hold_and_hand_over_with_the_code(tmp_path: Path, receiver: Receiver) -> None:
    cli = Cli(tmp_path / "c.db")
    allow_receiver(cli)
    assert "customer #1: Mr Chan 陳先生" in cli(
        "customer",
        "add",
        "Mr Chan 陳先生",
        "--nickname",
        "663",
        "--contact",
        receiver.url(),
        "--language",
        "zh-Hant",
    )
    out = cli("hold", "add", "envelope with keys", "--for", "663", "--left-by", "Ms Wong", "--slot", "B2")
    code = re.search(r"pickup code: (\d{6})", out).group(1)  # type: ignore[union-attr]
    assert "queued 0, delivered 1, failed 0" in cli("notify", "run")
    assert code in str(receiver.messages[0]["message"])
    assert "envelope with keys" in cli("hold", "list")
    err = cli("hold", "pickup", "1", "--code", "999999" if code != "999999" else "111111", code=2)
    assert "wrong pickup code; 4 tries left" in err
    assert "picked_up" in cli("hold", "pickup", "1", "--code", code)
    history = cli("hold", "show", "1")
    assert "wrong_code" in history and "picked_up with the pickup code" in history
    assert json.loads(cli("notify", "list", "--json"))[0]["state"] == "sent"
    assert [c["name"] for c in json.loads(cli("customer", "list", "663", "--json"))] == ["Mr Chan 陳先生"]
    assert "envelope with keys" not in cli("hold", "list")  # picked up: off the shelf
    assert "envelope with keys" in cli("hold", "list", "--all")


def test_customers_are_found_unicode_folded(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "c.db")
    cli("customer", "add", "Élodie Ça", "--contact", "mailto://elodie@example.com")
    cli("customer", "add", "Σωκράτης")
    assert "#1 Élodie Ça" in cli("customer", "show", "ÉLODIE ÇA")
    assert "for Σωκράτης" in cli("hold", "add", "parcel", "--for", "ΣΩΚΡΆΤΗΣ")
    assert [c["name"] for c in json.loads(cli("customer", "list", "élodie", "--json"))] == ["Élodie Ça"]


def test_customer_contacts_need_the_owners_leave(tmp_path: Path, receiver: Receiver) -> None:
    cli = Cli(tmp_path / "c.db")
    url = receiver.url()
    err = cli("customer", "add", "X", "--contact", url, code=2)
    assert err.startswith("error: json:// addresses cannot be used as contacts here") and err.count("\n") == 1
    assert "private addresses: refused" in cli("notify", "contacts", "--scheme", "json")
    err = cli("customer", "add", "X", "--contact", url, code=2)
    assert "127.0.0.1, a loopback address; a contact must be a public service" in err
    assert "private addresses: allowed" in cli("notify", "contacts", "--private")
    assert "customer #1: X" in cli("customer", "add", "X", "--contact", url)
    policy = json.loads(cli("notify", "contacts", "--default", "--no-private", "--json"))
    assert policy["default"] and not policy["allow_private_addresses"] and "mailto" in policy["schemes"]
    assert "json:// addresses cannot be used" in cli("customer", "add", "Y", "--contact", url, code=2)


def test_contacts_are_shown_masked(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "c.db")
    cli("customer", "add", "Mr Chan", "--contact", "mailto://chan:hunter22secret@example.com")
    shown = cli("customer", "show", "Mr Chan")
    assert "mailto://chan:****@example.com" in shown and "hunter22secret" not in shown
    listed = json.loads(cli("customer", "list", "--json"))
    assert listed[0]["contacts"] == ["mailto://chan:****@example.com"]
    cli("hold", "add", "parcel", "--for", "Mr Chan")
    outbox = cli("notify", "list", "--json")
    assert "mailto://chan:****@example.com" in outbox and "hunter22secret" not in outbox


def test_the_outbox_and_the_schedule_are_for_the_owner(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cli = Cli(tmp_path / "c.db")
    secrets = tmp_path_factory.mktemp("pw")
    (secrets / "ada").write_text("owner pass phrase\n", encoding="utf-8")
    (secrets / "kwan").write_text("staff pass phrase\n", encoding="utf-8")
    cli("init", "--owner", "ada", "--password-file", str(secrets / "ada"))
    cli("--user", "ada", "user", "add", "kwan", "--password-file", str(secrets / "kwan"))
    cli("--user", "ada", "customer", "add", "Ms Wong", "--contact", "mailto://wong@example.com")
    assert "pickup code" in cli("--user", "kwan", "hold", "add", "parcel", "--for", "Ms Wong")  # staff may
    for args in (
        ["notify", "list"],
        ["notify", "run"],
        ["notify", "contacts"],
        ["notify", "digest-time", "07:30"],
    ):
        err = cli("--user", "kwan", *args, code=2)
        assert err == "error: kwan (staff) may not manage notifications: owner only\n"
    assert json.loads(cli("--user", "ada", "notify", "list", "--json"))[0]["state"] == "pending"


def test_notify_list_shows_every_page(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "c.db")
    contacts = [arg for n in range(10) for arg in ("--contact", f"mailto://wong{n}@example.com")]
    cli("customer", "add", "Ms Wong", *contacts)
    for n in range(11):
        cli("hold", "add", f"parcel {n}", "--for", "Ms Wong")
    listed = json.loads(cli("notify", "list", "--json"))
    assert len(listed) == 110 and len({m["id"] for m in listed}) == 110  # more than one page of 100
    assert [m["id"] for m in listed] == sorted((m["id"] for m in listed), reverse=True)


def test_templates_through_the_cli(tmp_path: Path, receiver: Receiver) -> None:
    cli = Cli(tmp_path / "c.db")
    allow_receiver(cli)
    cli("customer", "add", "Ms Wong", "--contact", receiver.url())
    body = "Code {{ code }} for {{ customer }}."
    assert "template item_waiting (en) saved" in cli(
        "notify", "template", "item_waiting", "--subject", "{{ store }}", "--body", body
    )
    code = re.search(r"pickup code: (\d{6})", cli("hold", "add", "parcel", "--for", "Ms Wong")).group(1)  # type: ignore[union-attr]
    cli("notify", "run")
    assert receiver.messages[0]["message"] == f"Code {code} for Ms Wong."
    err = cli("notify", "template", "item_waiting", "--subject", "x", "--body", "{{ password }}", code=2)
    assert err == (
        "error: the body uses {{ password }}, which this message does not have; it may use: code, customer, "
        "description, hold_until, shelf_slot, store\n"
    )


def test_counter_bad_input(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "c.db")
    assert "is not a notification address Apprise understands" in cli(
        "customer", "add", "X", "--contact", "nonsense", code=2
    )
    assert "notes must be at most 2000 characters" in cli(
        "customer", "add", "X", "--notes", "x" * 2001, code=2
    )
    assert "text-direction control" in cli("customer", "add", "Mr\u202eChan", code=2)
    assert "no customer is called 'nobody'" in cli("hold", "add", "x", "--for", "nobody", code=2)
    assert "no held item 5" in cli("hold", "pickup", "5", "--id-checked", code=2)
    assert "give the pickup code" in cli("hold", "pickup", "5", code=2)
    assert "not a notification address Apprise understands" in cli("notify", "test", "nonsense", code=2)
    assert "digest time must be HH:MM" in cli("notify", "digest-time", "seven", code=2)
    assert "127.0.0.1, a loopback address" in cli("notify", "target", "json://127.0.0.1:9/staff", code=2)


def test_shelf_and_customer_lists_show_every_page(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "c.db")
    cli("init")
    ctx = open_context(url=f"sqlite:///{tmp_path / 'c.db'}", clock=cli.clock, actor="cli")
    try:
        for n in range(55):  # a customer list page holds 50
            customers.add_customer(ctx, AddCustomer(name=f"Customer {n:02d}"))
        for n in range(105):  # a shelf page holds 100
            holds.hold_item(ctx, HoldItem(description=f"parcel {n}", for_customer=f"Customer {n % 55:02d}"))
    finally:
        ctx.db.dispose()
    listed = json.loads(cli("customer", "list", "--json"))
    assert [c["name"] for c in listed] == [f"Customer {n:02d}" for n in range(55)]
    shelf = json.loads(cli("hold", "list", "--json"))
    assert sorted(h["id"] for h in shelf) == list(range(1, 106))
    assert [h["id"] for h in json.loads(cli("hold", "list", "--all", "--json"))] == list(range(105, 0, -1))
