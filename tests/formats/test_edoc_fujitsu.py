"""eDoc Fujitsu AgendaWeb: two renderings of one meeting of "Hennys testudvalg", 2 May 2017."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from indexer.formats import FormatError, IngestContext, edoc_fujitsu, iter_inputs
from indexer.model import COPENHAGEN, Access, Meeting, MeetingKind
from tests.conftest import SAMPLES, published

COMMITTEE_FOLDER = SAMPLES / "edoc-fujitsu" / "Hennys testudvalg"
RENDERINGS = COMMITTEE_FOLDER / "2017-05-02 10.00" / "Dagsorden" / "Dagsorden" / "Os2Dagsorden TEST"
OLDER = RENDERINGS / "2017-04-21 12.00.48" / "41a93779-8b2a-414b-9f87-691e24f8f40a.xml"
NEWER = RENDERINGS / "2017-04-21 12.24.03" / "e9117c72-1d79-4fe9-9653-ef7ab6f27187.xml"
CONTEXT = IngestContext(municipality="Middelfart Kommune")


@pytest.fixture(scope="module")
def meeting() -> Meeting:
    meetings = list(edoc_fujitsu.parse(RENDERINGS, CONTEXT))
    assert len(meetings) == 1, "two renderings of one meeting yield it once"
    return meetings[0]


def test_detect_claims_renderings_not_attachments() -> None:
    assert edoc_fujitsu.detect(NEWER)
    assert edoc_fujitsu.detect(NEWER.parent)
    assert edoc_fujitsu.detect(RENDERINGS)
    assert not edoc_fujitsu.detect(NEWER.with_suffix(".html"))
    assert not edoc_fujitsu.detect(NEWER.parent / "Attachments" / "5753784-6125125-1.PDF")


def test_walking_the_committee_folder_claims_the_export_once() -> None:
    found = [(path, module) for path, module in iter_inputs([COMMITTEE_FOLDER]) if module is edoc_fujitsu]
    assert [path for path, _ in found] == [RENDERINGS]


def test_meeting_metadata(meeting: Meeting) -> None:
    assert meeting.committee == "Hennys testudvalg"
    assert meeting.municipality == "Middelfart Kommune"
    assert meeting.start == datetime(2017, 5, 2, 10, 0, tzinfo=COPENHAGEN)
    assert meeting.kind == MeetingKind.DAGSORDEN
    assert meeting.location == "Mødelokale 1, Midtpunkt"
    assert meeting.native_id == "DE29346E-A9B1-4C91-A9D9-AE29CC8046BD"
    assert meeting.absentees == ["Niels Bebe"]
    assert "Allan Buch" in meeting.participants
    assert meeting.source == str(NEWER)
    assert any("superseded" in w and str(OLDER) in w for w in meeting.warnings)


def test_items_titles_and_sections(meeting: Meeting) -> None:
    assert [item.number for item in meeting.items] == ["1", "2", "3", "4", "5", "6"]
    assert [item.title for item in meeting.items[:3]] == ["test", "test tabel", "Fejloprettet"]
    regnskab = meeting.items[3]
    assert regnskab.case_number == "2013-000038"
    assert [s.heading for s in regnskab.sections] == ["Præsentation", "Forvaltningen foreslår"]
    assert "anlægsregnskabet for de fire anlægsprojekter godkendes" in regnskab.sections[1].text
    assert "<li>" in (regnskab.sections[1].html or "")
    # The decision is "Beslutning ikke frigivet" everywhere: nothing to record.
    assert all(not item.decisions and not item.history for item in meeting.items)


def test_closed_item_and_all_its_attachments_are_closed(meeting: Meeting) -> None:
    closed = meeting.items[4]
    assert closed.title == "Anders' møgsag"
    assert closed.access == Access.CLOSED
    assert not closed.sections and not closed.decisions
    assert len(closed.attachments) == 8
    assert all(a.access == Access.CLOSED for a in closed.attachments)
    assert all(a.text is None for a in closed.attachments)
    assert all("Geosager" not in a.title for a in closed.attachments)
    # made closed in the newer rendering
    assert meeting.items[5].title == "Lukket punkt" and meeting.items[5].access == Access.CLOSED


def test_open_attachments_resolved_across_backslashes_and_case(meeting: Meeting) -> None:
    attachments = meeting.items[0].attachments
    assert [a.title for a in attachments] == [
        "TrekantBrand Nyhedsbrev nr. 1-2017",
        "Nyhedsbrev nr. 1-2017",
        "Signaturbevis",
        "TrekantBrand nyhedsbrev nr. 2-2017",
    ]
    assert all(a.access == Access.OPEN for a in attachments)
    assert attachments[0].journal_number == "2017-000516-1"
    assert attachments[0].file is not None and attachments[0].file.endswith("6104646-6648380-1.PDF")
    assert attachments[0].text is None  # parsing resolves files; the boundary reads the open ones
    assert "Trekantområdets Brandvæsen" in (published(meeting).items[0].attachments[0].text or "")
    assert sum(len(item.attachments) for item in meeting.items) == 12


def test_renderings_share_item_ids_so_reingest_is_idempotent(meeting: Meeting) -> None:
    older = next(iter(edoc_fujitsu.parse(OLDER, CONTEXT)))
    assert older.id == meeting.id
    # item "test" was number 2 in the older rendering and is 1 now: same id
    assert older.items[0].number == "2" and meeting.items[0].number == "1"
    assert older.items[0].id == meeting.items[0].id
    again = next(iter(edoc_fujitsu.parse(RENDERINGS, CONTEXT)))
    assert [i.id for i in again.items] == [i.id for i in meeting.items]


def test_garbled_rendering_gives_format_error(tmp_path: Path) -> None:
    target = tmp_path / "broken.xml"
    target.write_bytes(NEWER.read_bytes()[:6000])
    with pytest.raises(FormatError) as info:
        list(edoc_fujitsu.parse(target, CONTEXT))
    assert str(target) in str(info.value)


def test_one_broken_rendering_does_not_stop_the_folder(tmp_path: Path) -> None:
    good = tmp_path / "2017-04-21 12.00.48"
    good.mkdir()
    shutil.copy(OLDER, good / OLDER.name)
    bad = tmp_path / "2017-04-21 12.24.03"
    bad.mkdir()
    (bad / NEWER.name).write_bytes(NEWER.read_bytes()[:6000])
    meetings = list(edoc_fujitsu.parse(tmp_path, CONTEXT))
    assert len(meetings) == 1 and len(meetings[0].items) == 5
    assert any(str(bad / NEWER.name) in w for w in meetings[0].warnings)
