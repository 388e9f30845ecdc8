"""Shared test fixtures: where the real material lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()
SAMPLES = SHARED / "formats" / "samples"
SEED = SHARED / "seed" / "000_a44bcb30204f6ae6.txt"
CORPUS_CSV = SHARED / "corpus" / "digst-sample.csv"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared material not found at {SHARED}")
    return SHARED
