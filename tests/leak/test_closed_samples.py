"""Closed content of REAL exports never leaks: words planted only in closed parts appear nowhere.

Copies of real samples are edited in tmp_path so that a distinctive word sits
only in closed matter:

* eDoc Fujitsu (Hennys testudvalg): the closed items ("Anders' møgsag",
  "Underskriftsblad") get a word in title and case presentation, and every
  attachment file they link to is replaced by a PDF holding another word;
* Publication, Aarhus Mødesystemgruppen: the "Lukket referat" entry gets a
  word in caption and field, and its missing enclosure file is written as a
  PDF holding another word;
* Publication, Ballerup IT-udvalget: an open item with an enclosure is flipped
  to closed, with words in caption, fields and the enclosure file;
* SBSYS fixture: the closed item 4 gets a word in heading and text, and the
  DOCX behind its (and the open item's closed) bilag is rewritten with a word;
* the eDoc Ballerup Sundhedsudvalget meeting, read by its parser and written as
  JSON Lines, gets a closed section and a closed DOCX attachment on an open item.

Open controls (a word in an open item and in an open DOCX attachment) prove
that the same pipeline does reveal planted words when they are public, so the
checks below can fail.  Then every route a visitor or API client can reach,
the raw index files and the attachment archive are searched for the words.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.formats import IngestContext, iter_inputs
from indexer.model import Access, Meeting, Section
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SAMPLES

FUJITSU = SAMPLES / "edoc-fujitsu" / "Hennys testudvalg"
AARHUS = SAMPLES / "publication" / "aarhus-moedesystemgruppen-2016"
BALLERUP_PUB = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
SUNDHED = SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012"
SBSYS = Path(__file__).resolve().parents[1] / "formats" / "fixtures" / "sbsys" / "teknik-miljoe-2018"

FUJITSU_ITEM, FUJITSU_BILAG = "qzvfujitsupunkt", "qzvfujbilagord"
AARHUS_ITEM, AARHUS_BILAG = "qzvaarhuslukket", "qzvaarbilagord"
FLIPPED_ITEM, FLIPPED_BILAG = "qzvflippetpunkt", "qzvflibilagord"
SBSYS_ITEM, SBSYS_BILAG = "qzvsbsyspunkt", "qzvsbsbilagord"
SECTION_WORD, SECTION_BILAG = "qzvafsnitlukket", "qzvjsobilagord"
SECRETS = [
    FUJITSU_ITEM,
    FUJITSU_BILAG,
    AARHUS_ITEM,
    AARHUS_BILAG,
    FLIPPED_ITEM,
    FLIPPED_BILAG,
    SBSYS_ITEM,
    SBSYS_BILAG,
    SECTION_WORD,
    SECTION_BILAG,
]
OPEN_ITEM_CONTROL, OPEN_BILAG_CONTROL = "qzvaabentkontrol", "qzvaabentbilag"
# Stems and compound parts keep the head of a word; nine letters identify each secret.
SECRET_HEADS = sorted({word[:9] for word in SECRETS})
COMMON_WORDS = ["møgsag", "anders", "referat", "lukket", "arbejdsplads", "grund", "sundhed", "budget", ""]


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica: enough for any PDF text extractor."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write_docx(path: Path, text: str) -> None:
    document = Document()
    document.add_paragraph(text)
    document.save(str(path))


def find_file(folder: Path, windows_link: str) -> Path | None:
    """The file an export links to (backslashes, any letter case), if it is there."""
    parts = [p for p in re.split(r"[\\/]+", windows_link) if p]
    current = folder
    for part in parts:
        matches = [c for c in current.iterdir() if c.name.lower() == part.lower()] if current.is_dir() else []
        if not matches:
            return None
        current = matches[0]
    return current


def plant_fujitsu(root: Path, closed_files: list[Path]) -> None:
    ns = {"e": "http://www.fujitsu.dk/agenda/xml/schemas/2009/03/31/"}
    for xml in root.rglob("*.xml"):
        tree = etree.parse(str(xml))
        for element in tree.iterfind(".//e:AgendaElement", ns):
            public = element.findtext("e:AccessIsPublic", namespaces=ns)
            titles = [*element.iterfind(".//e:Title", ns), *element.iterfind(".//e:NeutralTitle", ns)]
            for title in titles:
                title.text = f"{title.text or ''} {FUJITSU_ITEM if public == 'false' else OPEN_ITEM_CONTROL}"
            if public != "false":
                continue
            for content in element.iterfind(".//e:CasePresentation/e:Content", ns):
                content.text = etree.CDATA(f"{content.text or ''} {FUJITSU_ITEM}")
            for link in element.iterfind(".//e:Attachment/e:Link", ns):
                target = find_file(xml.parent, link.text or "")
                assert target is not None, f"sample attachment {link.text} missing"
                target.write_bytes(tiny_pdf(f"Fortroligt bilag {FUJITSU_BILAG}"))
                closed_files.append(target)
        tree.write(str(xml), encoding="utf-8", xml_declaration=True)


def plant_publication(xml: Path, item_word: str, bilag_word: str, closed_files: list[Path], flip: bool) -> None:
    """Words in every closed item (with ``flip``: first the first open item with an enclosure is closed)."""
    tree = etree.parse(str(xml))
    items = tree.findall(".//Item")
    if flip:
        target = next(
            i for i in items if i.find("Enclosures/Enclosure") is not None and i.findtext("IsPublic") == "True"
        )
        target.find("IsPublic").text = "False"  # type: ignore[union-attr]
    closed = [i for i in items if (i.findtext("IsPublic") or "").strip().lower() != "true"]
    assert closed, f"no closed item in {xml}"
    for item in closed:
        caption = item.find("Caption")
        assert caption is not None
        caption.text = f"{caption.text or ''} {item_word}"
        for content in item.iterfind(".//ItemField/Content"):
            content.text = etree.CDATA(f"{content.text or ''} {item_word} fortrolig")
        for enclosure in item.iterfind("Enclosures/Enclosure"):
            name = enclosure.find("Name")
            if name is not None:
                name.text = f"{name.text or ''} {bilag_word}"
            folder = xml.parent / "Enclosures" if (xml.parent / "Enclosures").is_dir() else xml.parent
            file_name = enclosure.findtext("FileName") or f"{enclosure.findtext('Number')}.pdf"
            target = find_file(folder, file_name) or folder / file_name
            target.write_bytes(tiny_pdf(f"Lukket bilag {bilag_word}"))
            closed_files.append(target)
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)


def plant_sbsys(root: Path, closed_files: list[Path]) -> None:
    xml = root / "Dagsorden.xml"
    tree = etree.parse(str(xml))
    for point in tree.iterfind(".//Dagsordenpunkt"):
        closed_point = point.get("Åbent") == "false"
        if closed_point:
            heading = point.find("Overskrift")
            assert heading is not None
            heading.text = f"{heading.text} {SBSYS_ITEM}"
            content = point.find("Indhold")
            for part in content if content is not None else []:
                part.text = etree.CDATA(f"<p>{SBSYS_ITEM} {part.text or ''}</p>")
        for bilag in point.iterfind("Bilagsliste/Bilag"):
            target = find_file(root, bilag.get("BilagUrl") or "")
            if target is None:
                continue
            if closed_point or bilag.get("MaaPubliceres") == "false":
                bilag.set("Navn", f"{bilag.get('Navn')} {SBSYS_BILAG}")
                write_docx(target, f"Fortroligt notat {SBSYS_BILAG}")
                closed_files.append(target)
    for bilag in tree.iterfind(".//Bilag"):  # the open, publishable DOCX: the attachment control
        target = find_file(root, bilag.get("BilagUrl") or "")
        if target is not None and target not in closed_files and bilag.get("MaaPubliceres") == "true":
            write_docx(target, f"Offentligt udkast {OPEN_BILAG_CONTROL}")
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)


def parse_all(path: Path) -> list[Meeting]:
    meetings: list[Meeting] = []
    for source, module in iter_inputs([path]):
        if module is not None:
            meetings += [m.finalise() for m in module.parse(source, IngestContext())]
    return meetings


def plant_jsonl(tmp: Path, closed_files: list[Path]) -> Path:
    """The real eDoc meeting in canonical form, with a closed section and a closed DOCX on an open item."""
    meetings = parse_all(SUNDHED)
    assert meetings
    item = next(i for m in meetings for i in m.items if i.is_open and i.sections)
    item.sections.append(Section(heading="Fortroligt", text=f"Lukket afsnit {SECTION_WORD}", access=Access.CLOSED))
    secret_docx = tmp / "lukket-notat.docx"
    write_docx(secret_docx, f"Fortroligt bilag {SECTION_BILAG}")
    closed_files.append(secret_docx)
    data = [m.to_dict() for m in meetings]
    for meeting in data:
        for entry in meeting["items"]:
            if entry["title"] == item.title and entry["number"] == item.number:
                entry["attachments"].append(
                    {"number": "99", "title": "Fortroligt notat", "access": "closed", "file": str(secret_docx)}
                )
    path = tmp / "sundhed.jsonl"
    path.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in data) + "\n", "utf-8")
    return path


@dataclass
class Planted:
    index: Path
    inputs: list[Path]
    closed_files: list[Path]
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def closed_ids(self) -> list[str]:
        return sorted({i.id for m in self.meetings for i in m.items if not (i.is_open and m.access == Access.OPEN)})

    @property
    def open_ids(self) -> set[str]:
        return {i.id for m in self.meetings for i in m.items if i.is_open and m.access == Access.OPEN}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    tmp = tmp_path_factory.mktemp("leak-samples")
    closed_files: list[Path] = []
    fujitsu = shutil.copytree(FUJITSU, tmp / "fujitsu" / FUJITSU.name)
    plant_fujitsu(fujitsu, closed_files)
    aarhus = shutil.copytree(AARHUS, tmp / "aarhus")
    plant_publication(aarhus / "publication.xml", AARHUS_ITEM, AARHUS_BILAG, closed_files, flip=False)
    ballerup = shutil.copytree(BALLERUP_PUB, tmp / "ballerup")
    plant_publication(ballerup / "Publication32.xml", FLIPPED_ITEM, FLIPPED_BILAG, closed_files, flip=True)
    sbsys = shutil.copytree(SBSYS, tmp / "sbsys")
    plant_sbsys(sbsys, closed_files)
    jsonl = plant_jsonl(tmp, closed_files)
    inputs = [tmp / "fujitsu", aarhus, ballerup, sbsys, jsonl]
    result = Planted(tmp / "ix", inputs, closed_files)
    for path in inputs:
        result.meetings += parse_all(path)
    summary = ingest(inputs, result.index, workers=1)
    assert summary.rejected == []
    return result


def leaks(text: str, echoed: str = "") -> list[str]:
    """Secret word heads in ``text`` once the visitor's own query words are taken out."""
    lowered = urllib.parse.unquote_plus(text).lower()
    for word in echoed.lower().split():
        lowered = lowered.replace(word, "")
    return [head for head in SECRET_HEADS if head in lowered]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_words_are_planted_where_a_leak_would_carry_them(planted: Planted) -> None:
    """The parsers see the secrets in closed matter only, and every closed file holds its word."""
    closed_text = json.dumps([m.to_dict() for m in planted.meetings], ensure_ascii=False, default=str)
    for word in (FUJITSU_ITEM, AARHUS_ITEM, FLIPPED_ITEM, SBSYS_ITEM, SECTION_WORD):
        assert word in closed_text, f"{word} was not planted"
    for meeting in planted.meetings:
        for item in meeting.items:
            item_text = json.dumps(item.__dict__, ensure_ascii=False, default=str)
            if item.is_open and meeting.access == Access.OPEN:
                opened = [s.text for s in item.sections if s.access == Access.OPEN] + [item.title]
                assert not leaks(" ".join(opened)), f"secret in an open part of {item.title}"
            else:
                assert leaks(item_text) or item.title in ("Lukket punkt", ""), f"closed item {item.title} unplanted"
    assert len(planted.closed_files) >= 8
    for path in planted.closed_files:
        if path.suffix.lower() == ".pdf":
            text = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
        else:
            text = "\n".join(p.text for p in Document(str(path)).paragraphs)
        assert leaks(text), f"{path} holds no secret word"


