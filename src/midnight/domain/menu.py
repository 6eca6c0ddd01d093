"""Menu items: what is sold, its recipe of stock, and its reduce-to-clear rule."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from midnight.domain.errors import InvalidInput
from midnight.domain.pricing import line_gross, round_half_up
from midnight.domain.quantity import SCALE

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_code(text: str) -> str:
    code = str(text).strip()
    if not _CODE.match(code):
        raise InvalidInput(
            f"menu code must be 1-64 letters, digits, '.', '_' or '-'; got {text!r}", field="code"
        )
    return code.upper()


@dataclass(frozen=True)
class RecipeLine:
    sku: str
    milli: int  # of the product's unit, per one unit sold
    unit: str = ""  # the product's unit ("each": counted one by one)


def sold_by_weight(recipe: list[RecipeLine]) -> bool:
    """An item that hands over a measured amount of one product (ham by the kilo) may be sold and
    refunded in parts; a tin, a bottle or a dish is sold whole."""
    return len(recipe) == 1 and recipe[0].unit not in ("", "each")


def sold_as_is(recipe: list[RecipeLine]) -> bool:
    """An item that hands over whole things of one product counted each (a tin): drawn whole, sealed."""
    return len(recipe) == 1 and recipe[0].unit == "each" and recipe[0].milli % SCALE == 0


def check_sold_whole(name: str, recipe: list[RecipeLine], milli_sold: int) -> None:
    """An item that hands over whole things counted one by one (a tin, a bottle) sells whole: half a
    tin is not a sale. A kitchen recipe drawing part of one (0.1 of a lettuce) is not limited."""
    if milli_sold % SCALE == 0:
        return
    for line in recipe:
        if line.unit == "each" and line.milli % SCALE == 0:
            raise InvalidInput(
                f"{name} is sold in whole units: {Decimal(milli_sold) / SCALE} is not a whole number",
                field="quantity",
            )


@dataclass(frozen=True)
class Markdown:
    """Reduce to clear: units drawn from lots within `days` of their effective expiry are `percent` off."""

    days: int
    percent: Decimal

    def applies(self, effective_expiry: dt.date, today: dt.date) -> bool:
        return (effective_expiry - today).days <= self.days


def check_markdown(days: int | None, percent: Decimal | None, recipe_lines: int) -> Markdown | None:
    """A reduce-to-clear rule needs both its days and its percentage, and one product to watch."""
    if days is None and percent is None:
        return None
    if days is None or percent is None:
        raise InvalidInput("a markdown needs both days before expiry and a percentage", field="markdown")
    if recipe_lines != 1:
        raise InvalidInput(
            "a markdown applies only to an item that sells one product directly", field="markdown"
        )
    return Markdown(days, percent)


def markdown_amount(unit_price: int, recipe_milli: int, marked_down_stock: int, percent: Decimal) -> int:
    """The price reduction for the units sold from marked-down lots.

    `marked_down_stock` is in milli-units of the product; one menu unit draws `recipe_milli`.
    """
    units = Decimal(marked_down_stock) / recipe_milli  # menu units, exact
    return round_half_up(Decimal(unit_price) * units * percent / 100)


def line_markdown(
    unit_price: int,
    milli_sold: int,
    recipe: list[RecipeLine],
    rule: Markdown | None,
    drawn: list[tuple[dt.date, int]],
    today: dt.date,
) -> int:
    """A line's reduce-to-clear amount, from the lots its stock came from: (effective expiry, milli).

    The till's quote and its payment both price with this, so the screen shows what is charged.
    """
    if rule is None:
        return 0
    marked_down = sum(milli for expiry, milli in drawn if rule.applies(expiry, today))
    if not marked_down:
        return 0
    amount = markdown_amount(unit_price, recipe[0].milli, marked_down, rule.percent)
    return min(amount, line_gross(unit_price, milli_sold))


def scale_recipe(recipe: list[RecipeLine], milli_sold: int) -> list[tuple[str, int]]:
    """Product quantities for `milli_sold` thousandths of a menu unit, each rounded half up to a milli."""
    out = []
    for line in recipe:
        needed = round_half_up(Decimal(line.milli) * milli_sold / SCALE)
        if needed <= 0:
            raise InvalidInput(f"quantity too small: it would draw no {line.sku}", field="quantity")
        out.append((line.sku, needed))
    return out


@dataclass(frozen=True)
class MenuItem:
    """What the till needs to sell an item: its recipe, price now, and markdown rule."""

    id: int
    code: str
    name: str
    active: bool
    restockable: bool
    price: int
    recipe: list[RecipeLine]
    markdown: Markdown | None


def markdown_from(days: int | None, basis_points: int | None) -> Markdown | None:
    """The reduce-to-clear rule as stored: percent in hundredths (3000 = 30%)."""
    if days is None or basis_points is None:
        return None
    return Markdown(days, Decimal(basis_points) / 100)


def markdown_start_words(days: int) -> str:
    """When a reduce-to-clear starts, as a person says it: 0 -> "on its last day"."""
    if days == 0:
        return "on its last day"
    if days == 1:
        return "from the day before its date"
    return f"from {days} days before its date"
