"""Help numbers are configuration, with the date they were last checked (CARE.md)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.config import ConfigError

DEFAULT_FILE = Path(__file__).with_name("help_numbers.toml")


@dataclass(frozen=True, slots=True)
class Helpline:
    names: dict[str, str]
    phone: str
    always_open: bool

    def line(self, locale: str) -> str:
        return f"☎ {self.phone} – {self.names.get(locale) or self.names['en']}"


@dataclass(frozen=True, slots=True)
class Helplines:
    checked: date
    lines: tuple[Helpline, ...]

    def text(self, locale: str) -> str:
        return "\n".join(line.line(locale) for line in self.lines)


def load_helplines(path: Path | None) -> Helplines:
    """At least one always-open line is required: the 24/7 option must never be missing."""
    source = path or DEFAULT_FILE
    try:
        with source.open("rb") as fh:
            raw = tomllib.load(fh)
        lines = tuple(
            Helpline({"da": item["name_da"], "en": item["name_en"]}, str(item["phone"]),
                     bool(item.get("always_open", False)))
            for item in raw["lines"]
        )
        checked = raw["checked"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"HELP_NUMBERS_FILE: cannot read {source}: {exc}") from None
    if not isinstance(checked, date) or not any(line.always_open for line in lines):
        raise ConfigError("HELP_NUMBERS_FILE: needs `checked = YYYY-MM-DD` and a 24/7 line")
    return Helplines(checked, lines)
