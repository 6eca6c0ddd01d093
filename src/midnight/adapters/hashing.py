"""Slow, salted hashes of secrets people type: passwords (argon2) and pickup codes.

Hashing is deliberately slow, so the services call these before or after a write transaction,
never inside one.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_passwords = PasswordHasher()
# A pickup code is six digits and locks after five wrong tries: its hash need not cost a password's
# 64 MiB, and a lighter one keeps a busy counter from starving the tills of CPU.
_codes = PasswordHasher(time_cost=2, memory_cost=8 * 1024, parallelism=1)
# Verified against when the user does not exist, so a wrong name costs what a wrong password does.
_UNKNOWN = _passwords.hash("this user does not exist")


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(digest: str | None, password: str) -> bool:
    """True if the password matches; with no digest (no such user), spends the same time and says no."""
    try:
        ok = _passwords.verify(digest or _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and digest is not None


def hash_code(code: str) -> str:
    return _codes.hash(code)


def verify_code(digest: str, code: str) -> bool:
    try:
        return bool(_codes.verify(digest, code))
    except (VerificationError, InvalidHashError):
        return False
