"""classify(text) -> Assessment: pure, synchronous, no I/O after the lexicons are first read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .assessment import NO_RISK, Assessment, Reason, RiskCategory, RiskLevel
from .context import Marker, Markers, Scene
from .lexicon import Lexicon, load_lexicons
from .normalise import normalise_word, tokenise
from .patterns import Hit, PatternSet, Slot
from .spelling import Respeller

__all__ = [
    "DEFAULT_LEXICON_DIR", "Assessment", "Classifier", "RiskCategory", "RiskLevel",
    "classify", "default_classifier",
]

DEFAULT_LEXICON_DIR = Path(__file__).with_name("lexicons")

_PERSONAL = frozenset({RiskCategory.SUICIDE_SELF_HARM, RiskCategory.HOPELESSNESS,
                       RiskCategory.SUBSTANCE})
"""Where "min bror ..." means someone else is at risk; in violence and acute crisis "han" is
the threat ("han smider mig ud i nat")."""
_PRIORITY = {
    RiskCategory.SUICIDE_SELF_HARM: 4,
    RiskCategory.VIOLENCE_ABUSE: 3,
    RiskCategory.SUBSTANCE: 2,
    RiskCategory.HOPELESSNESS: 1,
    RiskCategory.ACUTE_CRISIS: 0,
}


@dataclass(frozen=True, slots=True)
class _Signal:
    """What one pattern hit means once context is read."""

    language: str
    category: RiskCategory
    base: RiskLevel
    level: RiskLevel
    reasons: tuple[Reason, ...]
    hit: Hit[tuple[str, RiskCategory, RiskLevel]]

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """Highest level; then the level before lowering, the graver category, the longer hit."""
        hit = self.hit
        return (self.level.rank, self.base.rank, _PRIORITY[self.category], hit.end - hit.start)


IDIOM_ONLY = Assessment(RiskLevel.NONE, reasons=(str(Reason.IDIOM),))
"""No risk, and grave-sounding words in an everyday phrase: the model may raise it to concern
only."""


class Classifier:
    """All lexicons compiled once; classify() then only reads the message."""

    def __init__(self, lexicons: Sequence[Lexicon]) -> None:
        if not lexicons:
            raise ValueError("a classifier needs at least one lexicon")
        self.languages = tuple(lexicon.language for lexicon in lexicons)
        self._respeller = Respeller(pair for lex in lexicons for pair in lex.misspellings)
        negation_words = frozenset(
            normalise_word(entry)
            for lex in lexicons
            for entry in (*lex.context["negation"], *lex.context["negation_near"])
            if len(entry.split()) == 1
        )
        self._risk = PatternSet(
            ((p.source, (lex.language, p.category, p.level))
             for lex in lexicons for p in lex.patterns),
            normalise_word,
            skippable=negation_words,
        )
        self._markers = Markers(
            [(Marker(kind), lex.language, variant)
             for lex in lexicons for kind, phrases in lex.context.items() for phrase in phrases
             for variant in (_with_possessive(phrase) if kind == Marker.THIRD_PERSON
                             else (phrase,))]
            + [(Marker.IDIOM, lex.language, phrase) for lex in lexicons for phrase in lex.idioms]
        )
        self._vocabulary = _vocabularies(lexicons)
        self._check_spelling_keys()

    @classmethod
    def from_directory(cls, directory: Path = DEFAULT_LEXICON_DIR) -> Classifier:
        """Build from every *.toml lexicon in a directory."""
        return cls(load_lexicons(directory))

    def classify(self, text: str) -> Assessment:
        """The gravest signal in the text, lowered by its context; NO_RISK if nothing matched."""
        tokens = self._respeller.apply(tokenise(text))
        sentence_of = tokens.sentences
        # Each sentence is scored on its own: no pattern reaches across a full stop.
        hits = [hit for hit in self._risk.find(tokens.words)
                if sentence_of[hit.start] == sentence_of[hit.end - 1]]
        scene = self._markers.read(tokens)
        if not hits:
            # "keder mig ihjel" names no risk word the rules score, but the model must still
            # know that the grave-sounding words are an everyday phrase.
            return IDIOM_ONLY if scene.idioms else NO_RISK
        signals: list[_Signal] = []
        dropped_idiom = False
        for hit in hits:
            if scene.is_idiom(hit):
                dropped_idiom = True
            else:
                signals.append(_signal(hit, scene))
        signals = _without_subsumed(signals)
        idiom = (Reason.IDIOM,) if dropped_idiom else ()
        if not signals:
            return Assessment(RiskLevel.NONE, reasons=tuple(str(r) for r in idiom))
        top = max(signal.sort_key for signal in signals)
        best = [signal for signal in signals if signal.sort_key == top]
        chosen = best[0] if len(best) == 1 else self._in_likelier_language(best, tokens.words)
        reasons = tuple(str(r) for r in (*chosen.reasons, *idiom))
        return Assessment(chosen.level, chosen.category, chosen.language, reasons,
                          rule=f"{chosen.language}:{chosen.hit.pattern.source}")

    def _in_likelier_language(self, tied: list[_Signal], words: tuple[str, ...]) -> _Signal:
        """Equal signals from both lexicons ("suicidal" is Danish too): report the likelier."""
        scores = {
            language: sum(word in self._vocabulary[language] for word in words)
            for language in {signal.language for signal in tied}
        }
        return max(tied, key=lambda signal: scores[signal.language])

    def _check_spelling_keys(self) -> None:
        """A pattern word that the respeller rewrites could never match; say so at start-up."""
        rewritten = self._respeller.single_words
        for pattern in self._risk.patterns:
            for part in pattern.parts:
                if isinstance(part, Slot) and (clash := part.exact & rewritten):
                    raise ValueError(f"pattern {pattern.source!r} uses misspelt words {clash}")


def _signal(hit: Hit[tuple[str, RiskCategory, RiskLevel]], scene: Scene) -> _Signal:
    """Read one hit in context: lowering rules turn urgent or possible into concern, never
    into none."""
    language, category, base = hit.payload
    reasons = scene.reasons(hit, language, personal=category in _PERSONAL)
    level = RiskLevel.CONCERN if base.rank > RiskLevel.CONCERN.rank and reasons else base
    return _Signal(language, category, base, level, reasons, hit)


def _without_subsumed(signals: list[_Signal]) -> list[_Signal]:
    """Drop a hit inside a longer, at least as grave one ("han vil slå mig ihjel" is violence);
    one whose own words stand unlowered is kept when the longer one was lowered by a word in
    its gap ("want to not be alive, not dead exactly")."""
    if len(signals) < 2:
        return signals
    by_start: dict[int, list[_Signal]] = {}
    for signal in signals:
        by_start.setdefault(signal.hit.start, []).append(signal)
    longest = max(signal.hit.end - signal.hit.start for signal in signals)
    return [signal for signal in signals if not _covered(signal, by_start, longest)]


def _covered(signal: _Signal, by_start: dict[int, list[_Signal]], longest: int) -> bool:
    """Only hits starting at most `longest` words earlier can contain this one."""
    inner = signal.hit
    length = inner.end - inner.start
    return any(
        inner.end <= other.hit.end
        and other.hit.end - other.hit.start > length
        and other.base.rank >= signal.base.rank
        and other.level.rank >= signal.level.rank  # a negation in the longer one's gap
        for start in range(max(0, inner.end - longest), inner.start + 1)
        for other in by_start.get(start, ())
    )


def _with_possessive(phrase: str) -> tuple[str, ...]:
    """A someone-else marker and its possessive: "bror" and "brors", "brother" and "brother's"
    (apostrophes are dropped, so "brother's" reads "brothers")."""
    head, _sep, last = phrase.rpartition(" ")
    if last.startswith("(") and last.endswith(")") and " " not in last:
        choices = last[1:-1].split("|")
        possessive = "(" + "|".join(f"{c}s" for c in choices if "*" not in c) + ")"
    elif last.isalpha():
        possessive = f"{last}s"
    else:
        return (phrase,)
    return (phrase, f"{head} {possessive}".strip())


def _vocabularies(lexicons: Sequence[Lexicon]) -> dict[str, frozenset[str]]:
    """Words only one lexicon uses, to tell which language a message is mostly in."""
    words = {
        lex.language: frozenset(
            word
            for phrase in (*(p.source for p in lex.patterns), *lex.idioms,
                           *(entry for entries in lex.context.values() for entry in entries))
            for word in tokenise(phrase.replace("|", " ").replace("(", " ").replace(")", " ")).words
        )
        for lex in lexicons
    }
    return {
        language: own - frozenset().union(*(w for other, w in words.items() if other != language))
        for language, own in words.items()
    }


@cache
def default_classifier() -> Classifier:
    """The shipped Danish and English lexicons, read on first use rather than at import."""
    return Classifier.from_directory(DEFAULT_LEXICON_DIR)


def classify(text: str) -> Assessment:
    """Classify with the shipped lexicons; safe to call from any handler, it never awaits."""
    return default_classifier().classify(text)
