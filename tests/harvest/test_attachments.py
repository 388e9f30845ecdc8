"""Attachments of open items are downloaded once, within limits, archived and their text indexed;
a closed item's never are."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.attachments import extract_text
from indexer.formats import IngestContext
from indexer.search.service import SearchRequest, SearchService
from tests.harvest.helpers import documents, dump, fast, ingest_directly, meeting_id_of, run
from tests.harvest.portal import Portal

MEETINGS = documents("Plan- og Tryghedsudvalget_2024-11-13", "Social- og Handicapudvalget_2024-01-08")


def _bilag(paths: list[Path]) -> list[str]:
    return [
        str(b["Id"])
        for path in paths
        for point in json.loads(path.read_bytes())["Dagsordenpunkter"]
        if not point["Caption"].startswith("Lukket: ")
        for b in point["Bilag"]
        if b["HarPdfVersion"] == "true"
    ]


@pytest.fixture()
def portal() -> Iterator[Portal]:
    served = Portal(MEETINGS)
    served.start()
    yield served
    served.stop()


def test_attachments_downloaded_once_and_indexed_as_a_direct_ingest_would(portal: Portal, tmp_path: Path) -> None:
    wanted = _bilag(MEETINGS)
    assert len(wanted) == 10
    root = tmp_path / "ix"
    first = run(portal.url, root, attachments=True)
    assert (first.new, first.attachments_downloaded, first.attachments_failed) == (2, 10, 0)
    assert sorted(h.path.rsplit("/", 1)[1] for h in portal.served("/vis/pdf/bilag/")) == sorted(wanted)
    # The same index as ingesting the documents with the same files beside them.
    files = tmp_path / "files"
    files.mkdir()
    for ident in wanted:
        (files / f"{ident}.pdf").write_bytes(portal.pdf_for(ident))
    ingest_directly(MEETINGS, tmp_path / "direct", IngestContext(extras={"attachments_dir": str(files)}))
    harvested = dump(root)
    assert harvested == dump(tmp_path / "direct")
    attachments = [a for d in harvested.values() if d["access"] == "open" for a in d["doc"]["attachments"]]
    assert len(attachments) == 10
    assert all(a["archive_name"] and a["text_status"] == "extracted" and a["has_text"] for a in attachments)
    assert all((root / "archive" / a["archive_name"][:2] / a["archive_name"]).is_file() for a in attachments)
    # Attachment text is searchable: a long word of one attachment's PDF finds the item it belongs to.
    text = extract_text(files / f"{wanted[0]}.pdf").text or ""
    word = sorted(set(re.findall(r"\b[a-zæøå]{14,}\b", text.lower())))[0]
    owner = next(
        d["id"] for d in harvested.values() if any(a["document_id"] == wanted[0] for a in d["doc"]["attachments"])
    )
    results = SearchService(root).search(SearchRequest(q=word, per_page=50)).results
    assert owner in [r["id"] for r in results]
    # A second run downloads nothing.
    before = len(portal.hits)
    second = run(portal.url, root, attachments=True)
    assert second.attachments_downloaded == 0
    assert not [h for h in portal.hits[before:] if h.path.startswith("/vis/")]


def test_a_closed_items_attachments_are_never_requested(portal: Portal, tmp_path: Path) -> None:
    ident = meeting_id_of(MEETINGS[0])
    secret = "Fortroligt bilag om grundsalg ved Tune"

    def close_item(document: dict) -> None:
        point = document["Dagsordenpunkter"][1]
        point["Caption"] = point["Navn"] = "Lukket: " + point["Caption"]
        point["Bilag"].append(
            {"HarPdfVersion": "true", "Order": 0, "Navn": secret, "Id": "0badc0de-0000-4000-8000-000000000001"}
        )

    portal.change(ident, close_item)
    root = tmp_path / "ix"
    summary = run(portal.url, root, attachments=True)
    assert summary.failed == 0
    assert not [h for h in portal.hits if "0badc0de" in h.path]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert secret.encode() not in data and b"0badc0de" not in data, path


def test_attachment_over_the_size_limit_is_skipped_and_reported(portal: Portal, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    summary = run(portal.url, root, fast(max_attachment_bytes=20_000), attachments=True)
    assert (summary.new, summary.attachments_downloaded, summary.attachments_failed) == (2, 0, 10)
    assert all("-byte limit" in p for p in summary.problems)
    assert not list((root / "harvest").rglob("bilag/*.pdf"))
    docs = [d for d in dump(root).values() if d["access"] == "open"]
    assert sum(len(d["doc"]["attachments"]) for d in docs) == 10  # titles and links kept, no file


@pytest.mark.parametrize(("fault", "times"), [("html", 1), ("500", 3), ("empty", 1)])  # 500: every attempt
def test_broken_attachment_answer_is_reported_by_url(portal: Portal, tmp_path: Path, fault: str, times: int) -> None:
    ident = _bilag(MEETINGS)[0]
    portal.fault(f"/vis/pdf/bilag/{ident}", *([fault] * times))
    summary = run(portal.url, tmp_path / "ix", attachments=True)
    assert (summary.attachments_downloaded, summary.attachments_failed) == (9, 1)
    [problem] = summary.problems
    assert problem.startswith(f"{portal.url}/vis/pdf/bilag/{ident}: ")
    assert not list((tmp_path / "ix" / "harvest").rglob(f"bilag/{ident}.pdf"))
    # The portal recovers: the next run asks for that meeting in full, fetches the one file and indexes it.
    again = run(portal.url, tmp_path / "ix", attachments=True)
    assert (again.attachments_downloaded, again.attachments_failed, again.changed, again.unchanged) == (1, 0, 1, 1)
    docs = [d for d in dump(tmp_path / "ix").values() if d["access"] == "open"]
    assert sum(1 for d in docs for a in d["doc"]["attachments"] if a["has_text"]) == 10
    third = run(portal.url, tmp_path / "ix", attachments=True)
    assert (third.unchanged, third.attachments_downloaded) == (2, 0)


def test_attachment_over_the_time_limit_is_dropped_and_fetched_next_run(portal: Portal, tmp_path: Path) -> None:
    """The portal sends one attachment in ten pieces over 6 s; the limit for a whole download is 2 s
    (ample for the other nine, which take milliseconds, on a busy machine too)."""
    ident = _bilag(MEETINGS)[0]
    portal.fault(f"/vis/pdf/bilag/{ident}", "trickle:6")
    root = tmp_path / "ix"
    first = run(portal.url, root, fast(attachment_seconds=2.0), attachments=True)
    assert (first.new, first.attachments_downloaded, first.attachments_failed) == (2, 9, 1)
    assert first.problems == [f"{portal.url}/vis/pdf/bilag/{ident}: took over 2 s"]
    assert not list((root / "harvest").rglob(f"bilag/{ident}.pdf"))
    # A slow answer is no lasting refusal: the next run asks again and gets it.
    again = run(portal.url, root, fast(attachment_seconds=2.0), attachments=True)
    assert (again.attachments_downloaded, again.attachments_failed, again.changed) == (1, 0, 1)
    assert len(list((root / "harvest").rglob("bilag/*.pdf"))) == 10
