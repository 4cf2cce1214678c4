"""Every msgid has a Danish and an English translation with the same placeholders."""

from __future__ import annotations

from bot.i18n import placeholders
from bot.i18n.catalog import check_catalogs, extract_template


def test_every_msgid_is_translated_in_danish_and_english() -> None:
    template = extract_template()
    assert len(template) > 50, "extraction found the project's strings"
    assert check_catalogs(template) == []


def test_placeholders_are_named_fields_only() -> None:
    assert placeholders("Hello {name}, {{literal}} {n}") == {"name", "n"}
