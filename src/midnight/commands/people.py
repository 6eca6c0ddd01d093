"""People: logging in, users and their roles, passwords, API tokens."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from midnight.commands import Command, Refused
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import Flag, Label, Password, Pin, Role, TillName, UserName, words
from midnight.domain.people import MAX_PASSWORD, MAX_PIN
from midnight.domain.people import Role as Roles


def _your_password() -> str | None:
    return Field(
        default=None,
        max_length=MAX_PASSWORD,
        description="Your own password, given again: needed from a session begun on a till (by a PIN, "
        "or on a browser set up as a till).",
    )


class Confirm(Command):
    """Your password given again, for an action a session begun on a till may not do without it."""

    current_password: str | None = _your_password()


class LogIn(Command):
    name: Annotated[str, words(64, required=True, example="ada")]
    password: str = Field(max_length=MAX_PASSWORD, examples=["correct horse battery"])


class AddUser(Command):
    name: UserName
    role: Role = Roles.STAFF
    password: Password
    current_password: str | None = _your_password()


class ChangeUser(Command):
    role: Role | None = None
    active: Flag | None = None
    current_password: str | None = _your_password()

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.role is None and self.active is None:
            raise Refused("nothing to change: give a role or active", "role")
        return self


class SetPassword(Command):
    password: Password
    current_password: str | None = Field(
        default=None,
        max_length=MAX_PASSWORD,
        description="Your own password: needed to change your own through the API, and to change "
        "another person's from a session begun on a till.",
    )


class CreateToken(Command):
    label: Label
    current_password: str | None = _your_password()


class TokenQuery(PageQuery):
    user: UserName | None = None


class SetPin(Command):
    """A PIN to switch to a user on a till: 4-8 digits, not one a guesser tries first."""

    pin: Pin
    current_password: str | None = Field(
        default=None,
        max_length=MAX_PASSWORD,
        description="Needed to set your own PIN through the API or the pages.",
    )


class SwitchUser(Command):
    """Switch to a user on a till set up for it, with their PIN."""

    name: Annotated[str, words(64, required=True, example="kwan")]
    # Any digits are taken and checked against the hash: the rules for a new PIN are not applied here.
    pin: str = Field(min_length=1, max_length=MAX_PIN, examples=["2580"])


class EnrollDevice(Command):
    """Set up this browser as a till: staff can then switch users on it with a PIN."""

    till: TillName
    label: Annotated[str, words(100, example="front counter tablet")] = ""
    current_password: str | None = _your_password()


class DeviceQuery(PageQuery):
    include_revoked: Flag = Field(default=False, alias="all", description="Include revoked devices.")
