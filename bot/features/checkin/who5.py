"""WHO-5 scoring as CARE.md gives it: raw 0-25, poor below 13 or any item at 0-1, ≤ 7 high."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ITEMS = 5
POOR_BELOW = 13
VERY_LOW_AT_MOST = 7


@dataclass(frozen=True, slots=True)
class Who5Result:
    raw: int
    lowest_item: int

    @property
    def percentage(self) -> int:
        return self.raw * 4

    @property
    def poor(self) -> bool:
        return self.raw < POOR_BELOW or self.lowest_item <= 1

    @property
    def very_low(self) -> bool:
        return self.raw <= VERY_LOW_AT_MOST


def score(answers: Sequence[int]) -> Who5Result:
    if len(answers) != ITEMS or any(not 0 <= a <= 5 for a in answers):
        raise ValueError("WHO-5 needs five answers from 0 to 5")
    return Who5Result(sum(answers), min(answers))
