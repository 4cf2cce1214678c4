"""Language-neutral descriptions of what to show; rendered per citizen by `render`.

Services build Screens from msgids and values; only the Telegram layer picks the language, so
the same Screen can be shown in Danish or English and tested without Telegram.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.i18n import Translator


@dataclass(frozen=True, slots=True)
class Phrase:
    """A msgid with named values, translated at render time."""

    msgid: str
    params: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plural:
    """A message whose form depends on a count, chosen by the reader's language rules."""

    singular: str
    plural: str
    n: int
    params: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month, named in the reader's language ('november 2026')."""

    year: int
    month: int


@dataclass(frozen=True, slots=True)
class Day:
    """A moment shown as a date in the reader's language and the display time zone."""

    moment: datetime


@dataclass(frozen=True, slots=True)
class Moment:
    """A moment shown as weekday, date and time in the reader's language and zone."""

    moment: datetime


@dataclass(frozen=True, slots=True)
class Lines:
    """Several values, one per line."""

    items: tuple[Value, ...]


Value = str | int | Phrase | Plural | Month | Day | Moment | Lines


@dataclass(frozen=True, slots=True)
class ScreenButton:
    label: Value
    callback_data: str
    checked: bool | None = None


@dataclass(frozen=True, slots=True)
class Screen:
    dialog: str
    state: str
    text: Value
    buttons: tuple[tuple[ScreenButton, ...], ...]
    keyboard_key: Hashable
    """What the buttons depend on: screens with the same key show the same buttons, so their
    rendering in one language is reused."""


def render(value: Value, _: Translator) -> str:
    """Resolve a Value into text in the translator's language."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Phrase):
        params = {k: render(v, _) for k, v in value.params.items()}
        return _(value.msgid, **params)
    if isinstance(value, Plural):
        params = {k: render(v, _) for k, v in value.params.items()}
        return _.plural(value.singular, value.plural, value.n, **params)
    if isinstance(value, Month):
        return _.month(date(value.year, value.month, 1))
    if isinstance(value, Day):
        return _.date(value.moment)
    if isinstance(value, Moment):
        return _.datetime(value.moment)
    return "\n".join(render(item, _) for item in value.items)


def render_button(button: ScreenButton, _: Translator) -> str:
    label = render(button.label, _)
    if button.checked is None:
        return label
    return ("✅ " if button.checked else "⬜ ") + label


RenderedRows = tuple[tuple[tuple[str, str], ...], ...]
"""A keyboard as rows of (label, callback data), in one language."""
_RENDERED_KEPT = 4096
_rendered: dict[tuple[Hashable, Translator], RenderedRows] = {}


def render_buttons(screen: Screen, _: Translator) -> RenderedRows:
    """The screen's keyboard in the translator's language; made once per keyboard key and
    language (many citizens see the same step)."""
    cache_key = (screen.keyboard_key, _)
    rows = _rendered.get(cache_key)
    if rows is None:
        if len(_rendered) >= _RENDERED_KEPT:
            _rendered.clear()
        rows = _rendered[cache_key] = tuple(
            tuple((render_button(b, _), b.callback_data) for b in row) for row in screen.buttons)
    return rows
