"""The bulk segment writer writes exactly the files Whoosh's own writer writes.

The same real documents (the seed meeting and the corpus rows, through the product's
ingest, then re-added from their stored fields) are written once by Whoosh's
``SegmentWriter`` (its posting pool, with our codec) and once by ``BulkSegmentWriter``
(arrays, one sort): every file of the segment must be byte for byte the same.  The
same holds for a merge of segments with deleted documents, for the analysis
profiles whose fields go through Whoosh's analyzers instead of the cached word
table, and the index the product's ingest writes is searched by Whoosh as before.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import MultifieldParser
from whoosh.writing import SegmentWriter

from indexer.analysis import fastterms, tokens
from indexer.engines.whoosh import bulkwriter
from indexer.engines.whoosh.bulkwriter import BulkMpWriter, BulkSegmentWriter
from indexer.engines.whoosh.index import INDEX_NAME, JOINED_TEXTS, MinutesIndex, build_schema, minutes_codec
from tests.conftest import CORPUS_CSV, SEED
from tests.helpers import NORDDJURS, quiet_ingest


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    source = tmp_path_factory.mktemp("bulk") / "source"
    quiet_ingest([SEED], source, context=NORDDJURS)
    quiet_ingest([CORPUS_CSV], source)
    index = MinutesIndex.open(source)
    found = [index.with_derived_fields(dict(fields)) for fields in index.iter_stored()]
    assert len(found) > 100
    return found


def _segment_files(folder: Path) -> dict[str, str]:
    """Extension (after the segment id) → SHA-1 of every segment file in an index folder."""
    out: dict[str, str] = {}
    for path in folder.iterdir():
        if path.name.endswith(".toc") or path.name.endswith(".lock") or "." not in path.name:
            continue
        segment, extension = path.name.split(".", 1)
        out[f"{segment.rsplit('_', 1)[0]}.{extension}"] = hashlib.sha1(path.read_bytes()).hexdigest()
    return out


def _build(folder: Path, writer_class: type, documents: list[dict[str, Any]], profile: str = "danish") -> Any:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(profile), indexname=INDEX_NAME)
    writer = writer_class(ix, codec=minutes_codec(), compound=False, **_joined(writer_class))
    for document in documents:
        writer.add_document(**document)
    writer.commit(merge=False)
    return ix


def _joined(writer_class: type) -> dict[str, Any]:
    """The bulk writer is told which fields join others' texts, as the product's is."""
    return {"joined": JOINED_TEXTS} if writer_class is BulkSegmentWriter else {}


def test_one_segment_is_byte_for_byte_what_whoosh_writes(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    _build(tmp_path / "whoosh", SegmentWriter, documents)
    _build(tmp_path / "bulk", BulkSegmentWriter, documents)
    theirs, ours = _segment_files(tmp_path / "whoosh"), _segment_files(tmp_path / "bulk")
    assert {name.rsplit(".", 1)[-1] for name in ours} >= {"pst", "pos", "trm", "col", "npy"}
    assert ours == theirs


def test_a_joined_field_that_is_not_the_join_is_read_as_itself(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    """The shortcut (a joined field's words are its parts' words) holds only for the exact join."""
    altered = []
    for number, document in enumerate(documents[:80]):
        if "exact" in document and number % 2:
            document = dict(document, exact=document["exact"].replace("\n", " og ", 1) + " bygge- og anlægsarbejder")
            document["parts"] = document["exact"]
        altered.append(document)
    assert sum("bygge- og anlæg" in d.get("parts", "") for d in altered) > 10
    _build(tmp_path / "whoosh", SegmentWriter, altered)
    _build(tmp_path / "bulk", BulkSegmentWriter, altered)
    assert _segment_files(tmp_path / "bulk") == _segment_files(tmp_path / "whoosh")


def test_the_same_when_the_word_ids_start_over_while_writing(
    tmp_path: Path, documents: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Word ids come from the process-wide ingest tokens; when their vocabulary starts over in
    the middle of a segment, the writer's word codes start over with it, its terms do not."""
    generation = tokens.VOCABULARY.generation
    monkeypatch.setattr(tokens, "VOCABULARY_LIMIT", 1_500)
    monkeypatch.setattr(tokens, "LINE_CACHE_LIMIT", 200)
    _build(tmp_path / "bulk", BulkSegmentWriter, documents)
    assert tokens.VOCABULARY.generation > generation + 2
    monkeypatch.undo()
    _build(tmp_path / "whoosh", SegmentWriter, documents)
    assert _segment_files(tmp_path / "bulk") == _segment_files(tmp_path / "whoosh")


@pytest.mark.parametrize("profile", ["snowball", "standard"])
def test_fields_through_whoosh_analyzers_are_the_same_too(
    tmp_path: Path, documents: list[dict[str, Any]], profile: str
) -> None:
    sample = [{k: v for k, v in d.items() if k not in ("parts", "title_parts")} for d in documents[:60]]
    _build(tmp_path / "whoosh", SegmentWriter, sample, profile)
    _build(tmp_path / "bulk", BulkSegmentWriter, sample, profile)
    assert _segment_files(tmp_path / "bulk") == _segment_files(tmp_path / "whoosh")


