"""A Whoosh segment writer that builds a segment's postings as arrays.

Whoosh's ``SegmentWriter`` turns every posting into a Python tuple, pools the
tuples (pickling and spilling them to disk past a memory limit), sorts them and
hands them to the codec one by one: several microseconds a posting, and an item
has about 310 postings.  This writer keeps Whoosh's segment writer for
everything else (stored fields, field lengths, columns, deletions, the term
table, merges of other segments, the table of contents) and replaces the pool:

* each text field's words come as surface-word ids from the ingest tokens
  (``indexer.analysis.tokens``: each distinct line tokenised once, for the topic
  classifier and the writer alike) and go through a table from word id to term
  id (one numpy gather; the Danish analysis of a word runs once per process, in
  ``fastterms``), giving per document a term-id array and a position array;
* at commit the whole segment's tokens are concatenated, sorted once by
  (term, document) with a stable numpy sort, and cut into postings and terms
  with ``flatnonzero``/``reduceat``;
* every term's record (``codec.py``'s layout: header, delta-coded document
  numbers, counts; positions to the ``.pos`` stream) is sliced from a few
  whole-segment buffers, and the term statistics Whoosh's term table keeps are
  computed as arrays.

The files are byte for byte those the codec's own posting writer produces from
Whoosh's pool (``tests/engines/whoosh/test_bulk_writer.py`` compares them), so the
index stays a Whoosh index that Whoosh opens, searches and merges.  Fields that
are not positional text (ids, facets, dates, topics: a dozen postings an item)
still go through per-term lists, as before.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import os
import pickle
import shutil
import struct
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.columns import TranslatingColumnReader
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.system import emptybytes, pack_ushort
from whoosh.util.numeric import _length_byte_cache
from whoosh.writing import SegmentWriter

from indexer.analysis import danish, fastterms, tokens
from indexer.engines.whoosh.codec import (
    _HEADER,
    HEADER_SIZE,
    MAGIC,
    VALUES_NONE,
    VALUES_POSITIONS,
    WEIGHTS_FROM_COUNTS,
    WEIGHTS_ONE,
    WEIGHTS_STORED,
    ArrayPositions,
    MinutesCodec,
    MinutesFieldWriter,
    _field_lengths,
    read_term,
)
from indexer.workers import die_with_parent, end_processes, forking_workers, leave_interrupts_to_parent

_WORDS = fastterms._WORDS
_UNSIGNED: dict[int, np.dtype[Any]] = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}

# The record header (codec._HEADER) and Whoosh's term info (W3TermInfo._struct plus the
# postings extent, pack_long + pack_int) as numpy record types, to build every term's at once.
_HEADER_DTYPE = np.dtype(
    {
        "names": ["magic", "n", "idw", "wkind", "cw", "vkind", "pw", "pos_offset", "pos_items"],
        "formats": ["S4", "<u4", "u1", "u1", "u1", "u1", "u1", "<u8", "<u8"],
        "offsets": [0, 4, 8, 9, 10, 11, 12, 16, 24],
        "itemsize": HEADER_SIZE,
    }
)
_TERMINFO_DTYPE = np.dtype(
    {
        "names": ["flags", "weight", "df", "minlen", "maxlen", "maxweight", "minid", "maxid", "offset", "length"],
        "formats": ["u1", ">f4", ">u4", "u1", "u1", ">f4", ">u4", ">u4", ">i8", ">i4"],
        "offsets": [0, 1, 5, 9, 10, 11, 15, 19, 23, 31],
        "itemsize": 35,
    }
)
assert _HEADER_DTYPE.itemsize == _HEADER.size
assert W3TermInfo._struct.size + 12 == _TERMINFO_DTYPE.itemsize

MERGE_CHUNK_TOKENS = 1 << 20  # a merge writes its terms in chunks of about this many tokens

_LENGTH_CODES = np.asarray(_length_byte_cache, dtype=np.int64)


def _length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's ``length_to_byte`` of every length (its one-byte logarithmic code)."""
    codes = np.searchsorted(_LENGTH_CODES, lengths, side="left")
    return np.where(lengths >= 106374, 255, codes).astype(np.uint8)


