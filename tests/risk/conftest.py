"""Collects the corpus figures so they are printed in pytest's terminal summary, even without -s."""

from __future__ import annotations

import pytest

_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture
def risk_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines a test wants shown at the end of the run."""
    return request.config.stash.setdefault(_REPORT, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print the collected figures under their own heading."""
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("risk classifier corpus")
        for line in lines:
            terminalreporter.write_line(line)
