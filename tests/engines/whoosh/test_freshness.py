"""A searcher asks Whoosh whether it is current only when the index folder changed.

Whoosh's ``up_to_date`` lists the whole index folder; the engine asks it only when the
folder's modification time is not the one it saw when it last found its searcher
current (and that time was already old enough to trust).  A commit from elsewhere —
another index object, as another process would — is still seen by the next search.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from indexer.engines.whoosh import engine as engine_module
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SEED
from tests.helpers import NORDDJURS, quiet_ingest, seed_meeting, write_jsonl

NEW_WORD = "vandløbsregulativerne"


def _commit_new_word(tmp_path: Path, root: Path) -> None:
    later = seed_meeting()
    later.items[0].sections[0].text += f" {NEW_WORD.capitalize()} er revideret."
    quiet_ingest([write_jsonl(tmp_path / "later.jsonl", [later.finalise()])], root)


def _count_listings(monkeypatch: pytest.MonkeyPatch, service: SearchService) -> list[int]:
    calls = [0]
    searcher_class = type(service.engine.searcher())
    original = searcher_class.up_to_date

    def counted(self: object) -> bool:
        calls[0] += 1
        return bool(original(self))

    monkeypatch.setattr(searcher_class, "up_to_date", counted)
    return calls


def test_an_unchanged_folder_is_not_listed_again_and_a_commit_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    service = SearchService(root)
    assert service.search(SearchRequest(q="sociale medier")).total == 1
    calls = _count_listings(monkeypatch, service)
    time.sleep(engine_module.FOLDER_TIME_WINDOW_NS / 1e9 + 0.05)
    service.search(SearchRequest(q="sociale medier"))  # the folder's time is old enough: trusted from now
    trusted = calls[0]
    for _ in range(5):
        assert service.search(SearchRequest(q="sociale medier")).total == 1
    assert calls[0] == trusted, "nothing changed: the folder was not listed again"
    assert service.search(SearchRequest(q=NEW_WORD)).total == 0
    _commit_new_word(tmp_path, root)  # through another index object, as another process would
    assert service.search(SearchRequest(q=NEW_WORD)).total == 1
    assert calls[0] > trusted


def test_a_young_folder_time_is_not_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after a commit the folder's time may be shared by the next commit: every search
    then asks Whoosh, and a commit straight after a search is seen."""
    monkeypatch.setattr(engine_module, "FOLDER_TIME_WINDOW_NS", 10**15)  # every folder time counts as young
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    service = SearchService(root)
    service.search(SearchRequest(q="sociale medier"))
    calls = _count_listings(monkeypatch, service)
    for _ in range(3):
        service.search(SearchRequest(q="sociale medier"))
    assert calls[0] >= 3
    assert service.search(SearchRequest(q=NEW_WORD)).total == 0
    _commit_new_word(tmp_path, root)
    assert service.search(SearchRequest(q=NEW_WORD)).total == 1
