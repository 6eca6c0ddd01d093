"""Nothing slow inside a write transaction: hashing, checking codes, rendering templates, parsing
contact addresses and sending happen before or after it, so a till never waits behind them.

Each slow call is watched (the real one still runs) and must find its thread outside every write
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from midnight.commands.counter import AddCustomer, AddTarget, ContactPolicyIn, EditTemplate, HoldItem, PickUp
from midnight.commands.people import AddUser, LogIn, SetPassword
from midnight.domain.errors import InvalidInput, NotAuthenticated
from midnight.domain.people import Actor, Role
from midnight.services import customers, holds, notify, passwords, people, schedule
from midnight.services.context import Context


@pytest.fixture
def watched(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the slow calls made; each one fails the test if made inside a write transaction."""
    calls: list[str] = []

    def watch(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            assert ctx.db.writing_depth() == 0, f"{name} ran inside a write transaction"
            calls.append(name)
            return fn(*args, **kwargs)

        return wrapped

    for module, name in [
        (holds, "hash_code"),
        (holds, "verify_code"),
        (people, "hash_password"),
        (people, "verify_password"),
        (passwords, "verify_password"),  # a password asked again (on a till) or to change it
        (customers, "check_contact"),
        (notify, "check_contact"),
        (notify, "check_destination"),
    ]:
        monkeypatch.setattr(module, name, watch(name, getattr(module, name)))
    renderer, notifier = ctx.adapters.renderer, ctx.adapters.notifier
    monkeypatch.setattr(renderer, "render", watch("render", renderer.render))
    monkeypatch.setattr(renderer, "check", watch("check", renderer.check))
    monkeypatch.setattr(notifier, "send", watch("send", notifier.send))
    return calls


def test_people_hash_and_check_passwords_outside_the_write_lock(ctx: Context, watched: list[str]) -> None:
    people.add_user(ctx, AddUser(name="ada", role="owner", password="owner pass phrase"))
    owner = ctx.acting_as(Actor("ada", Role.OWNER))
    people.set_password(
        owner, "ada", SetPassword(password="a new pass phrase", current_password="owner pass phrase")
    )
    people.log_in(ctx, LogIn(name="ada", password="a new pass phrase"), "10.0.0.1")
    with pytest.raises(NotAuthenticated, match="wrong user name or password"):
        people.log_in(ctx, LogIn(name="nobody", password="whatever it is"), "10.0.0.1")
    assert watched.count("hash_password") == 2
    # the current password, the login, and an unknown name (checked against a stand-in hash)
    assert watched.count("verify_password") == 3


def test_the_counter_hashes_renders_and_sends_outside_the_write_lock(
    ctx: Context, watched: list[str]
) -> None:
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["mailto", "json"], allow_private_addresses=True))
    chan = customers.add_customer(
        ctx, AddCustomer(name="Mr Chan 陳先生", contacts=["json://127.0.0.1:9/hook"])
    )
    notify.edit_template(
        ctx,
        EditTemplate(
            event="item_waiting",
            subject="{{ store }}: for {{ customer }}",
            body="Code {{ code }} until {{ hold_until }}",
        ),
    )
    new = holds.hold_item(ctx, HoldItem(description="keys", for_customer=f"#{chan.id}"))
    with pytest.raises(InvalidInput, match="wrong pickup code"):
        holds.pick_up(ctx, new.hold.id, PickUp(code="999999" if new.code != "999999" else "000000"))
    holds.pick_up(ctx, new.hold.id, PickUp(code=new.code))
    notify.add_target(ctx, AddTarget(url="json://127.0.0.1:9/staff"))
    ctx.clock.advance(dt.timedelta(hours=1))  # type: ignore[attr-defined]
    schedule.run(ctx)  # queues the digest (rendered) and tries to deliver (nothing listens on port 9)
    for name in ("check_contact", "check", "hash_code", "render", "verify_code", "check_destination", "send"):
        assert name in watched, name
