"""The benchmark still runs and its own checks pass (speed itself is never asserted here)."""

from __future__ import annotations

import pytest

from benchmarks import broadcast
from benchmarks.updates import FULL, REPLAY, VARIANTS, CallTally, measure, parse_args, report
from tests.pg import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the benchmarks measure the SQLite engine")


SMALL = ["--updates", "60", "--chats", "6", "--warmup", "0"]


async def test_a_small_benchmark_run_passes_its_checks() -> None:
    lines: list[str] = []
    results = await measure(parse_args([*SMALL, "--repeat", "2", "--in-process",
                                        "--citizens", "500",
                                        "--latency-seconds", "0.5", "--rate", "40"]),
                            lines.append)
    runs = results.runs
    assert set(runs) == set(VARIANTS) and all(len(r) == 2 for r in runs.values())
    assert [p for rs in runs.values() for r in rs for p in r.problems] == []
    assert runs[REPLAY][0].methods == runs[FULL][0].methods, "the replay repeats every call"
    assert len(results.latency) == 2 and all(r.updates == 20 for r in results.latency)
    printed = report(results)
    assert "checks passed" in printed
    for figure in ("SQL trips per update", "commits per update", "p99 latency"):
        assert figure in printed


async def test_by_default_each_variant_runs_in_a_fresh_process_and_reports_back() -> None:
    lines: list[str] = []
    results = await measure(parse_args([*SMALL, "--repeat", "1", "--latency-seconds", "0"]),
                            lines.append)
    runs = results.runs
    assert all(len(runs[v]) == 1 for v in VARIANTS)
    assert [p for rs in runs.values() for r in rs for p in r.problems] == []
    full, replay = runs[FULL][0], runs[REPLAY][0]
    assert full.methods == replay.methods, "the replay ran in the full path's worker"
    assert full.trips > 0 and full.commits > 0, "the database's counts came back"
    assert "checks passed" in report(results)
    assert len(lines) == len(VARIANTS)


def test_the_quick_broadcast_benchmark_runs_and_prints_its_figures(
        capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m benchmarks.broadcast --quick`: it runs and prints every figure (not whether
    the goals are met: speed belongs to the benchmark)."""
    assert broadcast.main(["--quick"]) == 0
    printed = capsys.readouterr().out
    for figure in ("cores", "kill -9 after", "all messages/s", "of SEND_RATE", "reply latency",
                   "p99", "duplicates", "losses", "in doubt", "outbox rows of the broadcast"):
        assert figure in printed
    assert printed.count("broadcast messages/s") == 2, "before the kill -9 and after it"


def test_an_error_reply_in_the_full_paths_calls_is_reported() -> None:
    tally = CallTally()
    tally.recording = {1: [("sendMessage", {"text": "Hej Anna"})],
                       2: [("answerCallbackQuery", {}),
                           ("sendMessage", {"text": "Beklager – noget gik galt. Prøv igen."})]}
    tally.flag({"Beklager – noget gik galt": "error reply"})
    assert tally.flagged == {"error reply": 1}
