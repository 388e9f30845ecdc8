"""Faults a new user met with real inputs: nothing is lost in silence, nothing crashes.

Each test lays out real exports (``data/samples``, the Norddjurs seed) the way a
user's folder held them and runs the real ``minutes`` command on it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.engines.whoosh.index import MinutesIndex
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import SAMPLES, SEED

PUBLICATION = SAMPLES / "publication"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_export_on_top_of_a_folder_does_not_hide_the_meetings_below_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ballerup's Publication XML at the top, Region H's and Aarhus's exports in sub-folders."""
    folder = shutil.copytree(PUBLICATION / "ballerup-it-udvalget-2013", tmp_path / "exports")
    shutil.copytree(PUBLICATION / "regionh-forretningsudvalget-2012", folder / "regionh")
    shutil.copytree(PUBLICATION / "aarhus-moedesystemgruppen-2016", folder / "2016" / "aarhus")
    index = tmp_path / "ix"
    code, out, err = run(capsys, "ingest", str(folder), "--index", str(index), "--municipality", "Testkommune")
    assert code == 0, err
    assert out.startswith("meetings: 3 "), out  # not 1: the two below were skipped in silence
    with MinutesIndex.open(index).ix.searcher() as searcher:
        committees = {f["committee"] for f in searcher.all_stored_fields()}
    assert len(committees) == 3, committees
    # The enclosures below each export stay its attachments, never read as whole-meeting documents.
    assert "rejected" not in err and "document" not in out


def test_a_jsonl_line_that_is_json_but_no_meeting_is_named_and_the_rest_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import seed_meeting

    meeting = json.dumps(seed_meeting().to_dict(), ensure_ascii=False)
    item = json.dumps(seed_meeting().to_dict()["items"][0], ensure_ascii=False)  # an item where a meeting goes
    source = tmp_path / "meetings.jsonl"
    source.write_text("\n".join([meeting, item, '{"note": "eksporteret 2022"}']) + "\n", "utf-8")
    code, out, err = run(capsys, "ingest", str(source), "--index", str(tmp_path / "ix"))
    assert out.startswith("meetings: 1 "), out  # not 3, two of them empty
    lines = [line for line in err.splitlines() if "not a meeting" in line]
    assert len(lines) == 2, err
    assert f"{source}:2:" in lines[0] and f"{source}:3:" in lines[1]
    assert "'items'" in lines[0]
    assert SearchService(tmp_path / "ix").search(SearchRequest(q="sociale medier")).total == 1
    assert code == 0


