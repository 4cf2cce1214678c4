"""Common misspellings and slang rewritten to dictionary words before any pattern is tried."""

from __future__ import annotations

from collections.abc import Iterable

from .normalise import Tokens, tokenise


class Respeller:
    """Rewrites word sequences ("kil my self", "selvmort", "gonna") to their intended words."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        seen: dict[tuple[str, ...], tuple[str, ...]] = {}
        prefixes: dict[str, str] = {}
        for wrong, right in pairs:
            if wrong.endswith("*"):
                self._add_prefix(prefixes, wrong, right)
                continue
            key = _words(wrong)
            value = _words(right)
            if not key or not value:
                raise ValueError(f"empty misspelling entry {wrong!r} = {right!r}")
            if key == value:
                continue
            if seen.get(key, value) != value:
                raise ValueError(f"misspelling {wrong!r} maps to {seen[key]} and {value}")
            seen[key] = value
        for key, value in seen.items():
            self._by_first.setdefault(key[0], []).append((key, value))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self.single_words = frozenset(key[0] for key in seen if len(key) == 1)
        self._prefixes = tuple(sorted(prefixes.items(), key=lambda pair: -len(pair[0])))
        self._prefix_starts = tuple({wrong[:3] for wrong in prefixes})

    @staticmethod
    def _add_prefix(prefixes: dict[str, str], wrong: str, right: str) -> None:
        """A typo at the start of a word, whatever follows: "selvmort*" = "selvmord*"."""
        key, value = _words(wrong.rstrip("*")), _words(right.rstrip("*"))
        if len(key) != 1 or len(value) != 1 or not right.endswith("*") or len(key[0]) < 3:
            raise ValueError(f"prefix misspelling {wrong!r} = {right!r} must be one word* each")
        if prefixes.get(key[0], value[0]) != value[0]:
            raise ValueError(f"misspelling {wrong!r} maps to two prefixes")
        if key != value:
            prefixes[key[0]] = value[0]

    def _respell_prefix(self, word: str) -> str:
        """The word with a misspelt start put right; the longest known typo wins."""
        if not word.startswith(self._prefix_starts):
            return word
        for wrong, right in self._prefixes:
            if word.startswith(wrong):
                return right + word[len(wrong):]
        return word

    def apply(self, tokens: Tokens) -> Tokens:
        """Tokens with every known misspelling replaced; longest key wins, output is not re-read."""
        if self._prefixes:
            tokens = Tokens(tuple(self._respell_prefix(w) for w in tokens.words),
                            tokens.clauses, tokens.sentences)
        if not any(word in self._by_first for word in tokens.words):
            return tokens
        words: list[str] = []
        clauses: list[int] = []
        sentences: list[int] = []
        i, n = 0, len(tokens.words)
        while i < n:
            length, value = self._lookup(tokens.words, i)
            words.extend(value)
            clauses.extend([tokens.clauses[i]] * len(value))
            sentences.extend([tokens.sentences[i]] * len(value))
            i += length
        return Tokens(tuple(words), tuple(clauses), tuple(sentences))

    def _lookup(self, words: tuple[str, ...], i: int) -> tuple[int, tuple[str, ...]]:
        """How many words at i a misspelling covers and what replaces them (itself if none)."""
        for key, value in self._by_first.get(words[i], ()):
            if tuple(words[i:i + len(key)]) == key:
                return len(key), value
        return 1, (words[i],)


def _words(phrase: str) -> tuple[str, ...]:
    """A phrase from the lexicon in normal form."""
    return tokenise(phrase).words
