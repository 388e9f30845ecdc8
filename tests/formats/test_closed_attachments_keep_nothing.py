"""A closed attachment keeps nothing but "Bilag N (lukket)" in the model, whatever the format.

Formats closed an attachment but kept its real title (Publication's "Ikke offentliggjort - Bilag 2
til sag nr. 3 …"), its source ids and journal number (eDoc Fujitsu's closed item), so whatever
handled the model before the public projection (warnings, the ingest report, a log, the text
cache) could carry them.  ``model.Attachment`` now drops them when it closes, in whatever order a
parser sets its fields.  The bundled samples with closed attachments are read here, and every value
checked is first found in the raw file, so each check could fail.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from lxml import etree

from indexer.formats import IngestContext, iter_inputs
from indexer.formats.edoc_fujitsu import NS as FUJITSU_NS
from indexer.model import Access, Attachment, Meeting, MeetingDocument
from tests.conftest import SAMPLES

FUJITSU = SAMPLES / "edoc-fujitsu" / "Hennys testudvalg"
REGIONH = SAMPLES / "publication" / "regionh-forretningsudvalget-2012"
KEPT = {"number", "title", "access"}


def _parsed(root: Path) -> list[Meeting]:
    meetings: list[Meeting] = []
    for path, module in iter_inputs([root]):
        assert module is not None, path
        meetings += module.parse(path, IngestContext(extract_text=False))
    return meetings


def _closed(meetings: list[Meeting]) -> list[Attachment]:
    return [a for m in meetings for item in m.items for a in item.attachments if not a.is_open]


def _holds_nothing_more(attachment: Attachment) -> None:
    """Only its number, its access and "Bilag[ N]": every other field as an empty one has it."""
    empty = Attachment("", "")
    for field in fields(Attachment):
        if field.name not in KEPT:
            assert getattr(attachment, field.name) == getattr(empty, field.name), field.name
    assert attachment.title in {"Bilag", f"Bilag {attachment.number}"}


def test_edoc_fujitsu_closed_items_attachments_keep_no_title_file_id_or_journal_number() -> None:
    """The sample's closed item ("Anders' møgsag") has eight attachments; the model kept their
    Identifier and DocumentNumber (the titles and files were dropped by the parser already)."""
    raw: list[str] = []
    for xml in sorted(FUJITSU.rglob("*.xml")):
        data = xml.read_text("utf-8")
        for element in etree.parse(str(xml)).iterfind(".//e:AgendaElement", FUJITSU_NS):
            if element.findtext("e:AccessIsPublic", namespaces=FUJITSU_NS) == "true":
                continue
            for node in element.iterfind(".//e:Attachment", FUJITSU_NS):
                for name in ("Title", "Link", "Identifier", "DocumentNumber"):
                    value = node.findtext(f"e:{name}", namespaces=FUJITSU_NS) or ""
                    assert value and value in data  # the real value is in the input
                    raw.append(value)
    assert len(raw) == 4 * 8
    meetings = _parsed(FUJITSU)
    closed = _closed(meetings)
    assert [a.number for a in closed] == [str(n) for n in range(1, 9)]
    for attachment in closed:
        _holds_nothing_more(attachment)
    text = repr(meetings)
    titles = {a.title for m in meetings for item in m.items for a in item.attachments}
    assert not [value for value in raw if value in titles or (len(value) > 8 and value in text)]


def test_publication_attachment_closed_by_its_title_keeps_no_title_or_file_name() -> None:
    """Region Hovedstaden's "Ikke offentliggjort - Bilag 2 til sag nr. 3 på forretningsudvalgets
    ekstraordinære møde den 30. august" is closed by its title (Publication's and the closed-title
    rule both); the model kept the title, and its enclosure id."""
    raw = (REGIONH / "Publication553.xml").read_text("utf-8")
    title = "Ikke offentliggjort - Bilag 2 til sag nr. 3 på forretningsudvalgets ekstraordinære møde den 30. august"
    file_name = "4_3 - EJ OFFENTLIGTGJORT - 3_2 - Pkt 4 - Takststigning i Movia Budget 2013.pdf"
    assert title in raw and file_name in raw and '<Enclosure ID="756"' in raw
    meetings = _parsed(REGIONH)
    (closed,) = _closed(meetings)
    _holds_nothing_more(closed)
    assert (closed.number, closed.title) == ("3", "Bilag")
    text = repr(meetings)
    assert "Ikke offentliggjort - Bilag 2" not in text  # the open items' text speaks of the meeting
    assert "EJ OFFENTLIGTGJORT" not in text and "Takststigning i Movia" not in text


def test_closing_drops_what_was_set_in_any_order_and_is_final() -> None:
    """Closed at construction, closed after its file and text were set, or closed by a title set
    later: each keeps its number and "Bilag N" only, and cannot be reopened."""
    values = {"journal_number": "2016-003798-1", "document_id": "756", "file": "/x/Personsag.pdf"}
    values |= {"url": "https://example.invalid/Personsag.pdf", "text": "Personsag", "text_status": "extracted"}
    values |= {"archive_name": "ab12.pdf", "media_type": "application/pdf"}
    built = Attachment("2", "Personsag Jensen", Access.CLOSED, **values)  # type: ignore[arg-type]
    closed_later = Attachment("2", "Personsag Jensen", Access.OPEN, **values)  # type: ignore[arg-type]
    closed_later.access = Access.CLOSED
    titled = Attachment("2", "Notat", Access.OPEN, **values)  # type: ignore[arg-type]
    titled.title = "Bilag 2 (lukket) Personsag Jensen"
    by_title = Attachment("7", "Lukket bilag: Personsag Jensen", Access.OPEN, **values)  # type: ignore[arg-type]
    for attachment in (built, closed_later, titled, by_title):
        attachment.access = Access.OPEN
        attachment.file = "/x/Personsag.pdf"
        attachment.text = "Personsag"
        assert attachment.access == Access.CLOSED
        _holds_nothing_more(attachment)
        assert "Personsag" not in repr(attachment)
    assert [a.title for a in (built, titled, by_title)] == ["Bilag", "Bilag 2", "Bilag"]
    assert Attachment("1", "Notat", Access.OPEN, file="/x/Notat.pdf").file == "/x/Notat.pdf"


def test_a_closed_meeting_document_keeps_its_name() -> None:
    """The whole-meeting document closed means no copy may be linked: the item's page still names
    the document it was read from, so it is no closed attachment."""
    document = MeetingDocument("", "Referat 2024-01-05.pdf", Access.OPEN, pending=None)
    document.access = Access.CLOSED
    assert document.title == "Referat 2024-01-05.pdf"