class _Vocabulary:
    """The terms of one analysis kind in the segment being written, with the table from
    surface-word id to term id (``-1``: a stop word; a multi-term kind maps to groups,
    tuples of term ids at one position).  Fields of one kind share it: a term id needs
    to mean one term within a field only."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        entry = fastterms.KINDS[kind] if kind else None
        self.multi = bool(entry and entry.multi)
        self.completes = entry.completes if entry is not None else None
        self.index: dict[bytes, int] = {}
        self.terms: list[bytes] = []
        self.groups: list[tuple[int, ...]] = []
        self.group_ids: dict[tuple[int, ...], int] = {}
        self.group_sizes: list[int] = []
        self.codes = np.zeros(1024, dtype=np.int32)  # surface-word id → term (or group) id

    def term(self, btext: bytes) -> int:
        found = self.index.get(btext)
        if found is None:
            found = self.index[btext] = len(self.terms)
            self.terms.append(btext)
        return found

    def id_of(self, result: Any) -> int:
        """The id a word's analysis becomes: a term (single kinds), a group (multi), -1 (stop)."""
        if result is None:
            return -1
        if not self.multi:
            return self.term(result.encode("utf-8"))
        return self.group(tuple(self.term(t.encode("utf-8")) for t in result))

    def group(self, group: tuple[int, ...]) -> int:
        found = self.group_ids.get(group)
        if found is None:
            found = self.group_ids[group] = len(self.groups)
            self.groups.append(group)
            self.group_sizes.append(len(group))
        return found

    def single(self, btext: bytes) -> int:
        """An id for one term wherever ids of this vocabulary are stored (multi: a group of one)."""
        term = self.term(btext)
        return self.group((term,)) if self.multi else term

    def byte_order(self) -> tuple[list[int], np.ndarray]:
        """(term ids in the byte order of their terms, each id's rank in it): Whoosh's term
        table is ordered.  Computed once for the fields sharing the vocabulary."""
        known = getattr(self, "_order", None)
        if known is None or len(known[0]) != len(self.terms):
            by_bytes = sorted(range(len(self.terms)), key=self.terms.__getitem__)
            rank = np.empty(len(by_bytes), dtype=np.int64)
            rank[np.asarray(by_bytes, dtype=np.int64)] = np.arange(len(by_bytes), dtype=np.int64)
            known = self._order = (by_bytes, rank)
        return known

    def learn(self, word_id: int, raw: str) -> None:
        """Analyse a new surface word (once per process, ``fastterms`` caches it)."""
        if word_id >= len(self.codes):
            grown = np.zeros(max(2 * len(self.codes), word_id + 1), dtype=np.int32)
            grown[: len(self.codes)] = self.codes
            self.codes = grown
        self.codes[word_id] = self.id_of(fastterms.term_of(raw, self.kind))


class _SurfaceWords:
    """The ingest tokens' word ids (``indexer.analysis.tokens``, shared with the topic
    classifier) and which of them this writer's vocabularies have analysed: a word new to the
    writer is analysed by every fast kind, once."""

    def __init__(self) -> None:
        self.vocabularies: list[_Vocabulary] = []
        self.known = np.zeros(0, dtype=bool)
        self.generation = tokens.VOCABULARY.generation

    def ids(self, text: str) -> np.ndarray:
        """The text's word ids, every word analysed."""
        found = tokens.word_ids(text)
        words = tokens.VOCABULARY
        if words.generation != self.generation:  # the ids started over: so do the codes
            self.generation = words.generation
            self.known = np.zeros(0, dtype=bool)
        if len(self.known) < len(words.words):
            self.known = np.concatenate([self.known, np.zeros(len(words.words) - len(self.known), dtype=bool)])
        new = found[~self.known[found]]
        if len(new):
            for word_id in np.unique(new).tolist():
                raw = words.words[word_id]
                for vocabulary in self.vocabularies:
                    vocabulary.learn(word_id, raw)
            self.known[new] = True
        return found


