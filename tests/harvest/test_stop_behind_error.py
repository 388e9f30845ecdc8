"""A harvest stopped by SIGTERM or Ctrl-C says it was stopped, even when a read the stop cut short
fails after it: the error raised while handling the stop is not reported as bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from indexer import cli
from indexer.harvest import firstagenda
from indexer.workers import Terminated, interrupt_behind


def _closed_file_after(stop: KeyboardInterrupt) -> Any:
    def harvest(*args: Any, **kwargs: Any) -> Any:
        try:
            raise stop
        except KeyboardInterrupt:
            raise ValueError("I/O operation on closed file") from None

    return harvest


@pytest.mark.parametrize(
    ("stop", "status", "word"), [(Terminated(), 143, "stopped (SIGTERM)"), (KeyboardInterrupt(), 130, "interrupted")]
)
def test_a_read_failing_after_the_stop_is_reported_as_the_stop(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    stop: KeyboardInterrupt,
    status: int,
    word: str,
) -> None:
    monkeypatch.setattr(firstagenda, "harvest", _closed_file_after(stop))
    argv = ["harvest", "https://dagsordener.example.dk", "--index", str(tmp_path / "ix"), "--contact", "ops@example.dk"]
    assert cli.main(argv) == status
    assert capsys.readouterr().err.splitlines() == [
        f"{word}: batches committed so far are kept; nothing half-written was committed"
    ]


def test_bad_input_with_no_stop_behind_it_is_still_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def harvest(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("not a FirstAgenda portal")

    monkeypatch.setattr(firstagenda, "harvest", harvest)
    argv = ["harvest", "https://dagsordener.example.dk", "--index", str(tmp_path / "ix"), "--contact", "ops@example.dk"]
    assert cli.main(argv) == 2
    assert capsys.readouterr().err == "error: not a FirstAgenda portal; nothing indexed before was changed\n"


def test_the_stop_is_found_behind_a_chain_of_errors() -> None:
    stop = Terminated()
    try:
        try:
            raise stop
        except KeyboardInterrupt:
            raise OSError("reset") from None
    except OSError as first:
        second = ValueError("closed")
        second.__context__ = first
    assert interrupt_behind(second) is stop
    assert interrupt_behind(ValueError("alone")) is None
