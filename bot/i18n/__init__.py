"""Translations per citizen: English msgids in code and dialogs, .po catalogues per language.

The .po files are committed; they are compiled in memory at start-up, so there is no build
step and no stale .mo file can ever be served.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot import PROJECT_ROOT
from bot.config import SUPPORTED_LOCALES

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"
_PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_][a-z0-9_]*)\}(?!\})")


def N_(msgid: str) -> str:
    """Marks a msgid for extraction where it is translated later, at render time."""
    return msgid


# Babel/CLDR date patterns are translatable too: word order and words differ by language.
DATE_PATTERN = N_("d MMMM yyyy")
DATETIME_PATTERN = N_("EEEE d MMMM 'at' HH:mm")


def placeholders(text: str) -> frozenset[str]:
    """The {named} fields of a message; both languages must use the same ones."""
    return frozenset(_PLACEHOLDER.findall(text))


class Refusal(ValueError):
    """A ValueError whose message is a msgid with its {params}: `str()` is the English text (the
    CLI prints English), `text(_)` the text in a Translator's language (for staff in the chat).
    A param that is a Refusal itself (the reason for a reason) is translated too."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**{k: str(v) for k, v in params.items()}))

    def text(self, _: Translator) -> str:
        return _(self.msgid, **{k: v.text(_) if isinstance(v, Refusal) else v
                                for k, v in self.params.items()})


@dataclass(frozen=True, slots=True)
class Translator:
    """gettext for one locale, plus Babel formatting in that locale and the display zone."""

    locale: str
    translations: Translations
    timezone: tzinfo

    def __call__(self, msgid: str, **params: Any) -> str:
        text = self.translations.gettext(msgid)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: Any) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def has(self, msgid: str) -> bool:
        """True when the catalogue has a non-empty translation (English counts msgid==msgstr)."""
        catalog = self.translations._catalog
        return bool(catalog.get(msgid))

    def month(self, moment: date) -> str:
        return _month_name(moment.year, moment.month, self.locale)

    def date(self, moment: datetime) -> str:
        return format_date(moment.astimezone(self.timezone).date(), self(DATE_PATTERN),
                           locale=self.locale)

    def datetime(self, moment: datetime) -> str:
        """Weekday, date and time in the display zone, e.g. 'Monday 30 November at 08:00'."""
        return format_datetime(moment, self(DATETIME_PATTERN), tzinfo=self.timezone,
                               locale=self.locale)


@lru_cache(maxsize=1024)
def _month_name(year: int, month: int, locale: str) -> str:
    """'november 2026': Babel takes some 11 µs for it, and the month question shows four."""
    return format_date(date(year, month, 1), "LLLL yyyy", locale=locale)


class Texts:
    """All catalogues, loaded once; hands out a Translator per locale."""

    def __init__(self, translators: dict[str, Translator], default_locale: str,
                 staff_locale: str | None = None) -> None:
        self._translators = translators
        self.default_locale = default_locale
        self.staff_locale = staff_locale or default_locale

    @classmethod
    def load(cls, default_locale: str, timezone: tzinfo, staff_locale: str | None = None,
             locales_dir: Path = LOCALES_DIR) -> Texts:
        translators: dict[str, Translator] = {}
        for code in SUPPORTED_LOCALES:
            po_path = locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po"
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=code)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            translators[code] = Translator(code, Translations(fp=buffer), timezone)
        return cls(translators, default_locale, staff_locale)

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self._translators)

    def translated_everywhere(self, msgid: str) -> bool:
        return all(t.has(msgid) for t in self._translators.values())

    def get(self, locale: str | None) -> Translator:
        return self._translators.get(locale or "", self._translators[self.default_locale])

    @property
    def staff(self) -> Translator:
        """What the bot writes in the staff chat: STAFF_LOCALE, or else the default."""
        return self._translators[self.staff_locale]

    def locale_for_language_code(self, language_code: str | None) -> str:
        """Telegram's language_code ('da', 'en-GB', 'de') to a supported locale."""
        language = (language_code or "").replace("_", "-").split("-")[0].lower()
        return language if language in self._translators else self.default_locale
