"""Damaged and odd input folders from an operator's trial: each is named on one line, none
stops the batch, and nothing outside the folder given is read.

Each test copies a real sample (``data/samples``, the Norddjurs seed) into a temporary
folder, damages it the way the trial did, and runs the real ``minutes`` command.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.formats import MAX_SECTION_CHARS
from indexer.sanitize import limit_depth
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, DATA, SAMPLES, SEED
from tests.leak.disk import hits_on_disk

PUBLICATION = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
NORDDJURS_DOCX = (
    Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "norddjurs" / "beslutningsprotokol.docx"
)
FIRSTAGENDA = SAMPLES / "firstagenda" / "aarhus-2025"
EDOC = SAMPLES / "edoc" / "ballerup-sundhedsudvalget-2012"
AARHUS_PDF = SAMPLES / "firstagenda" / "aarhus-2025" / "Aarhus_Byråd-Aarhus_Byråd_den_27._august_2025.pdf"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def seed_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(SEED, folder)
    shutil.copy(DATA / "seed" / "minutes.json", folder)
    return folder


# -- 1. symbolic links -----------------------------------------------------------------------


def test_a_link_up_the_tree_is_read_once_and_a_link_outside_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """loop/a/up -> .. made the walk read the seed meeting 41 times; loop/etc-link -> /etc
    made it reject 42,878 lines of /etc."""
    root = tmp_path / "loop"
    seed_folder(root / "a")
    (root / "a" / "up").symlink_to("..")
    outside = seed_folder(tmp_path / "elsewhere")
    (root / "elsewhere-link").symlink_to(outside)
    code, out, err = run(capsys, "ingest", str(root), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert out.startswith("meetings: 1 "), out
    assert f"warning: {root / 'elsewhere-link'}: symbolic link points outside the input folder; skipped" in err
    assert f"warning: {root / 'a' / 'up'}: symbolic link leads to {root.resolve()}, already read; skipped" in err
    assert "rejected" not in err


def test_a_link_inside_the_input_folder_is_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "in"
    seed_folder(root / "store" / "seed")
    (root / "current").symlink_to(root / "store" / "seed")
    code, out, err = run(capsys, "ingest", str(root / "current"), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert out.startswith("meetings: 1 "), out


def test_an_attachment_linked_outside_its_export_is_said_to_point_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = shutil.copytree(PUBLICATION, tmp_path / "pub")
    secret = tmp_path / "secret.pdf"
    shutil.move(export / "Enclosures" / "1.pdf", secret)
    (export / "Enclosures" / "1.pdf").symlink_to(secret)
    code, _out, err = run(capsys, "ingest", str(export), "--index", str(tmp_path / "ix"), "--municipality", "Ballerup")
    assert code == 0, err
    lines = [line for line in err.splitlines() if "1.pdf" in line]
    assert lines == [f"warning: {export / 'Enclosures' / '1.pdf'}: points outside the export; not read"], err


# -- 2. zips and damaged documents --------------------------------------------------------------


def test_a_zip_in_a_folder_is_rejected_with_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = seed_folder(tmp_path / "in")
    shutil.make_archive(str(folder / "Publication32"), "zip", PUBLICATION)
    (folder / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not an input, stays quiet")
    code, out, err = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"))
    assert code == 1
    assert out.startswith("meetings: 1 "), out  # the seed beside them is read
    rejected = sorted(line for line in err.splitlines() if line.startswith("rejected: "))
    assert rejected == [
        f"rejected: {folder / 'Publication32.zip'}: zip archive: unpack it first, then ingest the folder",
        f"rejected: {folder / 'broken.zip'}: zip archive: unpack it first, then ingest the folder",
    ], err
    assert "photo.jpg" not in err


def test_archive_is_not_a_format_to_force(tmp_path: Path) -> None:
    """Zips are named, never read: ``--format archive`` is no choice."""
    with pytest.raises(SystemExit) as stopped:
        main(["ingest", str(tmp_path), "--format", "archive"])
    assert stopped.value.code == 2


@pytest.mark.parametrize("source", [AARHUS_PDF, NORDDJURS_DOCX], ids=["pdf", "docx"])
def test_a_truncated_referat_in_a_folder_is_rejected_as_unreadable(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = seed_folder(tmp_path / "in")
    damaged = folder / f"trunc-referat{source.suffix}"
    data = source.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    kind = source.suffix[1:].upper()
    for given in (folder, damaged):  # in a folder, and named directly
        code, _out, err = run(capsys, "ingest", str(given), "--index", str(tmp_path / "ix"))
        assert code == 1, err
        lines = [line for line in err.splitlines() if line.startswith("rejected: ")]
        assert len(lines) == 1, err
        assert lines[0].startswith(f"rejected: {damaged}: {kind} cannot be read ("), err


# -- 6. small ones ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.xml", "empty.csv", "empty.html", "empty.txt", "empty.pdf", "empty.jsonl"])
def test_an_empty_file_is_said_to_be_empty(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / name
    empty.write_bytes(b"" if name != "empty.txt" else b"\n  \n")
    code, _out, err = run(capsys, "ingest", str(empty), "--index", str(tmp_path / "ix"))
    assert code == 1
    assert err.strip().splitlines()[-1] == f"rejected: {empty}: empty file", err


# -- 3. deep HTML, huge sections ------------------------------------------------------------------


def test_deeply_nested_html_is_flattened_in_linear_time_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """60,000 nested <div>s in a Publication XML Content took 19 s (200,000: 7 min 27 s)."""
    export = shutil.copytree(PUBLICATION, tmp_path / "pub")
    xml = export / "Publication32.xml"
    depth = 60_000
    deep = "<div>" * depth + "<p>Dybt begravet sætning om cykelstier</p>" + "</div>" * depth
    text, marker, at = xml.read_text("utf-8"), "<Content><![CDATA[<p>", -1
    for _ in range(4):  # the fourth body: item 2's Sagsfremstilling
        at = text.index(marker, at + 1)
    xml.write_text(f"{text[:at]}<Content><![CDATA[{deep}<p>{text[at + len(marker) :]}", "utf-8")
    started = time.monotonic()
    code, _out, err = run(capsys, "ingest", str(export), "--index", str(tmp_path / "ix"), "--municipality", "Ballerup")
    assert code == 0, err
    assert f"warning: {export}: HTML nested more than 100 elements deep; flattened below that depth" in err
    assert time.monotonic() - started < 15  # 19 s before, for the parse alone
    service = SearchService(tmp_path / "ix")
    assert service.search(SearchRequest(q="begravet sætning")).total == 1  # the text is kept


def test_html_flattening_keeps_shallow_html_as_it_is() -> None:
    shallow = "<div><p>Et <b>afsnit</b></p><ul><li>a<li>b</ul></div>" * 300  # many tags, no depth
    assert limit_depth(shallow) is shallow
    assert limit_depth("<div>" * 5 + "x" + "</div>" * 5, max_depth=3) == "<div><div><div>  x  </div></div></div>"


def test_a_huge_section_is_cut_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 16 MB section in JSON Lines took 37 s and 1.6 GB; sections are cut at MAX_SECTION_CHARS."""
    from tests.helpers import seed_meeting

    meeting = seed_meeting().to_dict()
    item = meeting["items"][0]
    item["sections"][0]["text"] = "kloakering " * 200_000 + "SLUTORD"  # 2.2 million characters
    item["sections"][0]["html"] = None
    source = tmp_path / "big.jsonl"
    source.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    code, _out, err = run(capsys, "ingest", str(source), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    (warning,) = [line for line in err.splitlines() if "characters" in line]
    assert warning.startswith(f"warning: {source}: item 'Sociale medier i arbejdsmæssig sammenhæng': section ")
    assert warning.endswith(f"'Sagsfremstilling' has 2,200,007 characters; cut at {MAX_SECTION_CHARS:,}")
    service = SearchService(tmp_path / "ix")
    assert service.search(SearchRequest(q="kloakering")).total == 1
    assert service.search(SearchRequest(q="SLUTORD")).total == 0  # beyond the cut


def test_a_huge_closed_section_is_not_named_in_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The cut ran before the closed-content boundary, on closed items and sections too, and its
    warning quoted the item's title and the section's heading: "item 'Personalesag …': section
    'Fortroligt …' has 2,200,007 characters" on the terminal and in a harvest's problems.  Closed
    matter is dropped at the boundary anyway, so there is nothing of it to cut or to name."""
    from tests.helpers import seed_meeting

    meeting = seed_meeting().to_dict()
    closed_item, open_item = meeting["items"][0], copy.deepcopy(meeting["items"][0])
    closed_item.update(access="closed", title="Personalesag qzvstortitel")
    closed_item["sections"][0].update(text="kloakering " * 200_000, html=None, heading="Fortroligt qzvstorafsnit")
    closed_section = copy.deepcopy(open_item["sections"][0])
    closed_section.update(access="closed", heading="Lukket qzvstorlukket", text="kloakering " * 200_000, html=None)
    open_item.update(number="99", title="Åbent punkt", sections=[*open_item["sections"], closed_section])
    meeting["items"].append(open_item)
    source = tmp_path / "big.jsonl"
    source.write_text(json.dumps(meeting, ensure_ascii=False) + "\n", "utf-8")
    code, out, err = run(capsys, "ingest", str(source), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    for word in ("qzvstortitel", "qzvstorafsnit", "qzvstorlukket", "Personalesag"):
        assert word not in out + err, word
    assert hits_on_disk(tmp_path / "ix", ["qzvstortitel", "qzvstorafsnit", "qzvstorlukket"]) == []


# -- 4. encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_xml_export_is_read_like_its_utf8_original(
    encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was 'malformed XML: Start tag expected': NUL bytes were stripped before parsing."""
    export = shutil.copytree(EDOC, tmp_path / "edoc")
    xml = next(export.rglob("eDocAgendaPublishing.xml"))
    text = xml.read_bytes().decode("utf-8-sig")
    assert text.startswith('<?xml version="1.0"?>')
    bom = "\ufeff" if encoding != "utf-16-be" else ""  # a BOM, or none and big-endian bytes
    xml.write_bytes((bom + text.replace("?>", f' encoding="{encoding}"?>', 1)).encode(encoding))
    code, out, err = run(capsys, "ingest", str(export), "--index", str(tmp_path / "ix"), "--municipality", "Ballerup")
    assert code == 0, err
    assert out.startswith("meetings: 1  items added: 8 "), out
    assert SearchService(tmp_path / "ix").search(SearchRequest(q="sundhedsudvalget")).total > 0


def test_a_windows_1252_csv_is_read_as_a_windows_1252_text_agenda_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was rejected 'not UTF-8 text' while a text agenda in cp1252 was accepted."""
    source = tmp_path / "digst-cp1252.csv"
    source.write_bytes(CORPUS_CSV.read_text("utf-8").encode("cp1252", "replace"))  # a dash or two cp1252 lacks
    code, out, err = run(capsys, "ingest", str(source), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    utf8 = run(capsys, "ingest", str(CORPUS_CSV), "--index", str(tmp_path / "ix-utf8"))[1]
    assert out.split("  updated")[0] == utf8.split("  updated")[0]  # the same meetings and items
    assert SearchService(tmp_path / "ix").search(SearchRequest(q="beslutning")).total > 0


@pytest.mark.parametrize("suffix", [".csv", ".txt"])
def test_a_utf16_tab_separated_csv_is_read_as_the_utf8_csv_is(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Excel's "Unicode text" export (UTF-16LE with a BOM, tab-separated; Excel names it .txt) was
    rejected as "unknown format"."""
    rows = list(csv.reader(io.StringIO(CORPUS_CSV.read_text("utf-8"), newline="")))
    written = io.StringIO(newline="")
    csv.writer(written, delimiter="\t", lineterminator="\r\n").writerows(rows)
    source = tmp_path / f"digst-unicode{suffix}"
    source.write_bytes(codecs.BOM_UTF16_LE + written.getvalue().encode("utf-16-le"))
    code, out, err = run(capsys, "ingest", str(source), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    utf8 = run(capsys, "ingest", str(CORPUS_CSV), "--index", str(tmp_path / "ix-utf8"))[1]
    assert out.split("  updated")[0] == utf8.split("  updated")[0]  # the same meetings and items
    found = SearchService(tmp_path / "ix").search(SearchRequest(q="magtanvendelser"))
    assert found.total == SearchService(tmp_path / "ix-utf8").search(SearchRequest(q="magtanvendelser")).total > 0


# -- 5. inputs cut short ---------------------------------------------------------------------------


def _cut_csv(tmp_path: Path, inside_quotes: bool) -> Path:
    """The sample CSV cut inside its last row: inside the quoted text, or before the later fields."""
    text = CORPUS_CSV.read_text("utf-8")
    last_row = [m.end() for m in re.finditer(r"\n(?=[0-9a-f]{8}-[0-9a-f]{4}-)", text)][-1]  # its identifikator
    last = text[last_row:]
    if inside_quotes:
        at = last_row + len(last) // 2
        assert text[:at].count('"') % 2 == 1, "the middle of the last line is inside the quoted text"
    else:
        at = last_row + last.rfind(",")  # the last field of the last row left out
    source = tmp_path / "digst.csv"
    source.write_text(text[:at], "utf-8")
    return source


@pytest.mark.parametrize("inside_quotes", [True, False], ids=["open-quote", "fields-missing"])
def test_a_csv_cut_in_its_last_row_is_read_with_a_warning(
    inside_quotes: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _cut_csv(tmp_path, inside_quotes)
    code, out, err = run(capsys, "ingest", str(source), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert not out.startswith("meetings: 0 "), out
    cut = [line for line in err.splitlines() if "cut short" in line]
    expected = (
        "the file ends inside a quoted field; its last row is cut short"
        if inside_quotes
        else "the last row has 16 of 17 fields; it is cut short"
    )
    assert len(cut) == 1 and cut[0].startswith(f"warning: {source}: {expected}"), err


def test_an_html_agenda_cut_inside_its_body_is_read_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = FIRSTAGENDA / "example_agenda.html"
    cut = tmp_path / "example_agenda.html"
    data = page.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    code, _out, err = run(capsys, "ingest", str(cut), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert f"warning: {cut}: the page ends inside its body (no </body> or </html>); it may be cut short" in err
    code, _out, err = run(capsys, "ingest", str(page), "--index", str(tmp_path / "ix2"))
    assert "cut short" not in err  # the whole page
