"""The small pattern language of the lexicons, compiled once into indexed, regex-free matchers.

Syntax of one pattern (words separated by spaces must follow each other in the text):
    (a|b)    either word in this slot               tage (mit|sit) eget liv
    (a b|c)  one of several word sequences          gid jeg (aldrig var født|var død)
    word*    any word beginning with "word"         selvmord*
    *word    any word ending with "word"            *selvmord
    *word*   any word containing "word"             *selvmord*
    ~N       up to N other words may stand here     vil ~2 dø
Alternatives exist only inside parentheses, so "(for altid|for evigt)" cannot be misread as
"for (altid|for) evigt". A group of single words stays one slot; others are spelled out.
Words are normalised like the text (see normalise.py), so write ordinary spelling.
Words from a skip set (the negation words) may stand between two slots without a ~N;
a hit records which positions its slots took, so callers can tell what filled the gaps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

T = TypeVar("T")

_MAX_SKIPPED = 2
"""Negation words that may slip between two slots ("skærer ikke i mig selv")."""
_CACHE_LIMIT = 50_000
"""Words whose candidate patterns are remembered; chat vocabulary is small, memory is bounded."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One word position; exact words are checked first because that is the common case."""

    exact: frozenset[str]
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()

    def accepts(self, word: str) -> bool:
        """True when the word fits any alternative of this slot."""
        return (
            word in self.exact
            or (bool(self.prefixes) and word.startswith(self.prefixes))
            or (bool(self.suffixes) and word.endswith(self.suffixes))
            or any(infix in word for infix in self.infixes)
        )


@dataclass(frozen=True, slots=True)
class Gap:
    """Room for up to max_words unnamed words between two slots."""

    max_words: int


@dataclass(frozen=True, slots=True)
class Pattern(Generic[T]):
    """A parsed pattern and what it means to whoever built the set."""

    source: str
    parts: tuple[Slot | Gap, ...]
    payload: T

    @property
    def anchor(self) -> frozenset[str] | None:
        """Words one of which must be in the message: the last slot's, if it has no wildcard."""
        last = self.parts[-1]
        if len(self.parts) == 1 or not isinstance(last, Slot):
            return None
        if last.prefixes or last.suffixes or last.infixes:
            return None
        return last.exact


@dataclass(frozen=True, slots=True)
class Hit(Generic[T]):
    """Where a pattern matched: [start, end) in word positions, slots taken, and its payload."""

    start: int
    end: int
    slot_positions: frozenset[int]
    pattern: Pattern[T]

    @property
    def payload(self) -> T:
        """Shortcut, since callers mostly want to know what matched, not how."""
        return self.pattern.payload


_ITEM = re.compile(r"\(([^()]*)\)|([^\s()]+)|([()])")


def expand_groups(source: str) -> list[str]:
    """Plain patterns for a source: (a|b) becomes the slot "a|b", (a b|c) one pattern per choice."""
    variants: list[list[str]] = [[]]
    for found in _ITEM.finditer(source):
        body, word, stray = found.groups()
        if stray:
            raise ValueError(f"unbalanced or nested parentheses in pattern {source!r}")
        if word is not None:
            if "|" in word:
                raise ValueError(f"put alternatives {word!r} in parentheses in {source!r}")
            variants = [[*v, word] for v in variants]
            continue
        choices = [choice.split() for choice in body.split("|")]
        if not all(choices):
            raise ValueError(f"empty choice in group of pattern {source!r}")
        if all(len(choice) == 1 for choice in choices):
            slot = "|".join(choice[0] for choice in choices)
            variants = [[*v, slot] for v in variants]
        else:
            variants = [[*v, *choice] for v in variants for choice in choices]
    return [" ".join(v) for v in variants]


def parse_pattern(source: str, normalise: Callable[[str], str]) -> tuple[Slot | Gap, ...]:
    """Parse one pattern string; raise ValueError with the pattern in the message if malformed."""
    parts: list[Slot | Gap] = []
    for item in source.split():
        if item.startswith("~"):
            if not item[1:].isdigit() or int(item[1:]) < 1:
                raise ValueError(f"bad gap {item!r} in pattern {source!r}")
            parts.append(Gap(int(item[1:])))
        else:
            parts.append(_parse_slot(item, source, normalise))
    if not parts or isinstance(parts[0], Gap) or isinstance(parts[-1], Gap):
        raise ValueError(f"pattern {source!r} must start and end with a word")
    if any(isinstance(a, Gap) and isinstance(b, Gap) for a, b in pairwise(parts)):
        raise ValueError(f"pattern {source!r} has two gaps in a row")
    return tuple(parts)


