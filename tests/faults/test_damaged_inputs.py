"""Damaged and odd input folders from an operator's trial: each is named on one line, none
stops the batch, and nothing outside the folder given is read.

Each test copies a real sample (``data/samples``, the Norddjurs seed) into a temporary
folder, damages it the way the trial did, and runs the real ``minutes`` command.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.cli import main
from tests.conftest import DATA, SAMPLES, SEED

PUBLICATION = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
NORDDJURS_DOCX = (
    Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "norddjurs" / "beslutningsprotokol.docx"
)
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
