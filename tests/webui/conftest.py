"""One index for the web tests, built from real inputs: the seed, the format samples,
corpus rows, and two JSON Lines meetings written here (hostile markup, a closed item)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.cli import ingest
from indexer.documents.publish import CACHE_ENV as DOCUMENT_CACHE
from indexer.formats import IngestContext, available_formats
from tests.conftest import CORPUS_CSV, SAMPLES, SEED

XSS_TITLE = '<script>alert("titel")</script> Vejbump på Skolevej'
XSS_HTML = '<p>Borgerne ønsker vejbump.</p><script>alert("sektion")</script><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">link</a>'
CLOSED_WORD = "kragesnøfteri"
CLOSED_ATTACHMENT_WORD = "Fortroligbilagsord"
CASE_NUMBER = "21/1234"
CORPUS_ROWS = 80
# A title a spreadsheet would run as a formula, and a decision that starts like one.
FORMULA_TITLE = '=HYPERLINK("https://example.org/x","Tillægsbevilling")'


def _meetings() -> list[dict[str, object]]:
    first = {
        "municipality": "Testrup Kommune",
        "committee": "Teknik- og Miljøudvalget",
        "start": "2021-03-04T16:00:00",
        "kind": "referat",
        "access": "open",
        "absentees": ["Karen Fraværsen"],
        "items": [
            {
                "number": "1",
                "title": XSS_TITLE,
                "access": "open",
                "case_number": CASE_NUMBER,
                "sections": [
                    {
                        "heading": "Sagsfremstilling",
                        "text": "Borgerne ønsker vejbump.",
                        "html": XSS_HTML,
                        "kind": "body",
                    },
                    {"heading": "Beslutning", "text": "Vejbumpene blev godkendt.", "kind": "decision"},
                ],
                "decisions": [
                    {"body": "Teknik- og Miljøudvalget", "date": "2021-03-04", "text": "Vejbumpene blev godkendt."}
                ],
                "attachments": [
                    {"number": "1", "title": "Kort over Skolevej", "access": "open", "journal_number": "77/21"},
                    {"number": "2", "title": CLOSED_ATTACHMENT_WORD, "access": "closed"},
                ],
            },
            {
                "number": "2",
                "title": f"Salg af grund ({CLOSED_WORD})",
                "access": "closed",
                "case_number": "21/9999",
                "sections": [
                    {"heading": "Sagsfremstilling", "text": f"Fortroligt om {CLOSED_WORD} ved havnen.", "kind": "body"}
                ],
            },
            {
                "number": "3",
                "title": "Trafikplan for midtbyen",
                "access": "open",
                "sections": [
                    {
                        "heading": "Sagsfremstilling",
                        "text": "Trafikplanen beskriver vejbump og cykelstier.",
                        "kind": "body",
                    }
                ],
            },
        ],
    }
    second = {
        "municipality": "Testrup Kommune",
        "committee": "Økonomiudvalget",
        "start": "2021-05-06T15:00:00",
        "kind": "referat",
        "access": "open",
        "items": [
            {
                "number": "4",
                "title": "Vejbump på Skolevej, finansiering",
                "access": "open",
                "case_number": CASE_NUMBER,
                "sections": [{"heading": "Beslutning", "text": "Finansieringen blev godkendt.", "kind": "decision"}],
            },
            {
                "number": "5",
                "title": FORMULA_TITLE,
                "access": "open",
                "sections": [
                    {"heading": "Sagsfremstilling", "text": "Tillægsbevilling til vintertjenesten.", "kind": "body"},
                    {"heading": "", "text": "- Indstillingen blev godkendt.", "kind": "decision"},
                ],
            },
        ],
    }
    return [first, second]


def _corpus_extract(target: Path) -> Path:
    """The first rows of the corpus CSV, as a CSV of their own."""
    with CORPUS_CSV.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        rows = [next(reader) for _ in range(CORPUS_ROWS + 1)]
    with target.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return target


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("webindex")
    inputs = tmp_path_factory.mktemp("webinputs")
    jsonl = inputs / "testrup.jsonl"
    jsonl.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in _meetings()) + "\n", encoding="utf-8")
    index = root / "index"
    quiet = io.StringIO()
    # The blanked copies of whole-meeting documents in a folder of this run's own: in the shared
    # default (the system's temporary folder) another run on the machine may remove one between
    # its writing and its archiving, and the document was then not archived (a flaky page).
    before = os.environ.get(DOCUMENT_CACHE)
    os.environ[DOCUMENT_CACHE] = str(tmp_path_factory.mktemp("documentcache"))
    try:
        _ingest_all(index, inputs, jsonl, quiet)
    finally:
        if before is None:
            del os.environ[DOCUMENT_CACHE]
        else:
            os.environ[DOCUMENT_CACHE] = before
    return index


def _ingest_all(index: Path, inputs: Path, jsonl: Path, quiet: io.StringIO) -> None:
    ingest([SEED], index, IngestContext(municipality="Norddjurs Kommune"), workers=1, stream=quiet)
    ingest([SAMPLES, jsonl], index, workers=1, stream=quiet)
    if "digst" in available_formats():
        ingest([_corpus_extract(inputs / "digst-sample.csv")], index, workers=1, stream=quiet)


@pytest.fixture(scope="session")
def app(index_dir: Path) -> Flask:
    from webui import create_app

    flask_app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    return flask_app


@pytest.fixture()
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client
