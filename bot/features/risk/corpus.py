"""The labelled corpus (tests/risk/corpus/<lang>/<kind>.tsv) and its fixed held-out split.

Training (`python -m bot risk train`) and the tests read it through here, so both agree on
which phrases are held out: a phrase is held out when a hash of its normalised text says so,
which no later edit of other lines can change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .assessment import RiskCategory, RiskLevel

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parents[3] / "tests" / "risk" / "corpus"
HELD_OUT_SHARE = 5
"""One phrase in five is held out."""
LABELS = (RiskLevel.NONE, RiskLevel.CONCERN, RiskLevel.URGENT)
"""What a counsellor can say of a phrase; possible risk is the bot's doubt, never a label."""


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled phrase; file and line are kept so a failure points at its source."""

    language: str
    kind: str
    line: int
    level: RiskLevel
    category: RiskCategory | None
    text: str

    @property
    def held_out(self) -> bool:
        """Never seen by training or threshold tuning."""
        key = " ".join(self.text.lower().split()).encode("utf-8")
        return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") % HELD_OUT_SHARE == 0

    def __str__(self) -> str:
        return f"{self.language}/{self.kind}.tsv:{self.line}: {self.text!r}"


def load_corpus(directory: Path = DEFAULT_CORPUS_DIR,
                languages: Iterable[str] | None = None) -> list[Case]:
    """Every phrase of every kind, in a fixed order (language, kind, line)."""
    wanted = set(languages) if languages is not None else None
    cases: list[Case] = []
    for path in sorted(directory.glob("*/*.tsv")):
        language = path.parent.name
        if wanted is None or language in wanted:
            cases.extend(_read(path, language))
    if not cases:
        raise FileNotFoundError(f"no corpus files (<lang>/<kind>.tsv) in {directory}")
    return cases


def _read(path: Path, language: str) -> list[Case]:
    cases: list[Case] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{path}:{number}: expected level<TAB>category<TAB>text")
        level, category, text = fields
        parsed = RiskLevel(level.strip())
        if parsed not in LABELS:
            raise ValueError(f"{path}:{number}: {level!r} is not a label")
        cat = None if category.strip() == "-" else RiskCategory(category.strip())
        if (cat is None) != (parsed is RiskLevel.NONE):
            raise ValueError(f"{path}:{number}: category '-' goes with level none, and only there")
        cases.append(Case(language, path.stem, number, parsed, cat, text.strip()))
    return cases
