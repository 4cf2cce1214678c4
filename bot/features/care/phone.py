"""Reading a phone number a citizen typed or shared for a requested call.

Numbers are kept in E.164 form (+4512345678). Danish numbers have eight digits and may be
written with spaces, dashes or dots, with or without +45 / 0045; other countries need their
code (+46…, or 0046…).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-.()/]+")
_DANISH = re.compile(r"^(?:\+45|0045)?([1-9]\d{7})$")
_INTERNATIONAL = re.compile(r"^(?:\+|00)([1-9]\d{6,14})$")
DENMARK = "+45"


def parse_phone(text: str) -> str | None:
    """The number in E.164 form, or None when the text is not (only) a phone number."""
    compact = _SEPARATORS.sub("", text.strip())
    danish = _DANISH.match(compact)
    if danish:
        return DENMARK + danish.group(1)
    international = _INTERNATIONAL.match(compact)
    if international is None or international.group(1).startswith("45"):
        return None  # +45 with other than eight digits is a typo, not a Danish number
    return "+" + international.group(1)


def phone_from_contact(raw: str) -> str | None:
    """Telegram gives a shared contact's number with or without the leading +."""
    return parse_phone(raw) or parse_phone("+" + raw.strip().lstrip("+"))

