"""midnight customer: who items are held for, and how to reach them."""

from __future__ import annotations

from typing import Annotated

import typer

from midnight.cli.app import JsonFlag, app, command, context_of, every
from midnight.cli.output import print_json, table
from midnight.commands.counter import AddCustomer, CustomerQuery
from midnight.services import customers

customer_app = typer.Typer(
    help="Customers: who items are held for, and how to reach them.", no_args_is_help=True
)
app.add_typer(customer_app, name="customer")


@customer_app.command("add")
def customer_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME")],
    nickname: Annotated[str | None, typer.Option(help="Nickname or staff number, e.g. 663.")] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    contact: Annotated[list[str] | None, typer.Option(help="Apprise URL to reach them (repeat).")] = None,
    birthday: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    greet: Annotated[bool, typer.Option("--greet/--no-greet", help="Send a birthday greeting.")] = False,
    language: Annotated[str, typer.Option(help="en or zh-Hant")] = "en",
    notes: Annotated[str, typer.Option()] = "",
    as_json: JsonFlag = False,
) -> None:
    """Add a customer."""
    new = command(
        AddCustomer,
        {
            "name": name,
            "nickname": nickname,
            "phone": phone,
            "contacts": contact,
            "birthday": birthday,
            "birthday_greeting": greet,
            "language": language,
            "notes": notes,
        },
    )
    who = customers.add_customer(context_of(ctx), new)
    if as_json:
        print_json(who)
        return
    print(f"customer #{who.id}: {who.name}")


@customer_app.command("list")
def customer_list(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(metavar="[SEARCH]")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Customers, found by name, nickname or phone."""
    s = context_of(ctx)
    found = list(
        every(
            lambda cursor: customers.search_customers(
                s, command(CustomerQuery, {"q": query, "cursor": cursor})
            )
        )
    )
    if as_json:
        print_json(found)
        return
    table(
        "Customers",
        ["#", "name", "nickname", "phone", "language", "contacts"],
        [[c.id, c.name, c.nickname, c.phone, c.language, len(c.contacts)] for c in found],
    )


@customer_app.command("show")
def customer_show(
    ctx: typer.Context, who: Annotated[str, typer.Argument(metavar="CUSTOMER")], as_json: JsonFlag = False
) -> None:
    """One customer (by #number, name or nickname)."""
    found = customers.get_customer(context_of(ctx), who)
    if as_json:
        print_json(found)
        return
    print(
        f"#{found.id} {found.name} ({found.nickname or '-'}), {found.phone or 'no phone'}, {found.language}"
    )
    for url in found.contacts:
        print(f"  {url}")
