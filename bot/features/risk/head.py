"""The trained head: a logistic regression over sentence embeddings, and the training phrases'
own vectors for a nearest-neighbour vote on urgency, stored as plain JSON.

Inference is matrix products and a softmax in numpy; scikit-learn is needed only to train
(`python -m bot risk train`). The file names the embedder it was trained on, so a head is
never applied to vectors from another model.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .assessment import RiskLevel

FORMAT = 4
DEFAULT_HEAD_PATH = Path(__file__).with_name("head.json")
CLASSES = (RiskLevel.NONE, RiskLevel.CONCERN, RiskLevel.URGENT)
NEVER = 2.0
"""A share threshold no message reaches."""


@dataclass(frozen=True)
class Neighbours:
    """Training phrases' vectors, urgent and the rest, stored as int8 with a scale per row.

    The vote for a vector: sigmoid(temperature * (mean cosine of its k nearest urgent phrases -
    mean cosine of its k nearest other phrases)). It catches a new wording of a risk the
    corpus already knows, which a linear boundary can leave just outside.

    `acts` marks the urgent phrases that tell of an act already done (an overdose taken, a cut
    made): the share of them among a vector's k nearest phrases of all kinds says how much a
    message reads like one.
    """

    urgent: npt.NDArray[np.float64]
    rest: npt.NDArray[np.float64]
    k: int
    temperature: float
    acts: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, urgent: npt.NDArray[Any], rest: npt.NDArray[Any], k: int,
           temperature: float, acts: npt.NDArray[np.bool_]) -> Neighbours:
        """From full-precision vectors, rounded as they will be stored."""
        return cls(_dequantise(*_quantise(urgent)), _dequantise(*_quantise(rest)), k,
                   temperature, np.asarray(acts, dtype=np.bool_))

    def vote(self, vectors: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        near_urgent = _mean_top(vectors @ self.urgent.T, self.k)
        near_rest = _mean_top(vectors @ self.rest.T, self.k)
        return 1.0 / (1.0 + np.exp(-self.temperature * (near_urgent - near_rest)))

    def act_share(self, vectors: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per vector: the share of acts already done among its k nearest training phrases."""
        similarity = np.hstack([vectors @ self.urgent.T, vectors @ self.rest.T])
        k = min(self.k, similarity.shape[1])
        if k == 0:
            return np.zeros(similarity.shape[0])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        is_act = np.concatenate([self.acts, np.zeros(len(self.rest), dtype=np.bool_)])
        return is_act[nearest].mean(axis=1)

    def to_data(self) -> dict[str, Any]:
        return {"k": self.k, "temperature": self.temperature,
                "urgent": _encode(*_quantise(self.urgent)), "rest": _encode(*_quantise(self.rest)),
                "acts": [int(i) for i in np.flatnonzero(self.acts)]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Neighbours:
        urgent = _decode(data["urgent"])
        acts = np.zeros(len(urgent), dtype=np.bool_)
        acts[np.asarray(data["acts"], dtype=np.int64)] = True
        return cls(urgent, _decode(data["rest"]), int(data["k"]), float(data["temperature"]),
                   acts)


def _mean_top(similarity: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    k = min(k, similarity.shape[1])
    if k == 0:
        return np.zeros(similarity.shape[0])
    return -np.partition(-similarity, k - 1, axis=1)[:, :k].mean(axis=1)


def _quantise(vectors: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float32]]:
    """int8 codes and one float32 scale per row; idempotent on already rounded vectors."""
    vectors = np.asarray(vectors, dtype=np.float64)
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.round(vectors / scales[:, None].astype(np.float64)), -127, 127)
    return codes.astype(np.int8), scales


