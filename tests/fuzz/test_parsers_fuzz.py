"""Property-based fuzzing: damaged real exports, junk queries, a bad file in a batch.

Every parser must either return meetings or raise ``FormatError`` naming the
file; never another exception, and never an attachment path outside the input.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate_corpus import write_corpus
from indexer.cli import ingest
from indexer.documents import extract
from indexer.engines.whoosh.index import MinutesIndex
from indexer.formats import FormatError, IngestContext, available_formats
from indexer.model import Meeting
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, REPO, SAMPLES, SEED

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_OCR_DPI = 75
PATH_TRICKS = [
    "..\\..\\etc\\passwd",
    "../../../../etc/passwd",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "\\\\server\\share\\x.pdf",
]
ATTACHMENT_NAME = re.compile(rb"[\w\- ]+\.(?:pdf|PDF|docx|DOCX|doc|DOC)")


def jsonl_seed() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        files = write_corpus(Path(folder), 30, items_per_file=30, csv_path=CORPUS_CSV)
        data = json.loads(files[0].read_text("utf-8").splitlines()[0])
    data["items"][0]["attachments"] = [{"number": "1", "title": "Bilag", "access": "open", "file": "bilag.pdf"}]
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


def first(pattern: str) -> Path | None:
    found = sorted(SAMPLES.glob(pattern))
    return found[0] if found else None


# format name -> (file name to write, where the real bytes come from)
SEEDS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "jsonl": ("meetings.jsonl", jsonl_seed),
    "digst": ("digst.csv", lambda: CORPUS_CSV.read_bytes()[:60_000]),
    "agenda-text": (SEED.name, SEED.read_bytes),
}
for name, pattern in [
    ("publication", "publication/*/Publication553.xml"),
    ("acadre", "acadre/*/XML_1863.xml"),
    ("edoc", "edoc/*/*/eDocAgendaPublishing.xml"),
    ("edoc-fujitsu", "edoc-fujitsu/**/*.xml"),
    ("firstagenda", "firstagenda/*/example_agenda.html"),
    ("document", "acadre/*/Files_*/Ekstraordinært PUK.pdf"),
    ("document-acadre", "acadre/*/Files_*/Ekstraordinært PUK.docx"),
    ("document-edoc", "edoc/*/*/1552814.PDF"),
    ("document-firstagenda", "firstagenda/*/Aarhus_Byråd-*.pdf"),
    ("document-sbsys", "publication/aarhus-moedesystemgruppen-2016/Appendix_referat*.pdf"),
]:
    source = first(pattern)
    if source is not None:
        SEEDS[name] = (source.name, source.read_bytes)
norddjurs_fixture = REPO / "tests" / "fixtures" / "documents" / "norddjurs" / "beslutningsprotokol.docx"
SEEDS["document-norddjurs"] = (norddjurs_fixture.name, norddjurs_fixture.read_bytes)


def zipped_seed() -> bytes:
    """The seed agenda zipped, as an export often arrives: the archive format's real input."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(SEED.name, SEED.read_bytes())
    return buffer.getvalue()


SEEDS["archive"] = ("export.zip", zipped_seed)
sbsys_fixture = REPO / "tests" / "formats" / "fixtures" / "sbsys" / "teknik-miljoe-2018" / "Dagsorden.xml"
if sbsys_fixture.exists():
    SEEDS["sbsys"] = ("Dagsorden.xml", sbsys_fixture.read_bytes)


def mutate(data: bytes, how: str, fraction: float, junk: bytes, trick: str) -> bytes:
    cut = int(len(data) * fraction)
    if how == "truncate":
        return data[:cut]
    if how == "latin1":
        return data.decode("utf-8", "replace").encode("latin-1", "replace")
    if how == "utf16":
        return data.decode("utf-8", "replace").encode("utf-16")
    if how == "huge-field":
        return data[:cut] + b"x" * 300_000 + data[cut:]
    if how == "junk":
        return data[:cut] + junk + data[cut:]
    if how == "only-junk":
        return junk
    if how == "path-trick":
        replaced = ATTACHMENT_NAME.sub(trick.encode("utf-8").replace(b"\\", b"\\\\"), data)
        return replaced if replaced != data else data[:cut] + trick.encode() + data[cut:]
    return data


MUTATION = st.tuples(
    st.sampled_from(["truncate", "latin1", "utf16", "huge-field", "junk", "only-junk", "path-trick"]),
    st.floats(min_value=0.0, max_value=1.0),
    st.binary(min_size=0, max_size=400),
    st.sampled_from(PATH_TRICKS),
)