class _ArrayField:
    """One positional text field's tokens for the segment being written.

    Per document: term ids (of ``vocabulary``; for a multi-term kind, group ids) and
    positions, kept as arrays until commit.
    """

    def __init__(self, name: str, field: Any, vocabulary: _Vocabulary) -> None:
        self.name = name
        self.field = field
        self.vocabulary = vocabulary
        self.kind = vocabulary.kind
        self.docs: list[int] = []
        self.ids: list[np.ndarray] = []
        self.positions: list[np.ndarray] = []

    # -- documents -------------------------------------------------------------

    def add_words(self, text: str, word_ids: np.ndarray, docnum: int) -> int:
        """Index a text, given as the ids of its surface words, for ``docnum`` as the field's
        fast kind does; returns its length (term occurrences, Whoosh's field length)."""
        if not len(word_ids):
            return 0
        vocabulary = self.vocabulary
        ids = vocabulary.codes[word_ids]
        if vocabulary.completes is not None:
            completed = danish.suspended_compounds(text)
            if completed:  # a suspended conjunct gets its own terms, not the cached ones
                for index, match in enumerate(_WORDS.finditer(text)):
                    whole = completed.get(match.start())
                    if whole is not None:
                        ids[index] = vocabulary.id_of(vocabulary.completes(match.group(), whole))
        keep = ids >= 0
        kept = int(np.count_nonzero(keep))
        if not kept:
            return 0
        positions = np.flatnonzero(keep).astype(np.int32)  # a stop word keeps its place (a gap)
        if kept < len(ids):
            ids = ids[keep]
        self.docs.append(docnum)
        self.ids.append(ids)
        self.positions.append(positions)
        if vocabulary.multi:
            return sum(map(vocabulary.group_sizes.__getitem__, ids.tolist()))
        return kept

    def add_postings(self, postings: Iterable[tuple[bytes, list[int] | np.ndarray]], docnum: int) -> int:
        """Add a document's (term, positions) pairs (an analyzer's output)."""
        ids: list[np.ndarray] = []
        positions: list[np.ndarray] = []
        for btext, found in postings:
            spots = np.asarray(found, dtype=np.int32)
            ids.append(np.full(len(spots), self.vocabulary.single(btext), dtype=np.int32))
            positions.append(spots)
        if not ids:
            return 0
        flat_ids = np.concatenate(ids)
        self.docs.append(docnum)
        self.ids.append(flat_ids)
        self.positions.append(np.concatenate(positions))
        return len(flat_ids)

    def add_term_postings(self, btext: bytes, docs: np.ndarray, counts: np.ndarray, positions: np.ndarray) -> None:
        """Add one term's postings in many documents at once (a merged segment's term)."""
        if not len(docs):
            return
        self.docs.append(-1)  # marks a chunk with its own document per token
        self.ids.append(np.full(len(positions), self.vocabulary.single(btext), dtype=np.int32))
        self.positions.append(np.stack([np.repeat(docs, counts).astype(np.int32), positions.astype(np.int32)]))

    # -- the segment -----------------------------------------------------------

    def tokens(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term ids, documents, positions) of every token, in the order they were added."""
        sizes = np.fromiter((len(a) for a in self.ids), dtype=np.int64, count=len(self.ids))
        doc_of_chunk = np.asarray(self.docs, dtype=np.int64)
        ids = np.concatenate(self.ids).astype(np.int64) if self.ids else np.zeros(0, np.int64)
        docs = np.repeat(doc_of_chunk, sizes)
        merged = np.flatnonzero(doc_of_chunk < 0)
        if len(merged):
            positions = np.empty(len(ids), dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            for chunk, start, size in zip(range(len(self.ids)), starts, sizes, strict=True):
                stored = self.positions[chunk]
                if doc_of_chunk[chunk] < 0:
                    docs[start : start + size] = stored[0]
                    positions[start : start + size] = stored[1]
                else:
                    positions[start : start + size] = stored
        else:
            positions = np.concatenate(self.positions).astype(np.int64) if self.positions else np.zeros(0, np.int64)
        vocabulary = self.vocabulary
        if vocabulary.multi and len(ids):
            sizes_of = np.asarray(vocabulary.group_sizes, dtype=np.int64)
            flat = np.fromiter((t for g in vocabulary.groups for t in g), dtype=np.int64, count=int(sizes_of.sum()))
            first_of = np.zeros(len(sizes_of), dtype=np.int64)
            np.cumsum(sizes_of[:-1], out=first_of[1:])
            each = sizes_of[ids]
            total = int(each.sum())
            run_start = np.repeat(np.cumsum(each) - each, each)
            ids = flat[np.repeat(first_of[ids], each) + (np.arange(total) - run_start)]
            docs = np.repeat(docs, each)
            positions = np.repeat(positions, each)
        return ids, docs, positions


class BulkSegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer with the posting pool replaced by arrays (see the module doc).

    ``joined`` names fields whose text is other fields' texts joined by newlines (the
    unstemmed and compound fields repeat title, body and decision): when a document's
    value is exactly that join, its words are the parts' words, already looked up.
    """

    def __init__(self, ix: Any, joined: dict[str, tuple[str, ...]] | None = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._setup_bulk(joined)

    def _setup_bulk(self, joined: dict[str, tuple[str, ...]] | None) -> None:
        self._joined = dict(joined or {})
        self._array_fields: dict[str, _ArrayField] = {}
        self._other: list[tuple[str, bytes, int, float, bytes]] = []
        self._merged: list[tuple[Any, np.ndarray]] = []  # (segment, its documents' new numbers)
        self._new_segment_at: int | None = None
        self._words = _SurfaceWords()
        vocabularies: dict[str, _Vocabulary] = {}
        for name in self.schema.names():
            field = self.schema[name]
            if field.vector or field.separate_spelling():
                raise ValueError(f"field {name!r}: the bulk writer writes no term vectors or spelling words")
            if field.indexed and field.scorable and isinstance(field.format, ArrayPositions):
                kind = getattr(field, "fast_kind", "")
                if kind and fastterms.supported(kind):
                    vocabulary = vocabularies.get(kind)
                    if vocabulary is None:
                        vocabulary = vocabularies[kind] = _Vocabulary(kind)
                        self._words.vocabularies.append(vocabulary)
                else:  # analysed by Whoosh's analyzer: terms of its own
                    vocabulary = _Vocabulary("")
                self._array_fields[name] = _ArrayField(name, field, vocabulary)

    def _word_ids(self, text: str, seen: dict[str, np.ndarray]) -> np.ndarray:
        """The surface-word ids of a text (each distinct text of a document looked up once)."""
        found = seen.get(text)
        if found is None:
            found = seen[text] = self._words.ids(text)
        return found

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        pending: list[tuple[str, bytes, int, float, bytes]] = []
        seen: dict[str, np.ndarray] = {}
        tokens.VOCABULARY.check_limit()  # the word ids of this document's texts stay comparable
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    array_field = self._array_fields.get(fieldname)
                    if array_field is not None:
                        if boost != 1.0:
                            raise ValueError(f"field {fieldname!r}: the bulk writer takes no index-time boosts")
                        if array_field.kind and isinstance(value, str):
                            length = array_field.add_words(
                                value, self._text_word_ids(fieldname, value, fields, seen), docnum
                            )
                        else:
                            decode = field.format.decode_positions
                            length = array_field.add_postings(
                                ((tbytes, decode(vbytes)) for tbytes, _f, _w, vbytes in field.index(value)), docnum
                            )
                    else:
                        scorable = field.scorable
                        for tbytes, freq, weight, vbytes in field.index(value):
                            if scorable:
                                length += freq
                            pending.append((fieldname, tbytes, docnum, weight * boost, vbytes or emptybytes))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        except ValueError:
            perdocwriter.cancel_doc()
            self._forget(docnum)
            raise
        perdocwriter.finish_doc()
        self._other.extend(pending)
        self._added = True
        self.docnum += 1

    def _text_word_ids(
        self, fieldname: str, value: str, fields: dict[str, Any], seen: dict[str, np.ndarray]
    ) -> np.ndarray:
        """Word ids of a field's text; a joined field's from its parts when it is exactly their join
        (a newline ends every word, so the join's words are the parts' words in order)."""
        parts = self._joined.get(fieldname)
        if parts:
            texts = [fields.get(name) or "" for name in parts]
            if all(isinstance(t, str) for t in texts) and value == "\n".join(texts):
                return np.concatenate([self._word_ids(t, seen) for t in texts])
        return self._word_ids(value, seen)

    def _forget(self, docnum: int) -> None:
        """Drop what a document that failed half way added to the array fields."""
        for array_field in self._array_fields.values():
            while array_field.docs and array_field.docs[-1] == docnum:
                array_field.docs.pop()
                array_field.ids.pop()
                array_field.positions.pop()

    # -- merging other segments into this one ------------------------------------

    def place_new_segment_at(self, index: int) -> None:
        """List the segment this commit writes at ``index`` instead of last: a merge of
        neighbouring segments then keeps every document's order in the index."""
        self._new_segment_at = index

    def _commit_toc(self, segments: list[Any]) -> None:
        at = getattr(self, "_new_segment_at", None)
        if at is not None and self._added and segments and 0 <= at < len(segments):
            segments = list(segments)
            segments.insert(at, segments.pop())
        super()._commit_toc(segments)

    def write_per_doc(self, fieldnames: set[str], reader: Any) -> Any:
        """Whoosh's copy of a merged segment's stored fields, lengths and columns, with each
        field's length and column reader found once per segment instead of once per document
        (Whoosh asks the file system whether a field's length column exists for every
        document and field).  Writes what Whoosh's own loop writes, in the same order."""
        perdoc = getattr(reader, "_perdoc", None)
        if perdoc is None or not hasattr(perdoc, "doc_field_length_reader"):
            return super().write_per_doc(fieldnames, reader)
        schema = self.schema
        docmap: dict[int, int] | None = {} if reader.has_deletions() else None
        pdw = self.perdocwriter
        facets = set(getattr(pdw, "_facet_values", ()))
        columns: dict[str, Any] = {}
        for fieldname in fieldnames:
            fieldobj = schema[fieldname]
            if fieldobj.vector:
                return super().write_per_doc(fieldnames, reader)
            coltype = fieldobj.column_type
            if coltype and reader.has_column(fieldname):
                creader = reader.column_reader(fieldname, coltype)
                if isinstance(creader, TranslatingColumnReader):
                    creader = creader.raw_column()
                columns[fieldname] = creader
        fields: dict[str, tuple[Any, Any, Any, Any]] = {}  # name -> (field, length of, column, column type)

        def field(fieldname: str) -> tuple[Any, Any, Any, Any]:
            found = fields.get(fieldname)
            if found is None:
                fieldobj = schema[fieldname]
                found = fields[fieldname] = (
                    fieldobj,
                    perdoc.doc_field_length_reader(fieldname),
                    columns.get(fieldname),
                    fieldobj.column_type,
                )
            return found

        add_field, add_column_value = pdw.add_field, pdw.add_column_value
        totals = getattr(pdw, "_fieldlengths", None)
        totals_before = dict(totals) if totals is not None else {}
        for docnum, stored in reader.iter_docs():
            if docmap is not None:
                docmap[docnum] = self.docnum
            pdw.start_doc(self.docnum)
            for fieldname in fieldnames | {s for s in stored if s in schema}:
                fieldobj, length_of, column, coltype = field(fieldname)
                length = length_of(docnum)
                value = stored.get(fieldname)
                if value is not None or length or fieldname in facets:
                    add_field(fieldname, fieldobj, value, length)
                if column is not None:
                    add_column_value(fieldname, coltype, column[docnum])
            pdw.finish_doc()
            self.docnum += 1
        if totals is not None:
            _exact_totals(totals, totals_before, perdoc, reader, field)
        return docmap

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        """A merged segment's postings.  A segment our codec wrote is only remembered here and
        read term by term at commit, each term's postings appended to the new segment's (its
        documents come after this writer's own, in order): memory stays that of one term."""
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is not None and isinstance(segment.codec(), MinutesCodec):
            count = reader.doc_count_all()
            if docmap is not None:  # deleted documents are left out (-1)
                new_of = np.full(count, -1, dtype=np.int64)
                for old, new in docmap.items():
                    new_of[old] = new
            else:
                new_of = np.arange(count, dtype=np.int64) + startdoc
            self._merged.append((segment, new_of))
            return
        for fieldname, btext, docnum, weight, vbytes in self._process_posts(reader.iter_postings(), startdoc, docmap):
            array_field = self._array_fields.get(fieldname)
            if array_field is not None:
                positions = np.asarray(array_field.field.format.decode_positions(vbytes), dtype=np.int64)
                array_field.add_term_postings(btext, np.array([docnum]), np.array([len(positions)]), positions)
            else:
                self._other.append((fieldname, btext, docnum, weight, vbytes or emptybytes))

    # -- writing the segment ---------------------------------------------------------

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        fieldwriter = self.fieldwriter
        if not isinstance(fieldwriter, MinutesFieldWriter):
            raise TypeError("the bulk writer writes through the array codec (MinutesCodec) only")
        self.pool.cleanup()
        merged = [(segment.codec().terms_reader(self.storage, segment), new_of) for segment, new_of in self._merged]
        self._merged = []
        other: dict[str, list[tuple[bytes, int, float, bytes]]] = {}
        for fieldname, btext, docnum, weight, vbytes in self._other:
            other.setdefault(fieldname, []).append((btext, docnum, weight, vbytes))
        self._other = []
        names = {*other, *(n for n, f in self._array_fields.items() if f.ids)}
        for terms_reader, _new_of in merged:
            names |= {n for n in terms_reader.indexed_field_names() if n in self.schema}
        try:
            for fieldname in sorted(names):
                field = self.schema[fieldname]
                field_lengths = _field_lengths(lengths, fieldname)
                sources = [(t, n) for t, n in merged if fieldname in t.indexed_field_names()]
                array_field = self._array_fields.get(fieldname)
                own: _Postings | None
                if array_field is not None:
                    own = _own_arrays(array_field) if array_field.ids else None
                else:
                    listed = other.get(fieldname, [])
                    if field.format.fixed_value_size() != 0 or any(p[3] for p in listed):
                        # postings with values (topics' frequencies): one term at a time, as before
                        listed += _listed_from(sources, fieldname, field)
                        fieldwriter.start_field(fieldname, field)
                        _write_listed(fieldwriter, listed, field_lengths)
                        fieldwriter.finish_field()
                        continue
                    own = _own_listed(listed) if listed else None
                if own is None and not sources:
                    continue
                fieldwriter.start_field(fieldname, field)
                if sources:
                    _write_merged(fieldwriter, fieldname, field, own, sources, field_lengths)
                else:
                    assert own is not None
                    _write_terms(fieldwriter, *own, field_lengths)
                fieldwriter.finish_field()
        finally:
            for terms_reader, _new_of in merged:
                terms_reader.close()
        fieldwriter.close()
        if lengths is not None:
            lengths.close()


# (terms in byte order, posting rank, posting document, weights, counts, positions): a field's
# postings sorted by (term, document), the shape _write_terms takes.
_Postings = tuple[list[bytes], np.ndarray, np.ndarray, np.ndarray, "np.ndarray | None", "np.ndarray | None"]


def _exact_totals(totals: Any, before: dict[str, int], perdoc: Any, reader: Any, field: Any) -> None:
    """Each field's total length in the merged segment: the merged segment's own total, less its
    deleted documents'.  Whoosh adds up the documents' lengths as stored (one byte, rounded:
    1.6 % high on the real corpus), so every merge would move the average field lengths, and
    with them every BM25F score, a little; the totals taken over keep a merge from changing
    any score.  (Deleted documents' lengths are known only rounded.)"""
    deleted = list(perdoc.deleted_docs()) if reader.has_deletions() else []
    for fieldname in list(totals):
        added = totals[fieldname] - before.get(fieldname, 0)
        if not added:
            continue
        exact = perdoc.field_length(fieldname)
        if deleted:
            length_of = field(fieldname)[1]
            exact -= sum(length_of(d) or 0 for d in deleted)
        totals[fieldname] = before.get(fieldname, 0) + max(0, exact)


def _field_terms(terms_reader: Any, fieldname: str) -> Iterator[tuple[bytes, int]]:
    """A merged segment's terms in one field, in byte order, with each term's record offset
    in the postings file: read in order from Whoosh's term table, no lookup a term."""
    if fieldname not in terms_reader.indexed_field_names():
        return
    prefix = pack_ushort(terms_reader._fieldmap[fieldname])
    size = W3TermInfo._struct.size
    for key, value in terms_reader._tindex.items_from(prefix):
        if key[:2] != prefix:
            break
        if value[0]:  # postings inline in the table (our codec writes none): Whoosh's own reading
            offset, _length = W3TermInfo.from_bytes(value).extent()
        else:
            offset = _OFFSET.unpack_from(value, size)[0]
        yield key[2:], offset


def _numbered(terms: Iterator[tuple[bytes, int]], number: int) -> Iterator[tuple[bytes, int, int]]:
    for btext, offset in terms:
        yield btext, number, offset


_OFFSET = struct.Struct("!q")  # Whoosh's pack_long: where a term's record starts


def _listed_from(sources: list[tuple[Any, np.ndarray]], fieldname: str, field: Any) -> list[Any]:
    """A valued field's postings in merged segments, one tuple a posting (a posting an item)."""
    out = []
    for terms_reader, new_of in sources:
        for btext, offset in _field_terms(terms_reader, fieldname):
            arrays = read_term(
                terms_reader.postings_buffer, terms_reader.positions_buffer, offset, field.format.field_boost, True
            )
            starts = arrays.starts() if arrays.counts is not None else None
            weights = arrays.weights.astype(np.float32).tolist()
            new = new_of[arrays.ids]
            for index in np.flatnonzero(new >= 0).tolist():
                vbytes = emptybytes
                if arrays.value_kind != VALUES_NONE and arrays.values is not None and starts is not None:
                    assert arrays.counts is not None
                    start = int(starts[index])
                    chunk = arrays.values[start : start + int(arrays.counts[index])]
                    vbytes = chunk.tobytes() if arrays.value_kind != VALUES_POSITIONS else field.format.encode(chunk)
                out.append((btext, int(new[index]), weights[index], vbytes))
    return out


def _write_merged(
    fieldwriter: Any,
    fieldname: str,
    field: Any,
    own: _Postings | None,
    sources: list[tuple[Any, np.ndarray]],
    field_lengths: Any,
) -> None:
    """A field of a merge: term by term in byte order, this writer's postings then each merged
    segment's (renumbered, deleted documents left out), written in chunks of terms.  The merged
    segments' term tables are read side by side in order (a k-way merge): memory is a term's
    postings and a chunk, however many segments and terms."""
    positional = isinstance(field.format, ArrayPositions)
    boost = float(field.format.field_boost)
    streams: list[Iterator[tuple[bytes, int, int]]] = []
    if own is not None:
        terms, ranks, _docs, _weights, counts, _positions = own
        new_term = np.flatnonzero(np.diff(ranks, prepend=-1) != 0)
        ends = np.append(new_term[1:], len(ranks))
        streams.append((terms[int(ranks[first])], -1, index) for index, first in enumerate(new_term.tolist()))
        tokens_at = np.concatenate([[0], np.cumsum(counts)]) if counts is not None else None
        firsts = new_term.tolist()
        lasts = ends.tolist()
    for number, (terms_reader, _new_of) in enumerate(sources):
        streams.append(_numbered(_field_terms(terms_reader, fieldname), number))
    chunk: list[bytes] = []
    docs: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    counts_: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    per_term: list[int] = []
    pending = 0

    def flush() -> None:
        nonlocal pending
        if chunk:
            _write_terms(
                fieldwriter,
                list(chunk),
                np.repeat(np.arange(len(chunk), dtype=np.int64), per_term),
                np.concatenate(docs),
                np.concatenate(weights),
                np.concatenate(counts_) if positional else None,
                np.concatenate(positions) if positional else None,
                field_lengths,
            )
        for held in (chunk, docs, weights, counts_, positions, per_term):
            held.clear()
        pending = 0

    # heapq.merge orders equal terms by source: this writer's own (-1) first, then the merged
    # segments in the order their documents were numbered.
    for btext, group in itertools.groupby(heapq.merge(*streams), key=lambda entry: entry[0]):
        found = 0
        for _btext, number, at in group:
            if number < 0:
                assert own is not None
                first, end = firsts[at], lasts[at]
                docs.append(own[2][first:end])
                weights.append(own[3][first:end])
                if positional:
                    assert own[4] is not None and own[5] is not None and tokens_at is not None
                    counts_.append(own[4][first:end])
                    positions.append(own[5][int(tokens_at[first]) : int(tokens_at[end])])
                found += end - first
                continue
            terms_reader, new_of = sources[number]
            arrays = read_term(terms_reader.postings_buffer, terms_reader.positions_buffer, at, boost, positional)
            new = new_of[arrays.ids]
            live = new >= 0
            everyone = bool(live.all())
            docs.append(new if everyone else new[live])
            weights.append((arrays.weights if everyone else arrays.weights[live]).astype(np.float32))
            if positional:
                assert arrays.counts is not None and arrays.values is not None
                values = arrays.values.astype(np.int64)
                counts_.append(arrays.counts if everyone else arrays.counts[live])
                positions.append(values if everyone else values[np.repeat(live, arrays.counts)])
                pending += len(positions[-1])
            found += int(np.count_nonzero(live))
        if found:  # a term only deleted documents held is gone, as in Whoosh's merge
            chunk.append(btext)
            per_term.append(found)
            pending += found
        if pending >= MERGE_CHUNK_TOKENS:
            flush()
    flush()


def _own_arrays(array_field: _ArrayField) -> _Postings | None:
    """This writer's postings of a positional field: one stable sort of its tokens."""
    ids, docs, positions = array_field.tokens()
    if not len(ids):
        return None
    by_bytes, rank = array_field.vocabulary.byte_order()
    span = int(docs.max()) + 1
    key = rank[ids] * span + docs
    order = np.argsort(key, kind="stable")  # keeps each posting's positions in order
    key = key[order]
    positions = positions[order]
    # Postings: runs of one (term, document).
    new_posting = np.empty(len(key), dtype=bool)
    new_posting[0] = True
    np.not_equal(key[1:], key[:-1], out=new_posting[1:])
    posting_start = np.flatnonzero(new_posting)
    counts = np.diff(np.append(posting_start, len(key)))
    posting_key = key[posting_start]
    weights = (counts * float(array_field.field.format.field_boost)).astype(np.float32)
    terms = array_field.vocabulary.terms
    in_order = [terms[t] for t in by_bytes]
    return in_order, posting_key // span, posting_key % span, weights, counts, positions


def _own_listed(postings: list[tuple[bytes, int, float, bytes]]) -> _Postings:
    """This writer's postings of a field without posting values (ids, dates, facets)."""
    terms = sorted({p[0] for p in postings})
    rank_of = {btext: rank for rank, btext in enumerate(terms)}
    ranks = np.fromiter((rank_of[p[0]] for p in postings), dtype=np.int64, count=len(postings))
    docs = np.fromiter((p[1] for p in postings), dtype=np.int64, count=len(postings))
    weights = np.fromiter((p[2] for p in postings), dtype=np.float32, count=len(postings))
    order = np.lexsort((docs, ranks))
    return terms, ranks[order], docs[order], weights[order], None, None


def _write_listed(fieldwriter: Any, postings: list[tuple[bytes, int, float, bytes]], field_lengths: Any) -> None:
    """A field whose postings carry values (topics' frequencies): one term at a time through the
    codec's posting writer (a posting an item or less)."""
    postings.sort(key=lambda p: (p[0], p[1]))
    start = 0
    while start < len(postings):
        btext = postings[start][0]
        end = start
        while end < len(postings) and postings[end][0] == btext:
            end += 1
        run = postings[start:end]
        fieldwriter._add_term(btext, [p[1] for p in run], [p[2] for p in run], [p[3] for p in run], field_lengths)
        start = end


def _widths(maxima: np.ndarray) -> np.ndarray:
    """Per term, the narrowest unsigned width (1, 2 or 4 bytes) holding its maximum."""
    return np.where(maxima < 1 << 8, 1, np.where(maxima < 1 << 16, 2, 4)).astype(np.int64)


def _write_terms(
    fieldwriter: Any,
    terms: list[bytes],
    posting_rank: np.ndarray,
    posting_doc: np.ndarray,
    weights: np.ndarray,
    counts: np.ndarray | None,
    positions: np.ndarray | None,
    field_lengths: Any,
) -> None:
    """Write a field's postings, sorted by (term rank, document), as the codec's records
    (``ArrayPostingsWriter._write``) and their rows in Whoosh's term table, each term's
    record a slice of whole-field buffers.  ``terms[rank]`` is a rank's term; ``counts``
    and ``positions`` (per posting, per token) only for positional fields."""
    new_term = np.empty(len(posting_rank), dtype=bool)
    new_term[0] = True
    np.not_equal(posting_rank[1:], posting_rank[:-1], out=new_term[1:])
    term_start = np.flatnonzero(new_term)  # in postings
    term_n = np.diff(np.append(term_start, len(posting_rank)))
    deltas = np.diff(posting_doc, prepend=0)
    deltas[term_start] = posting_doc[term_start]
    id_width = _widths(np.maximum.reduceat(deltas, term_start))
    all_one = np.minimum.reduceat((weights == 1.0).astype(np.int8), term_start).astype(bool)
    n_terms = len(term_start)
    if counts is not None and positions is not None:
        token_start = np.concatenate([[0], np.cumsum(counts)[:-1]])[term_start]  # in tokens
        term_tokens = np.add.reduceat(counts, term_start)
        count_width = _widths(np.maximum.reduceat(counts, term_start))
        pos_width = _widths(np.maximum.reduceat(positions, token_start))
        weight_kind = np.where(all_one, WEIGHTS_ONE, WEIGHTS_FROM_COUNTS)
        value_kind = VALUES_POSITIONS
    else:
        token_start = term_tokens = count_width = pos_width = np.zeros(n_terms, dtype=np.int64)
        weight_kind = np.where(all_one, WEIGHTS_ONE, WEIGHTS_STORED)
        value_kind = VALUES_NONE
    stored = weight_kind == WEIGHTS_STORED
    # Term statistics, as W3TermInfo.add_block records them.
    doc_lengths = field_lengths(posting_doc) if field_lengths is not None else np.zeros(len(posting_doc), np.int64)
    big = np.iinfo(np.int64).max
    min_length = np.minimum.reduceat(np.where(doc_lengths > 0, doc_lengths, big), term_start)
    max_length = np.maximum.reduceat(doc_lengths, term_start)
    # Files: records to .pst, positions to .pos.
    postfile = fieldwriter._postfile
    posfile = fieldwriter._posfile
    record_size = HEADER_SIZE + term_n * (id_width + count_width + 4 * stored)
    pos_size = term_tokens * pos_width
    post_offset = postfile.tell() + np.concatenate([[0], np.cumsum(record_size)[:-1]])
    pos_offset = posfile.tell() + np.concatenate([[0], np.cumsum(pos_size)[:-1]])
    headers = np.zeros(n_terms, dtype=_HEADER_DTYPE)
    headers["magic"] = MAGIC
    headers["n"] = term_n
    headers["idw"] = id_width
    headers["wkind"] = weight_kind
    headers["cw"] = count_width
    headers["vkind"] = value_kind
    headers["pw"] = pos_width
    headers["pos_offset"] = np.where(term_tokens > 0, pos_offset, 0)
    headers["pos_items"] = term_tokens
    infos = np.zeros(n_terms, dtype=_TERMINFO_DTYPE)
    infos["weight"] = np.add.reduceat(weights.astype(np.float64), term_start)
    infos["df"] = term_n
    infos["minlen"] = np.where(min_length == big, 0, _length_bytes(np.where(min_length == big, 0, min_length)))
    infos["maxlen"] = _length_bytes(max_length)
    infos["maxweight"] = np.maximum.reduceat(weights, term_start)
    infos["minid"] = posting_doc[term_start]
    infos["maxid"] = posting_doc[term_start + term_n - 1]
    infos["offset"] = post_offset
    infos["length"] = record_size
    header_bytes = headers.tobytes()
    info_bytes = infos.tobytes()
    id_buffers = {w: deltas.astype(_UNSIGNED[w]).tobytes() for w in np.unique(id_width).tolist()}
    weight_buffer = weights.astype("<f4").tobytes() if stored.any() else b""
    count_buffers: dict[int, bytes] = {0: b""}
    pos_buffers: dict[int, bytes] = {0: b""}
    if counts is not None and positions is not None:
        count_buffers = {w: counts.astype(_UNSIGNED[w]).tobytes() for w in np.unique(count_width).tolist()}
        pos_buffers = {w: positions.astype(_UNSIGNED[w]).tobytes() for w in np.unique(pos_width).tolist()}
    tindex = fieldwriter._tindex
    field_key = pack_ushort(fieldwriter._fieldid)
    post_parts: list[bytes] = []
    pos_parts: list[bytes] = []
    info_size = _TERMINFO_DTYPE.itemsize
    for t, (rank, first, n, first_token, n_tokens, iw, cw, pw, with_weights) in enumerate(
        zip(
            posting_rank[term_start].tolist(),
            term_start.tolist(),
            term_n.tolist(),
            token_start.tolist(),
            term_tokens.tolist(),
            id_width.tolist(),
            count_width.tolist(),
            pos_width.tolist(),
            stored.tolist(),
            strict=True,
        )
    ):
        post_parts.append(header_bytes[t * HEADER_SIZE : (t + 1) * HEADER_SIZE])
        post_parts.append(id_buffers[iw][first * iw : (first + n) * iw])
        if with_weights:
            post_parts.append(weight_buffer[first * 4 : (first + n) * 4])
        post_parts.append(count_buffers[cw][first * cw : (first + n) * cw])
        pos_parts.append(pos_buffers[pw][first_token * pw : (first_token + n_tokens) * pw])
        tindex.add(field_key + terms[rank], info_bytes[t * info_size : (t + 1) * info_size])
    postfile.write(emptybytes.join(post_parts))
    posfile.write(emptybytes.join(pos_parts))


# -- several processes ---------------------------------------------------------------


class _BulkSubWriterTask(SubWriterTask):  # type: ignore[misc]
    """Whoosh's forked sub-writer, writing its segment with the bulk writer, and handing the
    words it analysed back to the parent (``learnt_dir``), so the next batch's writers,
    forked from the parent, need not analyse them again."""

    learnt_dir: str | None = None
    parent: int = 0  # the process that starts it, set before the fork

    def run(self) -> None:
        import whoosh.multiproc as multiproc

        die_with_parent(self.parent)  # a kill -9 of the ingest alone must not leave it holding the lock
        leave_interrupts_to_parent()  # the parent cancels the batch and terminates this writer
        marks = {kind: len(entry.cache) for kind, entry in fastterms.KINDS.items()}
        original = multiproc.SegmentWriter
        setattr(multiproc, "SegmentWriter", BulkSegmentWriter)  # noqa: B010 (the task builds its writer by this name)
        try:
            super().run()
        finally:
            setattr(multiproc, "SegmentWriter", original)  # noqa: B010
        if self.learnt_dir and self.running:
            learnt = {}
            for kind, entry in fastterms.KINDS.items():
                start = marks[kind] if len(entry.cache) >= marks[kind] else 0
                learnt[kind] = list(itertools.islice(entry.cache.items(), start, None))
            target = os.path.join(self.learnt_dir, f"{os.getpid()}.pickle")
            with open(target + ".tmp", "wb") as handle:
                pickle.dump(learnt, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(target + ".tmp", target)


class BulkMpWriter(MpWriter, BulkSegmentWriter):  # type: ignore[misc]
    """Whoosh's multi-process writer whose sub-writers and own segment are bulk writers."""

    def __init__(self, ix: Any, joined: dict[str, tuple[str, ...]] | None = None, **kwargs: Any) -> None:
        MpWriter.__init__(self, ix, **kwargs)
        self.subargs = dict(self.subargs, joined=joined)
        self._setup_bulk(joined)
        self._learnt_dir = tempfile.mkdtemp(prefix="minutes-words-")

    def _new_task(self) -> Any:
        task = _BulkSubWriterTask(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs, self.multisegment
        )
        task.learnt_dir = self._learnt_dir
        task.parent = os.getpid()
        self.tasks.append(task)
        # The forked writer inherits every object of this process (the batch's items, the
        # dictionaries' tables): frozen before the fork, the writer's garbage collections never
        # walk them (10k items: the four writers' collections 0.69 → 0.14 CPU s) nor copy their
        # pages by touching them.  This process unfreezes them at once.
        gc.freeze()
        try:
            with forking_workers():
                task.start()
        finally:
            gc.unfreeze()
        return task

    def commit(self, *args: Any, **kwargs: Any) -> None:
        try:
            MpWriter.commit(self, *args, **kwargs)
            self._absorb_learnt()
        finally:
            shutil.rmtree(self._learnt_dir, ignore_errors=True)

    def cancel(self, **kwargs: Any) -> None:
        """Whoosh's cancel only flags its copy of each task: the forked writers would work on (into
        the temporary files the cancel deletes: "Directory not empty"), then wait for jobs forever,
        and the exit would wait for them (they ignore Ctrl-C).  They are ended first."""
        try:
            self._end_tasks()
            MpWriter.cancel(self, **kwargs)
        finally:
            shutil.rmtree(self._learnt_dir, ignore_errors=True)

    def _end_tasks(self) -> None:
        self.jobqueue.cancel_join_thread()  # jobs no writer will take must not hold up the exit
        end_processes(self.tasks)

    def _absorb_learnt(self) -> None:
        """Words the sub-writers analysed, into this process's caches (pure functions of the word)."""
        for name in sorted(os.listdir(self._learnt_dir)):
            if not name.endswith(".pickle"):
                continue
            with open(os.path.join(self._learnt_dir, name), "rb") as handle:
                learnt = pickle.load(handle)
            for kind, items in learnt.items():
                entry = fastterms.KINDS.get(kind)
                if entry is not None and len(entry.cache) + len(items) <= fastterms._CACHE_LIMIT:
                    entry.cache.update(items)


__all__ = ["BulkMpWriter", "BulkSegmentWriter"]
