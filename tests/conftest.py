"""Shared test fixtures: where the real material lives (inside the repository, see data/*/SOURCES.md)."""

from __future__ import annotations

import importlib.util
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from indexer.model import Meeting
from indexer.public import publish


def pytest_configure(config: pytest.Config) -> None:
    """A test run started in the background of a script (``pytest &``) inherits SIGINT ignored,
    and so would every command the Ctrl-C tests start, which then could not be interrupted: they
    are meant to get the signal as a terminal gives it, so the run takes Python's default."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SAMPLES = DATA / "samples"
SEED = REPO / "tests" / "fixtures" / "seed" / "000_a44bcb30204f6ae6.txt"
CORPUS_CSV = REPO / "tests" / "fixtures" / "corpus" / "digst-sample.csv"

# Fixtures for a throwaway PostgreSQL server (started once per session, when a test asks for it).
pytest_plugins = ["tests.postgres"]


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The server engine caches extracted text under $XDG_CACHE_HOME: in tests, a folder of the
    session's own, never the user's home."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
    yield
    mp.undo()


def published(meeting: Meeting) -> Meeting:
    """A parsed meeting past the closed-content boundary, where the text of open files is read."""
    public = publish(meeting)
    assert public is not None
    return public


def load_benchmark(script: str, module_name: str) -> ModuleType:
    """A script of ``benchmarks/`` as a module, so a test checks exactly what the benchmark prints
    or generates (the scripts are run by path, not installed)."""
    spec = importlib.util.spec_from_file_location(module_name, REPO / "benchmarks" / script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module
