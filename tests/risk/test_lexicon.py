"""Lexicon files and pattern syntax: mistakes must fail at start-up, not silently miss."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.features.risk import Classifier, RiskLevel, default_classifier, load_lexicons
from bot.features.risk.classifier import DEFAULT_LEXICON_DIR
from bot.features.risk.normalise import normalise_word
from bot.features.risk.patterns import expand_groups, parse_pattern

MINIMAL = """
language = "xx"
[misspellings]
"dye" = "die"
[context]
negation = ["not"]
[idioms]
phrases = ["dying to"]
[patterns.suicide_self_harm]
urgent = ["(want|wish) ~2 to die"]
"""


def test_groups_of_single_words_stay_one_slot_and_phrases_are_spelled_out() -> None:
    assert expand_groups("tage (mit|sit) eget liv") == ["tage mit|sit eget liv"]
    assert expand_groups("gid jeg (var død|aldrig var født)") == [
        "gid jeg var død", "gid jeg aldrig var født",
    ]


@pytest.mark.parametrize("bad", [
    "tage mit|sit liv", "(unclosed", "closed)", "~2 leading gap", "trailing gap ~1",
    "two ~1 ~2 gaps", "(a||b)", "self-harm", "~0 x",
])
def test_malformed_patterns_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        for plain in expand_groups(bad):
            parse_pattern(plain, normalise_word)


def test_shipped_lexicons_load_and_cover_both_languages() -> None:
    lexicons = load_lexicons(DEFAULT_LEXICON_DIR)
    assert {lexicon.language for lexicon in lexicons} == {"da", "en"}
    assert default_classifier() is default_classifier()


def test_classifier_builds_from_any_lexicon_directory(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text(MINIMAL, encoding="utf-8")
    classifier = Classifier.from_directory(tmp_path)
    assert classifier.classify("I wish so much to dye").level is RiskLevel.URGENT
    assert classifier.classify("I do not want to die").level is RiskLevel.CONCERN
    assert classifier.classify("dying to start").level is RiskLevel.NONE


def test_pattern_using_a_misspelt_word_fails_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text(MINIMAL.replace("to die", "to dye"), encoding="utf-8")
    with pytest.raises(ValueError, match="misspelt"):
        Classifier.from_directory(tmp_path)


def test_unknown_category_or_table_fails_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "xx.toml").write_text(MINIMAL.replace("suicide_self_harm", "sadness"))
    with pytest.raises(ValueError):
        Classifier.from_directory(tmp_path)
    (tmp_path / "xx.toml").write_text(MINIMAL + "\n[extra]\nx = 1\n")
    with pytest.raises(ValueError, match="unknown"):
        Classifier.from_directory(tmp_path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Classifier.from_directory(tmp_path)


def test_importing_reads_no_file_and_first_use_reads_the_lexicons_once() -> None:
    probe = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: opened.append(str(a[0])) "
        "if e == 'open' and str(a[0]).endswith('.toml') else None)\n"
        "import bot.features.risk as risk\n"
        "assert opened == [], opened\n"
        "risk.classify('hej'); risk.classify('igen')\n"
        "print(len(opened))\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
