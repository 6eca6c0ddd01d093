"""Text people type: normalised once, bounded, and free of characters that hide or reorder text.

Names and notes are Unicode (Chinese names must round-trip), so the rule is not "ASCII only" but:
NFC form; no control characters (a note may keep its line breaks); no format characters such as
bidi overrides or zero-width spaces, which make a name look like another; no unpaired surrogates,
private-use or unassigned code points. Search keys fold case the Unicode way (NFKC + casefold), so
"ÉLODIE" finds "élodie" on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

from midnight.domain.errors import InvalidInput

# Categories refused everywhere: control, format (bidi overrides, zero-width), surrogate,
# private use, unassigned (which includes the noncharacters U+FFFE, U+FFFF).
_REFUSED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_NAMES = {
    "\x00": "a NUL character",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a byte-order mark",
    "\u00ad": "a soft hyphen",
}
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
# Letters and marks that draw nothing (Unicode's default-ignorable code points that are not format
# characters, and blanks that are not spaces): a name made of them looks empty, or like another.
_INVISIBLE = {
    "\u034f",  # combining grapheme joiner
    "\u115f",
    "\u1160",  # Hangul fillers
    "\u17b4",
    "\u17b5",
    *map(chr, range(0x180B, 0x1810)),  # Mongolian variation selectors and vowel separator
    "\u2800",  # braille blank
    "\u3164",  # Hangul filler
    "\uffa0",  # half-width Hangul filler
    *map(chr, range(0xFE00, 0xFE10)),  # variation selectors
    *map(chr, range(0xE0100, 0xE01F0)),  # variation selectors supplement
}


def _describe(ch: str) -> str:
    if ch in _NAMES:
        return _NAMES[ch]
    if ch in _BIDI:
        return f"a text-direction control (U+{ord(ch):04X})"
    if 0xD800 <= ord(ch) <= 0xDFFF:
        return "a broken character (an unpaired surrogate)"
    if ch in _INVISIBLE:
        return f"a character that draws nothing (U+{ord(ch):04X})"
    if unicodedata.category(ch) == "Cc":
        return f"a control character (U+{ord(ch):04X})"
    return f"an invisible or unassigned character (U+{ord(ch):04X})"


def clean_text(
    value: object,
    field: str,
    *,
    limit: int,
    required: bool = False,
    multiline: bool = False,
    allowed: str = "",
) -> str:
    """The text as stored: NFC, stripped, at most `limit` characters, no hidden characters (but those
    `allowed`: a scan's group separator)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise InvalidInput(f"{field} contains a broken character (an unpaired surrogate)", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if multiline:
        text = text.replace("\r\n", "\n")
    previous = ""
    for ch in text:
        if (multiline and ch == "\n") or ch in allowed:
            previous = ch
            continue
        emoji_style = ch in "\ufe0e\ufe0f" and previous and unicodedata.category(previous)[0] in "SN"
        if (unicodedata.category(ch) in _REFUSED or ch in _INVISIBLE) and not emoji_style:
            raise InvalidInput(f"{field} contains {_describe(ch)}", field=field)
        previous = ch
    if required and not text:
        raise InvalidInput(f"{field} must not be empty", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field} must be at most {limit} characters (got {len(text)})", field=field)
    return text


def fold(text: str) -> str:
    """The key two names are compared and searched by: compatibility-normalised, case-folded."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that a spreadsheet opens as the text it is: text starting like a formula (=, +, -, @)
    gets a ' in front, so a supplier's code can't run as a formula in whoever opens the file. Numbers
    (-40.0) stay numbers."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        Decimal(value)
    except InvalidOperation:
        return "'" + value
    return value
