"""`python -m benchmarks.risk`: how long the safety net takes to read one message, and its memory.

Rules alone, then rules plus the model, over every corpus phrase and over long messages built
from them (8 sentences each). Prints p50/p95/max per message and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable, Sequence

from bot.features.risk import default_classifier
from bot.features.risk.corpus import load_corpus
from bot.features.risk.second_opinion import default_assessor


def _timings(assess: Callable[[str], object], texts: Sequence[str]) -> list[float]:
    out = []
    for text in texts:
        start = time.perf_counter()
        assess(text)
        out.append(time.perf_counter() - start)
    return out


def _line(name: str, timings: list[float]) -> str:
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    return (f"{name:34} n={len(ms):5}  p50 {statistics.median(ms):7.2f} ms  p95 {p95:7.2f} ms  "
            f"max {ms[-1]:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=600, help="phrases to time (default 600)")
    args = parser.parse_args()
    texts = [c.text for c in load_corpus()][: args.limit]
    long = [" ".join(texts[i:i + 8]) for i in range(0, min(len(texts), 400), 8)]
    rules = default_classifier()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    assessor = default_assessor(True)
    load = time.perf_counter() - started
    rules.classify(texts[0])
    assessor.assess(texts[0])
    print(_line("rules, one message", _timings(rules.classify, texts)))
    if assessor.model is None:
        print("model unavailable on this machine: rules only")
        return
    print(f"model loaded in {load * 1000:.0f} ms")
    print(_line("rules + model, one message", _timings(assessor.assess, texts)))
    print(_line("rules + model, 8-sentence message", _timings(assessor.assess, long)))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB ({rss - rss_before:.0f} MB for the model and its head)")


if __name__ == "__main__":
    main()
