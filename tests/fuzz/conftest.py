"""Settings shared by the hostile-input suite, and the count of inputs tried, printed at the end.

Every property test here runs a bounded number of examples (`FUZZ`): the whole suite must stay
well under two minutes on CI's two cores. Under CI the examples are derandomized, so a run is
reproducible and a red CI means a real regression, not an unlucky draw; locally each run explores
new inputs (and hypothesis prints the failing example to paste into a regression test).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from tests.fuzz.hostile import TRIED

FUZZ = settings(
    max_examples=int(os.environ.get("PODPUB_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    # Shrinking a build-sized example can take minutes (PODPUB_FUZZ_SHRINK=1 to shrink); the example is
    # printed either way.
    phases=[Phase.explicit, Phase.reuse, Phase.generate, *[Phase.shrink] * bool(os.environ.get("PODPUB_FUZZ_SHRINK"))],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Callable[[], Path]]:
    """A folder emptied before each hypothesis example (function fixtures run once per test, not per example)."""

    def fresh() -> Path:
        folder = tmp_path / "example"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        return folder

    yield fresh


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRIED:
        total = sum(count for kind, count in TRIED.items() if not kind.startswith(" "))  # "  of which ..." rows
        terminalreporter.write_sep("-", f"hostile inputs tried: {total}")
        for kind, count in sorted(TRIED.items()):
            terminalreporter.write_line(f"{count:7d}  {kind}")
