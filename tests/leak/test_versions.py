"""A meeting's versions over time: closure wins, the newest version defines the items, and
whatever becomes closed or withdrawn leaves every file of the index folder.

The real Ballerup Publication export is edited into versions of one meeting: its SAPA item
(with its enclosed PDF) carries planted words, and is closed, dropped or reopened between
imports.  After every step the search, the item and every byte under the index folder
(raw, inflated, the Whoosh vocabulary and stored fields of deleted documents) are checked.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SAMPLES
from tests.helpers import quiet_ingest
from tests.leak.disk import hits_on_disk
from tests.leak.test_closed_samples import tiny_pdf

BALLERUP = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
ITEM_WORD, BILAG_WORD = "qzvversionpunkt", "qzvversionbilag"
WORDS = [ITEM_WORD, BILAG_WORD]


def version(tmp: Path, name: str, kind: str, sapa: str) -> Path:
    """The export as a dagsorden or referat; the SAPA item "open", "closed" or "gone"."""
    folder = shutil.copytree(BALLERUP, tmp / name)
    xml = folder / "Publication32.xml"
    tree = etree.parse(str(xml))
    root = tree.getroot()
    if kind == "referat":
        root.find("PublicationTypeAsValue").text = "2"  # type: ignore[union-attr]
        root.find("PublicationTypeAsEnum").text = "Minutes"  # type: ignore[union-attr]
    item = next(i for i in tree.iterfind(".//Item") if "SAPA" in (i.findtext("Caption") or ""))
    item.find("Caption").text = f"{item.findtext('Caption')} {ITEM_WORD}"  # type: ignore[union-attr]
    for content in item.iterfind(".//ItemField/Content"):
        content.text = etree.CDATA(f"{content.text or ''} {ITEM_WORD}")
    if sapa == "closed":
        item.find("IsPublic").text = "False"  # type: ignore[union-attr]
    elif sapa == "gone":
        item.getparent().remove(item)
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)
    (folder / "Enclosures" / "1.pdf").write_bytes(tiny_pdf(f"Brev fra KL {BILAG_WORD}"))
    return folder


def searchable(root: Path, word: str) -> int:
    return SearchService(root).search(SearchRequest(q=word)).total


def sapa_id(root: Path) -> str:
    with MinutesIndex.open(root).ix.searcher() as searcher:
        ids = [f["id"] for f in searcher.all_stored_fields() if f.get("number") == "3"]
    assert len(ids) == 1
    return ids[0]


def assert_gone_from_disk(root: Path) -> None:
    assert hits_on_disk(root, WORDS) == []
    assert not any((root / "archive").rglob("*")) or all(
        b"qzvversion" not in p.read_bytes() for p in (root / "archive").rglob("*") if p.is_file()
    )


def test_the_planted_version_is_found_so_the_checks_can_fail(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], root)
    assert searchable(root, ITEM_WORD) == 1 and searchable(root, BILAG_WORD) == 1
    hits = hits_on_disk(root, WORDS)
    assert any("textcache" in h for h in hits) and any("vocabulary" in h for h in hits)


def test_a_dagsorden_that_closes_an_item_wins_over_its_referat(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "referat", "referat", "open")], root)
    item_id = sapa_id(root)
    summary = quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "closed")], root)
    assert summary.closed_by_older == 1
    assert searchable(root, ITEM_WORD) == 0 and searchable(root, BILAG_WORD) == 0
    assert SearchService(root).get_item(item_id) is None
    assert searchable(root, "monopolbrud") == 0  # the item's other words went with it
    assert_gone_from_disk(root)
    assert searchable(root, "standard it-arbejdsplads") >= 1  # the rest of the referat stands


def test_an_item_missing_from_the_newer_version_disappears(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "open")], root)
    item_id = sapa_id(root)
    archived = {p.name for p in (root / "archive").rglob("*") if p.is_file()}
    assert archived
    summary = quiet_ingest([version(tmp_path, "referat", "referat", "gone")], root)
    assert summary.items_removed == 1 and summary.pruned >= 2  # the archived PDF and its cached text
    with MinutesIndex.open(root).ix.searcher() as searcher:
        assert searcher.document(id=item_id) is None  # not even a stub
    assert not any((root / "archive").rglob("*.pdf"))
    assert_gone_from_disk(root)


def test_open_closed_open_again_stays_closed_unless_the_operator_reopens(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "v1", "referat", "open")], root)
    quiet_ingest([version(tmp_path, "v2", "referat", "closed")], root)
    assert_gone_from_disk(root)
    again = quiet_ingest([version(tmp_path, "v3", "referat", "open")], root)
    assert again.kept_closed == 1 and any("stays closed" in w for w in again.warnings)
    assert searchable(root, ITEM_WORD) == 0
    assert_gone_from_disk(root)
    reopened = quiet_ingest([version(tmp_path, "v4", "referat", "open")], root, allow_reopen=True)
    assert reopened.kept_closed == 0
    assert searchable(root, ITEM_WORD) == 1 and searchable(root, BILAG_WORD) == 1


def test_a_lower_rank_version_changes_nothing_else(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "referat", "referat", "open")], root)
    summary = quiet_ingest([version(tmp_path, "dagsorden", "dagsorden", "gone")], root)
    assert summary.items_removed == 0 and summary.items_updated == 0
    assert searchable(root, ITEM_WORD) == 1


@pytest.mark.parametrize("order", ["referat-first", "dagsorden-first"])
def test_versions_in_one_batch_fold_in_order(tmp_path: Path, order: str) -> None:
    root = tmp_path / "ix"
    referat = version(tmp_path, "referat", "referat", "closed")
    dagsorden = version(tmp_path, "dagsorden", "dagsorden", "open")
    quiet_ingest([referat, dagsorden] if order == "referat-first" else [dagsorden, referat], root)
    assert searchable(root, ITEM_WORD) == 0
    assert_gone_from_disk(root)


def test_forget_removes_everywhere_records_no_content_and_keeps_it_out(tmp_path: Path) -> None:
    from indexer.cli import main

    root = tmp_path / "ix"
    source = version(tmp_path, "referat", "referat", "open")
    quiet_ingest([source], root)
    item_id = sapa_id(root)
    reason = "Borgerens anmodning efter GDPR art. 17"
    assert main(["forget", item_id, "--reason", reason, "--index", str(root)]) == 0
    assert searchable(root, ITEM_WORD) == 0 and SearchService(root).get_item(item_id) is None
    assert_gone_from_disk(root)
    record = (root / "forgotten.json").read_text("utf-8")
    assert item_id in record and reason in record and "SAPA" not in record
    again = quiet_ingest([source], root)  # the same source, re-imported
    assert again.forgotten == 1 and searchable(root, ITEM_WORD) == 0
    assert_gone_from_disk(root)
    assert searchable(root, "standard it-arbejdsplads") >= 1  # the rest of the meeting is back in place
    back = quiet_ingest([source], root, allow_forgotten=True)
    assert searchable(root, ITEM_WORD) == 1 and any("indexed again" in w for w in back.warnings)
    assert "SAPA" not in (root / "forgotten.json").read_text("utf-8") and item_id not in (
        root / "forgotten.json"
    ).read_text("utf-8")


def test_forget_a_whole_meeting_and_see_it_in_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from indexer.cli import main

    root = tmp_path / "ix"
    quiet_ingest([version(tmp_path, "referat", "referat", "open")], root)
    with MinutesIndex.open(root).ix.searcher() as searcher:
        [meeting_id] = {f["meeting_id"] for f in searcher.all_stored_fields()}
    assert main(["forget", meeting_id, "--reason", "udgivet ved en fejl", "--index", str(root)]) == 0
    assert MinutesIndex.open(root).doc_count() == 0
    assert not [p for p in (root / "archive").rglob("*") if p.is_file()]
    assert not [p for p in (root / "textcache").rglob("*") if p.is_file()]
    capsys.readouterr()
    assert main(["stats", "--index", str(root)]) == 0
    out = capsys.readouterr().out
    assert "taken down (minutes forget): 1" in out and meeting_id in out and "udgivet ved en fejl" in out
