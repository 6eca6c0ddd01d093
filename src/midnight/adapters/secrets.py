"""Secrets kept in the database but unreadable without a key kept outside it.

Contact addresses with credentials and messages waiting in the outbox (a pickup code, a customer's
name) are stored encrypted, so a copied database file or a backup does not give them away. The key
lives in a file beside the SQLite database (or where MIDNIGHT_SECRET_KEY_FILE says), readable only by
the server's user.

AES-SIV is deterministic: the same address always seals to the same text, so the outbox's unique
(event, address) key still stops a message being queued twice; it reveals only that two sealed
values are equal, and it authenticates what it decrypts.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from midnight.domain.errors import MidnightError

PREFIX = "siv1:"
KEY_BYTES = 64  # AES-256-SIV


class SecretUnreadable(MidnightError):
    """A stored secret cannot be decrypted: the key file is not the one it was written with."""

    code = "secret_unreadable"
    http_status = 500


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._siv = AESSIV(key)
        # For keyed digests (a till PIN before it is hashed): a key of its own, derived from this one.
        self._mac_key = hashlib.sha256(b"midnight keyed digest\x00" + key).digest()

    def keyed(self, text: str, purpose: str) -> str:
        """An HMAC-SHA256 of `text` under the key: a short secret (a 4-digit PIN) whose hash is in a
        copied database or backup cannot be found by trying every value without the key file too."""
        message = purpose.encode() + b"\x00" + text.encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()

    @classmethod
    def ephemeral(cls) -> SecretBox:
        """For a database that lives only as long as the process (SQLite in memory)."""
        return cls(secrets.token_bytes(KEY_BYTES))

    def seal(self, text: str) -> str:
        return PREFIX + base64.urlsafe_b64encode(self._siv.encrypt(text.encode(), None)).decode()

    def open(self, stored: str) -> str:
        """The plain text; text stored before encryption was introduced is returned as it is."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._siv.decrypt(base64.urlsafe_b64decode(stored[len(PREFIX) :]), None).decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise SecretUnreadable(
                "a stored secret cannot be read with this server's key file; restore the key file the "
                "database was used with"
            ) from None


def load_key(path: Path) -> bytes:
    """The key in `path`, made (readable by this user only) if there is none yet."""
    if not path.exists():
        # Written aside and linked into place, so a second server process never reads half a key
        # (a draft of its own for each caller: threads starting at once each make one).
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise SecretUnreadable(f"the key file {path} is damaged: it does not hold a {KEY_BYTES}-byte key")
    return key
