"""People: roles, what each may do, and the rules for names and passwords."""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass

from midnight.domain.errors import Forbidden, InvalidInput

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MIN_PIN, MAX_PIN = 4, 8
MAX_PIN_FAILURES = 5  # wrong PINs in a row before a PIN locks
_PIN = re.compile(r"[0-9]+")
LANGUAGES = ("en", "zh-Hant")  # what customers may be written to in


class Role(enum.StrEnum):
    OWNER = "owner"  # everything
    STAFF = "staff"  # sell, receive, use, open, hold items, read stock

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise InvalidInput(f"role must be owner or staff, got {text!r}", field="role") from None


class TokenKind(enum.StrEnum):
    API = "api"  # for a program (a till, a script); lives until revoked
    SESSION = "session"  # a person logged in; ends after a while


class Proof(enum.StrEnum):
    """How the person behind a session proved who they are, so what it may hand out."""

    PASSWORD = "password"  # a password, on a browser that is not a till (or an API token, the CLI)
    PIN = "pin"  # a PIN, on a till: a few digits others at the counter may have seen
    TILL = "till"  # a password, but on a browser set up as a till, which others use after


class Permission(enum.StrEnum):
    READ_STOCK = "read stock"
    RECEIVE = "receive stock"
    SELL = "sell"  # sales, kitchen use, orders and their payment, voiding an unpaid order
    OPEN = "open packs"
    HOLD = "hold items"
    MOVE = "move stock"
    ADJUST = "adjust stock"  # counts, undo
    WRITE_OFF = "write off stock"
    REFUND = "refund orders"
    PRICES = "change the menu and prices"
    CATALOG = "change products and locations"
    REPORTS = "read reports and close the day"
    USERS = "manage users"
    SHELF_ADMIN = "unlock or dispose of held items"
    NOTIFY = "manage notifications"
    PURCHASE = "manage suppliers and purchase orders"
    BACKUP = "back up the shop or export its records"


STAFF_MAY = frozenset(
    {Permission.READ_STOCK, Permission.RECEIVE, Permission.SELL, Permission.OPEN, Permission.HOLD}
)


@dataclass(frozen=True)
class Actor:
    """Who is doing something, and so what they may do."""

    name: str
    role: Role
    proof: Proof = Proof.PASSWORD

    def may(self, permission: Permission) -> bool:
        return self.role is Role.OWNER or permission in STAFF_MAY

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise Forbidden(f"{self.name} ({self.role.value}) may not {permission.value}: owner only")

    def password_needed(self, action: str) -> Forbidden:
        """The refusal of `action` (handing out lasting access) to a session begun on a till."""
        began = "began with a PIN" if self.proof is Proof.PIN else "is on a browser set up as a till"
        return Forbidden(
            f"{action} needs your password, and this session {began}: log in with your password on a "
            "computer that is not a till, or give your current password (current_password) to do it",
            field="current_password",
        )


def check_username(text: str) -> str:
    name = str(text).strip()
    if not _NAME.match(name):
        raise InvalidInput(
            f"user name must be 1-64 letters, digits, '.', '_' or '-', got {text!r}", field="name"
        )
    return name.lower()


def check_password(value: object, *, field: str = "password") -> str:
    """Any characters a keyboard makes (spaces included, kept as typed), 8-1024 of them."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    if any(0xD800 <= ord(ch) <= 0xDFFF or ch == "\x00" for ch in value):
        raise InvalidInput(f"{field} contains a character that cannot be stored", field=field)
    if len(value) < MIN_PASSWORD:
        raise InvalidInput(f"{field} must be at least {MIN_PASSWORD} characters", field=field)
    if len(value) > MAX_PASSWORD:
        raise InvalidInput(f"{field} must be at most {MAX_PASSWORD} characters", field=field)
    return value


def check_pin(value: object, *, field: str = "pin") -> str:
    """A PIN to switch users on a till: 4-8 ASCII digits, and not one of the first a guesser tries."""
    if not isinstance(value, str) or not _PIN.fullmatch(value) or not MIN_PIN <= len(value) <= MAX_PIN:
        raise InvalidInput(f"a PIN is {MIN_PIN} to {MAX_PIN} digits, 0-9 only", field=field)
    digits = [int(ch) for ch in value]
    steps = {(after - before) % 10 for before, after in itertools.pairwise(digits)}
    if steps == {0}:
        guessed = "one digit repeated (like 0000)"
    elif steps in ({1}, {9}):
        guessed = "a straight run of digits (like 1234 or 4321)"
    elif len(value) % 2 == 0 and value == value[:2] * (len(value) // 2):
        guessed = "a pair of digits repeated (like 1212)"
    else:
        return value
    raise InvalidInput(f"{guessed} is among the first PINs a guesser tries: choose another PIN", field=field)


def check_language(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}", field="language")
    text = value.strip()
    for language in LANGUAGES:
        if text.lower() == language.lower():
            return language
    raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, got {text[:20]!r}", field="language")
