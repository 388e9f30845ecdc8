"""Attachment extraction is bounded in pages, bytes and time per file.

Real files are built here: a DOCX (python-docx) with a zip-bomb member, PDFs
written with pypdf (one with more pages than the limit, one whose single page
takes seconds to read), a .txt larger than what is read.  Each sits beside an
ordinary PDF on an open item of a JSON Lines meeting; ingest must name the
file, keep the item and the other attachment, and let go of the ingest lock.
"""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
import time
import weakref
import zipfile
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from indexer import attachments
from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService

GOOD_WORD = "qzvgodtbilag"


def pdf_with_pages(texts: list[str], filler_ops: int = 0) -> bytes:
    """A PDF of one page per text, written with pypdf; ``filler_ops`` extra text operators a page."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for text in texts:
        page = writer.add_blank_page(595, 842)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        stream = DecodedStreamObject()
        body = b"BT /F1 12 Tf 72 760 Td (" + text.encode("latin-1") + b") Tj " + b"(a) Tj 1 0 Td " * filler_ops
        stream.set_data(body + b"ET")
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bomb_docx(path: Path, inflated_mb: int = 25) -> None:
    """A real DOCX with one more member that unpacks ~1000× (zeros)."""
    document = Document()
    document.add_paragraph("Bilag med indlejret fil qzvbombeord")
    document.save(str(path))
    with (
        zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/embeddings/data.bin", "w") as member,
    ):
        for _ in range(inflated_mb):
            member.write(b"\0" * 1_000_000)


def meeting_with(folder: Path, files: dict[str, str]) -> Path:
    """A JSON Lines meeting: one open item with the given files (name → title) and a good PDF."""
    (folder / "godt.pdf").write_bytes(pdf_with_pages([f"Budgetnotat {GOOD_WORD}"]))
    entries = [{"number": "1", "title": "Budgetnotat", "access": "open", "file": "godt.pdf"}]
    entries += [
        {"number": str(n), "title": title, "access": "open", "file": name}
        for n, (name, title) in enumerate(files.items(), start=2)
    ]
    meeting = {
        "municipality": "Testkommune",
        "committee": "Økonomiudvalget",
        "start": "2021-05-03T16:00:00",
        "kind": "referat",
        "access": "open",
        "items": [
            {
                "number": "1",
                "title": "Budgetopfølgning qzvpunktord",
                "access": "open",
                "sections": [{"heading": "Sagsfremstilling", "text": "Opfølgning på budgettet."}],
                "attachments": entries,
            }
        ],
    }
    source = folder / "meeting.jsonl"
    source.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    return source


def indexed_attachment_statuses(root: Path) -> dict[str, str]:
    [stored] = list(MinutesIndex.open(root).iter_stored())
    return {a["title"]: a.get("text_status") for a in json.loads(stored["doc"])["attachments"]}


def searchable(root: Path, word: str) -> int:
    return SearchService(root).search(SearchRequest(q=word, literal=True)).total


def test_a_docx_zip_bomb_is_refused_by_name_and_its_item_kept(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.docx"
    zip_bomb_docx(bomb)
    assert Document(str(bomb)).paragraphs[0].text.endswith("qzvbombeord")  # a real DOCX, readable whole
    root = tmp_path / "ix"
    summary = ingest([meeting_with(tmp_path, {"bombe.docx": "Indlejret fil"})], root, workers=1, stream=io.StringIO())
    assert summary.rejected == []
    [warning] = [w for w in summary.warnings if "bombe.docx" in w]
    assert str(bomb) in warning and "zip bomb" in warning
    assert searchable(root, "qzvpunktord") == 1 and searchable(root, GOOD_WORD) == 1
    assert searchable(root, "qzvbombeord") == 0  # refused before anything was unpacked
    assert indexed_attachment_statuses(root)["Indlejret fil"] == "refused"


def test_pages_past_the_limit_are_not_read_and_that_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "MAX_PDF_PAGES", 3)
    (tmp_path / "lang.pdf").write_bytes(pdf_with_pages([f"side{n} qzvside{n}ord" for n in range(1, 9)]))
    root = tmp_path / "ix"
    summary = ingest([meeting_with(tmp_path, {"lang.pdf": "Lang rapport"})], root, workers=1, stream=io.StringIO())
    [warning] = [w for w in summary.warnings if "lang.pdf" in w]
    assert "only the first 3 of 8 pages read" in warning
    assert searchable(root, "qzvside3ord") == 1 and searchable(root, "qzvside4ord") == 0
    assert searchable(root, GOOD_WORD) == 1


def test_a_pdf_that_reads_for_ever_is_cut_off_and_the_lock_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = tmp_path / "langsom.pdf"
    slow.write_bytes(pdf_with_pages(["qzvlangsomord"], filler_ops=150_000))  # seconds for pypdf to read
    monkeypatch.setattr(attachments, "EXTRACT_TIMEOUT_S", 0.3)
    root = tmp_path / "ix"
    summary = ingest([meeting_with(tmp_path, {"langsom.pdf": "Tung tegning"})], root, workers=1, stream=io.StringIO())
    [warning] = [w for w in summary.warnings if "langsom.pdf" in w]
    assert str(slow) in warning and "reading took over 0.3 s" in warning
    assert searchable(root, "qzvpunktord") == 1 and searchable(root, GOOD_WORD) == 1
    assert searchable(root, "qzvlangsomord") == 0
    with MinutesIndex.open(root).ingest_lock():  # released: the next ingest can start at once
        pass
    assert not list((root / "textcache").rglob("*.json")) or all(
        "qzvlangsomord" not in p.read_text("utf-8") for p in (root / "textcache").rglob("*.json")
    )


def test_the_time_limit_holds_in_the_parse_workers_of_the_command(tmp_path: Path) -> None:
    """Through ``minutes ingest`` with its worker processes (four inputs), the limit from the environment."""
    inputs = []
    for n in range(4):
        folder = tmp_path / f"m{n}"
        folder.mkdir()
        (folder / "langsom.pdf").write_bytes(pdf_with_pages([f"qzvlangsom{n}"], filler_ops=150_000))
        source = meeting_with(folder, {"langsom.pdf": "Tung tegning"})
        text = source.read_text("utf-8").replace("2021-05-03", f"2021-05-0{n + 3}")
        source.write_text(text, "utf-8")
        inputs.append(str(source))
    env = {"MINUTES_EXTRACT_TIMEOUT_S": "0.3", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "indexer.cli", "ingest", *inputs, "--index", str(tmp_path / "ix")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("meetings: 4 ")
    assert result.stderr.count("reading took over 0.3 s") == 4
    assert searchable(tmp_path / "ix", GOOD_WORD) == 4


def test_a_text_file_is_read_only_so_far_and_a_huge_file_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "MAX_TEXT_BYTES", 100_000)
    monkeypatch.setattr(attachments, "MAX_FILE_BYTES", 3_000_000)
    (tmp_path / "log.txt").write_text("qzvstartord " + "referat " * 30_000 + " qzvslutord", "utf-8")
    (tmp_path / "stor.txt").write_text("qzvstorord " * 400_000, "utf-8")  # 4.4 MB
    root = tmp_path / "ix"
    summary = ingest(
        [meeting_with(tmp_path, {"log.txt": "Logbog", "stor.txt": "Stor fil"})], root, workers=1, stream=io.StringIO()
    )
    [cut] = [w for w in summary.warnings if "log.txt" in w]
    size = (tmp_path / "log.txt").stat().st_size
    assert f"{tmp_path / 'log.txt'}: text cut: only the first 100,000 of {size:,} bytes read" == cut
    [refused] = [w for w in summary.warnings if "stor.txt" in w]
    assert "over the 3 MB limit" in refused
    assert searchable(root, "qzvstartord") == 1 and searchable(root, "qzvslutord") == 0
    assert searchable(root, "qzvstorord") == 0 and searchable(root, GOOD_WORD) == 1
    statuses = indexed_attachment_statuses(root)
    assert statuses["Logbog"] == "extracted" and statuses["Stor fil"] == "refused"


def test_a_ring_of_the_time_limit_dropped_in_a_callback_is_not_reported() -> None:
    """Python drops an exception raised inside a weakref or GC callback ("Exception ignored in",
    an unraisable-exception warning): a ring of the limit dropped so is the limit's own and rings
    again, so the block stops in its own code, and nothing is reported."""
    dropped: list[object] = []
    hook, sys.unraisablehook = sys.unraisablehook, dropped.append

    class Thing:
        pass

    def busy(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            pass

    def slow_callback(ref: object) -> None:
        busy(0.005)  # most of the block's time is spent in callbacks

    kept = []
    try:
        with pytest.raises(attachments._Timeout), attachments._time_limit(0.05):
            for _ in range(2_000):
                thing = Thing()
                kept.append(weakref.ref(thing, slow_callback))
                del thing  # the callback runs at once, in the block
                busy(0.00025)
    finally:
        sys.unraisablehook = hook
    assert dropped == []
    assert len(kept) < 2_000  # stopped before the loop's end
    assert sys.unraisablehook is hook  # the block's own hook is gone with it


def test_the_pauses_between_rings_never_repeat() -> None:
    """A ring cuts the callback it lands in short, so a loop of callbacks starts afresh at each
    ring: rings a fixed pause apart landed in the same callback every time (CI's machine, and
    the test above, ran 2,000 rounds to the end so).  The pauses differ from ring to ring."""
    limit = attachments._time_limit(1.0)
    pauses = [limit._pause(0.004) for _ in range(200)]
    assert all(0.002 <= pause <= 0.006 for pause in pauses)
    assert len({round(pause, 12) for pause in pauses}) == 200
    assert min(pauses) < 0.0021 and max(pauses) > 0.0059  # the whole span, not a corner of it


def test_the_time_limit_lets_pythons_own_clean_up_finish() -> None:
    """A ring that finds the weakref module's bookkeeping (a ``WeakValueDictionary`` dropping a
    dead entry), a finaliser or a GC callback running rings again shortly instead of cutting it off."""

    def on_collect(phase: str, info: dict[str, int]) -> None:
        pass

    class Held:
        def __del__(self) -> None:
            pass

    assert attachments._cleaning_up(weakref.finalize.__call__.__code__)
    assert attachments._cleaning_up(Held.__del__.__code__)
    assert not attachments._cleaning_up(on_collect.__code__)
    gc.callbacks.append(on_collect)
    try:
        assert attachments._cleaning_up(on_collect.__code__)
    finally:
        gc.callbacks.remove(on_collect)
    assert not attachments._cleaning_up(attachments.extract_text.__code__)