def test_open_controls_are_found_so_the_checks_can_fail(planted: Planted) -> None:
    service = SearchService(planted.index)
    for word in (OPEN_ITEM_CONTROL, OPEN_BILAG_CONTROL):
        response = service.search(SearchRequest(q=word))
        assert response.total >= 1, f"open control {word} not searchable"
    assert OPEN_ITEM_CONTROL in [entry["value"] for entry in service.suggest("qzvaabentk")]


def test_guessed_closed_ids_are_the_stubs_in_the_index(planted: Planted) -> None:
    """The ids the leak checks guess are real: each closed item is a neutral stub under that id."""
    assert len(planted.closed_ids) >= 5
    with MinutesIndex.open(planted.index).ix.searcher() as searcher:
        for item_id in planted.closed_ids:
            stored = searcher.document(id=item_id)
            assert stored is not None, f"closed item {item_id} not in the index"
            assert stored["access"] == "closed" and stored["title"] == "Lukket punkt"


def test_no_index_file_or_archived_file_holds_closed_content(planted: Planted) -> None:
    closed_hashes = {sha256(p) for p in planted.closed_files}
    archived = [p for p in (planted.index / "archive").rglob("*") if p.is_file()]
    assert archived, "nothing archived: the open attachments should be"
    for path in planted.index.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for head in SECRET_HEADS:
            assert head.encode() not in data, f"{head} stored in {path}"
        assert sha256(path) not in closed_hashes, f"closed attachment copied to {path}"


