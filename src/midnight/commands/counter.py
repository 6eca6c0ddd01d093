"""The counter shelf: customers, items held for them, handing over; notifications and their settings."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from midnight.commands import Command, Refused
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import (
    Birthday,
    ContactUrl,
    Day,
    Flag,
    IdempotencyKey,
    Label,
    Language,
    Name,
    Note,
    Phone,
    Reason,
    words,
)

Nickname = Annotated[str, words(64, example="663")]
CustomerNotes = Annotated[str, words(2000, multiline=True)]
CustomerRef = Annotated[str, words(200, required=True, example="663")]
Description = Annotated[str, words(500, required=True, example="envelope with keys")]
Slot = Annotated[str, words(32, example="B2")]
PickupCode = Annotated[str, words(12, example="042917")]
Search = Annotated[str, words(200)]
LeftBy = Annotated[str, words(200, example="Ms Wong")]
PhotoPath = Annotated[str, words(500)]
EventName = Annotated[str, words(32, required=True, example="item_waiting")]
Subject = Annotated[str, words(4000, required=True, multiline=True)]
Body = Annotated[str, words(20000, required=True, multiline=True)]
Scheme = Annotated[str, words(32, required=True)]
StateName = Annotated[str, words(16)]
HourMinute = Annotated[str, words(5, required=True, example="07:30")]
MAX_CONTACTS = 10


class AddCustomer(Command):
    name: Name = Field(examples=["Mr Chan 陳先生"])
    nickname: Nickname | None = None
    phone: Phone | None = None
    contacts: list[ContactUrl] = Field(
        default_factory=list, max_length=MAX_CONTACTS, examples=[["mailto://chan@example.com"]]
    )
    birthday: Birthday | None = None
    birthday_greeting: Flag = False
    language: Language = "en"
    notes: CustomerNotes = ""

    @model_validator(mode="after")
    def _greeting_needs_a_day(self) -> Self:
        if self.birthday_greeting and self.birthday is None:
            raise Refused("a birthday greeting needs a birthday", "birthday")
        return self


class CustomerQuery(PageQuery):
    q: Search = Field(default="", description="Part of a name, nickname or phone number.")
    limit: int = Field(default=50, ge=1, le=1000)


class HoldItem(Command):
    description: Description
    for_customer: CustomerRef = Field(description="#number, name or nickname")
    left_by: LeftBy | None = Field(default=None, examples=["Ms Wong"])
    shelf_slot: Slot = ""
    photo_path: PhotoPath | None = None
    hold_until: Day | None = Field(default=None, description="Default: 30 days from today.")
    new_customer: Flag = Field(
        default=False,
        description="If no customer goes by for_customer, add one with that name in the same step.",
    )
    key: IdempotencyKey | None = Field(
        default=None, description="Chosen by the form or program: the same key holds the item once."
    )


class FindHold(Command):
    """Find the waiting item by its pickup code alone."""

    code: PickupCode = Field(examples=["042917"])


class PickUp(Command):
    code: PickupCode | None = None
    identity_checked: Flag = False

    @model_validator(mode="after")
    def _code_or_identity(self) -> Self:
        if not self.code and not self.identity_checked:
            raise Refused("give the pickup code, or check the recipient's identity", "code")
        return self


class Extend(Command):
    hold_until: Day


class ReturnHold(Command):
    note: Note | None = None


class Dispose(Command):
    reason: Reason = Field(examples=["uncollected after 30 days"])


class ShelfQuery(PageQuery):
    all_items: Flag = Field(
        default=False, alias="all", description="Include items picked up, returned or disposed."
    )
    customer: CustomerRef | None = None


class AddTarget(Command):
    url: ContactUrl = Field(examples=["mailto://shop:secret@example.com"])
    label: Label = "staff"


class EditTemplate(Command):
    event: EventName
    language: Language = "en"
    subject: Subject
    body: Body


class DigestTime(Command):
    time: HourMinute


class ContactPolicyIn(Command):
    """Which kinds of address staff may type for customers, and whether the shop's own network is allowed."""

    schemes: list[Scheme] | None = Field(
        default=None,
        max_length=200,
        description="Apprise schemes, e.g. mailto, tgram; null: the personal default.",
    )
    allow_private_addresses: Flag = False


class MessageQuery(PageQuery):
    state: StateName | None = None
