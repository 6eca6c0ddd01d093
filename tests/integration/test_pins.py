"""Switching users on a shared till with a PIN, on SQLite and PostgreSQL: only on a browser an owner
set up as a till, five wrong in a row lock it (however many guess at once), the person before is
signed out, and nothing slow happens inside a write transaction."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from midnight.adapters import hashing
from midnight.commands import build
from midnight.commands.catalog import PageQuery
from midnight.commands.people import (
    AddUser,
    ChangeUser,
    CreateToken,
    DeviceQuery,
    EnrollDevice,
    LogIn,
    SetPassword,
    SetPin,
)
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from midnight.domain.people import Actor, Proof, Role
from midnight.services import devices, passwords, people, pins, tills
from midnight.services.context import Context

OWNER_PASSWORD = "owner pass phrase"
STAFF_PASSWORD = "staff pass phrase"
LOCKED = "PIN locked after 5 wrong tries: log in with your password or ask an owner to unlock it"


def owner_of(ctx: Context) -> Context:
    return ctx.acting_as(Actor("ada", Role.OWNER))


def staff_of(ctx: Context, name: str = "kwan") -> Context:
    return ctx.acting_as(Actor(name, Role.STAFF))


@pytest.fixture
def shop(ctx: Context) -> Context:
    """An owner (ada), two staff (kwan, mei), and Till 1."""
    people.add_user(ctx, AddUser(name="ada", role="owner", password=OWNER_PASSWORD))
    owner = owner_of(ctx)
    for name in ("kwan", "mei"):
        people.add_user(owner, AddUser(name=name, role="staff", password=STAFF_PASSWORD))
    tills.add_till(owner, "Till 1")
    return ctx


def till_device(ctx: Context, till: str = "Till 1") -> str:
    return devices.enroll_device(owner_of(ctx), EnrollDevice(till=till)).secret


def give_pin(ctx: Context, name: str, pin: str) -> None:
    pins.set_pin(ctx, name, build(SetPin, {"pin": pin}))  # the shop's own machine: an owner


def user_row(ctx: Context, name: str) -> Any:
    with ctx.db.read() as conn:
        return conn.execute(select(t.users).where(t.users.c.name == name)).one()


def pin_events(ctx: Context, name: str) -> list[str]:
    with ctx.db.read() as conn:
        return list(
            conn.execute(
                select(t.user_events.c.detail)
                .where(t.user_events.c.user_name == name, t.user_events.c.action == "pin")
                .order_by(t.user_events.c.id)
            ).scalars()
        )


def switch(ctx: Context, device: str, name: str, pin: str, previous: str | None = None) -> people.IssuedToken:
    return pins.switch_user(ctx, device, name, pin, "10.0.0.7", previous)


def test_a_pin_guessed_first_is_refused_saying_why_and_nothing_is_stored(shop: Context) -> None:
    # the rules themselves: tests/unit/test_pin_rules.py
    with pytest.raises(InvalidInput, match="a straight run of digits") as refused:
        give_pin(shop, "kwan", "4321")
    assert refused.value.field == "pin"
    assert user_row(shop, "kwan").pin_hash is None


def test_staff_set_their_own_pin_only_with_their_password_and_an_owner_sets_or_clears_anyones(
    shop: Context,
) -> None:
    kwan = staff_of(shop)
    with pytest.raises(InvalidInput, match="give your current password to set your PIN"):
        pins.set_pin(kwan, "kwan", SetPin(pin="2580"))
    with pytest.raises(InvalidInput, match="give your current password"):
        pins.set_pin(kwan, "kwan", SetPin(pin="2580", current_password="not my password"))
    info = pins.set_pin(kwan, "kwan", SetPin(pin="2580", current_password=STAFF_PASSWORD))
    assert (info.has_pin, info.pin_locked) == (True, False)
    with pytest.raises(Forbidden, match="kwan \\(staff\\) may not manage users"):
        pins.set_pin(kwan, "mei", SetPin(pin="2580", current_password=STAFF_PASSWORD))
    assert pins.set_pin(owner_of(shop), "mei", SetPin(pin="97531")).has_pin
    assert pins.clear_pin(owner_of(shop), "mei").has_pin is False
    assert pins.clear_pin(kwan, "kwan").has_pin is False
    assert pin_events(shop, "kwan") == ["set", "cleared"]
    assert pin_events(shop, "mei") == ["set", "cleared"]
    with pytest.raises(NotFound, match="no user nobody"):
        give_pin(shop, "nobody", "2580")


def test_the_stored_pin_is_keyed_with_the_servers_key_before_it_is_hashed(shop: Context) -> None:
    give_pin(shop, "kwan", "2580")
    stored = user_row(shop, "kwan").pin_hash
    assert stored.startswith("$argon2")
    # A copied database alone does not give the PIN away: its hash is not of the PIN itself.
    assert hashing.verify_pin(stored, "2580") is False
    assert hashing.verify_pin(stored, shop.adapters.box.keyed("2580", "till pin")) is True


def test_a_right_pin_on_a_till_signs_in_and_signs_out_the_person_before(shop: Context) -> None:
    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    before = people.log_in(shop, LogIn(name="ada", password=OWNER_PASSWORD), "10.0.0.7").token
    issued = switch(shop, device, "Kwan", "2580", previous=before)
    assert people.authenticate(shop, issued.token) == Actor("kwan", Role.STAFF, Proof.PIN)
    assert issued.info.label == "PIN on Till 1"
    assert issued.info.expires_at == shop.now() + people.SESSION_LIFE
    with pytest.raises(NotAuthenticated, match="unknown or revoked token"):
        people.authenticate(shop, before)
    assert devices.device_till(shop, device) == "Till 1"


def test_five_wrong_pins_in_a_row_lock_it_until_an_owner_unlocks_it_or_a_new_pin_is_set(
    shop: Context,
) -> None:
    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    for left in (4, 3, 2):
        with pytest.raises(NotAuthenticated, match=f"wrong PIN: {left} more tries before it locks"):
            switch(shop, device, "kwan", "1357")
    with pytest.raises(NotAuthenticated, match="wrong PIN: 1 more try before it locks"):
        switch(shop, device, "kwan", "1357")
    with pytest.raises(TooManyAttempts, match=f"wrong PIN. {LOCKED}"):
        switch(shop, device, "kwan", "1357")
    with pytest.raises(TooManyAttempts, match=LOCKED):
        switch(shop, device, "kwan", "2580")  # the right PIN, too late
    row = user_row(shop, "kwan")
    assert (row.pin_failures, row.pin_locked_at) == (5, shop.now())
    assert pins.switch_names(shop, device, PageQuery()).names.items == [pins.PinUser("kwan", True)]
    # the password still works, and the lock is the PIN's alone
    people.log_in(shop, LogIn(name="kwan", password=STAFF_PASSWORD), "10.0.0.7")
    with pytest.raises(Forbidden, match="may not manage users"):
        pins.unlock_pin(staff_of(shop), "kwan")
    assert pins.unlock_pin(owner_of(shop), "kwan").pin_locked is False
    switch(shop, device, "kwan", "2580")
    for _ in range(5):
        with pytest.raises((NotAuthenticated, TooManyAttempts)):
            switch(shop, device, "kwan", "0852")
    pins.set_pin(staff_of(shop), "kwan", SetPin(pin="8642", current_password=STAFF_PASSWORD))
    assert user_row(shop, "kwan").pin_failures == 0
    switch(shop, device, "kwan", "8642")
    assert pin_events(shop, "kwan") == [
        "set",
        "locked after 5 wrong tries",
        "unlocked",
        "locked after 5 wrong tries",
        "set, and unlocked",
    ]
    with pytest.raises(Conflict, match="mei has no PIN to unlock"):
        pins.unlock_pin(owner_of(shop), "mei")


def test_a_right_pin_forgets_the_wrong_ones_before_it(shop: Context) -> None:
    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    for _ in range(4):
        with pytest.raises(NotAuthenticated):
            switch(shop, device, "kwan", "1357")
    switch(shop, device, "kwan", "2580")
    assert user_row(shop, "kwan").pin_failures == 0
    with pytest.raises(NotAuthenticated, match="4 more tries"):
        switch(shop, device, "kwan", "1357")


def test_eight_guesses_at_once_never_get_more_than_five_pins_checked(
    shop: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    guesses = 8
    checked: list[str | None] = []
    settled = threading.Condition()
    refused_early = [0]
    real = pins.verify_pin

    def held(digest: str | None, keyed: str) -> bool:
        # Every guess that gets this far waits here until all eight were counted or refused, so
        # the counting races as hard as it can while no PIN has been checked yet.
        with settled:
            checked.append(digest)
            settled.notify_all()
            settled.wait_for(lambda: len(checked) + refused_early[0] == guesses)
        return real(digest, keyed)

    monkeypatch.setattr(pins, "verify_pin", held)
    outcomes: list[str] = []
    start = threading.Barrier(guesses)

    def guess(pin: str) -> None:
        start.wait()
        try:
            switch(shop, device, "kwan", pin)
            outcomes.append("in")
        except (NotAuthenticated, TooManyAttempts) as exc:
            if exc.message == LOCKED:
                with settled:
                    refused_early[0] += 1
                    settled.notify_all()
            outcomes.append(exc.message)

    threads = [threading.Thread(target=guess, args=(f"{1357 + n * 2:04d}",)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 5
    assert outcomes.count(LOCKED) == 3
    assert "in" not in outcomes
    row = user_row(shop, "kwan")
    assert row.pin_failures == 5 and row.pin_locked_at is not None
    with shop.db.read() as conn:
        tried = conn.execute(
            select(func.count()).where(t.pin_attempts.c.user_name == "kwan", t.pin_attempts.c.ok.is_(False))
        ).scalar_one()
    assert tried == 5


def test_a_pin_works_only_on_a_browser_an_owner_set_up_as_a_till(shop: Context) -> None:
    give_pin(shop, "kwan", "2580")
    for junk in ("", "mxd_not-a-device", "x" * 300, "mxs_" + "a" * 40):
        with pytest.raises(Forbidden, match="PINs work only on a browser an owner has set up as a till"):
            switch(shop, junk, "kwan", "2580")
        with pytest.raises(Forbidden):
            pins.switch_names(shop, junk, PageQuery())
        assert devices.device_till(shop, junk) is None
    device = till_device(shop)
    revoked = devices.revoke_device(
        owner_of(shop), devices.list_devices(owner_of(shop), DeviceQuery()).items[0].id
    )
    assert revoked.revoked_at == shop.now()
    with pytest.raises(Forbidden, match="an owner revoked that on 2026-11-25 10:00"):
        switch(shop, device, "kwan", "2580")
    assert devices.device_till(shop, device) is None
    with shop.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.pin_attempts)).scalar_one() == 0
    assert user_row(shop, "kwan").pin_failures == 0


def test_staff_cannot_set_up_list_or_revoke_till_devices(shop: Context) -> None:
    kwan = staff_of(shop)
    with pytest.raises(Forbidden, match="may not manage users"):
        devices.enroll_device(kwan, EnrollDevice(till="Till 1"))
    with pytest.raises(Forbidden, match="may not manage users"):
        devices.list_devices(kwan, DeviceQuery())
    till_device(shop)
    with pytest.raises(Forbidden, match="may not manage users"):
        devices.revoke_device(kwan, 1)
    with pytest.raises(NotFound, match="no till Till 9: add it first"):
        devices.enroll_device(owner_of(shop), EnrollDevice(till="Till 9"))


def test_setting_a_browser_up_again_ends_its_set_up_before_and_owners_list_and_revoke_devices(
    shop: Context,
) -> None:
    owner = owner_of(shop)
    tills.add_till(owner, "Till 2")
    first = devices.enroll_device(owner, EnrollDevice(till="till 1", label="front counter tablet"))
    again = devices.enroll_device(owner, EnrollDevice(till="Till 2"), first.secret)
    assert devices.device_till(shop, first.secret) is None
    assert devices.device_till(shop, again.secret) == "Till 2"
    assert again.info.label == "Till 2, set up 2026-11-25"
    other = till_device(shop)
    live = devices.list_devices(owner, DeviceQuery(limit=1))
    assert [d.id for d in live.items] == [3]
    assert [
        d.id for d in devices.list_devices(owner, DeviceQuery(limit=5, cursor=live.next_cursor)).items
    ] == [2]
    everything = devices.list_devices(owner, DeviceQuery(include_revoked=True)).items
    assert [(d.id, d.till, d.label, d.revoked_at is not None) for d in everything] == [
        (3, "Till 1", "Till 1, set up 2026-11-25", False),
        (2, "Till 2", "Till 2, set up 2026-11-25", False),
        (1, "Till 1", "front counter tablet", True),
    ]
    devices.revoke_device(owner, 3)
    devices.revoke_device(owner, 3)  # once is enough; again changes nothing
    assert devices.device_till(shop, other) is None
    with shop.db.read() as conn:
        details = list(
            conn.execute(
                select(t.user_events.c.detail)
                .where(t.user_events.c.action == "till device")
                .order_by(t.user_events.c.id)
            ).scalars()
        )
    assert details == [
        "set up 1 as Till 1 (front counter tablet)",
        "revoked 1 (Till 1)",
        "set up 2 as Till 2 (Till 2, set up 2026-11-25)",
        "set up 3 as Till 1 (Till 1, set up 2026-11-25)",
        "revoked 3 (Till 1)",
    ]
    with pytest.raises(NotFound, match="no till device 99"):
        devices.revoke_device(owner, 99)


def test_an_unknown_name_costs_the_same_check_as_a_wrong_pin_and_counts_against_the_device(
    shop: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    checked: list[str | None] = []
    real = pins.verify_pin

    def counted(digest: str | None, keyed: str) -> bool:
        checked.append(digest)
        return real(digest, keyed)

    monkeypatch.setattr(pins, "verify_pin", counted)
    for name in ("nobody", "mei"):  # no such user; a user with no PIN
        with pytest.raises(NotAuthenticated, match=r"^wrong PIN$"):
            switch(shop, device, name, "2580")
    with pytest.raises(NotAuthenticated, match="wrong PIN"):
        switch(shop, device, "kwan", "1357")
    assert checked == [None, None, user_row(shop, "kwan").pin_hash]


def test_a_till_device_may_try_only_so_many_wrong_pins_in_a_while_whoever_they_name(
    shop: Context, clock: FixedClock
) -> None:
    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    for n in range(pins.MAX_DEVICE_FAILURES):
        with pytest.raises(NotAuthenticated):
            switch(shop, device, f"guess{n}", "2580")
    with pytest.raises(TooManyAttempts, match="too many wrong PINs on Till 1: try again after 10:15"):
        switch(shop, device, "kwan", "2580")
    assert user_row(shop, "kwan").pin_failures == 0  # kwan's own count was not touched
    other = till_device(shop)  # another till device at the same address still has its own allowance
    switch(shop, other, "kwan", "2580")
    clock.advance(dt.timedelta(minutes=16))
    switch(shop, device, "kwan", "2580")


def test_an_address_may_try_only_so_many_wrong_pins_in_a_while_on_any_device(shop: Context) -> None:
    give_pin(shop, "kwan", "2580")
    tried = 0
    while tried < pins.MAX_ADDRESS_FAILURES:
        device = till_device(shop)
        for _ in range(min(pins.MAX_DEVICE_FAILURES, pins.MAX_ADDRESS_FAILURES - tried)):
            with pytest.raises(NotAuthenticated):
                switch(shop, device, "somebody", "2580")
            tried += 1
    with pytest.raises(TooManyAttempts, match=r"too many wrong PINs from 10\.0\.0\.7"):
        switch(shop, till_device(shop), "kwan", "2580")
    pins.switch_user(shop, till_device(shop), "kwan", "2580", "10.0.0.8", None)


def test_a_switched_off_user_cannot_switch_in_nor_be_given_a_pin(shop: Context) -> None:
    from midnight.commands.people import ChangeUser

    device = till_device(shop)
    give_pin(shop, "kwan", "2580")
    people.change_user(owner_of(shop), "kwan", ChangeUser(active=False))
    with pytest.raises(NotAuthenticated, match=r"^wrong PIN$"):
        switch(shop, device, "kwan", "2580")
    assert pins.switch_names(shop, device, PageQuery()).names.items == []
    with pytest.raises(Conflict, match="kwan is switched off"):
        give_pin(shop, "kwan", "97531")


def test_who_can_switch_in_is_a_page_of_names_with_a_pin(shop: Context) -> None:
    device = till_device(shop)
    for name, pin in (("kwan", "2580"), ("mei", "97531"), ("ada", "86420")):
        give_pin(shop, name, pin)
    first = pins.switch_names(shop, device, PageQuery(limit=2))
    assert first.till == "Till 1"
    assert [p.name for p in first.names.items] == ["ada", "kwan"]
    rest = pins.switch_names(shop, device, PageQuery(limit=2, cursor=first.names.next_cursor))
    assert [p.name for p in rest.names.items] == ["mei"] and rest.names.next_cursor is None


@pytest.fixture
def watched(shop: Context, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the slow calls made; each fails the test if made inside a write transaction."""
    calls: list[str] = []

    def watch(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            assert shop.db.writing_depth() == 0, f"{name} ran inside a write transaction"
            calls.append(name)
            return fn(*args, **kwargs)

        return wrapped

    for name in ("hash_pin", "verify_pin"):
        monkeypatch.setattr(pins, name, watch(name, getattr(pins, name)))
    monkeypatch.setattr(passwords, "verify_password", watch("verify_password", passwords.verify_password))
    monkeypatch.setattr(people, "hash_password", watch("hash_password", people.hash_password))
    return calls


def test_pins_are_hashed_and_checked_outside_every_write_transaction(
    shop: Context, watched: list[str]
) -> None:
    device = till_device(shop)
    pins.set_pin(staff_of(shop), "kwan", SetPin(pin="2580", current_password=STAFF_PASSWORD))
    switch(shop, device, "kwan", "2580")
    for _ in range(5):
        with pytest.raises((NotAuthenticated, TooManyAttempts)):
            switch(shop, device, "kwan", "1357")
    with pytest.raises(NotAuthenticated):
        switch(shop, device, "nobody", "1357")
    assert watched.count("verify_password") == 1
    assert watched.count("hash_pin") == 1
    assert watched.count("verify_pin") == 7


# --- a session begun on a till hands out no lasting access without the password ---------------------


def test_a_pin_session_makes_no_token_adds_no_user_and_sets_up_no_device_without_the_password(
    shop: Context,
) -> None:
    device = till_device(shop)
    give_pin(shop, "ada", "2580")
    ada = shop.acting_as(people.authenticate(shop, switch(shop, device, "ada", "2580").token))
    assert ada.who.proof is Proof.PIN
    kept = people.create_token(
        shop, "kwan", CreateToken(label="back office")
    ).info.id  # the shop's own machine
    refusals = {
        "making an API token": lambda pw: people.create_token(
            ada, "ada", CreateToken(label="x", current_password=pw)
        ),
        "adding a user": lambda pw: people.add_user(
            ada, AddUser(name="eve", role="owner", password="eve pass phrase", current_password=pw)
        ),
        "changing a person's role or access": lambda pw: people.change_user(
            ada, "kwan", ChangeUser(role="owner", current_password=pw)
        ),
        "changing another person's password": lambda pw: people.set_password(
            ada, "kwan", SetPassword(password="kwan new phrase", current_password=pw)
        ),
        "revoking an API token": lambda pw: people.revoke_token(ada, kept, pw),
        "setting up a till device": lambda pw: devices.enroll_device(
            ada, EnrollDevice(till="Till 1", current_password=pw)
        ),
        "revoking a till device": lambda pw: devices.revoke_device(ada, 1, pw),
    }
    for action, attempt in refusals.items():
        with pytest.raises(
            Forbidden, match=f"^{action} needs your password, and this session began with a PIN"
        ):
            attempt(None)
        with pytest.raises(Forbidden, match="the password given is not ada's"):
            attempt("not the password")
    assert {u.name: u.role for u in people.list_users(shop, PageQuery()).items} == {
        "ada": "owner",
        "kwan": "staff",
        "mei": "staff",
    }
    # With the password given again, it may.
    assert people.create_token(ada, "ada", CreateToken(label="x", current_password=OWNER_PASSWORD)).token
    assert people.change_user(ada, "kwan", ChangeUser(active=False, current_password=OWNER_PASSWORD))
    assert devices.revoke_device(ada, 1, OWNER_PASSWORD).revoked_at is not None


def test_a_password_session_on_a_till_needs_the_password_again_and_ten_wrong_ones_stop_it(
    shop: Context,
) -> None:
    device = till_device(shop)
    issued = people.log_in(shop, LogIn(name="ada", password=OWNER_PASSWORD), "10.0.0.7", device)
    ada = shop.acting_as(people.authenticate(shop, issued.token))
    assert ada.who.proof is Proof.TILL and issued.info.label == "login from 10.0.0.7 on a till"
    with pytest.raises(
        Forbidden, match="this session is on a browser set up as a till: log in with your password"
    ):
        people.create_token(ada, "ada", CreateToken(label="x"))
    for _ in range(passwords.MAX_FAILURES):
        with pytest.raises(Forbidden):
            people.create_token(ada, "ada", CreateToken(label="x", current_password="guess guess"))
    with pytest.raises(TooManyAttempts, match="too many wrong passwords given for ada"):
        people.create_token(ada, "ada", CreateToken(label="x", current_password=OWNER_PASSWORD))
    # Off the till (no device cookie), the same password begins a session that needs nothing more.
    office = people.log_in(shop, LogIn(name="ada", password=OWNER_PASSWORD), "10.0.0.8", "")
    assert people.authenticate(shop, office.token).proof is Proof.PASSWORD
    assert people.create_token(
        shop.acting_as(people.authenticate(shop, office.token)), "ada", CreateToken(label="x")
    )


def test_a_browser_set_up_as_a_till_puts_its_open_session_on_the_till_and_revoking_it_ends_them(
    shop: Context,
) -> None:
    office = people.log_in(shop, LogIn(name="ada", password=OWNER_PASSWORD), "10.0.0.7").token
    ada = shop.acting_as(people.authenticate(shop, office))
    device = devices.enroll_device(ada, EnrollDevice(till="Till 1"), "", office).secret
    assert people.authenticate(shop, office).proof is Proof.TILL
    give_pin(shop, "kwan", "2580")
    kwan = switch(shop, device, "kwan", "2580").token
    typed = people.log_in(shop, LogIn(name="mei", password=STAFF_PASSWORD), "10.0.0.7", device).token
    devices.revoke_device(shop, 1)
    for ended in (office, kwan, typed):
        with pytest.raises(NotAuthenticated):
            people.authenticate(shop, ended)


def test_the_password_given_again_is_checked_outside_every_write_transaction(
    shop: Context, watched: list[str]
) -> None:
    device = till_device(shop)
    give_pin(shop, "ada", "2580")
    ada = shop.acting_as(people.authenticate(shop, switch(shop, device, "ada", "2580").token))
    people.add_user(ada, AddUser(name="eve", password="eve pass phrase", current_password=OWNER_PASSWORD))
    assert watched.count("verify_password") == 1 and watched.count("hash_password") == 1
