"""The trained head: a logistic regression over sentence embeddings, stored as plain JSON.

Inference is a matrix product and a softmax in numpy; scikit-learn is needed only to train
(`python -m bot risk train`). The file names the embedder it was trained on, so a head is
never applied to vectors from another model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .assessment import RiskLevel

FORMAT = 2
DEFAULT_HEAD_PATH = Path(__file__).with_name("head.json")
CLASSES = (RiskLevel.NONE, RiskLevel.CONCERN, RiskLevel.URGENT)


@dataclass(frozen=True)
class Head:
    """Weights per class (rows follow CLASSES), bias, and the three tuned thresholds.

    possible: the probability of urgent at or above which a message is possible risk.
    confirm: the lower probability of urgent that makes a rules' concern possible risk: two
        independent signals agreeing ("when in doubt, act").
    concern: the probability of any risk (concern + urgent) at or above which it is concern.
    """

    embedder: str
    weights: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]
    possible: float
    confirm: float
    concern: float
    report: Mapping[str, Any] = field(default_factory=dict)

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """One row per vector: P(none), P(concern), P(urgent)."""
        logits = vectors.astype(np.float64) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def to_json(self) -> str:
        """Stable text: same head, same bytes, so a rebuild can be compared with the shipped one."""
        data = {
            "format": FORMAT,
            "embedder": self.embedder,
            "classes": [str(c) for c in CLASSES],
            "thresholds": {"possible": round(self.possible, 4), "confirm": round(self.confirm, 4),
                           "concern": round(self.concern, 4)},
            "bias": [round(float(b), 5) for b in self.bias],
            "weights": [[round(float(w), 5) for w in row] for row in self.weights],
            "report": self.report,
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
        return cls(str(data["embedder"]), weights, bias, float(thresholds["possible"]),
                   float(thresholds["confirm"]), float(thresholds["concern"]),
                   data.get("report", {}))
