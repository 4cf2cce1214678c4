"""Lexicons are data (lexicons/*.toml), read and checked here so a typo fails loudly at start-up."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .assessment import RiskCategory, RiskLevel

CONTEXT_KEYS = (
    "negation", "negation_near", "not_negation", "first_person", "third_person",
    "past", "present", "clause_breaks",
)
_LEVELS = {RiskLevel.URGENT.value, RiskLevel.POSSIBLE.value, RiskLevel.CONCERN.value}


@dataclass(frozen=True, slots=True)
class RiskPattern:
    """One pattern string with the category and base level it signals."""

    source: str
    category: RiskCategory
    level: RiskLevel


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything one language contributes; the classifier merges several."""

    language: str
    patterns: tuple[RiskPattern, ...]
    context: Mapping[str, tuple[str, ...]]
    idioms: tuple[str, ...]
    misspellings: tuple[tuple[str, str], ...]


def load_lexicon(path: Path) -> Lexicon:
    """Read one lexicon file; unknown tables, categories or levels are errors, not surprises."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    known = {"language", "context", "idioms", "misspellings", "patterns"}
    if unknown := set(data) - known:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")
    context = _table(data, "context", path)
    if unknown := set(context) - set(CONTEXT_KEYS):
        raise ValueError(f"{path.name}: unknown context lists {sorted(unknown)}")
    misspellings = _table(data, "misspellings", path)
    return Lexicon(
        language=str(data["language"]),
        patterns=tuple(_risk_patterns(_table(data, "patterns", path), path)),
        context={key: _strings(context.get(key, []), f"context.{key}", path)
                 for key in CONTEXT_KEYS},
        idioms=_strings(_table(data, "idioms", path).get("phrases", []), "idioms", path),
        misspellings=tuple((str(k), str(v)) for k, v in misspellings.items()),
    )


def load_lexicons(directory: Path) -> tuple[Lexicon, ...]:
    """All *.toml lexicons in a directory, in name order so results never depend on the disk."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise FileNotFoundError(f"no lexicons (*.toml) in {directory}")
    return tuple(load_lexicon(path) for path in paths)


def _risk_patterns(table: dict[str, Any], path: Path) -> list[RiskPattern]:
    """Flatten [patterns.<category>] urgent/possible/concern lists."""
    found: list[RiskPattern] = []
    for category_name, levels in table.items():
        category = RiskCategory(category_name)
        if unknown := set(levels) - _LEVELS:
            raise ValueError(f"{path.name}: unknown levels {sorted(unknown)} in {category_name}")
        for level_name, sources in levels.items():
            level = RiskLevel(level_name)
            for source in _strings(sources, f"patterns.{category_name}.{level_name}", path):
                found.append(RiskPattern(source, category, level))
    return found


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    """A sub-table, or an empty one; anything else is a mistake in the file."""
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{path.name}: [{key}] must be a table")
    return value


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    """A list of strings, checked, since TOML would happily accept numbers there."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{path.name}: {where} must be a list of strings")
    return tuple(value)