def check_parse(format_name: str, filename: str, data: bytes) -> None:
    module = available_formats()[format_name]
    # A damaged PDF whose pages lose their text layer but keep an image (a logo) is read as a scan:
    # every such page goes through pdftoppm and Tesseract, as in a real ingest, but rasterised at
    # FUZZ_OCR_DPI rather than 300 dpi (a sixteenth of the pixels), which changes how well the
    # garbage is read, not which pages, tools or branches the parser takes.  OCR accuracy is
    # tests/documents/test_scanned.py's, at the real resolution.
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(extract, "OCR_DPI", FUZZ_OCR_DPI):
        root = Path(folder) / "export"
        root.mkdir()
        path = root / filename
        path.write_bytes(data)
        target = root if format_name in {"acadre", "sbsys"} and module.detect(root) else path
        try:
            meetings = list(module.parse(target, IngestContext(extract_text=False)))
        except FormatError as exc:
            assert target.name in str(exc) or str(root) in str(exc), f"FormatError does not name the file: {exc}"
            assert "\n" not in exc.problem.strip()
            return
        for meeting in meetings:
            assert isinstance(meeting, Meeting)
            for item in meeting.items:
                for attachment in item.attachments:
                    if attachment.file:
                        resolved = Path(attachment.file).resolve()
                        assert resolved.is_relative_to(Path(folder).resolve()), (
                            f"attachment escapes the export: {resolved}"
                        )


@pytest.mark.parametrize("format_name", sorted(available_formats()))
def test_every_format_has_a_real_seed(format_name: str) -> None:
    assert format_name in SEEDS, f"no real sample to fuzz {format_name} with"


KNOWN_PARSER_BUGS: dict[str, str] = {}


@pytest.mark.parametrize(
    "format_name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_PARSER_BUGS[name], strict=False))
        if name in KNOWN_PARSER_BUGS
        else name
        for name in sorted(SEEDS)
    ],
)
@FUZZ
@given(mutation=MUTATION)
def test_damaged_input_gives_meetings_or_a_format_error(
    format_name: str, mutation: tuple[str, float, bytes, str]
) -> None:
    if format_name not in available_formats():
        pytest.skip(f"{format_name} parser not present")
    filename, seed = SEEDS[format_name]
    check_parse(format_name, filename, mutate(seed(), *mutation))


@pytest.mark.parametrize("format_name", sorted(SEEDS))
@pytest.mark.parametrize("trick", PATH_TRICKS)
def test_attachment_references_cannot_leave_the_export(format_name: str, trick: str) -> None:
    if format_name not in available_formats():
        pytest.skip(f"{format_name} parser not present")
    filename, seed = SEEDS[format_name]
    check_parse(format_name, filename, mutate(seed(), "path-trick", 0.5, b"", trick))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("fuzz-index")
    ingest([SEED], root / "ix", workers=1)
    return SearchService(root / "ix")


@FUZZ
@given(
    q=st.text(max_size=80)
    | st.sampled_from(['"', "(", "titel:", 'sag:"', "NOT", "a OR", "*", "ø*", "udvalg:(", "\x00", "emne:;"]),
    committee=st.lists(st.text(max_size=20), max_size=2),
    year=st.lists(st.text(max_size=6), max_size=2),
    page=st.integers(min_value=-5, max_value=10**6),
    sort=st.text(max_size=8),
)
def test_any_query_gives_results_or_a_message(
    service: SearchService, q: str, committee: list[str], year: list[str], page: int, sort: str
) -> None:
    response = service.search(SearchRequest(q=q, committee=committee, year=year, page=page, sort=sort))
    assert response.error is None or isinstance(response.error, str)
    assert response.total >= 0
    service.suggest(q)
    service.did_you_mean(q)


def test_a_bad_file_among_good_ones_is_named_and_nothing_is_lost(tmp_path: Path) -> None:
    good = tmp_path / "good"
    write_corpus(good, 120, items_per_file=60, csv_path=CORPUS_CSV, seed=4)
    index_dir = tmp_path / "ix"
    first = ingest([good], index_dir, workers=1)
    assert first.rejected == []
    before = MinutesIndex.open(index_dir).doc_count()

    mixed = tmp_path / "mixed"
    write_corpus(mixed, 60, items_per_file=60, csv_path=CORPUS_CSV, seed=5)
    (mixed / "broken.jsonl").write_bytes(b"\x00\xff\xfe junk that is not json\n")
    (mixed / "truncated.xml").write_bytes(
        SEEDS["publication"][1]()[:500] if "publication" in SEEDS else b"<Publication><x"
    )
    second = ingest([mixed], index_dir, workers=1)
    named = " ".join(second.rejected)
    assert "broken.jsonl" in named
    assert "truncated.xml" in named
    assert all(": " in line for line in second.rejected)  # "path: reason"
    assert second.items_added == 60
    assert MinutesIndex.open(index_dir).doc_count() == before + 60
    shutil.rmtree(mixed)
