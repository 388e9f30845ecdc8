from __future__ import annotations

import pytest

from tests.conftest import SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.fail(f"seed not found at {SEED}")
    return SEED.read_text(encoding="utf-8")
