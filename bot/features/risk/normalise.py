"""Text to comparable words, so case, punctuation, æøå spellings, typos and shouting all meet.

Normal form of a word: lowercase ASCII; æ/ae → e, ø/oe → o, å/aa → a (so Danish letters, their
two-letter spellings and the bare a/e/o typed on a foreign keyboard all meet); other accents
dropped; digits inside words read as letters (s3lvm0rd); every run of one letter collapsed to
a single letter, so "kiiill", "kill" and "kil" are the same word. Lexicons go through the same
function, so they are written in ordinary spelling.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ß": "ss"})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})
_RUNS = re.compile(r"([a-z])\1+")
_APOSTROPHES = str.maketrans(dict.fromkeys("'`\u2018\u2019\u00b4"))
_TOKEN = re.compile(
    r"(?P<word>[^\W_]+)|(?P<stop>[.!?;\n\r]+)|(?P<pause>[,:()\[\]\"\u201c\u201d\u00ab\u00bb\u2026\u2013\u2014]+)"
)
_EMOJI = {
    "💊": "emojipill", "🔪": "emojiknife", "🗡": "emojiknife", "🪢": "emojirope",
    "⚰": "emojicoffin", "🪦": "emojigrave", "🩸": "emojiblood", "🔫": "emojigun",
    "🍺": "emojidrink", "🍷": "emojidrink", "🥃": "emojidrink", "🍾": "emojidrink",
}
"""Emoji that people use in place of a method word become words the lexicons can name."""
_EMOJI_RE = re.compile("|".join(map(re.escape, _EMOJI)))
_SPELLED_OUT = 4
"""This many single letters in a row ("s e l v m o r d", "k.i.l.l") are read as one word."""


@dataclass(frozen=True, slots=True)
class Tokens:
    """Normal words with the clause and sentence each stands in, for context rules."""

    words: tuple[str, ...]
    clauses: tuple[int, ...]
    sentences: tuple[int, ...]


@lru_cache(maxsize=65536)
def normalise_word(raw: str) -> str:
    """One raw word in normal form; cached because chat vocabulary repeats a lot."""
    word = raw.lower().translate(_APOSTROPHES).translate(_LETTERS)
    if not word.isascii():
        word = unicodedata.normalize("NFKD", word)
        word = "".join(ch for ch in word if not unicodedata.combining(ch))
    if not word.isdigit() and any(ch.isdigit() for ch in word):
        word = word.translate(_LEET)
    word = _RUNS.sub(r"\1", word)
    word = word.replace("ae", "e").replace("oe", "o")
    return _RUNS.sub(r"\1", word)


_FRAGMENT_WORDS = 4
"""A sentence of at most this many words is a fragment of the sentence next to it."""


def tokenise(text: str) -> Tokens:
    """Split into normal words, numbering clauses (at , : …) and sentences (at . ! ? ; newline)."""
    words: list[_Word] = []
    clause = sentence = 0
    if not text.isascii():
        text = _EMOJI_RE.sub(lambda found: f" {_EMOJI[found.group()]} ", text)
    for found in _TOKEN.finditer(text.translate(_APOSTROPHES)):
        kind = found.lastgroup
        if kind == "word":
            words.append(_Word(found.group(), found.start(), found.end(), clause, sentence))
        elif kind == "stop" and not _is_ellipsis(found.group()):
            clause += 1
            sentence += 1
        else:
            clause += 1
    kept = [
        (word, item.clause, item.sentence)
        for item in _join_spelled_out(words)
        if (word := normalise_word(item.raw))
    ]
    return Tokens(
        tuple(word for word, _, _ in kept),
        tuple(clause for _, clause, _ in kept),
        _join_fragments([sentence for _, _, sentence in kept]),
    )


def _join_fragments(sentences: list[int]) -> tuple[int, ...]:
    """A fragment of a few words belongs to the sentence after it (the last one to the one before).

    People type "took something. cant get up." as one thought; a clause still ends at the full
    stop, so a negation does not reach across it.
    """
    runs: list[list[int]] = []
    for sentence in sentences:
        if runs and runs[-1][0] == sentence:
            runs[-1].append(sentence)
        else:
            runs.append([sentence])
    joined: list[list[int]] = []
    pending: list[int] = []
    for run in runs:
        pending.extend(run)
        if len(run) > _FRAGMENT_WORDS:
            joined.append(pending)
            pending = []
    if pending and joined:
        joined[-1].extend(pending)
    elif pending:
        joined.append(pending)
    return tuple(number for number, group in enumerate(joined) for _ in group)


@dataclass(frozen=True, slots=True)
class _Word:
    """A raw word with where it stood, so letters typed one by one can be regrouped."""

    raw: str
    start: int
    end: int
    clause: int
    sentence: int


def _is_ellipsis(mark: str) -> bool:
    """A trailing "..." is a pause inside a sentence, not its end."""
    return len(mark) > 1 and set(mark) == {"."}


def _join_spelled_out(words: list[_Word]) -> list[_Word]:
    """Letters typed one by one ("k i l l  m y s e l f") spell words; wider gaps part them."""
    out: list[_Word] = []
    i, count = 0, len(words)
    while i < count:
        j = i
        while j < count and len(words[j].raw) == 1 and words[j].raw.isalpha():
            j += 1
        if j - i >= _SPELLED_OUT:
            out.extend(_regroup(words[i:j]))
            i = j
        else:
            out.extend(words[i:max(j, i + 1)])
            i = max(j, i + 1)
    return out


def _regroup(letters: list[_Word]) -> list[_Word]:
    """Join single letters, starting a new word wherever the gap is wider than the narrowest."""
    gaps = [b.start - a.end for a, b in pairwise(letters)]
    narrowest = min(gaps)
    groups: list[list[_Word]] = [[letters[0]]]
    for gap, letter in zip(gaps, letters[1:], strict=True):
        if gap > narrowest:
            groups.append([])
        groups[-1].append(letter)
    return [
        _Word("".join(w.raw for w in group), group[0].start, group[-1].end,
              group[0].clause, group[0].sentence)
        for group in groups
    ]
