"""Translation catalogue upkeep: extract msgids, update .po files, check completeness.

`python -m bot i18n extract` writes locales/messages.pot from Python sources (`_()`, `N_()`)
and dialogs/*.toml; `update` merges it into each language's .po; `check` fails when a msgid
lacks a Danish or English translation or a translation's {placeholders} differ; `compile`
writes .mo files for tools that want them (the bot itself compiles in memory at start).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot import PROJECT_ROOT
from bot.config import SUPPORTED_LOCALES
from bot.engine import load_dialog
from bot.i18n import DOMAIN, LOCALES_DIR, placeholders

KEYWORDS = {"_": None, "N_": None, "plural": (1, 2), "Plural": (1, 2)}
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"


def extract_template(root: Path = PROJECT_ROOT) -> Catalog:
    catalog = Catalog(project="jobcentre-outreach-bot", charset="utf-8")
    for path, lineno, msgid in _python_messages(root):
        catalog.add(msgid, locations=[(path, lineno)])
    for path in sorted((root / "dialogs").glob("*.toml")):
        for msgid in load_dialog(path).msgids():
            catalog.add(msgid, locations=[(str(path.relative_to(root)), 0)])
    return catalog


def _python_messages(root: Path) -> Iterator[tuple[str, int, str | tuple[str, ...]]]:
    for path in sorted((root / "bot").rglob("*.py")):
        with path.open("rb") as fh:
            for lineno, message, _comments, _context in extract(
                "python", fh, keywords=KEYWORDS, options={"encoding": "utf-8"}
            ):
                if message:
                    yield str(path.relative_to(root)), lineno, message


def write_template(catalog: Catalog, path: Path = TEMPLATE) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False, sort_output=True)


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as fh:
        return read_po(fh, locale=locale)


def update_catalogs(template: Catalog) -> None:
    """Merge new msgids in (empty translations), drop vanished ones; never guess fuzzily."""
    for locale in SUPPORTED_LOCALES:
        catalog = read_catalog(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_path(locale).open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True)


def check_catalogs(template: Catalog) -> list[str]:
    """Every msgid translated in every language, with the same placeholders as the msgid."""
    problems: list[str] = []
    for locale in SUPPORTED_LOCALES:
        catalog = read_catalog(locale)
        for message in template:
            if not message.id:
                continue
            translated = catalog.get(message.id)
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            short = msgid[:60].replace("\n", " ")
            if translated is None or not translated.string or translated.fuzzy:
                problems.append(f"{locale}: missing translation for {short!r}")
                continue
            strings = translated.string if isinstance(translated.string, tuple) else (
                translated.string,)
            for text in strings:
                if placeholders(text) != placeholders(msgid):
                    problems.append(f"{locale}: placeholders differ in {short!r}")
    return problems


def compile_catalogs() -> list[Path]:
    written = []
    for locale in SUPPORTED_LOCALES:
        target = po_path(locale).with_suffix(".mo")
        with target.open("wb") as fh:
            write_mo(fh, read_catalog(locale))
        written.append(target)
    return written
