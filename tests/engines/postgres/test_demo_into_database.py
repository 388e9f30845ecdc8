"""`minutes demo --index postgresql://…` (or $MINUTES_INDEX set to one) builds the demo into that
database: it built a Whoosh folder named like the URL (./postgresql:/…) and served that."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.cli import main
from indexer.search.service import SearchService


def test_the_demo_builds_into_the_database_it_is_given(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINUTES_INDEX", pg_url)  # as --index: the environment the same
    assert main(["demo", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "into postgresql://" in out and "into postgresql:/" + pg_url.split("//", 1)[1] not in out
    assert "sample search 'sociale medier': " in out and "\n  - Sociale medier i arbejdsmæssig" in out
    assert list(tmp_path.iterdir()) == []  # no folder named like the URL
    service = SearchService(pg_url)
    try:
        assert service.stats()["open_items"] > 100
    finally:
        service.close()
    assert main(["demo", "--no-serve", "--index", pg_url]) == 0  # built once: the second run only searches
    assert "building" not in capsys.readouterr().out


def test_a_database_nobody_initialised_is_named_with_what_to_run(
    pg_empty_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--no-serve", "--index", pg_empty_url]) == 2
    err = capsys.readouterr().err
    assert "minutes db init --index" in err and "not initialised" in err
    assert list(tmp_path.iterdir()) == []
