"""Closed content of the formats the other leak tests do not plant in never leaks.

Copies of real inputs are edited in tmp_path so that a distinctive word sits only
in closed matter, and the attachment files of closed matter are real PDF, DOCX and
TXT files holding their own word:

* agenda-text (the Norddjurs seed): a "Lukket Sag" item appended, and closed rows in
  the open item's Bilag block naming a PDF, a DOCX and a TXT beside the text; in a second
  copy a closed item written "Lukket sag (personsag)." directly after the open item;
* eDoc (Ballerup Sundhedsudvalget): an item no longer to be published (its title,
  full text, attachment text and PDF files), and one attachment of an open item;
* Acadre (Syddjurs PUK): a closed enclosure (its DOCX) of the open item, and a
  closed item added beside it, with its own enclosure file;
* FirstAgenda API (Greve): a "Lukket: " item's caption, fields and Bilag titles;
* FirstAgenda publication page (Aarhus): a row the portal marks closed, its heading, case
  presentation and attachment links;
* digst open data: a row marked "- Lukket", and one with a "Lukket sag" line;
* JSON Lines: a closed item, a closed section and closed PDF/DOCX/TXT attachments;
* Publication (Ballerup): a closed enclosure of an item that stays open.

Each format has an open control word in an open part, found by search, so the checks
can fail.  Then every file under the index folder (raw, inflated, Whoosh vocabulary
and stored fields) and every route a visitor or API client can reach are searched.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.formats import IngestContext
from indexer.formats._xml import read_xml
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, SAMPLES, SEED
from tests.leak.disk import files_under, hits_on_disk
from tests.leak.test_closed_samples import find_file, parse_all, tiny_pdf, write_docx

GREVE = Path(__file__).resolve().parents[1] / "fixtures" / "firstagenda-api" / "greve"
EDOC = SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012"
ACADRE = SAMPLES / "acadre" / "syddjurs-puk-2013"
BALLERUP = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
FIRSTAGENDA_HTML = SAMPLES / "firstagenda" / "aarhus-2025"


@dataclass
class Planted:
    root: Path
    secrets: dict[str, list[str]] = field(default_factory=dict)  # format -> words only in closed matter
    controls: dict[str, str] = field(default_factory=dict)  # format -> a word in an open part
    closed_files: list[Path] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return sorted({w for words in self.secrets.values() for w in words})


def secret_file(folder: Path, name: str, word: str, planted: Planted) -> Path:
    """A real PDF, DOCX or TXT named ``name`` holding ``word``."""
    path = folder / name
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        path.write_bytes(tiny_pdf(f"Fortroligt bilag {word}"))
    elif suffix == ".docx":
        write_docx(path, f"Fortroligt notat {word}")
    else:
        path.write_text(f"Fortrolig tekst {word}\n", "utf-8")
    planted.closed_files.append(path)
    return path


def plant_agenda_text(tmp: Path, planted: Planted) -> Path:
    folder = tmp / "agenda-text"
    folder.mkdir()
    text = SEED.read_text("utf-8")
    text = text.replace("Sociale medier i arbejdsmæssig sammenhæng\n", "Sociale medier qzvatxaaben\n", 1)
    rows = "".join(
        f"| {n} - | Lukket | Notat {word} | (1423{n}/22) | (H) |\n| 33784{n} | | | | |\n"
        for n, word in ((3, "qzvatxbilagpdf"), (4, "qzvatxbilagdocx"), (5, "qzvatxbilagtxt"))
    )
    text = text.rstrip("\n") + "\n" + rows
    for name, word in (("pdf", "qzvatxbilagpdf"), ("docx", "qzvatxbilagdocx"), ("txt", "qzvatxbilagtxt")):
        secret_file(folder, f"Notat {word}.{name}", f"{word}indhold", planted)
    text += (
        "\n\nPersonalesag qzvatxpunkt\n\nLukket Sag\n\nSagsfremstilling\n\n"
        "Fortrolig sag om en medarbejder qzvatxpunkt.\n\n"
        "Beslutning i Områdeudvalget for Administrationen den 05-12-2022\n\nGodkendt qzvatxpunkt.\n"
    )
    (folder / "punkter.txt").write_text(text, "utf-8")
    # A second copy, cut before its Bilag block, whose open item is directly followed by a closed
    # item in a wording other than "Lukket Sag": it must not be read as text of the item above.
    wording = SEED.read_text("utf-8").split("Fraværende:")[0]
    wording += "Afskedigelse qzvatxordlyd\n\nLukket sag (personsag).\n\nSagsfremstilling\n\nSagen qzvatxordlyd.\n"
    (folder / "ordlyd.txt").write_text(wording, "utf-8")
    (folder / "minutes.json").write_text(json.dumps({"municipality": "Norddjurs Kommune"}), "utf-8")
    planted.secrets["agenda-text"] = [
        "qzvatxpunkt",
        "qzvatxordlyd",
        "qzvatxbilagpdf",
        "qzvatxbilagdocx",
        "qzvatxbilagtxt",
    ]
    planted.controls["agenda-text"] = "qzvatxaaben"
    return folder


def _append_text(element: etree._Element | None, word: str) -> None:
    if element is not None:
        element.text = f"{element.text or ''} {word}"


def plant_edoc(tmp: Path, planted: Planted) -> Path:
    folder = shutil.copytree(EDOC, tmp / "edoc")
    xml = next(folder.rglob("eDocAgendaPublishing.xml"))
    root = read_xml(xml)
    items = [
        element
        for element in root.iterfind("MeetingAgendaTypes/MeetingAgendaType/MeetingAgendaItems/MeetingAgendaItem")
        if element.find("Document/Attachments/Attachment/PDFDocument") is not None
    ]
    assert len(items) >= 2
    closed, opened = items[0], items[1]
    document = closed.find("Document")
    assert document is not None
    document.find("PublishingType").text = "SKAL IKKE PUBLICERES"  # type: ignore[union-attr]
    _append_text(document.find("Title"), "qzvedocpunkt")
    _append_text(closed.find("FullText"), "qzvedocpunkt")
    for attachment in document.iterfind("Attachments/Attachment"):
        _append_text(attachment.find("Title"), "qzvedocbilag")
        _append_text(attachment.find("FullText"), "qzvedocbilag")
        name = attachment.findtext("PDFDocument") or ""
        target = find_file(xml.parent, name) or xml.parent / name  # the sample lacks some files
        target.write_bytes(tiny_pdf("Fortroligt qzvedocfilord"))
        planted.closed_files.append(target)
    _append_text(opened.find("Document/Title"), "qzvedocaaben")
    attachment = opened.find("Document/Attachments/Attachment")
    assert attachment is not None
    attachment.find("PublishingType").text = "SKAL IKKE PUBLICERES"  # type: ignore[union-attr]
    _append_text(attachment.find("Title"), "qzvedoclukketbilag")
    _append_text(attachment.find("FullText"), "qzvedoclukketbilag")
    name = attachment.findtext("PDFDocument") or ""
    target = find_file(xml.parent, name) or xml.parent / name
    target.write_bytes(tiny_pdf("Fortroligt qzvedocandetfil"))
    planted.closed_files.append(target)
    xml.write_bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    planted.secrets["edoc"] = ["qzvedocpunkt", "qzvedocbilag", "qzvedocfilord", "qzvedoclukketbilag", "qzvedocandetfil"]
    planted.controls["edoc"] = "qzvedocaaben"
    return folder


def _fields(table: etree._Element) -> dict[str, etree._Element]:
    return {f.get("name"): f for f in table.findall("fields/field")}


def plant_acadre(tmp: Path, planted: Planted) -> Path:
    import copy

    folder = shutil.copytree(ACADRE, tmp / "acadre")
    xml = next(folder.glob("Files_*/3687981.XML"))
    root = read_xml(xml)
    [item] = root.xpath('.//table[@name="agendaitem"]')
    parent = item.getparent()
    fields = _fields(item)
    _append_text(fields["name"], "qzvacadreaaben")
    enclosures = [t for t in item.findall("table") if t.get("name") == "enclosure"]
    closed_enclosure = _fields(enclosures[0])
    closed_enclosure["accessname"].text = "Lukket"
    _append_text(closed_enclosure["name"], "qzvacadrebilag")
    secret_file(xml.parent, closed_enclosure["filename"].text or "", "qzvacadrefil", planted)
    # A closed item beside it: the same shape, another place on the agenda.
    twin = copy.deepcopy(parent)
    _fields(twin)["sort"].text = "2"
    [twin_item] = twin.xpath('.//table[@name="agendaitem"]')
    twin_fields = _fields(twin_item)
    twin_fields["accessname"].text = "Lukket"
    twin_fields["name"].text = "Personalesag qzvacadrepunkt"
    for bullet in (t for t in twin_item.findall("table") if t.get("name") == "bullet"):
        _append_text(_fields(bullet).get("bulletcontent"), "qzvacadrepunkt")
    for enclosure in (t for t in twin_item.findall("table") if t.get("name") == "enclosure"):
        values = _fields(enclosure)
        values["filename"].text = "lukket-notat.docx"
        values["name"].text = "Notat qzvacadrepunkt"
    secret_file(xml.parent, "lukket-notat.docx", "qzvacadretvilling", planted)
    parent.addnext(twin)
    xml.write_bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    planted.secrets["acadre"] = ["qzvacadrebilag", "qzvacadrefil", "qzvacadrepunkt", "qzvacadretvilling"]
    planted.controls["acadre"] = "qzvacadreaaben"
    return folder


def plant_firstagenda(tmp: Path, planted: Planted) -> Path:
    folder = tmp / "firstagenda"
    folder.mkdir()
    for source in sorted(GREVE.glob("*.json")):
        data = json.loads(source.read_text("utf-8"))
        points = data["Dagsordenpunkter"]
        closed = [p for p in points if (p.get("Caption") or "").startswith("Lukket")]
        opened = [p for p in points if not (p.get("Caption") or "").startswith("Lukket") and p.get("Felter")]
        if closed and opened:
            break
    else:
        pytest.fail("no Greve meeting with a closed and an open item")
    for point in closed:
        point["Caption"] = f"{point['Caption']} qzvfapunkt"
        point["Navn"] = f"{point.get('Navn') or ''} qzvfapunkt"
        for felt in point.get("Felter") or []:
            felt["Html"] = f"{felt.get('Html') or ''}<p>Fortroligt qzvfafelt</p>"
        point["Bilag"] = [
            *(point.get("Bilag") or []),
            {"Id": "9d3f4c1e-0000-4000-8000-000000000001", "Navn": "Notat qzvfabilag", "HarPdfVersion": True},
        ]
    opened[0]["Caption"] = f"{opened[0]['Caption']} qzvfaaaben"
    opened[0]["Navn"] = f"{opened[0].get('Navn') or ''} qzvfaaaben"
    (folder / source.name).write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    planted.secrets["firstagenda"] = ["qzvfapunkt", "qzvfafelt", "qzvfabilag"]
    planted.controls["firstagenda"] = "qzvfaaaben"
    return folder


def plant_firstagenda_html(tmp: Path, planted: Planted) -> Path:
    """The Aarhus publication page of a referat: an item the portal marks closed (row class "lukket")."""
    from lxml import html

    folder = tmp / "firstagenda-html"
    folder.mkdir()
    page = FIRSTAGENDA_HTML / "example_minutes.html"
    root = html.document_fromstring(page.read_bytes(), parser=html.HTMLParser(encoding="utf-8"))
    rows = root.xpath("//tr[contains(concat(' ', @class, ' '), ' punktrow ')]")
    closed = next(r for r in rows if r.xpath(".//a[contains(@class,'bilag-link')]"))
    closed.set("class", f"{closed.get('class')} lukket")
    for heading in closed.xpath(".//h2[contains(@class,'overskrift')]"):
        _append_text(heading, "qzvfahtmlpunkt")
    for container in closed.xpath(".//*[@id='sagsfremstillingContainer']"):
        paragraph = etree.SubElement(container, "p")
        paragraph.text = "Fortroligt qzvfahtmlfelt"
    for link in closed.xpath(".//a[contains(@class,'bilag-link')]"):
        _append_text(link, "qzvfahtmlbilag")
    opened = next(r for r in rows if r is not closed and r.xpath(".//*[@id='sagsfremstillingContainer']"))
    for heading in opened.xpath(".//h2[contains(@class,'overskrift')]"):
        _append_text(heading, "qzvfahtmlaaben")
    path = folder / page.name
    path.write_bytes(html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>"))
    planted.secrets["firstagenda-html"] = ["qzvfahtmlpunkt", "qzvfahtmlfelt", "qzvfahtmlbilag"]
    planted.controls["firstagenda-html"] = "qzvfahtmlaaben"
    return path


def plant_digst(tmp: Path, planted: Planted) -> Path:
    with CORPUS_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = [row for _, row in zip(range(6), reader, strict=False)]
    closed = dict(rows[0])
    closed["identifikator"] = rows[0]["identifikator"].split("_")[0] + "_9d3f4c1e-0000-4000-8000-0000000000aa"
    closed["indhold"] = (
        "7. Personalesag qzvdigstpunkt - Lukket\nBESLUTNING\nGodkendt qzvdigstpunkt.\n\n"
        "Sagens forløb\nFortrolige oplysninger om qzvdigstpunkt.\n"
    )
    # Closed in another wording: a "Lukket sag" line under the title.
    personal = dict(closed, identifikator=closed["identifikator"][:-2] + "ab")
    personal["indhold"] = (
        "Afskedigelse qzvdigstsag\nLukket sag\nBESLUTNING\nGodkendt qzvdigstsag.\n\n"
        "Sagens forløb\nFortrolige oplysninger om qzvdigstsag.\n"
    )
    rows[1] = dict(rows[1], indhold=rows[1]["indhold"].replace("\n", " qzvdigstaaben\n", 1))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows([*rows, closed, personal])
    path = tmp / "digst.csv"
    path.write_text(out.getvalue(), "utf-8")
    planted.secrets["digst"] = ["qzvdigstpunkt", "qzvdigstsag"]
    planted.controls["digst"] = "qzvdigstaaben"
    return path


def plant_jsonl(tmp: Path, planted: Planted) -> Path:
    folder = tmp / "jsonl"
    folder.mkdir()
    attachments = [
        {"number": "1", "title": "Budget", "access": "open", "file": "aabent.pdf"},
        *(
            {"number": str(n), "title": f"Bilag {n}", "access": "closed", "file": name}
            for n, name in ((2, "lukket.pdf"), (3, "lukket.docx"), (4, "lukket.txt"))
        ),
    ]
    (folder / "aabent.pdf").write_bytes(tiny_pdf("Budget qzvjsonaabenfil"))
    for name, word in (("lukket.pdf", "qzvjsonpdf"), ("lukket.docx", "qzvjsondocx"), ("lukket.txt", "qzvjsontxt")):
        secret_file(folder, name, word, planted)
    meeting = {
        "municipality": "Testkommune",
        "committee": "Børne- og Skoleudvalget",
        "start": "2023-02-06T17:00:00",
        "kind": "referat",
        "access": "open",
        "items": [
            {
                "number": "1",
                "title": "Skolebudget qzvjsonaaben",
                "access": "open",
                "sections": [
                    {"heading": "Sagsfremstilling", "text": "Budgettet for skolerne.", "access": "open"},
                    {"heading": "Fortroligt", "text": "Oplysninger qzvjsonafsnit", "access": "closed"},
                ],
                "attachments": attachments,
            },
            {
                "number": "2",
                "title": "Personalesag qzvjsonpunkt",
                "access": "closed",
                "sections": [{"heading": "Sagsfremstilling", "text": "Sagen qzvjsonpunkt"}],
                "attachments": [{"number": "1", "title": "Notat", "access": "open", "file": "punkt.docx"}],
            },
        ],
    }
    secret_file(folder, "punkt.docx", "qzvjsonpunktfil", planted)
    path = folder / "moede.jsonl"
    path.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    planted.secrets["jsonl"] = ["qzvjsonafsnit", "qzvjsonpdf", "qzvjsondocx", "qzvjsontxt", "qzvjsonpunkt"]
    planted.secrets["jsonl"].append("qzvjsonpunktfil")
    planted.controls["jsonl"] = "qzvjsonaabenfil"
    return path


def plant_publication(tmp: Path, planted: Planted) -> Path:
    folder = shutil.copytree(BALLERUP, tmp / "publication")
    xml = folder / "Publication32.xml"
    tree = etree.parse(str(xml))
    item = next(i for i in tree.iterfind(".//Item") if i.find("Enclosures/Enclosure") is not None)
    assert (item.findtext("IsPublic") or "").strip() == "True"
    _append_text(item.find("Caption"), "qzvpubaaben")
    enclosure = item.find("Enclosures/Enclosure")
    assert enclosure is not None
    is_public = enclosure.find("IsPublic")
    if is_public is None:
        is_public = etree.SubElement(enclosure, "IsPublic")
    is_public.text = "False"
    _append_text(enclosure.find("Name"), "qzvpubbilag")
    tree.write(str(xml), encoding="utf-8", xml_declaration=True)
    target = find_file(folder / "Enclosures", enclosure.findtext("FileName") or "1.pdf") or folder / "Enclosures/1.pdf"
    target.write_bytes(tiny_pdf("Lukket bilag qzvpubfil"))
    planted.closed_files.append(target)
    planted.secrets["publication"] = ["qzvpubbilag", "qzvpubfil"]
    planted.controls["publication"] = "qzvpubaaben"
    return folder


PLANTERS = [
    plant_agenda_text,
    plant_edoc,
    plant_acadre,
    plant_firstagenda,
    plant_firstagenda_html,
    plant_digst,
    plant_jsonl,
    plant_publication,
]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Planted:
    tmp = tmp_path_factory.mktemp("leak-formats")
    result = Planted(tmp / "ix")
    inputs = [plant(tmp, result) for plant in PLANTERS]
    summary = ingest(inputs, result.root, IngestContext(municipality="Testkommune"), workers=1, stream=io.StringIO())
    assert summary.rejected == [], summary.rejected
    assert summary.closed_items >= 7  # one closed item or more in each of seven formats, kept as stubs
    return result


def test_every_word_is_planted_in_the_export_and_the_exports_still_parse(tmp_path: Path) -> None:
    """The words sit in the raw export or its closed files (a parser that read closed matter
    would carry them), and every edited export still parses into meetings."""
    for plant in PLANTERS:
        check = Planted(tmp_path / "unused")
        folder = tmp_path / plant.__name__
        folder.mkdir()
        source = plant(folder, check)
        assert parse_all(source), f"{plant.__name__}: the edited export no longer parses"
        texts = []
        for path in files_under(folder):
            if path.suffix.lower() == ".docx":
                texts.append("\n".join(p.text for p in Document(str(path)).paragraphs))
            else:
                texts.append(path.read_bytes().decode("utf-8", "replace"))
        everything = "\n".join(texts).lower()
        for words in check.secrets.values():
            for word in words:
                assert word in everything, f"{word} was not planted by {plant.__name__}"


def test_open_controls_are_found_so_the_checks_can_fail(planted: Planted) -> None:
    service = SearchService(planted.root)
    for fmt, word in planted.controls.items():
        assert service.search(SearchRequest(q=word, literal=True)).total >= 1, f"{fmt}: open control {word} not found"
    assert any(planted.controls["jsonl"] in hit for hit in hits_on_disk(planted.root, [planted.controls["jsonl"]]))


def test_no_file_under_the_index_folder_holds_a_closed_word(planted: Planted) -> None:
    files = files_under(planted.root)
    assert len(files) >= 10 and any("archive" in str(p) for p in files) and any("textcache" in str(p) for p in files)
    assert hits_on_disk(planted.root, planted.words) == []
    closed_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in planted.closed_files}
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in closed_hashes, f"closed file copied to {path}"


def test_no_route_reveals_a_closed_word(planted: Planted) -> None:
    from webui import create_app

    client = create_app({"INDEX_DIR": str(planted.root), "TESTING": True}).test_client()
    with MinutesIndex.open(planted.root).ix.searcher() as searcher:
        ids = [fields["id"] for fields in searcher.all_stored_fields()]
    urls: list[tuple[str, str]] = []
    for word in [*planted.words, "lukket", "personalesag", "fortroligt", "notat", ""]:
        q = urllib.parse.quote(word)
        urls += [(f"/?q={q}", word), (f"/api/search?q={q}", word), (f"/feed.atom?q={q}", word)]
        urls += [(f"/export.csv?q={q}", word), (f"/api/suggest?q={urllib.parse.quote(word[:7])}", word[:7])]
    for item_id in ids:
        urls += [(f"/items/{item_id}", ""), (f"/api/items/{item_id}", "")]
        urls += [(f"/items/{item_id}/bilag/{n}", "") for n in range(0, 7)]
    closed_hashes = {hashlib.sha256(p.read_bytes()).hexdigest() for p in planted.closed_files}
    for url, echoed in urls:
        response = client.get(url)
        body = urllib.parse.unquote_plus(response.get_data().decode("utf-8", "replace")).lower()
        if echoed:
            body = body.replace(echoed.lower(), "")
        assert response.status_code < 500, url
        leaked = [word for word in planted.words if word in body]
        assert not leaked, f"{leaked} through {url}"
        assert hashlib.sha256(response.get_data()).hexdigest() not in closed_hashes, f"closed file at {url}"
    for word in planted.words:
        assert client.get(f"/api/search?q={word}&literal=1").get_json()["total"] == 0, word
