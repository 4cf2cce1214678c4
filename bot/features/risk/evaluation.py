"""Recall and false-alarm rates of the assessor on labelled phrases, by language, category and
kind: what the tests assert on the held-out split and what `python -m bot risk eval` prints."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .assessment import Assessment, RiskLevel
from .corpus import Case


@dataclass(frozen=True, slots=True)
class Rates:
    """For one group of phrases with the same label."""

    label: RiskLevel
    total: int
    safety: int
    """Given the safety reply: urgent or possible."""
    any_reply: int
    """Given any caring reply: concern or higher."""

    @property
    def hit_rate(self) -> float:
        """Urgent: share given the safety reply; concern: share given any reply;
        none: share wrongly given the safety reply."""
        share = self.any_reply if self.label is RiskLevel.CONCERN else self.safety
        return share / self.total if self.total else 0.0

    def __str__(self) -> str:
        if self.label is RiskLevel.URGENT:
            return f"{self.hit_rate:.3f} urgent-or-possible recall ({self.safety}/{self.total})"
        if self.label is RiskLevel.CONCERN:
            return f"{self.hit_rate:.3f} concern-or-higher recall ({self.any_reply}/{self.total})"
        return (f"{self.hit_rate:.3f} false urgent/possible ({self.safety}/{self.total}), "
                f"{self.any_reply / self.total:.3f} any reply")


def judge(cases: Iterable[Case],
          assess: Callable[[str], Assessment]) -> list[tuple[Case, Assessment]]:
    return [(case, assess(case.text)) for case in cases]


def rates(judged: Iterable[tuple[Case, Assessment]],
          key: Callable[[Case], str]) -> dict[tuple[str, RiskLevel], Rates]:
    """Rates per (key, label), e.g. key = language, or language + kind."""
    counts: dict[tuple[str, RiskLevel], list[int]] = defaultdict(lambda: [0, 0, 0])
    for case, verdict in judged:
        row = counts[(key(case), case.level)]
        row[0] += 1
        row[1] += verdict.level.rank >= RiskLevel.POSSIBLE.rank
        row[2] += verdict.level is not RiskLevel.NONE
    return {k: Rates(k[1], *v) for k, v in sorted(counts.items())}


def report(judged: list[tuple[Case, Assessment]]) -> list[str]:
    """Lines per language, then per language and category, then per language and kind."""
    lines: list[str] = []
    for title, key in (
        ("language", lambda c: c.language),
        ("category", lambda c: f"{c.language} {c.category or '-'}"),
        ("kind", lambda c: f"{c.language} {c.kind}"),
    ):
        lines.append(f"by {title}:")
        lines += [f"  {name:28} {label:8} {r}" for (name, label), r in rates(judged, key).items()]
    return lines
