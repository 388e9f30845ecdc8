"""The array codec stores exactly what Whoosh's own codec stores, in arrays.

Two indexes are built from the same real documents (the corpus rows and the seed,
through the product's own ingest and then re-added from their stored fields):
one with Whoosh's codec, one with ours.  Every term of every field must have the
same documents, weights, positions and statistics; Whoosh's own searches must
give the same hits and scores on both; an index of another format is refused
with the command that rebuilds it.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldParser

from indexer.cli import main as cli_main
from indexer.engines.whoosh.codec import (
    FORMAT_VERSION,
    MAGIC,
    FormatMismatch,
    MinutesTermsReader,
    read_term,
    segment_format,
)
from indexer.engines.whoosh.index import INDEX_NAME, IndexOutdated, MinutesIndex, build_schema, minutes_codec
from indexer.search.service import SearchRequest, SearchService
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, quiet_ingest


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, object]:
    """(Whoosh-codec index, array-codec index) holding the same documents in one segment each."""
    tmp = tmp_path_factory.mktemp("codec")
    source = tmp / "source"
    quiet_ingest([SEED], source, context=NORDDJURS)
    quiet_ingest([CORPUS_CSV], source)
    index = MinutesIndex.open(source)
    documents = [index.with_derived_fields(dict(fields)) for fields in index.iter_stored()]
    assert len(documents) > 100
    built = []
    for name, codec in (("whoosh", None), ("ours", minutes_codec())):
        folder = tmp / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
        writer = ix.writer(codec=codec) if codec else ix.writer()
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        built.append(ix)
    return built[0], built[1]


def test_every_term_has_the_same_postings_and_statistics(pair: tuple[object, object]) -> None:
    theirs, ours = pair
    with theirs.searcher() as a, ours.searcher() as b:  # type: ignore[attr-defined]
        ra, rb = a.reader(), b.reader()
        assert isinstance(rb._terms, MinutesTermsReader)
        terms = list(ra.all_terms())
        assert terms == list(rb.all_terms())
        assert len(terms) > 5000
        positional = 0
        for fieldname, text in terms:
            assert ra.doc_frequency(fieldname, text) == rb.doc_frequency(fieldname, text)
            assert ra.frequency(fieldname, text) == pytest.approx(rb.frequency(fieldname, text), rel=1e-6)
            ma, mb = ra.postings(fieldname, text), rb.postings(fieldname, text)
            fmt = ra.schema[fieldname].format
            arrays = rb._terms.term_arrays(fieldname, text, fmt.field_boost, with_values=True)
            expected_ids, expected_weights, expected_positions = [], [], []
            while ma.is_active():
                assert mb.is_active() and ma.id() == mb.id() and ma.weight() == mb.weight()
                expected_ids.append(ma.id())
                expected_weights.append(ma.weight())
                if fmt.supports("positions"):
                    expected_positions.append(ma.value_as("positions"))
                    assert mb.value_as("positions") == expected_positions[-1]
                ma.next()
                mb.next()
            assert not mb.is_active()
            assert arrays.ids.tolist() == expected_ids
            assert arrays.weights.tolist() == expected_weights
            if expected_positions:
                positional += 1
                starts = arrays.starts()
                got = [arrays.values[s : s + c].tolist() for s, c in zip(starts, arrays.counts, strict=True)]
                assert got == expected_positions
        assert positional > 5000


def test_whoosh_searches_give_the_same_hits_and_scores(pair: tuple[object, object]) -> None:
    theirs, ours = pair
    fields = ["title", "decision", "body", "exact"]
    with theirs.searcher() as a, ours.searcher() as b:  # type: ignore[attr-defined]
        parser = MultifieldParser(fields, a.schema)
        for q in ["budget", "skole OR daginstitution", '"sociale medier"', '"til orientering"~2', "lokalplan OR vej"]:
            query = parser.parse(q)
            ha, hb = a.search(query, limit=30), b.search(query, limit=30)
            assert len(ha) == len(hb) and len(ha) > 0, q
            assert [(h.docnum, round(h.score, 9)) for h in ha] == [(h.docnum, round(h.score, 9)) for h in hb], q


def test_a_record_of_another_format_is_refused_not_misread() -> None:
    record = struct.pack("<4sIBBBBBxxxQQ", b"W3Bl", 1, 1, 0, 0, 0, 0, 0, 0) + b"\x05"
    with pytest.raises(FormatMismatch):
        read_term(record, b"", 0, 1.0, False)
    good = struct.pack("<4sIBBBBBxxxQQ", MAGIC, 2, 1, 0, 0, 0, 0, 0, 0) + bytes([3, 4])
    assert read_term(good, b"", 0, 1.0, False).ids.tolist() == [3, 7]


def test_an_index_in_the_previous_format_says_to_reindex_and_reindex_upgrades_it(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    ix = whoosh_index.open_dir(str(MinutesIndex.live_dir(root)), indexname=INDEX_NAME)
    assert {segment_format(s) for s in ix._segments()} == {FORMAT_VERSION}
    index = MinutesIndex.open(root)
    stored = [index.with_derived_fields(dict(fields)) for fields in index.iter_stored()]
    writer = ix.writer()  # Whoosh's own codec: what an older minutes-search wrote
    writer.add_document(**{**stored[0], "id": stored[0]["id"] + "-old"})
    writer.commit(merge=False)
    with pytest.raises(IndexOutdated, match="minutes reindex --index"):
        MinutesIndex.open(root)
    with pytest.raises(IndexOutdated):
        SearchService(root)
    assert cli_main(["reindex", "--index", str(root)]) == 0
    upgraded = MinutesIndex.open(root)
    assert upgraded.doc_count() == len(stored)
    assert SearchService(root).search(SearchRequest(q="sociale medier")).total == 1
    for segment in upgraded.ix._segments():
        assert segment_format(segment) == FORMAT_VERSION


@pytest.mark.parametrize(
    "lacking", [("id_order", "meeting_order", "position_order"), ("meeting_order", "position_order")], ids=["1", "2"]
)
def test_an_empty_index_of_a_previous_format_says_to_reindex_and_reindex_upgrades_it(
    tmp_path: Path, lacking: tuple[str, ...]
) -> None:
    """An index made by format 1 or 2 and never written holds no segment to tell its format, but
    its schema lacks the columns equal scores (``id_order``) or a date's items (``meeting_order``,
    ``position_order``) are ordered by: refused (an ingest would fail on the field, a search order
    by document number), and ``minutes reindex`` makes it new."""
    root = tmp_path / "ix"
    MinutesIndex.create(root)
    schema = build_schema()
    for name in lacking:
        schema.remove(name)
    whoosh_index.create_in(str(MinutesIndex.live_dir(root)), schema, indexname=INDEX_NAME)  # what that format made
    with pytest.raises(IndexOutdated, match=rf"no {', '.join(lacking)} field.*minutes reindex --index"):
        MinutesIndex.open(root)
    assert cli_main(["reindex", "--index", str(root)]) == 0
    quiet_ingest([SEED], root, context=NORDDJURS)
    assert SearchService(root).search(SearchRequest(q="sociale medier")).total == 1


def test_segment_files_go_with_their_segment(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    quiet_ingest([SEED], root, context=NORDDJURS)
    quiet_ingest([CORPUS_CSV], root, batch_size=150)
    index = MinutesIndex.open(root)
    live = MinutesIndex.live_dir(root)
    before = {s.segment_id() for s in index.ix._segments()}
    assert len(before) > 1
    writer = index._writer()
    writer.commit(optimize=True)
    after = {s.segment_id() for s in index.ix._segments()}
    assert len(after) == 1
    leftovers = [p.name for p in live.iterdir() if any(p.name.startswith(s + ".") for s in before - after)]
    assert leftovers == []
    names = [p.name for p in live.iterdir() if p.name.startswith(next(iter(after)))]
    assert any(n.endswith(".pos") for n in names) and any(n.endswith(".fcodes.npy") for n in names)
    response = SearchService(root).search(SearchRequest(q="sociale medier", literal=True))  # both words
    assert response.total == 1 and response.facets["committee"]
