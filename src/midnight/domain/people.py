"""People: roles, what each may do, and the rules for names and passwords."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from midnight.domain.errors import Forbidden, InvalidInput

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 8


class Role(enum.StrEnum):
    OWNER = "owner"  # everything
    STAFF = "staff"  # sell, receive, use, open, hold items, read stock

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise InvalidInput(f"role must be owner or staff, got {text!r}", field="role") from None


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


STAFF_MAY = frozenset(
    {Permission.READ_STOCK, Permission.RECEIVE, Permission.SELL, Permission.OPEN, Permission.HOLD}
)


@dataclass(frozen=True)
class Actor:
    """Who is doing something, and so what they may do."""

    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return self.role is Role.OWNER or permission in STAFF_MAY

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            raise Forbidden(f"{self.name} ({self.role.value}) may not {permission.value}: owner only")


def check_username(text: str) -> str:
    name = str(text).strip()
    if not _NAME.match(name):
        raise InvalidInput(
            f"user name must be 1-64 letters, digits, '.', '_' or '-', got {text!r}", field="name"
        )
    return name.lower()


def check_password(text: str) -> str:
    if len(text) < MIN_PASSWORD:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD} characters", field="password")
    if len(text) > 1024:
        raise InvalidInput("password must be at most 1024 characters", field="password")
    return text