def test_an_empty_folder_is_said_to_be_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "export").mkdir()
    code, _, err = run(capsys, "ingest", str(tmp_path / "export"), "--index", str(tmp_path / "ix"))
    assert code == 1 and f"{tmp_path / 'export'}: empty folder, nothing to ingest" in err
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    (pictures / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    code, _, err = run(capsys, "ingest", str(pictures), "--index", str(tmp_path / "ix"))
    assert code == 1 and "no minutes export or meeting file found in this folder" in err


def test_a_txt_attachment_beside_a_text_agenda_is_its_attachment_not_a_rejected_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "norddjurs"
    folder.mkdir()
    shutil.copy(SEED, folder / "punkt.txt")
    (folder / "Kommissorium-hovedudvalget arbejdsgruppe-sociale medier.txt").write_text(
        "Kommissorium for arbejdsgruppen om kvidrebeskeder og opslag.", "utf-8"
    )
    code, out, err = run(
        capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"), "--municipality", "Norddjurs Kommune"
    )
    assert code == 0, err
    assert "unknown format" not in err and out.startswith("meetings: 1 ")
    service = SearchService(tmp_path / "ix")
    assert service.search(SearchRequest(q="kvidrebeskeder")).total == 1  # its text is the item's attachment text
    item = service.get_item(service.search(SearchRequest(q="kvidrebeskeder")).results[0]["id"])
    assert item is not None
    assert [a["title"] for a in item["attachments"] if a.get("url")] == [
        "Kommissorium-hovedudvalget arbejdsgruppe-sociale medier"
    ]


def test_an_index_whose_first_ingest_died_before_its_first_commit_answers_with_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The state ``minutes ingest`` leaves when killed before its first commit: an index with no segment."""
    root = tmp_path / "ix"
    MinutesIndex.create(root)
    code, out, err = run(capsys, "search", "vej", "--index", str(root))
    assert (code, err) == (0, "") and "0 resultater" in out
    code, out, err = run(capsys, "search", "vej", "--json", "--index", str(root))
    assert code == 0 and json.loads(out)["total"] == 0
    code, out, err = run(capsys, "stats", "--index", str(root))
    assert (code, err) == (0, "") and "items: 0" in out and "None" not in out
    from webui import create_app

    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    for url in ("/", "/?q=vej", "/api/search?q=vej", "/feed.atom?q=vej", "/export.csv", "/api/suggest?q=ve"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/search?q=vej").get_json()["total"] == 0


def test_a_dangling_current_link_is_reported_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ix"
    sample = PUBLICATION / "aarhus-moedesystemgruppen-2016"
    assert run(capsys, "ingest", str(sample), "--index", str(root), "--municipality", "Aarhus")[0] == 0
    generation = root / os.readlink(root / "current")
    shutil.rmtree(generation)  # a restore that forgot the generation folder, a disk cleaned by hand
    before = sorted(p.name for p in root.iterdir())
    for argv in (["search", "vej"], ["stats"], ["ingest", str(sample), "--municipality", "Aarhus"]):
        code, _, err = run(capsys, *argv, "--index", str(root))
        assert code == 2, argv
        assert "`current` points to" in err and "missing" in err and "no index here yet" not in err
        assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in root.iterdir()) == before  # no new empty index in its place


def test_an_index_kept_inside_its_input_folder_is_not_read_as_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``minutes ingest exports --index exports/index``, run again: the index's own files were
    walked as inputs (each rejected, "unknown format") and its archived documents read as
    meetings.  The index's folder, archive and all, is not input."""
    folder = shutil.copytree(SEED.parent, tmp_path / "exports")  # loose meeting files, each read on its own
    shutil.copytree(PUBLICATION / "ballerup-it-udvalget-2013", folder / "ballerup")  # with enclosures
    index = folder / "index"
    code, first, err = run(capsys, "ingest", str(folder), "--index", str(index))
    assert code == 0, err
    assert "rejected" not in err and "index" not in err, err
    assert any((index / "archive").rglob("*")), "an attachment archived inside the input folder"
    code, again, err = run(capsys, "ingest", str(folder), "--index", str(index))
    assert code == 0, err
    assert "rejected" not in err and "index" not in err, err
    assert again.split()[:2] == first.split()[:2]  # the same meetings, no more
    assert "items added: 0  updated: 0" in again


def test_an_index_option_naming_a_folder_of_other_files_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--index`` naming the input folder (a slip of the arguments) made an index among the
    exports; a folder that is neither an index nor empty is refused in one line, untouched."""
    folder = shutil.copytree(PUBLICATION / "ballerup-it-udvalget-2013", tmp_path / "exports")
    before = sorted(p.name for p in folder.iterdir())
    code, _out, err = run(capsys, "ingest", str(folder), "--index", str(folder))
    assert code != 0
    assert err.count("\n") == 1 and err.startswith(f"error: {folder}: not an index, and not empty"), err
    assert sorted(p.name for p in folder.iterdir()) == before
    assert run(capsys, "ingest", str(folder), "--index", str(tmp_path / "new"))[0] == 0  # a new folder is fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "ingest", str(folder), "--index", str(empty))[0] == 0  # and so is an empty one


def test_a_file_name_with_a_newline_cannot_forge_a_line_of_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Names come from whoever made the files: ``"evil\\nrejected: forged line.txt"`` printed as
    two report lines, the second a forged one, and an escape sequence could rewrite the
    terminal.  Control characters in a name are printed escaped, as Python writes them."""
    folder = shutil.copytree(SEED.parent, tmp_path / "exports")
    (folder / "evil\nrejected: forged line.txt").write_text("no meeting here\n", "utf-8")
    (folder / "bell\x1b[2Jclear.txt").write_text("no meeting here\n", "utf-8")
    code, _out, err = run(capsys, "ingest", str(folder), "--index", str(tmp_path / "ix"))
    assert code != 0
    rejected = [line for line in err.splitlines() if line.startswith("rejected:")]
    assert len(rejected) == 2, err
    assert any("evil\\nrejected: forged line.txt" in line for line in rejected), err
    assert any("bell\\x1b[2Jclear.txt" in line for line in rejected), err
    assert "\x1b" not in err
