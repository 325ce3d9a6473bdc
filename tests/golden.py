"""Golden files: compare output with a checked-in file; WARMSTART_UPDATE_GOLDEN=1 rewrites it."""

import os
from pathlib import Path

UPDATE = os.environ.get("WARMSTART_UPDATE_GOLDEN") == "1"


def assert_golden(golden: Path, text: str) -> None:
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), "re-run with WARMSTART_UPDATE_GOLDEN=1 and review the diff"
