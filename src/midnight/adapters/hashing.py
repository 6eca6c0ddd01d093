"""Slow, salted hashes of secrets people type: passwords (argon2), pickup codes and till PINs.

Hashing is deliberately slow, so the services call these before or after a write transaction,
never inside one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_passwords = PasswordHasher()
# A pickup code is six digits and locks after five wrong tries: its hash need not cost a password's
# 64 MiB, and a lighter one keeps a busy counter from starving the tills of CPU.
_codes = PasswordHasher(time_cost=2, memory_cost=8 * 1024, parallelism=1)
# Verified against when the user does not exist, so a wrong name costs what a wrong password does.
_UNKNOWN = _passwords.hash("this user does not exist")
# A till PIN, like a pickup code, is a few digits that lock after five wrong tries (and only on a
# browser an owner set up as a till): the lighter hash, so switching users on a busy till is quick.
# What is hashed is the PIN keyed with the server's secret key (services.pins), not the PIN itself.
_UNKNOWN_PIN = _codes.hash("no such user or no PIN")
# Argon2 is meant to eat CPU; one hash at a time per process leaves the other core to the tills,
# however many logins (or a flood of them) arrive at once. They queue here instead.
_one_at_a_time = threading.BoundedSemaphore(1)
T = TypeVar("T")


def _queued(work: Callable[[], T]) -> T:
    with _one_at_a_time:
        return work()


def hash_password(password: str) -> str:
    return _queued(lambda: _passwords.hash(password))


def verify_password(digest: str | None, password: str) -> bool:
    """True if the password matches; with no digest (no such user), spends the same time and says no."""
    try:
        ok = _queued(lambda: _passwords.verify(digest or _UNKNOWN, password))
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and digest is not None


def hash_code(code: str) -> str:
    return _queued(lambda: _codes.hash(code))


def verify_code(digest: str, code: str) -> bool:
    try:
        return bool(_queued(lambda: _codes.verify(digest, code)))
    except (VerificationError, InvalidHashError):
        return False


def hash_pin(keyed_pin: str) -> str:
    return _queued(lambda: _codes.hash(keyed_pin))


def verify_pin(digest: str | None, keyed_pin: str) -> bool:
    """True if the PIN matches; with no digest (no such user, or no PIN), spends the same time and says no."""
    try:
        ok = _queued(lambda: _codes.verify(digest or _UNKNOWN_PIN, keyed_pin))
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and digest is not None
