"""Whole-index columns read from what each segment persisted, not rebuilt.

A searcher needs, for every document of the index: whether it is open (and not
deleted), its code in each single-valued facet (committee, year, …), its topics,
its meeting date and its field lengths.  Whoosh can answer each of those a
document at a time (about 15 s for a million items); here each comes from a file
the segment already holds, read as an array in one call:

- facet codes: written by the codec beside each segment (``.fcodes.npy``,
  memory-mapped) with their distinct values; segments' dictionaries are merged
  by remapping codes, one ``take`` per segment;
- the open set and topics: the posting lists of ``access:open`` and of each
  ``topic`` term, which the codec stores as arrays;
- dates and field lengths: Whoosh's own fixed-width columns, read in one go.

Deleted documents are cleared from the open set (a deletion is recorded in the
table of contents, not in the segment's files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from indexer.engines.whoosh.codec import MinutesTermsReader, facet_column


@dataclass
class IndexColumns:
    """Per-document arrays of one index state (every array indexed by document number)."""

    doc_count: int
    open_mask: np.ndarray
    facets: dict[str, tuple[list[Any], np.ndarray]] = field(default_factory=dict)
    topics: dict[str, np.ndarray] = field(default_factory=dict)  # topic code → open documents


def _leaves(reader: Any) -> list[tuple[Any, int]]:
    return [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.segment() is not None]


def supported(reader: Any) -> bool:
    """True when every segment was written by the array codec (so its columns exist)."""
    return all(isinstance(getattr(leaf, "_terms", None), MinutesTermsReader) for leaf, _ in _leaves(reader))


def load_columns(
    reader: Any,
    facet_names: tuple[str, ...],
    open_term: tuple[str, str] = ("access", "open"),
    topic_field: str = "topic",
) -> IndexColumns | None:
    """The index's columns from its segments' files, or None when a segment lacks them."""
    if not supported(reader):
        return None
    doc_count = reader.doc_count_all()
    leaves = _leaves(reader)
    open_mask = np.zeros(doc_count, dtype=bool)
    open_field, open_text = open_term
    for leaf, offset in leaves:
        arrays = leaf._terms.term_arrays(open_field, open_text.encode("utf-8"))
        if arrays is not None:
            open_mask[arrays.ids + offset] = True
        if leaf.has_deletions():
            deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
            open_mask[deleted + offset] = False
    open_mask.flags.writeable = False

    facets: dict[str, tuple[list[Any], np.ndarray]] = {}
    for name in facet_names:
        merged = _merged_facet(reader, leaves, name, doc_count)
        if merged is None:
            return None
        facets[name] = merged

    topics: dict[str, list[np.ndarray]] = {}
    for leaf, offset in leaves:
        if topic_field not in leaf.indexed_field_names():
            continue
        for term in leaf.lexicon(topic_field):
            arrays = leaf._terms.term_arrays(topic_field, term)
            if arrays is None:
                continue
            code = term.decode("utf-8") if isinstance(term, bytes) else str(term)
            docs = arrays.ids + offset
            topics.setdefault(code, []).append(docs[open_mask[docs]])
    return IndexColumns(
        doc_count,
        open_mask,
        facets,
        {code: np.concatenate(parts) for code, parts in topics.items()},
    )


def _merged_facet(reader: Any, leaves: list[tuple[Any, int]], name: str, doc_count: int) -> Any:
    """One facet over the whole index: (distinct values, int32 code per document)."""
    values: list[Any] = []
    known: dict[Any, int] = {}
    codes = np.zeros(doc_count, dtype=np.int32)
    covered = 0
    for leaf, offset in leaves:
        found = facet_column(leaf._storage, leaf.segment(), name)
        count = leaf.doc_count_all()
        if found is None:
            if name in leaf.schema and leaf.schema[name].column_type:
                return None  # a sortable field without its codes: not this codec's segment
            default = known.setdefault("", len(known))
            if default == len(values):
                values.append("")
            codes[offset : offset + count] = default
            covered += count
            continue
        segment_values, segment_codes = found
        remap = np.empty(max(1, len(segment_values)), dtype=np.int32)
        for code, value in enumerate(segment_values):
            key = _hashable(value)
            global_code = known.get(key)
            if global_code is None:
                global_code = known[key] = len(values)
                values.append(value)
            remap[code] = global_code
        codes[offset : offset + count] = remap[np.asarray(segment_codes[:count])]
        covered += count
    if covered != doc_count:
        return None
    codes.flags.writeable = False
    return values, codes


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
