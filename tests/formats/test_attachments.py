"""Attachment files as exports name them: Windows paths, wrong case, NFD names; text extraction."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.attachments import attach_file, extract_attachment, extract_text, resolve_file, set_text_cache
from indexer.model import Access, Attachment
from tests.conftest import SAMPLES

FUJITSU_RENDERING = (
    (SAMPLES / "edoc-fujitsu" / "Hennys testudvalg" / "2017-05-02 10.00" / "Dagsorden" / "Dagsorden")
    / "Os2Dagsorden TEST"
    / "2017-04-21 12.24.03"
)
BALLERUP = SAMPLES / "publication" / "ballerup-it-udvalget-2013"
AARHUS = SAMPLES / "publication" / "aarhus-moedesystemgruppen-2016"
ACADRE_FILES = SAMPLES / "acadre" / "syddjurs-puk-2013" / "Files_1863_3687982"


@pytest.fixture(autouse=True)
def no_text_cache() -> Iterator[None]:
    set_text_cache(None)
    yield
    set_text_cache(None)


@pytest.mark.parametrize(
    "reference",
    [
        "\\Attachments\\6104646-6648380-1.pdf",  # as the Fujitsu XML writes it: backslashes, lower-case suffix
        "Attachments\\6104646-6648380-1.PDF",
        "attachments/6104646-6648380-1.pdf",  # folder in another case too
        ".\\ATTACHMENTS\\\\6104646-6648380-1.Pdf",
    ],
)
def test_windows_paths_resolve_case_insensitively(reference: str) -> None:
    found = resolve_file(FUJITSU_RENDERING, reference)
    assert found == (FUJITSU_RENDERING / "Attachments" / "6104646-6648380-1.PDF").resolve()


def test_composed_name_finds_a_decomposed_file_on_disk() -> None:
    on_disk = [p.name for p in AARHUS.iterdir() if p.suffix == ".pdf"]
    assert on_disk and unicodedata.is_normalized("NFD", on_disk[0]) and not on_disk[0].isascii()
    found = resolve_file(AARHUS, unicodedata.normalize("NFC", "Appendix_referat - åbent.pdf"))
    assert found is not None and found.name == on_disk[0]


def test_absolute_windows_path_of_the_exporting_server_is_found_under_the_export() -> None:
    found = resolve_file(BALLERUP, "C:\\publish\\eDagsorden\\Publication32\\Enclosures\\1.PDF")
    assert found == (BALLERUP / "Enclosures" / "1.pdf").resolve()
    assert resolve_file(BALLERUP, "D:\\elsewhere\\nothing-like-it.pdf") is None


@pytest.mark.parametrize(
    "reference",
    ["..\\XML_1863.xml", "../XML_1863.xml", "Files\\..\\..\\XML_1863.xml", "", "\\", "3687982.docx\\extra"],
)
def test_references_that_leave_the_folder_or_name_nothing_are_refused(reference: str) -> None:
    assert resolve_file(ACADRE_FILES, reference) is None


def test_a_symlink_out_of_the_export_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    (export / "bilag.pdf").symlink_to(BALLERUP / "Enclosures" / "1.pdf")
    assert resolve_file(export, "bilag.pdf") is None


def test_missing_file_is_a_warning_naming_it_and_never_raises() -> None:
    attachment = Attachment(number="1", title="Bilag", access=Access.OPEN)
    warnings: list[str] = []
    attach_file(attachment, BALLERUP, "Enclosures\\99.pdf", warnings)
    assert attachment.text_status == "missing" and attachment.file is None
    assert warnings == [f"{BALLERUP / 'Enclosures' / '99.pdf'}: attachment file not found"]


@pytest.mark.parametrize(
    ("reference", "named"),
    [
        ("\\Enclosures\\99.pdf", "Enclosures/99.pdf"),
        ("/Enclosures/99.pdf", "Enclosures/99.pdf"),
        ("C:\\publish\\Enclosures\\99.pdf", "publish/Enclosures/99.pdf"),  # the first place tried
    ],
)
def test_a_missing_file_named_from_the_root_or_a_drive_is_named_under_the_export(reference: str, named: str) -> None:
    """Before: a reference starting with a backslash was named "/Enclosures/99.pdf" (the export's
    folder lost), and a drive letter's under a folder "C:" that was never looked in."""
    attachment = Attachment(number="1", title="Bilag", access=Access.OPEN)
    warnings: list[str] = []
    attach_file(attachment, BALLERUP, reference, warnings)
    assert warnings == [f"{BALLERUP / named}: attachment file not found"]