def test_facet_counts_and_totals_are_open_only(planted: Planted) -> None:
    service = SearchService(planted.index)
    response = service.search(SearchRequest(q="", per_page=10))
    assert response.total == len(planted.open_ids)
    committees: Counter[str] = Counter()
    for meeting in planted.meetings:
        for item in meeting.items:
            if item.id in planted.open_ids:
                committees[meeting.committee] += 1
    years: Counter[str] = Counter()
    for meeting in planted.meetings:
        for item in meeting.items:
            if item.id in planted.open_ids and meeting.start is not None:
                years[str(meeting.start.year)] += 1
    assert {entry["value"]: entry["count"] for entry in response.facets["committee"]} == dict(committees)
    assert {entry["value"]: entry["count"] for entry in response.facets["year"]} == dict(years)
    for word in SECRETS:
        hit = service.search(SearchRequest(q=word, literal=True))
        assert hit.total == 0, f"{word} is searchable"
        assert all(entry["count"] == 0 for values in hit.facets.values() for entry in values)


def test_service_calls_reveal_nothing(planted: Planted) -> None:
    service = SearchService(planted.index)
    for word in [*SECRETS, *COMMON_WORDS]:
        response = service.search(SearchRequest(q=word))
        assert not leaks(json.dumps(response.to_dict(), ensure_ascii=False, default=str), echoed=word)
        for cut in (4, 6, 8):
            assert not leaks(json.dumps(service.suggest(word[:cut]), ensure_ascii=False), echoed=word[:cut])
        typo = word[:-1] + ("x" if word[-1:] != "x" else "y")
        assert not leaks(str(service.did_you_mean(typo)), echoed=typo)
    assert not leaks(json.dumps(service.stats(), ensure_ascii=False, default=str))
    for item_id in sorted(planted.open_ids):
        for payload in (service.get_item(item_id), service.similar(item_id), service.case_history(item_id)):
            assert not leaks(json.dumps(payload, ensure_ascii=False, default=str)), item_id
    for item_id in planted.closed_ids:
        assert service.get_item(item_id) is None
        assert service.similar(item_id) == [] and service.case_history(item_id) == []
        assert all(service.attachment(item_id, n) is None for n in range(21))


