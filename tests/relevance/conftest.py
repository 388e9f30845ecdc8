"""The relevance benchmark's module and its Whoosh evaluations, shared by the floor and parity tests.

The product's Whoosh index over the judged inputs is built once a session: the floor test ranks
it against the two baselines, the parity test against PostgreSQL over the same inputs (the
benchmark's ``run`` and ``run_engines`` build it with the same analysis, inputs and queries).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import SAMPLES, load_benchmark


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    if not SAMPLES.is_dir():
        pytest.fail(f"format samples not found at {SAMPLES}")
    return load_benchmark("relevance.py", "relevance_benchmark")


@pytest.fixture(scope="session")
def evaluations(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """All three systems, built once per test session over data/ and the samples."""
    runs = bench.run(workdir=Path(tmp_path_factory.mktemp("relevance")))
    return {e.system: e for e in runs}