def test_pdf_and_docx_text_is_extracted_with_danish_letters() -> None:
    pdf = extract_text(BALLERUP / "Enclosures" / "1.pdf")
    assert pdf.status == "extracted" and pdf.text is not None
    assert "Tilslutning til monopolbruddet" in pdf.text
    docx = extract_text(ACADRE_FILES / "3525829E1.DOCX")
    assert docx.status == "extracted" and docx.text is not None
    assert "har sat fokus på kulturområdet" in docx.text


def test_legacy_doc_keeps_metadata_and_says_its_text_was_not_extracted() -> None:
    attachment = Attachment(number="2", title="Politik for Kultur og Fritid", access=Access.OPEN)
    warnings: list[str] = []
    attach_file(attachment, ACADRE_FILES, "2531342E2.DOC", warnings)
    assert attachment.file is not None and attachment.file.endswith("2531342E2.DOC")
    assert attachment.media_type == "application/msword"
    assert attachment.text_status == "not-extracted"  # resolving never reads a file
    warnings.append(extract_attachment(attachment) or "")
    assert (attachment.text_status, attachment.text) == ("legacy-doc", None)
    assert len(warnings) == 1 and "2531342E2.DOC" in warnings[0] and "not extracted" in warnings[0]


@pytest.mark.parametrize("name", ["broken.pdf", "broken.docx"])
def test_unreadable_file_is_reported_by_name_and_never_raises(tmp_path: Path, name: str) -> None:
    source = BALLERUP / "Enclosures" / "1.pdf" if name.endswith(".pdf") else ACADRE_FILES / "3525829E1.DOCX"
    (tmp_path / name).write_bytes(source.read_bytes()[:700])  # a truncated real file
    attachment = Attachment(number="1", title="Bilag", access=Access.OPEN)
    warnings: list[str] = []
    attach_file(attachment, tmp_path, name, warnings)
    warnings.append(extract_attachment(attachment) or "")
    assert (attachment.text_status, attachment.text) == ("unreadable", None)
    assert attachment.file == str((tmp_path / name).resolve())  # still listed, by name
    assert len(warnings) == 1 and warnings[0].startswith(f"{(tmp_path / name).resolve()}: ")


def test_extraction_is_cached_by_content_so_a_copy_is_not_read_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    set_text_cache(cache)
    copy = tmp_path / "copy.pdf"
    shutil.copyfile(BALLERUP / "Enclosures" / "1.pdf", copy)
    first = Attachment(number="1", title="Brev", access=Access.OPEN)
    attach_file(first, BALLERUP, "Enclosures/1.pdf", [])
    extract_attachment(first)
    assert len(list(cache.rglob("*.json"))) == 1
    second = Attachment(number="1", title="Brev", access=Access.OPEN)
    attach_file(second, tmp_path, "copy.pdf", [])
    extract_attachment(second)
    assert len(list(cache.rglob("*.json"))) == 1
    assert second.text == first.text and second.text_status == "extracted"


def test_overlong_reference_is_not_found_rather_than_an_error(tmp_path: Path) -> None:
    assert resolve_file(tmp_path, "a" * 400 + ".pdf") is None
    assert resolve_file(tmp_path, "bilag\\" + "æ" * 200 + ".PDF") is None


def test_a_closed_attachments_file_is_not_looked_for_nor_named() -> None:
    """Each format checked the access before resolving a file; ``attach_file`` did not, so a format
    that forgot would name a closed attachment's file in "… attachment file not found" (the ingest
    report).  The eDoc Fujitsu sample's closed item links to these files, one not shipped."""
    warnings: list[str] = []
    for reference in ("\\Attachments\\5781888-6174959-1.pdf", "\\Attachments\\5781888-6174959-9.pdf"):
        attachment = Attachment("5", "Dokument", Access.CLOSED)
        attach_file(attachment, FUJITSU_RENDERING, reference, warnings)
        assert (attachment.file, attachment.text_status) == (None, "no-file")
    assert warnings == []
    opened = Attachment("5", "Dokument", Access.OPEN)
    attach_file(opened, FUJITSU_RENDERING, "\\Attachments\\5781888-6174959-9.pdf", warnings)
    assert opened.text_status == "missing" and warnings and "5781888-6174959-9" in warnings[0]
