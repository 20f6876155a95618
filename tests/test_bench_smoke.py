"""The benchmarks must never rot: `bench/run.py --quick` runs every target end to end at tiny sizes.

Speed is not asserted here (bench/README.md holds the figures); only that every target still runs and
prints its row. Targets whose tools are missing on this machine (SeaweedFS, rclone, aws-cli, ffprobe)
say so in their row instead of failing, so this test itself is never skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {str(n) for n in range(1, 9)}
VERDICTS = {"yes", "no", "skipped", "n/a"}


def test_quick_run_prints_every_target_row() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-5000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert rows and rows[0].startswith("| # | what | podpub"), output[-3000:]
    cells = [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows[2:]]
    assert {c[0] for c in cells} == TARGETS, rows
    for row in cells:
        assert len(row) == 7, row
        assert row[6] in VERDICTS, row  # never ERROR
        if row[6] in ("yes", "no"):
            assert row[2] != "-" and row[3] != "-", row  # a judged row has both figures
    assert "podpub-bench-" in done.stdout  # the temp dir is named ...
    data = next(line.split(": ", 1)[1] for line in done.stdout.splitlines() if line.startswith("data: "))
    assert not Path(data).exists()  # ... and removed at the end
