"""Customers as the counter shelf meets them: named, nicknamed or numbered, and added on the spot."""

from __future__ import annotations

from midnight.domain.errors import InvalidInput, NotFound


class UnknownCustomer(NotFound):
    """No customer goes by this name; `addable` when it could be a new customer's name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.addable = could_be_a_name(name)
        super().__init__(f"no customer is called {name!r}", field="customer")


def could_be_a_name(text: str) -> bool:
    """A #number or a bare number means someone already known, never a new customer's name."""
    shown = text.strip()
    return bool(shown) and not shown.startswith("#") and not (shown.isdigit() and shown.isascii())


def check_new_name(text: str) -> str:
    name = " ".join(text.split())
    if not could_be_a_name(name):
        raise InvalidInput(
            f"{text.strip()!r} looks like a customer number, not a name: give the new customer's name",
            field="for_customer",
        )
    return name
