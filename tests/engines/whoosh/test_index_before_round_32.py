"""An index made before round 32 is refused until ``minutes reindex`` rebuilds it.

Round 32 closed an attachment whose title marks it closed ("Bilag 2 (lukket) - …",
``model.title_marks_closed``) and indexed a meeting date's precision (``date_precision``).  Both
reach only what is written after: an older index went on publishing such an attachment (its
title, its text in the search and the file in the archive) and reading a year-only meeting as
1 January, and nothing said so.  Its schema lacks ``date_precision``: it is refused, like any
older format, with the reindex command, and the reindex (which reads the recorded sources, not
the old index) closes the attachment and leaves nothing of it on disk.

The old index is made here the way that version made it: the current code with the title rule
switched off, its documents written into a schema without the fields round 32 and 31 added.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

import indexer.model
from indexer.cli import main as cli_main
from indexer.engines.whoosh.index import (
    INDEX_NAME,
    TITLE_RULE_STAMP,
    IndexOutdated,
    MinutesIndex,
    build_schema,
    minutes_codec,
)
from indexer.model import CLOSED_TITLE_RULE
from indexer.search.service import SearchRequest, SearchService
from tests.helpers import TITLED_CLOSED_WORDS, TITLED_OPEN_WORDS, plant_titled_closed, quiet_ingest
from tests.leak.disk import hits_on_disk

ADDED = ("meeting_text", "date_precision")  # the indexed-only fields rounds 31 and 32 added


def _made_before_round_32(root: Path) -> None:
    """Rewrite the live generation as an older version wrote it: the same stored documents in a
    schema without the fields added since (segments in this version's codec: only the schema is old)."""
    index = MinutesIndex.open(root)
    documents = [index.with_derived_fields(dict(fields)) for fields in index.iter_stored()]
    live = MinutesIndex.live_dir(root)
    for path in live.iterdir():
        if path.name != "analysis-version" and path.is_file():
            path.unlink()
    schema = build_schema()
    for name in ADDED:
        schema.remove(name)
    ix = whoosh_index.create_in(str(live), schema, indexname=INDEX_NAME)
    writer = ix.writer(codec=minutes_codec())
    for document in documents:
        writer.add_document(**{k: v for k, v in document.items() if k not in ADDED})
    writer.commit()


def _ingested_without_the_title_rule(source: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingest ``source`` as a version whose closed-title rule let its titles through."""
    with monkeypatch.context() as before:
        before.setattr(indexer.model, "title_marks_closed", lambda title: False)
        assert not quiet_ingest([source], root).rejected


def _refused_then_reindexed(root: Path, refusal: str) -> None:
    """What both scenarios check of an older index: it holds the closed words, is refused on open
    (``refusal``) and by the search service until ``minutes reindex``, after which the open words
    are found and the closed ones are gone from search and from every file under ``root``."""
    assert hits_on_disk(root, TITLED_CLOSED_WORDS), "the old index holds the attachments, so the grep can fail"
    with pytest.raises(IndexOutdated, match=refusal):
        MinutesIndex.open(root)
    with pytest.raises(IndexOutdated, match="minutes reindex --index"):
        SearchService(root)
    assert cli_main(["reindex", "--index", str(root)]) == 0
    service = SearchService(root)
    try:
        assert service.search(SearchRequest(q=TITLED_OPEN_WORDS[1])).total == 1
        assert all(service.search(SearchRequest(q=word)).total == 0 for word in TITLED_CLOSED_WORDS)
    finally:
        service.close()
    assert hits_on_disk(root, TITLED_CLOSED_WORDS) == []
    assert hits_on_disk(root, TITLED_OPEN_WORDS), "the open attachments are written, so the grep can fail"


def test_an_index_without_date_precision_is_refused_and_reindex_closes_titled_attachments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ix"
    _ingested_without_the_title_rule(plant_titled_closed(tmp_path / "source"), root, monkeypatch)
    _made_before_round_32(root)
    _refused_then_reindexed(root, r"no meeting_text, date_precision field.*minutes reindex --index")
    titles = [a["title"] for item in MinutesIndex.open(root).iter_stored() for a in _attachments(item.get("doc"))]
    assert len(titles) == 2 and all(TITLED_OPEN_WORDS[0] in t for t in titles)


def _attachments(doc: str | None) -> list[dict[str, str]]:
    import json

    return list(json.loads(doc or "{}").get("attachments") or [])


def test_an_index_written_under_an_older_closed_title_rule_is_refused_and_reindex_closes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index of rounds 32 and 33 has every field, and its rule let through titles a caseworker
    writes to mark an attachment closed ("Bilag 2 - Fortroligt", "Notat - ikke offentligt"): it
    went on publishing them.  It has no ``closed-title-rule`` stamp (or a lower one) and is refused
    until the reindex, which writes them closed."""
    root = tmp_path / "ix"
    source = plant_titled_closed(tmp_path / "source", ("Bilag 2 - Fortroligt -", "Notat - ikke offentligt"))
    _ingested_without_the_title_rule(source, root, monkeypatch)
    (MinutesIndex.live_dir(root) / TITLE_RULE_STAMP).unlink()  # as those versions wrote it
    _refused_then_reindexed(root, r"whose title marks it closed.*minutes reindex --index")


def test_an_empty_index_without_the_stamp_opens_and_is_stamped_at_its_first_write(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    MinutesIndex.create(root)
    (MinutesIndex.live_dir(root) / TITLE_RULE_STAMP).unlink()
    MinutesIndex.open(root)  # nothing in it was written under an older rule
    assert not quiet_ingest([plant_titled_closed(tmp_path / "source")], root).rejected
    assert (MinutesIndex.live_dir(root) / TITLE_RULE_STAMP).read_text("ascii").strip() == str(CLOSED_TITLE_RULE)
    MinutesIndex.open(root)
