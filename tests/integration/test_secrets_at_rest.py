"""What a copied database gives away: no pickup code, no contact credentials, no message text.

Addresses and waiting messages are sealed with a key kept outside the database (beside a SQLite
file, mode 0600); only the masked form of an address is stored in the clear.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from midnight.adapters.secrets import SecretBox, SecretUnreadable, load_key
from midnight.commands.counter import AddCustomer, AddTarget, ContactPolicyIn, HoldItem
from midnight.db import tables as t
from midnight.services import customers, holds, notify
from midnight.services.context import Context

SECRET = "S3cretPassw0rd"


def dump(ctx: Context) -> str:
    """Every text the database holds in the tables that carry contacts and messages."""
    with ctx.db.read() as conn:
        rows = [
            *conn.execute(select(t.customer_contacts)).all(),
            *conn.execute(select(t.notify_targets)).all(),
            *conn.execute(select(t.outbox)).all(),
            *conn.execute(select(t.holds)).all(),
        ]
    return "\n".join(str(value) for row in rows for value in row)


def test_no_code_credential_or_message_is_readable_in_the_database(ctx: Context) -> None:
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["mailtos"], allow_private_addresses=False))
    chan = customers.add_customer(
        ctx, AddCustomer(name="Mr Chan 陳先生", contacts=[f"mailtos://chan:{SECRET}@example.com"])
    )
    assert chan.contacts == [c.replace(SECRET, "****") for c in chan.contacts]
    assert all(SECRET not in c and "****" in c for c in chan.contacts)
    notify.add_target(ctx, AddTarget(url=f"mailtos://shop:{SECRET}@example.com"))
    new = holds.hold_item(ctx, HoldItem(description="envelope with keys", for_customer=f"#{chan.id}"))
    stored = dump(ctx)
    assert SECRET not in stored
    assert new.code not in stored  # neither in the outbox message nor anywhere else
    assert "envelope with keys is waiting" not in stored
    # the masked address is what people see, and it is kept in the clear for them
    assert "mailtos://chan:****@example.com" in stored


def test_a_sealed_value_opens_only_with_its_key(tmp_path: Path) -> None:
    key_file = tmp_path / "shop.db.key"
    box = SecretBox(load_key(key_file))
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    sealed = box.seal("mailtos://chan:secret@example.com")
    assert box.seal("mailtos://chan:secret@example.com") == sealed  # the outbox's unique key still works
    assert SecretBox(load_key(key_file)).open(sealed) == "mailtos://chan:secret@example.com"
    other = SecretBox(load_key(tmp_path / "other.key"))
    with pytest.raises(SecretUnreadable, match="key file"):
        other.open(sealed)
    assert (
        box.open("mailto://written-before-sealing@example.com")
        == "mailto://written-before-sealing@example.com"
    )


def test_a_damaged_key_file_is_refused_clearly(tmp_path: Path) -> None:
    key_file = tmp_path / "bad.key"
    key_file.write_text("not a key", encoding="utf-8")
    with pytest.raises(SecretUnreadable, match="damaged"):
        load_key(key_file)
