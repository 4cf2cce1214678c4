"""Labelled phrases live in TSV files beside the tests, so reviewers can add cases without code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.features.risk import RiskCategory, RiskLevel

HERE = Path(__file__).parent
LANGUAGES = ("da", "en")


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled phrase; line is kept so a failure points at the file."""

    language: str
    line: int
    level: RiskLevel
    category: RiskCategory | None
    text: str

    def __str__(self) -> str:
        return f"corpus_{self.language}.tsv:{self.line}: {self.text!r}"


def load_corpus(language: str) -> list[Case]:
    """Rows are expected_level, expected_category (or -), text; a header row and # lines skip."""
    cases: list[Case] = []
    path = HERE / f"corpus_{language}.tsv"
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#") or raw.startswith("expected_level"):
            continue
        level, category, text = raw.split("\t", 2)
        cases.append(Case(
            language=language,
            line=number,
            level=RiskLevel(level),
            category=None if category == "-" else RiskCategory(category),
            text=text,
        ))
    return cases