@pytest.mark.parametrize("own", [0, 25])
def test_a_merge_with_deletions_is_the_same_and_whoosh_searches_it(
    tmp_path: Path, documents: list[dict[str, Any]], own: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three segments, documents deleted from two, merged into one by each writer — alone, and
    in a commit that adds documents of its own (as a batch that replaces items does); the bulk
    writer reads the merged segments term by term, in chunks made small here.

    The one difference: Whoosh sums the merged documents' field lengths as stored (one byte,
    rounded), the bulk writer takes the merged segments' exact totals (less the deleted
    documents' rounded lengths), so a merge moves no score; the totals differ by exactly that."""
    monkeypatch.setattr(bulkwriter, "MERGE_CHUNK_TOKENS", 5000)
    merged = {}
    rounding: dict[str, int] = {}  # field → exact total of the merged segments less their rounded lengths
    for name, writer_class in (("whoosh", SegmentWriter), ("bulk", BulkSegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
        third = len(documents) // 3
        for part in (documents[:third], documents[third : 2 * third], documents[2 * third :]):
            writer = SegmentWriter(ix, codec=minutes_codec(), compound=False)
            for document in part:
                writer.add_document(**document)
            writer.commit(merge=False)
        writer = SegmentWriter(ix, codec=minutes_codec(), compound=False)
        for document in documents[5 : 2 * third : 7]:
            writer.delete_by_term("id", document["id"])
        writer.commit(merge=False)
        with ix.reader() as reader:
            for field in ("title", "decision", "body", "exact", "parts"):
                exact = sum(segment._fieldlengths.get(field, 0) for segment in ix._segments())
                stored = sum(reader.doc_field_length(d, field) or 0 for d in range(reader.doc_count_all()))
                rounding[field] = exact - stored
        writer = writer_class(ix, codec=minutes_codec(), compound=False, **_joined(writer_class))
        for document in documents[:own]:
            writer.add_document(**dict(document, id=document["id"] + "-again"))
        writer.commit(optimize=True)
        assert len(ix._segments()) == 1
        merged[name] = ix
    assert _segment_files(tmp_path / "bulk") == _segment_files(tmp_path / "whoosh")
    (whoosh_segment,), (bulk_segment,) = merged["whoosh"]._segments(), merged["bulk"]._segments()
    assert any(rounding.values())
    for field, difference in rounding.items():
        assert bulk_segment._fieldlengths.get(field, 0) - whoosh_segment._fieldlengths.get(field, 0) == difference
    toc = merged["bulk"]._read_toc()  # with Whoosh's totals, Whoosh scores both alike:
    toc.segments[0]._fieldlengths = dict(whoosh_segment._fieldlengths)
    merged["bulk"].storage.delete_file(f"_{INDEX_NAME}_{toc.generation}.toc")
    toc.write(merged["bulk"].storage, INDEX_NAME)
    fields = ["title", "decision", "body", "exact"]
    with merged["whoosh"].searcher() as a, merged["bulk"].searcher() as b:
        assert a.doc_count() == b.doc_count() < len(documents) + own
        parser = MultifieldParser(fields, a.schema)
        for text in ["budget", "skole OR daginstitution", '"sociale medier"', "lokalplan"]:
            query = parser.parse(text)
            ha, hb = a.search(query, limit=20), b.search(query, limit=20)
            assert len(ha) > 0, text
            assert [(h.docnum, h.score) for h in ha] == [(h.docnum, h.score) for h in hb], text


def test_a_failed_document_leaves_no_postings_behind(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    """A document Whoosh rejects half way (a bad date) adds nothing; the next ones are written."""
    folder = tmp_path / "bulk"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    writer = BulkSegmentWriter(ix, codec=minutes_codec(), compound=False)
    writer.add_document(**documents[0])
    bad = dict(documents[1], id="broken", body="enestaaendeordet", date="not a date")
    with pytest.raises(ValueError):
        writer.add_document(**bad)
    writer.add_document(**documents[2])
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 2
        (stem,) = fastterms.term_positions("enestaaendeordet", "danish")
        assert stem.encode("utf-8") not in set(searcher.lexicon("body"))
        assert searcher.document(id=documents[2]["id"]) is not None


def test_forked_writers_hand_the_words_they_analysed_back(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    """The parent only passes documents on; the words its forked writers analysed come back
    into its caches, so the next batch's writers (forked from it) start with them."""
    folder = tmp_path / "parallel"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    cache = fastterms.KINDS["danish"].cache
    cache.clear()
    writer = BulkMpWriter(
        ix, joined=JOINED_TEXTS, procs=2, multisegment=True, batchsize=40, codec=minutes_codec(), compound=False
    )
    for document in documents:
        writer.add_document(**document)
    assert len(cache) == 0
    writer.commit(merge=False)
    assert len(cache) > 1000
    assert not Path(writer._learnt_dir).exists()
    learnt = dict(list(cache.items())[:200])  # what the children analysed, as analysing again gives
    assert all(result == fastterms.KINDS["danish"].analyse(raw) for raw, result in learnt.items())
    assert any(result is not None and result != raw.lower() for raw, result in learnt.items())  # stems, not copies
    with ix.searcher() as searcher:
        assert len(ix._segments()) == 2 and searcher.doc_count() == len(documents)
        assert searcher.document(id=documents[-1]["id"]) is not None


def test_a_forked_writer_writes_what_one_process_writes(tmp_path: Path, documents: list[dict[str, Any]]) -> None:
    """Documents pickled to a forked writer (its objects frozen at the fork) make the segment one
    process makes, byte for byte, joined fields that are the join and those that are not alike."""
    chosen = []
    for number, document in enumerate(documents[:120]):
        if "exact" in document and number % 3 == 0:
            document = dict(document, exact=document["exact"] + " bygge- og anlægsarbejder")
        chosen.append(document)
    _build(tmp_path / "one", BulkSegmentWriter, chosen)
    folder = tmp_path / "forked"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    writer = BulkMpWriter(
        ix, joined=JOINED_TEXTS, procs=1, multisegment=True, batchsize=40, codec=minutes_codec(), compound=False
    )
    for document in chosen:
        writer.add_document(**document)
    writer.commit(merge=False)
    assert len(ix._segments()) == 1
    assert _segment_files(folder) == _segment_files(tmp_path / "one")
