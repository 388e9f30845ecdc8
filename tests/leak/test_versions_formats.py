"""The re-import sequences of ``test_versions.py`` (Publication) through two more formats.

* FirstAgenda API documents (a real Greve meeting): an item is closed the portal's way
  (its caption becomes "Lukket: …"), dropped, or reopened; "Afsluttet" makes a referat.
* JSON Lines with real attachment files (PDF, DOCX, TXT) on the item that changes.

After every step every file under the index folder (raw, inflated, Whoosh vocabulary
and stored fields of deleted documents) is searched for the planted words.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.search.service import SearchRequest, SearchService
from tests.helpers import quiet_ingest
from tests.leak.disk import hits_on_disk
from tests.leak.test_closed_formats import GREVE
from tests.leak.test_closed_samples import tiny_pdf, write_docx

WORD, FILE_WORD = "qzvseqpunkt", "qzvseqfilord"


def greve_version(tmp: Path, name: str, kind: str, state: str) -> Path:
    """A real Greve agenda document; its first open item with fields carries the words."""
    source = next(p for p in sorted(GREVE.glob("*.json")) if "Svar til" not in p.name)
    data = json.loads(source.read_text("utf-8"))
    data["Moede"]["Afsluttet"] = kind == "referat"
    points = data["Dagsordenpunkter"]
    index, point = next(
        (n, p) for n, p in enumerate(points) if p.get("Felter") and not (p.get("Caption") or "").startswith("Lukket")
    )
    point["Caption"] = f"{point['Caption']} {WORD}"
    point["Navn"] = f"{point.get('Navn') or ''} {WORD}"
    for felt in point["Felter"]:
        felt["Html"] = f"{felt.get('Html') or ''}<p>Notat {FILE_WORD}</p>"
    if state == "closed":
        point["Caption"] = f"Lukket: {point['Caption']}"
        point["Navn"] = f"Lukket: {point['Navn']}"
    elif state == "gone":
        del points[index]
    folder = tmp / name
    folder.mkdir()
    path = folder / source.name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def jsonl_version(tmp: Path, name: str, kind: str, state: str) -> Path:
    folder = tmp / name
    folder.mkdir()
    (folder / "notat.pdf").write_bytes(tiny_pdf(f"Notat {FILE_WORD}pdf"))
    write_docx(folder / "notat.docx", f"Notat {FILE_WORD}docx")
    (folder / "notat.txt").write_text(f"Notat {FILE_WORD}txt", "utf-8")
    files = [("notat.pdf", "Notat som PDF"), ("notat.docx", "Notat som DOCX"), ("notat.txt", "Notat som tekst")]
    item = {
        "number": "2",
        "title": f"Vejplan {WORD}",
        "access": "closed" if state == "closed" else "open",
        "sections": [{"heading": "Sagsfremstilling", "text": f"Forslag til vejplan {WORD}."}],
        "attachments": [
            {"number": str(n), "title": title, "access": "open", "file": file}
            for n, (file, title) in enumerate(files, start=1)
        ],
    }
    other = {
        "number": "1",
        "title": "Godkendelse af dagsorden",
        "access": "open",
        "sections": [{"heading": "Beslutning", "text": "Dagsordenen blev godkendt."}],
    }
    meeting = {
        "municipality": "Testkommune",
        "committee": "Teknik- og Miljøudvalget",
        "start": "2024-04-08T16:00:00",
        "kind": kind,
        "access": "open",
        "items": [copy.deepcopy(other)] + ([] if state == "gone" else [item]),
    }
    path = folder / "moede.jsonl"
    path.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    return path


VERSIONS: dict[str, Callable[[Path, str, str, str], Path]] = {"firstagenda": greve_version, "jsonl": jsonl_version}
WORDS = [WORD, FILE_WORD]


def found(root: Path) -> int:
    return SearchService(root).search(SearchRequest(q=WORD, literal=True)).total


def clean(root: Path) -> None:
    assert hits_on_disk(root, WORDS) == []


def item_id(root: Path) -> str:
    [hit] = SearchService(root).search(SearchRequest(q=WORD, literal=True)).results
    return str(hit["id"])


@pytest.fixture(params=sorted(VERSIONS))
def version(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str, str, str], Path]:
    make = VERSIONS[request.param]
    return lambda name, kind, state: make(tmp_path, name, kind, state)


def test_the_words_are_indexed_and_on_disk_when_open(version: Callable[..., Path], tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version("v1", "referat", "open")], root)
    assert found(root) == 1
    hits = hits_on_disk(root, WORDS)
    assert any(WORD in h for h in hits) and any(FILE_WORD in h for h in hits)  # so the checks below can fail


def test_referat_then_a_dagsorden_that_closes_the_item(version: Callable[..., Path], tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version("referat", "referat", "open")], root)
    summary = quiet_ingest([version("dagsorden", "dagsorden", "closed")], root)
    assert summary.items_updated == 1 and summary.closed_items >= 1 and found(root) == 0
    clean(root)


def test_dagsorden_then_a_referat_without_the_item(version: Callable[..., Path], tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version("dagsorden", "dagsorden", "open")], root)
    summary = quiet_ingest([version("referat", "referat", "gone")], root)
    assert summary.items_removed == 1 and found(root) == 0
    clean(root)


def test_open_closed_open_again(version: Callable[..., Path], tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([version("v1", "referat", "open")], root)
    quiet_ingest([version("v2", "referat", "closed")], root)
    clean(root)
    again = quiet_ingest([version("v3", "referat", "open")], root)
    assert again.kept_closed == 1 and found(root) == 0
    clean(root)


def test_forget_then_reimport(version: Callable[..., Path], tmp_path: Path) -> None:
    root = tmp_path / "ix"
    source = version("v1", "referat", "open")
    quiet_ingest([source], root)
    assert main(["forget", item_id(root), "--reason", "fejl i udgivelsen", "--index", str(root)]) == 0
    clean(root)
    again = quiet_ingest([source], root)
    assert again.forgotten == 1 and found(root) == 0
    clean(root)
