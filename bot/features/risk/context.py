"""Context around a hit: negation, someone else, the distant past, and everyday idioms.

These lower an urgent hit to concern (never to none), or, for idioms, drop it. Each rule
looks only within a short window and stops at clause or sentence ends, and a first-person
word ("jeg", "I") stops the search for someone else, so a real cry for help is not argued
away by a word from another sentence. When a rule is unsure it leaves the level alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .assessment import Reason
from .normalise import Tokens, normalise_word
from .patterns import Hit, PatternSet

NEGATION_WINDOW = 3
"""Words before a hit searched for "ikke"/"not": "jeg har ikke tænkt på selvmord"."""
NEAR_WINDOW = 1
"""Determiners like "ingen"/"no" negate only the next word: "ingen selvmordstanker"."""
THIRD_PERSON_WINDOW = 4
"""Words before a hit searched for the person meant: "min bror tænker på selvmord"."""
PAST_WINDOW = 10
"""Words either side searched for a distant time: "for ti år siden forsøgte jeg at ..."."""


class Marker(StrEnum):
    """Kinds of context phrase; the names are the lexicon's [context] keys, plus idioms."""

    NEGATION = "negation"
    NEGATION_NEAR = "negation_near"
    NOT_NEGATION = "not_negation"
    FIRST_PERSON = "first_person"
    THIRD_PERSON = "third_person"
    PAST = "past"
    PRESENT = "present"
    CLAUSE_BREAKS = "clause_breaks"
    IDIOM = "idiom"


class Markers:
    """All context phrases of all lexicons in one pattern set, so a message is scanned once.

    Every list is shared across languages, because people mix them in one sentence, except
    first_person: Danish "i" means "in", so it must not stop an English rule.
    """

    def __init__(self, entries: Iterable[tuple[Marker, str, str]]) -> None:
        """Entries are (kind, language, phrase)."""
        self._set: PatternSet[tuple[Marker, str]] = PatternSet(
            ((phrase, (kind, language)) for kind, language, phrase in entries), normalise_word
        )

    def read(self, tokens: Tokens) -> Scene:
        """Locate every marker in one message; done only when some risk pattern matched."""
        found: dict[Marker, list[Hit[tuple[Marker, str]]]] = {kind: [] for kind in Marker}
        first: dict[str, set[int]] = {}
        for hit in self._set.find(tokens.words):
            kind, language = hit.payload
            found[kind].append(hit)
            if kind is Marker.FIRST_PERSON:
                first.setdefault(language, set()).update(range(hit.start, hit.end))
        cancelled = _positions(found[Marker.NOT_NEGATION])
        segments = _segments(tokens, _positions(found[Marker.CLAUSE_BREAKS]))
        past_by_segment: dict[int, list[tuple[int, int]]] = {}
        for marker in found[Marker.PAST]:
            if segments[marker.start] == segments[marker.end - 1]:
                past_by_segment.setdefault(segments[marker.start], []).append(
                    (marker.start, marker.end)
                )
        present = _positions(found[Marker.PRESENT]) - _positions(found[Marker.PAST])
        return Scene(
            tokens=tokens,
            negation=_positions(found[Marker.NEGATION]) - cancelled,
            negation_near=_positions(found[Marker.NEGATION_NEAR]) - cancelled,
            third_person=_positions(found[Marker.THIRD_PERSON]),
            first_person={language: frozenset(positions) for language, positions in first.items()},
            past=past_by_segment,
            present_sentences=frozenset(tokens.sentences[pos] for pos in present),
            segments=segments,
            idioms=_positions(found[Marker.IDIOM]),
        )


@dataclass(frozen=True, slots=True)
class Scene:
    """Marker positions in one message, and the questions the classifier asks of a hit."""

    tokens: Tokens
    negation: frozenset[int]
    negation_near: frozenset[int]
    third_person: frozenset[int]
    first_person: Mapping[str, frozenset[int]]
    past: Mapping[int, list[tuple[int, int]]]
    present_sentences: frozenset[int]
    segments: tuple[int, ...]
    idioms: frozenset[int]

    def is_idiom(self, hit: Hit[Any]) -> bool:
        """Everyday phrases cover the whole hit ("this job hunt is killing me").

        Only the whole: "it's killing me inside" keeps its longer hit although "its killing me"
        is an idiom, so an idiom can never swallow more than the words it names.
        """
        return all(pos in self.idioms for pos in range(hit.start, hit.end))

    def reasons(self, hit: Hit[Any], language: str, personal: bool) -> tuple[Reason, ...]:
        """Which lowering rules apply; third person only where the speaker could be the one."""
        found: list[Reason] = []
        if self._is_negated(hit, language):
            found.append(Reason.NEGATED)
        if personal and self._is_third_person(hit, language):
            found.append(Reason.THIRD_PERSON)
        if self._is_past(hit):
            found.append(Reason.PAST)
        return tuple(found)

    def _is_negated(self, hit: Hit[Any], language: str) -> bool:
        """A negation in the hit's gaps, or just before it in the same clause."""
        inside = set(range(hit.start, hit.end)) - hit.slot_positions
        if inside & (self.negation | self.negation_near):
            return True
        first = self.first_person.get(language, frozenset())
        segment = self.segments[hit.start]
        for distance in range(1, NEGATION_WINDOW + 1):
            pos = hit.start - distance
            if pos < 0 or self.segments[pos] != segment:
                return False
            if pos in self.negation or (distance <= NEAR_WINDOW and pos in self.negation_near):
                return True
            if pos in first:
                return False
        return False

    def _is_third_person(self, hit: Hit[Any], language: str) -> bool:
        """Someone else is meant: said inside the hit ("sit eget liv") or as its subject.

        Inside the hit a first-person word wins ("farvel til mine børn" is still the speaker).
        """
        first = self.first_person.get(language, frozenset())
        span = range(hit.start, hit.end)
        if any(pos in first for pos in span):
            return False
        if any(pos in self.third_person for pos in span):
            return True
        sentences = self.tokens.sentences
        for distance in range(1, THIRD_PERSON_WINDOW + 1):
            pos = hit.start - distance
            if pos < 0 or sentences[pos] != sentences[hit.start] or pos in first:
                return False
            if pos in self.third_person:
                return True
        return False

    def _is_past(self, hit: Hit[Any]) -> bool:
        """A distant time in the same clause, unless the sentence says it is back or ongoing."""
        near = any(
            max(start - hit.end, hit.start - end) < PAST_WINDOW
            for start, end in self.past.get(self.segments[hit.start], ())
        )
        return near and self.tokens.sentences[hit.start] not in self.present_sentences


def _positions(hits: Iterable[Hit[Any]]) -> frozenset[int]:
    """Every word position covered by some hit."""
    return frozenset(pos for hit in hits for pos in range(hit.start, hit.end))


def _segments(tokens: Tokens, breaks: frozenset[int]) -> tuple[int, ...]:
    """Clause numbers refined by joining words ("og", "but"), which stand alone as segments."""
    segments: list[int] = []
    current = 0
    for pos, clause in enumerate(tokens.clauses):
        if pos and (clause != tokens.clauses[pos - 1] or pos in breaks or pos - 1 in breaks):
            current += 1
        segments.append(current)
    return tuple(segments)
