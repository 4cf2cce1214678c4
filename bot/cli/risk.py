"""`python -m bot risk train | eval | review`: the classifier's upkeep, for whoever runs it."""

from __future__ import annotations

from pathlib import Path

from bot.config import ConfigError, Settings
from bot.db_open import open_database
from bot.features.care.storage import DecisionStore, ReviewItem
from bot.features.risk import default_classifier
from bot.features.risk.corpus import DEFAULT_CORPUS_DIR, load_corpus
from bot.features.risk.embedding import load_embedder
from bot.features.risk.evaluation import judge, report
from bot.features.risk.head import DEFAULT_HEAD_PATH, Head
from bot.features.risk.second_opinion import RiskAssessor, SecondOpinion

TRAIN_THREADS = 2
_SUGGESTED = {"wrongly_flagged": "none", "missed": "urgent"}


def train_head(corpus: Path = DEFAULT_CORPUS_DIR, out: Path = DEFAULT_HEAD_PATH) -> list[str]:
    """Fit on the training split, write the head, and return the cross-validated figures."""
    try:
        import sklearn  # noqa: F401

        from bot.features.risk.training import train
    except ImportError:
        raise ConfigError("risk train: scikit-learn is missing; install the extra: "
                          "pip install -e '.[train]'") from None
    embedder = load_embedder(TRAIN_THREADS)
    if embedder is None:
        raise ConfigError("risk train: the embedding model cannot run on this machine")
    cases = [case for case in load_corpus(corpus) if not case.held_out]
    head = train(cases, embedder, default_classifier(), progress=print)
    head.save(out)
    lines = [f"wrote {out}: possible risk from an urgency score >= {head.possible:.2f} (>= "
             f"{head.confirm:.2f} when the rules saw concern), concern from P(risk) >= "
             f"{head.concern:.2f}", "cross-validated (training split):"]
    return lines + [f"  {key}: {value}" for key, value in head.report.items()]


def evaluate(corpus: Path = DEFAULT_CORPUS_DIR, held_out: bool = True) -> list[str]:
    """Rules plus the shipped head on the held-out split (or on everything)."""
    embedder = load_embedder(TRAIN_THREADS)
    model = SecondOpinion(embedder, Head.load()) if embedder is not None else None
    assessor = RiskAssessor(default_classifier(), model)
    cases = [c for c in load_corpus(corpus) if c.held_out or not held_out]
    title = "held-out split" if held_out else "whole corpus"
    engine = "rules + model" if model else "rules only (model unavailable)"
    return [f"{title}, {len(cases)} phrases, {engine}", *report(judge(cases, assessor.assess))]


async def review_lines(settings: Settings, tsv: bool) -> list[str]:
    """Cases that consultants marked wrongly flagged or missed, for the next corpus."""
    db = await open_database(settings)
    try:
        items = await DecisionStore(db).for_review()
    finally:
        await db.close()
    if not items:
        return ["no cases marked wrongly flagged or missed yet"]
    if tsv:
        return [_corpus_line(item) for item in items if item.message]
    return [line for item in items for line in _describe(item)]


def _describe(item: ReviewItem) -> list[str]:
    when = item.marked_at.date().isoformat() if item.marked_at else "?"
    if item.level is None:
        verdict = "no decision by the bot (the case was opened another way)"
    else:
        score = f", P(urgent) {item.score:.2f}" if item.score is not None else ""
        verdict = f"bot said {item.level} ({item.decider}{score}), rule {item.rule or '-'}"
    words = f"«{item.message}»" if item.message else "(the words are no longer kept)"
    return [f"#{item.case_id}\t{item.mark}\t{when}\tcase {item.case_level}\t{verdict}",
            f"\t{words}"]


def _corpus_line(item: ReviewItem) -> str:
    """A line to check and paste into tests/risk/corpus/<lang>/review.tsv."""
    level = _SUGGESTED[item.mark]
    category = "-" if level == "none" else (item.category or "suicide_self_harm")
    text = " ".join((item.message or "").split())
    return f"{level}\t{category}\t{text}"
