"""Figures the end-to-end tests measure (rollout durations...), printed after the run."""

from __future__ import annotations

import pytest

FIGURES: list[str] = []


@pytest.fixture
def report() -> list[str]:
    """Append one line per figure; they are printed in pytest's terminal summary."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("measured by the end-to-end tests")
        for line in FIGURES:
            terminalreporter.write_line(line)