def _parse_slot(item: str, source: str, normalise: Callable[[str], str]) -> Slot:
    """One slot with its |-alternatives, each normalised like text words."""
    exact: set[str] = set()
    prefixes: list[str] = []
    suffixes: list[str] = []
    infixes: list[str] = []
    for alt in item.split("|"):
        body = normalise(alt.strip("*"))
        if not body or not body.isalnum():
            raise ValueError(f"alternative {alt!r} in pattern {source!r} is not one word")
        head, tail = alt.startswith("*"), alt.endswith("*")
        if head and tail:
            infixes.append(body)
        elif tail:
            prefixes.append(body)
        elif head:
            suffixes.append(body)
        else:
            exact.add(body)
    return Slot(frozenset(exact), tuple(prefixes), tuple(suffixes), tuple(infixes))


class PatternSet(Generic[T]):
    """Many patterns indexed by their first slot, so a message is scanned once, word by word."""

    def __init__(
        self,
        entries: Iterable[tuple[str, T]],
        normalise: Callable[[str], str],
        skippable: frozenset[str] = frozenset(),
    ) -> None:
        self._skippable = skippable
        self._by_word: dict[str, list[Pattern[T]]] = {}
        self._by_prefix: dict[str, list[Pattern[T]]] = {}
        self._scan: list[tuple[Slot, Pattern[T]]] = []
        self.patterns: tuple[Pattern[T], ...] = tuple(
            Pattern(source, parse_pattern(plain, normalise), payload)
            for source, payload in entries
            for plain in expand_groups(source)
        )
        for pattern in self.patterns:
            self._index(pattern)
        self._prefix_lengths = tuple(sorted({len(p) for p in self._by_prefix}))
        self._cache: dict[str, tuple[Pattern[T], ...]] = {}
        self._anchors = {id(p): p.anchor for p in self.patterns}

    def _index(self, pattern: Pattern[T]) -> None:
        """File a pattern under each way its first slot can be reached."""
        first = pattern.parts[0]
        if not isinstance(first, Slot):
            raise TypeError(f"pattern {pattern.source!r} does not start with a word")
        for word in first.exact:
            self._by_word.setdefault(word, []).append(pattern)
        for prefix in first.prefixes:
            self._by_prefix.setdefault(prefix, []).append(pattern)
        if first.suffixes or first.infixes:
            self._scan.append((first, pattern))

    def _candidates(self, word: str) -> tuple[Pattern[T], ...]:
        """Patterns whose first slot may accept this word, each once; remembered per word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        found = list(self._by_word.get(word, ()))
        for length in self._prefix_lengths:
            if length > len(word):
                break
            found.extend(self._by_prefix.get(word[:length], ()))
        found.extend(pattern for first, pattern in self._scan if first.accepts(word))
        unique = tuple({id(p): p for p in found}.values())
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = unique
        return unique

    def find(self, words: Sequence[str]) -> list[Hit[T]]:
        """Every pattern's first (shortest) hit at every start position."""
        hits: list[Hit[T]] = []
        present = frozenset(words)
        anchors = self._anchors
        for start, word in enumerate(words):
            for pattern in self._candidates(word):
                anchor = anchors[id(pattern)]
                if anchor is not None and anchor.isdisjoint(present):
                    continue
                taken: list[int] = []
                end = _match(pattern.parts, 0, words, start, self._skippable, taken)
                if end is not None:
                    hits.append(Hit(start, end, frozenset(taken), pattern))
        return hits


def _match(
    parts: tuple[Slot | Gap, ...],
    index: int,
    words: Sequence[str],
    pos: int,
    skippable: frozenset[str],
    taken: list[int],
) -> int | None:
    """Match parts[index:] from pos; return the end position, appending slot positions to taken."""
    count = len(words)
    while index < len(parts):
        part = parts[index]
        if isinstance(part, Gap):
            for next_pos in range(pos, min(pos + part.max_words, count - 1) + 1):
                mark = len(taken)
                end = _match(parts, index + 1, words, next_pos, skippable, taken)
                if end is not None:
                    return end
                del taken[mark:]
            return None
        if index > 0:
            budget = _MAX_SKIPPED
            while (budget and pos < count and words[pos] in skippable
                   and not part.accepts(words[pos])):
                pos += 1
                budget -= 1
        if pos >= count or not part.accepts(words[pos]):
            return None
        taken.append(pos)
        pos += 1
        index += 1
    return pos
