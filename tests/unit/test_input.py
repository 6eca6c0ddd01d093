"""Input, parsed once: text, commands and their errors, list cursors."""

from __future__ import annotations

import datetime as dt

import pytest

from midnight.commands import build
from midnight.commands.counter import AddCustomer, PickUp
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import PlaceOrder
from midnight.db import paging
from midnight.domain.errors import InvalidInput
from midnight.domain.text import clean_text, fold


def test_text_is_stored_in_nfc_and_trimmed() -> None:
    assert clean_text("  Cafe\u0301 ", "name", limit=20) == "Café"
    assert clean_text("陳大文", "name", limit=20) == "陳大文"
    assert clean_text("line one\r\nline two", "notes", limit=50, multiline=True) == "line one\nline two"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Chan\x00", "NUL"),
        ("abc\u202edef", "text-direction"),
        ("ad\u200bmin", "zero-width space"),
        ("a\ufeffb", "byte-order mark"),
        ("a\ud800", "unpaired surrogate"),
        ("line\nbreak", "control character"),
        ("\ue000", "invisible or unassigned"),
        ("\u3164", "draws nothing"),  # Hangul filler: a name that looks blank
        ("\u2800\u2800", "draws nothing"),  # braille blanks
        ("Alice\u034f", "draws nothing"),  # looks exactly like "Alice"
        ("Ali\ufe0fce", "draws nothing"),
    ],
)
def test_hidden_or_broken_characters_are_refused_by_name(text: str, said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        clean_text(text, "name", limit=50)


def test_emoji_keep_their_presentation_selectors() -> None:
    assert clean_text("thanks ❤️", "note", limit=20) == "thanks ❤️"
    assert clean_text("table 1️⃣", "note", limit=20) == "table 1️⃣"


def test_length_and_emptiness_are_checked() -> None:
    with pytest.raises(InvalidInput, match="at most 5 characters"):
        clean_text("abcdef", "name", limit=5)
    with pytest.raises(InvalidInput, match="must not be empty"):
        clean_text("   ", "name", limit=5, required=True)
    with pytest.raises(InvalidInput, match="must be text"):
        clean_text(12, "name", limit=5)


def test_names_compare_folded_the_unicode_way() -> None:
    assert fold("ÉLODIE ÇA") == fold("élodie ça")
    assert fold("ΣΟΦΊΑ") == fold("σοφία")
    assert fold("ДМИТРИЙ") == fold("дмитрий")
    assert fold("Straße") == fold("STRASSE")
    assert fold("ＡＢＣ") == fold("abc")  # full-width letters


def test_a_command_is_built_from_raw_values_and_refuses_the_first_problem_clearly() -> None:
    lot = build(ReceiveLot, {"sku": "milk-1l", "quantity": "2.5", "cost": "18.00", "expires": "2026-12-01"})
    assert (lot.sku, lot.quantity, str(lot.cost), lot.expires) == (
        "MILK-1L",
        2500,
        "18.00",
        dt.date(2026, 12, 1),
    )
    with pytest.raises(InvalidInput, match="quantity is required") as missing:
        build(ReceiveLot, {"sku": "MILK"})
    assert missing.value.field == "quantity"
    with pytest.raises(InvalidInput, match="colour is not something this request takes"):
        build(ReceiveLot, {"sku": "MILK", "quantity": 1, "colour": "red"})


def test_errors_inside_lists_say_which_item() -> None:
    with pytest.raises(InvalidInput, match="line 2: quantity must be greater than zero") as bad:
        build(PlaceOrder, {"lines": [{"code": "TIN"}, {"code": "TIN", "quantity": "0"}]})
    assert bad.value.field == "lines.2.quantity"
    with pytest.raises(InvalidInput, match="line 1: a discount needs a reason") as why:
        build(PlaceOrder, {"lines": [{"code": "TIN", "discount": "10%"}]})
    assert why.value.field == "lines.1.discount_reason"
    with pytest.raises(InvalidInput, match="lines must have at least 1 item"):
        build(PlaceOrder, {"lines": []})


def test_rules_across_fields_name_the_field_to_fix() -> None:
    with pytest.raises(InvalidInput, match="a birthday greeting needs a birthday") as greeting:
        build(AddCustomer, {"name": "Chan", "birthday_greeting": True})
    assert greeting.value.field == "birthday"
    with pytest.raises(InvalidInput, match="give the pickup code, or check"):
        build(PickUp, {})


def test_a_cursor_carries_its_lists_key_and_nothing_else_is_accepted() -> None:
    at = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    cursor = paging.encode("board", [dt.date(2026, 11, 27), at, 41])
    assert paging.decode("board", cursor, [dt.date, dt.datetime, int]) == (dt.date(2026, 11, 27), at, 41)
    for junk in ["", "abc", "'; DROP TABLE orders; --", "x" * 500, paging.encode("orders", [41])]:
        with pytest.raises(InvalidInput, match="cursor is not one this list gave out"):
            paging.decode("board", junk, [dt.date, dt.datetime, int])
    with pytest.raises(InvalidInput):
        paging.decode("orders", paging.encode("orders", ["41"]), [int])  # right list, wrong type


def test_a_csv_cell_that_starts_like_a_formula_is_kept_as_text_and_numbers_stay_numbers() -> None:
    from midnight.domain.text import spreadsheet_cell

    assert [spreadsheet_cell(v) for v in ("=1+1", "+44 20", "@SUM(A1)", "-x", "-40.0", "KD-1L", 7, None)] == [
        "'=1+1",
        "'+44 20",
        "'@SUM(A1)",
        "'-x",
        "-40.0",
        "KD-1L",
        7,
        None,
    ]