def _dequantise(codes: npt.NDArray[np.int8],
                scales: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    return codes.astype(np.float64) * scales[:, None].astype(np.float64)


def _encode(codes: npt.NDArray[np.int8], scales: npt.NDArray[np.float32]) -> dict[str, Any]:
    return {"rows": int(codes.shape[0]), "dim": int(codes.shape[1]) if codes.ndim == 2 else 0,
            "codes": base64.b64encode(codes.astype("<i1").tobytes()).decode("ascii"),
            "scales": base64.b64encode(scales.astype("<f4").tobytes()).decode("ascii")}


def _decode(data: Mapping[str, Any]) -> npt.NDArray[np.float64]:
    rows, dim = int(data["rows"]), int(data["dim"])
    codes = np.frombuffer(base64.b64decode(data["codes"]), dtype="<i1").reshape(rows, dim)
    scales = np.frombuffer(base64.b64decode(data["scales"]), dtype="<f4")
    if scales.shape != (rows,):
        raise ValueError("neighbour scales do not match their rows")
    return _dequantise(codes.astype(np.int8), scales.astype(np.float32))


@dataclass(frozen=True)
class Head:
    """Weights per class (rows follow CLASSES), bias, and the four tuned thresholds.

    possible: the score of urgency at or above which a message is possible risk.
    confirm: the lower score of urgency that makes a rules' concern possible risk: two
        independent signals agreeing ("when in doubt, act").
    concern: the probability of any risk (concern + urgent) at or above which it is concern.
    act: the share of acts already done among a message's nearest training phrases at or
        above which a possible risk is urgent (acts already done are always urgent); above 1:
        never.
    neighbours, mix: with neighbours, the score of urgency is (1 - mix) * P(urgent) + mix *
        their vote; without, P(urgent) alone.
    """

    embedder: str
    weights: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]
    possible: float
    confirm: float
    concern: float
    report: Mapping[str, Any] = field(default_factory=dict)
    neighbours: Neighbours | None = None
    mix: float = 0.0
    act: float = NEVER
    training: str = ""
    """training_digest of what it was trained on (bot/features/risk/training.py)."""

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """One row per vector: P(none), P(concern), P(urgent)."""
        logits = vectors.astype(np.float64) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def scores(self, vectors: npt.NDArray[np.float32]
               ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64],
                          npt.NDArray[np.float64]]:
        """One value per vector for each: the score of urgency, P(any risk), and the share of
        acts already done among its nearest training phrases."""
        probabilities = self.probabilities(vectors)
        urgent = probabilities[:, CLASSES.index(RiskLevel.URGENT)]
        acts = np.zeros(len(vectors))
        if self.neighbours is not None:
            near = vectors.astype(np.float64)
            urgent = (1.0 - self.mix) * urgent + self.mix * self.neighbours.vote(near)
            acts = self.neighbours.act_share(near)
        return urgent, 1.0 - probabilities[:, CLASSES.index(RiskLevel.NONE)], acts

    def to_json(self) -> str:
        """Stable text: same head, same bytes, so a rebuild can be compared with the shipped one."""
        data = {
            "format": FORMAT,
            "embedder": self.embedder,
            "classes": [str(c) for c in CLASSES],
            "thresholds": {"possible": round(self.possible, 4), "confirm": round(self.confirm, 4),
                           "concern": round(self.concern, 4), "act": round(self.act, 4)},
            "bias": [round(float(b), 5) for b in self.bias],
            "weights": [[round(float(w), 5) for w in row] for row in self.weights],
            "report": self.report,
            "neighbours": self.neighbours.to_data() if self.neighbours is not None else None,
            "mix": self.mix,
            "training": self.training,
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_HEAD_PATH) -> Head:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("classes") != [str(c) for c in CLASSES]:
            raise ValueError(f"{path}: not a risk head of format {FORMAT}")
        weights = np.asarray(data["weights"], dtype=np.float64)
        bias = np.asarray(data["bias"], dtype=np.float64)
        if weights.shape[0] != len(CLASSES) or bias.shape != (len(CLASSES),):
            raise ValueError(f"{path}: weights do not match the classes")
        thresholds = data["thresholds"]
        neighbours = data.get("neighbours")
        return cls(str(data["embedder"]), weights, bias, float(thresholds["possible"]),
                   float(thresholds["confirm"]), float(thresholds["concern"]),
                   data.get("report", {}),
                   Neighbours.from_data(neighbours) if neighbours is not None else None,
                   float(data.get("mix", 0.0)), float(thresholds["act"]),
                   str(data.get("training", "")))
