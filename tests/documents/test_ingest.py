"""Whole-meeting documents through ingest, search and the web UI: a phrase deep inside the
Aarhus PDF finds its item, whose page links to the document at the page where it starts;
the published copy and the index hold nothing of the closed item."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from flask.testing import FlaskClient

from indexer.cli import ingest
from indexer.formats import IngestContext
from indexer.search.service import SearchRequest, SearchService

from .conftest import AARHUS_PDF, BALLERUP_DIR, BALLERUP_PDF, NORDDJURS_DOCX

# Only in the closed item 21 (page 28) and the table of contents (page 2) of the Aarhus PDF.
AARHUS_CLOSED = ["EMN-2025-007940", "landbrugsejendom"]
# Only in the closed item 3 of the Norddjurs fixture.
NORDDJURS_CLOSED = ["gravhøjsparcellen", "Kattegatcentret"]


@pytest.fixture(scope="module")
def document_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("document-cache")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, document_cache: Path) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("documents") / "index"
    cache = document_cache
    patch = pytest.MonkeyPatch()
    patch.setenv("MINUTES_DOCUMENT_CACHE", str(cache))
    quiet = io.StringIO()
    summary = ingest([AARHUS_PDF, NORDDJURS_DOCX], root, IngestContext(), workers=1, stream=quiet)
    assert not summary.rejected, summary.rejected
    # The eDoc export and its own referat PDF: one meeting, read twice.
    ingest([BALLERUP_DIR, BALLERUP_PDF], root, IngestContext(), workers=1, stream=quiet)
    yield root
    patch.undo()


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    from webui import create_app

    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    with app.test_client() as test_client:
        yield test_client


def test_a_phrase_deep_inside_the_aarhus_pdf_finds_its_item_and_page(index_dir: Path, client: FlaskClient) -> None:
    service = SearchService(index_dir)
    response = service.search(SearchRequest(q='"fyrtårn for marin naturbeskyttelse"'))
    assert response.total == 1
    hit = response.results[0]
    assert hit["title"] == "Forslag fra SF og ALT om Østjysk Marin Naturnationalpark"
    item = service.get_item(hit["id"])
    assert item is not None
    assert item["source_document"]["page"] == 27 and item["source_document"]["available"]

    page = client.get(f"/items/{hit['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Læst fra et samlet mødedokument" in html
    assert f'href="/items/{hit["id"]}/dokument#page=27"' in html

    api = client.get(f"/api/items/{hit['id']}").get_json()
    assert api["source_document"]["page"] == 27
    assert api["source_document"]["url"].endswith(f"/items/{hit['id']}/dokument#page=27")

    pdf = client.get(f"/items/{hit['id']}/dokument")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.get_data()))
    assert len(reader.pages) == 28  # pages keep their numbers
    assert "fyrtårn for marin" in reader.pages[26].extract_text().replace("\n", " ")
    # The closed item's page and the table of contents that names it are blank in the published copy.
    assert not reader.pages[27].extract_text().strip() and not reader.pages[1].extract_text().strip()
    for page_number in range(28):
        text = reader.pages[page_number].extract_text()
        assert not any(word in text for word in AARHUS_CLOSED), page_number


def test_referat_pdf_and_structured_export_are_one_meeting(index_dir: Path) -> None:
    """Same meeting id from the eDoc export and from its referat PDF.  Their items have their
    own ids (eDoc keys items by a document id the PDF does not print), and a meeting's newest
    version defines its items (indexer.versions): the PDF, read last, replaces the export's."""
    service = SearchService(index_dir)
    response = service.search(SearchRequest(q='titel:"Evaluering af rygestopkurser"'))
    assert response.total == 1
    item = service.get_item(response.results[0]["id"])
    assert item is not None and item["source_document"] is not None


def test_a_closed_docx_is_not_shown_and_its_closed_item_reaches_nothing(index_dir: Path, client: FlaskClient) -> None:
    service = SearchService(index_dir)
    hit = service.search(SearchRequest(q="Museum Østjylland")).results[0]
    item = service.get_item(hit["id"])
    assert item is not None and item["source_document"]["available"] is False
    assert client.get(f"/items/{hit['id']}/dokument").status_code == 404
    assert "dokumentet kan ikke vises" in client.get(f"/items/{hit['id']}").get_data(as_text=True)
    for word in [*AARHUS_CLOSED, *NORDDJURS_CLOSED]:
        result = service.search(SearchRequest(q=word))
        assert result.total == 0, word
        payload = result.to_dict()
        payload.pop("query")  # the query itself is echoed
        assert word not in json.dumps(payload, ensure_ascii=False)


def test_no_index_file_holds_a_closed_word(index_dir: Path) -> None:
    files = [p for p in index_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files)  # the Aarhus copy was archived
    for path in files:
        data = path.read_bytes()
        for word in [*AARHUS_CLOSED, *NORDDJURS_CLOSED]:
            assert word.encode() not in data, f"{word} in {path}"


def test_no_written_copy_holds_a_closed_word(index_dir: Path, document_cache: Path) -> None:
    """The blanked copy is written to ``$MINUTES_DOCUMENT_CACHE`` only to be archived: none is
    left there after the ingest, and the archived one holds no closed text, read as a PDF."""
    assert [p for p in document_cache.rglob("*") if p.is_file()] == []
    files = [p for p in (index_dir / "archive").rglob("*.pdf") if p.is_file()]
    assert files  # the Aarhus copy was archived
    for path in files:
        text = "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)
        data = path.read_bytes()
        for word in [*AARHUS_CLOSED, *NORDDJURS_CLOSED]:
            assert word.encode() not in data and word not in text, f"{word} in {path}"