def test_no_web_route_reveals_closed_content(planted: Planted) -> None:
    webui = pytest.importorskip("webui")
    app = webui.create_app({"INDEX_DIR": str(planted.index), "TESTING": True})
    client = app.test_client()
    closed_hashes = {sha256(p) for p in planted.closed_files}
    urls: list[tuple[str, str]] = []
    for word in [*SECRETS, *COMMON_WORDS]:
        q = urllib.parse.quote(word)
        typo = urllib.parse.quote(word[:-1] + "x")
        urls += [(f"/?q={q}", word), (f"/?q={typo}", word[:-1] + "x"), (f"/api/search?q={q}", word)]
        urls += [(f"/api/search?q={typo}", word[:-1] + "x"), (f"/feed.atom?q={q}", word)]
        urls += [(f"/export.csv?q={q}", word), (f"/?q={q}&sort=newest&page=2", word)]
        urls += [(f"/api/suggest?q={urllib.parse.quote(word[:n])}", word[:n]) for n in (3, 5, 7, 9)]
    for item_id in [*sorted(planted.open_ids), *planted.closed_ids]:
        urls += [(f"/items/{item_id}", ""), (f"/api/items/{item_id}", "")]
        urls += [(f"/items/{item_id}/bilag/{n}", "") for n in range(0, 21)]
    for url, echoed in urls:
        response = client.get(url)
        body = response.get_data()
        assert not leaks(body.decode("utf-8", "replace"), echoed=echoed), f"secret through {url}"
        assert hashlib.sha256(body).hexdigest() not in closed_hashes, f"closed file served at {url}"
        if url.startswith("/api/search") and echoed in SECRETS:
            data = response.get_json()  # nothing, or the results of a correction from open words
            assert data["total"] == 0 or data["corrected_from"] == echoed
    for item_id in planted.closed_ids:
        assert client.get(f"/items/{item_id}").status_code == 404
        assert client.get(f"/api/items/{item_id}").status_code == 404
        assert all(client.get(f"/items/{item_id}/bilag/{n}").status_code == 404 for n in range(1, 21))
