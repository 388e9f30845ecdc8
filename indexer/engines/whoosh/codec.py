"""A Whoosh codec whose posting lists numpy reads in one call from a memory map.

Whoosh's own format (``whoosh3``) stores each block of 128 postings as a zlib
compressed pickle with the positions inline: about 60 µs a block to decode, and
the positions decoded even when no phrase needs them.  This codec keeps
everything else of Whoosh's (the term table with its statistics, stored fields,
columns, field lengths, deletions, segments and merges) and changes only how a
term's postings are laid out:

``<segment>.pst``  one record per term: a 32-byte header, then the document
                   numbers as delta-coded unsigned integers of the narrowest
                   width that holds them (1, 2 or 4 bytes), the weights when they
                   are not implied by the counts, and the per-posting counts
                   (term frequency, or the byte length of an opaque value).
``<segment>.pos``  the positions of every posting of every term (unsigned
                   integers, narrowest width per term), or opaque values,
                   read only when a phrase needs them.

A term's document numbers are thus one ``np.frombuffer`` and one ``cumsum``.
Whoosh's own matchers still work on the index (``postings_reader`` returns a
list matcher with Whoosh-encoded values made on demand), so Whoosh's scoring
remains the reference the bulk matcher is tested against.

The codec also writes, per segment, the single-valued facet columns as
dictionary codes (``<segment>.<field>.fcodes.npy`` and ``.fvals.json``), so a
searcher reads them as memory-mapped arrays instead of stepping through
Whoosh's column readers document by document.  Every file is named like
Whoosh's segment files, so Whoosh deletes them with their segment.

The format is versioned (``FORMAT_VERSION``, stored in the pickled codec of every
segment and in each posting record's magic); an index of another format is
refused with the command that rebuilds it, never misread.
"""

from __future__ import annotations

import io
import json
import mmap
import os
import struct
import threading
import weakref
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PerDocWriter,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Format, Positions
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.reading import TermNotFound
from whoosh.system import emptybytes, pack_ushort
from whoosh.util.numeric import byte_to_length

# Raise on any change to the files below, to ArrayPositions or to the columns every segment
# must hold.  2: the ``id_order`` column hits that score alike are ranked by (``index.py``).
# 3: the ``meeting_order`` and ``position_order`` columns date sorts order a date's items by.
FORMAT_VERSION = 3
MAGIC = b"MSP1"
_HEADER = struct.Struct(
    "<4sIBBBBBxxxQQ"
)  # magic, n, id width, weight kind, count width, value kind, pos width, pos offset, pos items
HEADER_SIZE = _HEADER.size

POSITIONS_EXT = ".pos"
FACET_CODES_EXT = ".fcodes.npy"
FACET_VALUES_EXT = ".fvals.json"

# Weight kinds
WEIGHTS_ONE, WEIGHTS_STORED, WEIGHTS_FROM_COUNTS = 0, 1, 2
# Value kinds
VALUES_NONE, VALUES_POSITIONS, VALUES_RAW = 0, 1, 2

_UNSIGNED: dict[int, np.dtype[Any]] = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}


class FormatMismatch(Exception):
    """A segment was written by another version of this codec (or by plain Whoosh)."""


def _width(maximum: int) -> int:
    return 1 if maximum < 1 << 8 else 2 if maximum < 1 << 16 else 4


def _narrow(values: np.ndarray) -> tuple[int, bytes]:
    width = _width(int(values.max()) if len(values) else 0)
    return width, values.astype(_UNSIGNED[width]).tobytes()


class ArrayPositions(Positions):  # type: ignore[misc]
    """Whoosh's Positions format with positions encoded as a machine array of 32-bit
    unsigned integers instead of a pickle of deltas: encoding is one C call, and the
    writer turns a whole term's values into one numpy array with one ``frombuffer``.
    Whoosh's own phrase matching and highlighting decode it through this class."""

    def encode(self, poslist: Any) -> bytes:
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        decoded = array("I")
        decoded.frombytes(valuestring)
        return decoded.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return self.decode_frequency(valuestring) * self.field_boost


_NATIVE_U4 = np.dtype("=u4")
assert array("I").itemsize == 4, "ArrayPositions needs 32-bit unsigned machine integers"


# -- writing --------------------------------------------------------------------------


class ArrayPostingsWriter:
    """Collects one term's postings and writes them as arrays (see the module doc).

    Also acts as the single "block" ``W3TermInfo.add_block`` reads its statistics
    from, so the term table holds the same statistics Whoosh's own writer records.
    """

    def __init__(self, postfile: Any, posfile: Any) -> None:
        self._postfile = postfile
        self._posfile = posfile
        self._format: Format | None = None
        self._terminfo: W3TermInfo | None = None

    def written(self) -> bool:
        return False

    def start_postings(self, format_: Format, terminfo: W3TermInfo) -> None:
        if self._terminfo is not None:
            raise RuntimeError("start_postings called inside a term")
        self._format = format_
        self._terminfo = terminfo
        self._ids: list[int] = []
        self._weights = array("f")
        self._values: list[bytes] = []
        self._minlength: int | None = None
        self._maxlength = 0

    def add_posting(self, id_: int, weight: float, vbytes: bytes, length: int | None = None) -> None:
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes)
        if length:
            if self._minlength is None or length < self._minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def finish_postings(self) -> W3TermInfo:
        terminfo, format_ = self._terminfo, self._format
        assert terminfo is not None and format_ is not None
        terminfo.add_block(self)
        offset = self._postfile.tell()
        self._write(format_)
        terminfo.set_extent(offset, self._postfile.tell() - offset)
        self._terminfo = None
        return terminfo

    def _write(self, format_: Format) -> None:
        n = len(self._ids)
        ids = np.asarray(self._ids, dtype=np.int64)
        deltas = np.diff(ids, prepend=0)
        id_width, id_bytes = _narrow(deltas)
        weights = np.frombuffer(self._weights.tobytes(), dtype=np.float32)
        values = self._values
        counts: np.ndarray | None = None
        positions = b""
        pos_width = 0
        pos_items = 0
        value_kind = VALUES_NONE
        if isinstance(format_, ArrayPositions):
            counts = np.fromiter(map(len, values), dtype=np.int64, count=n) // 4
            flat = np.frombuffer(emptybytes.join(values), dtype=_NATIVE_U4)
            pos_width, positions = _narrow(flat)
            pos_items = len(flat)
            value_kind = VALUES_POSITIONS
        elif type(format_) is Positions:
            decode = format_.decode_positions
            decoded = [decode(v) for v in values]
            counts = np.fromiter((len(p) for p in decoded), dtype=np.int64, count=n)
            flat = np.fromiter((q for p in decoded for q in p), dtype=np.int64, count=int(counts.sum()))
            pos_width, positions = _narrow(flat)
            pos_items = len(flat)
            value_kind = VALUES_POSITIONS
        elif format_.fixed_value_size() != 0 and any(values):
            counts = np.fromiter((len(v) for v in values), dtype=np.int64, count=n)
            positions = emptybytes.join(values)
            pos_width, pos_items = 1, len(positions)
            value_kind = VALUES_RAW
        if not np.any(weights != 1.0):
            weight_kind = WEIGHTS_ONE
        elif (
            value_kind == VALUES_POSITIONS
            and counts is not None
            and np.array_equal((counts * format_.field_boost).astype(np.float32), weights)
        ):
            weight_kind = WEIGHTS_FROM_COUNTS
        else:
            weight_kind = WEIGHTS_STORED
        count_width, count_bytes = _narrow(counts) if counts is not None else (0, b"")
        pos_offset = self._posfile.tell() if positions else 0
        if positions:
            self._posfile.write(positions)
        out = self._postfile
        out.write(
            _HEADER.pack(MAGIC, n, id_width, weight_kind, count_width, value_kind, pos_width, pos_offset, pos_items)
        )
        out.write(id_bytes)
        if weight_kind == WEIGHTS_STORED:
            out.write(weights.astype("<f4").tobytes())
        if count_width:
            out.write(count_bytes)

    # The "block" interface W3TermInfo.add_block reads.
    def __len__(self) -> int:
        return len(self._ids)

    def min_id(self) -> int:
        return self._ids[0]

    def max_id(self) -> int:
        return self._ids[-1]

    def min_length(self) -> int | None:
        return self._minlength

    def max_length(self) -> int:
        return self._maxlength

    def max_weight(self) -> float:
        return max(self._weights) if self._weights else 0.0


class MinutesFieldWriter(W3FieldWriter):  # type: ignore[misc]
    """Whoosh's field writer (its term table and statistics) with array postings."""

    def __init__(self, codec: MinutesCodec, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._posfile = segment.create_file(storage, POSITIONS_EXT)
        self._posfile.write(MAGIC)  # offset 0 never holds positions

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self._postwriter = ArrayPostingsWriter(self._postfile, self._posfile)

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        """Whoosh's loop over the sorted postings, a term's postings handed over as lists
        and the field lengths (for the term statistics) looked up as one array per field,
        not one column read per posting."""
        lastfn: str | None = None
        lasttext: bytes | None = None
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        field_lengths: Any = None
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != lastfn:
                if lastfn is not None and fieldname < lastfn:
                    raise OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
                if lasttext is not None:
                    self._add_term(lasttext, ids, weights, values, field_lengths)
                    ids, weights, values = [], [], []
                if lastfn is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                field_lengths = _field_lengths(lengths, fieldname)
                lastfn, lasttext = fieldname, None
            if docnum == -1:  # Whoosh's marker for spelling words, not postings
                continue
            if btext != lasttext:
                if lasttext is not None:
                    if btext < lasttext:
                        raise OutOfOrderError(f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
                    self._add_term(lasttext, ids, weights, values, field_lengths)
                    ids, weights, values = [], [], []
                lasttext = btext
            ids.append(docnum)
            weights.append(weight)
            values.append(value or emptybytes)
        if lasttext is not None:
            self._add_term(lasttext, ids, weights, values, field_lengths)
        if lastfn is not None:
            self.finish_field()

    def _add_term(
        self, btext: bytes, ids: list[int], weights: list[float], values: list[bytes], field_lengths: Any
    ) -> None:
        self.start_term(btext)
        writer: Any = self._postwriter
        writer._ids = ids
        writer._weights = array("f", weights)
        writer._values = values
        if field_lengths is not None:
            found = field_lengths(ids)
            nonzero = found[found > 0]
            writer._minlength = int(nonzero.min()) if len(nonzero) else None
            writer._maxlength = int(found.max()) if len(found) else 0
        self.finish_term()

    def close(self) -> None:
        super().close()
        self._posfile.close()


_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.int64)


def _field_lengths(lengths: Any, fieldname: str) -> Any:
    """A function from document numbers to their lengths in ``fieldname`` (0 when
    none), reading Whoosh's one-byte length column in one go where it can."""
    if not lengths:
        return None
    cached_reader = getattr(lengths, "_cached_reader", None)
    column = cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN) if cached_reader else None
    if column is not None and getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
        stored = int(column._count)
        raw = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
        decoded = _LENGTH_OF_BYTE[raw]

        def lookup(ids: list[int]) -> np.ndarray:
            wanted = np.asarray(ids, dtype=np.int64)
            out = np.zeros(len(wanted), dtype=np.int64)
            inside = wanted < stored
            out[inside] = decoded[wanted[inside]]
            return out

        return lookup
    if cached_reader is not None and column is None:
        return lambda ids: np.zeros(len(ids), dtype=np.int64)
    length_of = lengths.doc_field_length
    return lambda ids: np.array([length_of(d, fieldname) or 0 for d in ids], dtype=np.int64)


class MinutesPerDocWriter(W3PerDocWriter):  # type: ignore[misc]
    """Whoosh's per-document writer that also keeps the facet columns as codes."""

    def __init__(self, codec: MinutesCodec, storage: Any, segment: Any) -> None:
        super().__init__(codec, storage, segment)
        self._facet_fields = codec.facet_fields
        self._facet_values: dict[str, dict[int, Any]] = {name: {} for name in self._facet_fields}
        self._field_objects: dict[str, Any] = {}

    def add_field(self, fieldname: str, fieldobj: Any, value: Any, length: int) -> None:
        if fieldname in self._facet_values:
            self._field_objects[fieldname] = fieldobj
        super().add_field(fieldname, fieldobj, value, length)

    def add_column_value(self, fieldname: str, column: Any, value: Any) -> None:
        found = self._facet_values.get(fieldname)
        if found is not None:
            found[self._docnum or 0] = value
        super().add_column_value(fieldname, column, value)

    def close(self) -> None:
        super().close()
        for name, by_doc in self._facet_values.items():
            fieldobj = self._field_objects.get(name)
            if fieldobj is None or not fieldobj.column_type:
                continue
            default = fieldobj.column_type.default_value()
            distinct: dict[Any, int] = {}
            codes = np.zeros(self._doccount, dtype=np.int32)
            for docnum in range(self._doccount):
                raw = by_doc.get(docnum, default)
                codes[docnum] = distinct.setdefault(raw, len(distinct))
            values = [fieldobj.from_column_value(raw) for raw in distinct]
            write_facet_column(self._storage, self._segment, name, codes, values)


def write_facet_column(storage: Any, segment: Any, name: str, codes: np.ndarray, values: list[Any]) -> None:
    handle = segment.create_file(storage, f".{name}{FACET_CODES_EXT}")
    np.lib.format.write_array(handle, codes, allow_pickle=False)
    handle.close()
    handle = segment.create_file(storage, f".{name}{FACET_VALUES_EXT}")
    handle.write(json.dumps(values, ensure_ascii=False).encode("utf-8"))
    handle.close()


# -- reading ---------------------------------------------------------------------------


# Each segment file's memory map, while anything reads it.  Held weakly: a map holds an open
# descriptor, so one kept after its segment was merged away (or its generation replaced)
# would hold the deleted file open for as long as the process lives.
_MAPS: weakref.WeakValueDictionary[tuple[str, int, int], mmap.mmap] = weakref.WeakValueDictionary()
_MAPS_LOCK = threading.Lock()


class MappedStructFile(StructFile):  # type: ignore[misc]
    """A segment file as Whoosh reads it, with its random reads (``get``) served from the
    file's memory map.  Whoosh's term table reads a few bytes at a time at random places
    (a hash slot, a key's lengths, the key, its term info): through the file each is a
    seek and a buffered read of 8 KB, about 5 µs; from the map, a slice."""

    def __init__(self, structfile: StructFile, buffer: Any) -> None:
        super().__init__(structfile.file, name=structfile._name, onclose=structfile.onclose)
        self._buffer = buffer

    def get(self, position: int, length: int) -> bytes:
        return bytes(self._buffer[position : position + length])


def file_buffer(storage: Any, filename: str) -> Any:
    """A read-only buffer of a whole segment file: a memory map shared by every
    searcher in the process (and, through the page cache, by every process)."""
    folder = getattr(storage, "folder", None)
    if folder is None:  # RAM storage: the bytes themselves
        return _read_all(storage, filename)
    path = os.path.join(folder, filename)
    info = os.stat(path)
    if info.st_size == 0:
        return b""  # nothing to map
    key = (path, info.st_ino, info.st_size)
    with _MAPS_LOCK:
        found = _MAPS.get(key)
        if found is None:
            with open(path, "rb") as handle:
                found = _MAPS[key] = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return found


@dataclass
class TermArrays:
    """One term's postings in one segment."""

    ids: np.ndarray  # int64, ascending
    weights: np.ndarray  # float64 (Whoosh's float32 weights, widened)
    counts: np.ndarray | None  # per posting: positions or value bytes
    value_kind: int
    values: np.ndarray | None  # flat positions (or value bytes), a view of the map

    def starts(self) -> np.ndarray:
        assert self.counts is not None
        out = np.zeros(len(self.counts), dtype=np.int64)
        np.cumsum(self.counts[:-1], out=out[1:])
        return out


def read_term(postings: Any, positions: Any, offset: int, field_boost: float, with_values: bool) -> TermArrays:
    """Decode the record at ``offset`` of a postings buffer (one frombuffer per array)."""
    magic, n, id_width, weight_kind, count_width, value_kind, pos_width, pos_offset, pos_items = _HEADER.unpack_from(
        postings, offset
    )
    if magic != MAGIC:
        raise FormatMismatch(f"posting record with tag {magic!r}, expected {MAGIC!r}")
    at = offset + HEADER_SIZE
    ids = np.frombuffer(postings, dtype=_UNSIGNED[id_width], count=n, offset=at).cumsum(dtype=np.int64)
    at += n * id_width
    counts: np.ndarray | None = None
    stored_weights: np.ndarray | None = None
    if weight_kind == WEIGHTS_STORED:
        stored_weights = np.frombuffer(postings, dtype="<f4", count=n, offset=at)
        at += n * 4
    if count_width:
        counts = np.frombuffer(postings, dtype=_UNSIGNED[count_width], count=n, offset=at).astype(np.int64)
    if weight_kind == WEIGHTS_ONE:
        weights = np.ones(n, dtype=np.float64)
    elif weight_kind == WEIGHTS_FROM_COUNTS:
        assert counts is not None
        weights = (counts * field_boost).astype(np.float32).astype(np.float64)
    else:
        assert stored_weights is not None
        weights = stored_weights.astype(np.float64)
    values = None
    if with_values and value_kind != VALUES_NONE:
        values = np.frombuffer(positions, dtype=_UNSIGNED[pos_width], count=pos_items, offset=pos_offset)
    return TermArrays(ids, weights, counts, value_kind, values)


class _EncodedValues:
    """Whoosh-encoded posting values, made when Whoosh's matchers ask for one."""

    def __init__(self, arrays: TermArrays, format_: Format) -> None:
        self._arrays = arrays
        self._format: Any = format_
        self._starts = arrays.starts()

    def __len__(self) -> int:
        return len(self._arrays.ids)

    def __getitem__(self, index: int) -> bytes:
        arrays = self._arrays
        assert arrays.counts is not None and arrays.values is not None
        start = int(self._starts[index])
        chunk = arrays.values[start : start + int(arrays.counts[index])]
        if arrays.value_kind == VALUES_POSITIONS:
            return bytes(self._format.encode(chunk.tolist()))
        return chunk.tobytes()


class ArrayMatcher(ListMatcher):  # type: ignore[misc]
    """Whoosh's list matcher over one term's arrays, with the whole list as one block."""

    def skip_to(self, id: int) -> None:
        if not self.is_active():
            from whoosh.matching import ReadTooFar

            raise ReadTooFar
        if id > self._ids[self._i]:
            import bisect

            self._i = bisect.bisect_left(self._ids, id, self._i)

    def block_max_weight(self) -> float:
        return float(self._terminfo.max_weight()) if self._terminfo is not None else super().block_max_weight()

    def skip_to_quality(self, minquality: float) -> int:
        if self.is_active() and self.block_quality() <= minquality:
            self._i = len(self._ids)
            return 1
        return 0

    def value(self) -> Any:
        return super().value() if self._values is not None else b""

    def copy(self) -> ArrayMatcher:
        return ArrayMatcher(
            self._ids,
            self._weights,
            self._values,
            self._format,
            self._scorer,
            self._i,
            self._all_weights,
            term=self._term,
            terminfo=self._terminfo,
        )


_SLOT = struct.Struct("!Iq")  # Whoosh's hash slot: the key's hash, the item's position
_LENGTHS = struct.Struct("!ii")  # an item: key length, value length, then the key and the value


def _hash_lookup(table: Any, buffer: Any, key: bytes) -> bytes | None:
    """The value of ``key`` in Whoosh's on-disk hash (``HashReader.ranges_for_key``'s walk:
    the key's table by its hash's low byte, then the slots from the hash's position on,
    wrapping around, until an empty slot), read from ``buffer``, the file's bytes."""
    keyhash = table.hashfn(key)
    tablestart, numslots = table.tables[keyhash & 255]
    if not numslots:
        return None
    end = tablestart + numslots * _SLOT.size
    slotpos = tablestart + ((keyhash >> 8) % numslots) * _SLOT.size
    for _ in range(numslots):
        slothash, itempos = _SLOT.unpack_from(buffer, slotpos)
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, datalen = _LENGTHS.unpack_from(buffer, itempos)
            keystart = itempos + _LENGTHS.size
            if keylen == len(key) and buffer[keystart : keystart + keylen] == key:
                return bytes(buffer[keystart + keylen : keystart + keylen + datalen])
        slotpos += _SLOT.size
        if slotpos == end:
            slotpos = tablestart
    return None


class MinutesTermsReader(W3TermsReader):  # type: ignore[misc]
    """Whoosh's term table, with postings read as arrays."""

    def __init__(self, codec: MinutesCodec, dbfile: Any, length: int, postfile: Any, postings: Any, positions: Any):
        super().__init__(codec, dbfile, length, postfile)
        self.postings_buffer = postings
        self.positions_buffer = positions

    def term_arrays(
        self, fieldname: str, tbytes: bytes, field_boost: float = 1.0, with_values: bool = False
    ) -> TermArrays | None:
        """The term's postings in this segment (deleted documents included), or None."""
        terminfo = self.term_info_or_none(fieldname, tbytes)
        return None if terminfo is None else self.arrays_of(terminfo, field_boost, with_values)

    def term_info_or_none(self, fieldname: str, tbytes: bytes) -> Any:
        """The term's statistics in this segment (its document frequency, say), or None.

        Whoosh's lookup (``term_info``) goes through three generators and a copy per read;
        here the same hash table is read with ``unpack_from`` on the memory map, and a
        field the segment has no terms of is not looked up at all."""
        number = self._fieldmap.get(fieldname)
        if number is None:
            return None
        buffer = getattr(self._dbfile, "_buffer", None)
        if buffer is None:
            try:
                return self.term_info(fieldname, tbytes)
            except TermNotFound:
                return None
        found = _hash_lookup(self._tindex, buffer, pack_ushort(number) + tbytes)
        return None if found is None else W3TermInfo.from_bytes(found)

    def arrays_of(self, terminfo: Any, field_boost: float = 1.0, with_values: bool = False) -> TermArrays:
        """The postings ``terminfo`` (this segment's) points at."""
        offset, _length = terminfo.extent()
        return read_term(self.postings_buffer, self.positions_buffer, offset, field_boost, with_values)

    def matcher(self, fieldname: str, tbytes: bytes, format_: Format, scorer: Any = None) -> Any:
        terminfo = self.term_info(fieldname, tbytes)
        offset, _length = terminfo.extent()
        arrays = read_term(self.postings_buffer, self.positions_buffer, offset, format_.field_boost, True)
        if not len(arrays.ids):
            return NullMatcher()
        values = _EncodedValues(arrays, format_) if arrays.value_kind != VALUES_NONE else None
        return ArrayMatcher(
            arrays.ids.tolist(),
            arrays.weights.astype(np.float32).tolist(),
            values,
            format_,
            scorer=scorer,
            term=(fieldname, tbytes),
            terminfo=terminfo,
        )

    def close(self) -> None:
        super().close()
        self.postings_buffer = self.positions_buffer = None


class MinutesPerDocReader(W3PerDocReader):  # type: ignore[misc]
    """Whoosh's per-document reader, which says a column exists when its file is open.

    Whoosh asks the folder every time (``has_column``), also for a column it read
    before; once a merge has deleted the segment's files, a searcher still reading that
    segment would be told the column is not there (no dates to sort by, an empty column)
    although its open file is as readable as ever."""

    def has_column(self, fieldname: str) -> bool:
        return fieldname in self._colfiles or bool(super().has_column(fieldname))


class MinutesCodec(W3Codec):  # type: ignore[misc]
    """Whoosh's codec with array postings and facet columns as codes (see the module doc)."""

    def __init__(self, facet_fields: tuple[str, ...] = ()) -> None:
        super().__init__(blocklimit=128, compression=3, inlinelimit=0)
        self.format_version = FORMAT_VERSION
        self.facet_fields = tuple(facet_fields)

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        return MinutesPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return MinutesPerDocReader(storage, segment)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return MinutesFieldWriter(self, storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> MinutesTermsReader:
        if getattr(self, "format_version", None) != FORMAT_VERSION:
            raise FormatMismatch(
                f"segment {segment.segment_id()} has format {getattr(self, 'format_version', None)}, "
                f"this version reads {FORMAT_VERSION}"
            )
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = MappedStructFile(storage.open_file(tiname), file_buffer(storage, tiname))
        postfile = segment.open_file(storage, self.POSTS_EXT)
        postings = file_buffer(storage, segment.make_filename(self.POSTS_EXT))
        positions = file_buffer(storage, segment.make_filename(POSITIONS_EXT))
        return MinutesTermsReader(self, tifile, tilen, postfile, postings, positions)


def facet_column(storage: Any, segment: Any, name: str) -> tuple[list[Any], np.ndarray] | None:
    """(distinct values, per-document codes) of one facet column of one segment, or None
    when the segment has none (the codes memory-mapped where the storage is a folder)."""
    codes_name = segment.make_filename(f".{name}{FACET_CODES_EXT}")
    if not storage.file_exists(codes_name):
        return None
    folder = getattr(storage, "folder", None)
    if folder is not None:
        codes = np.load(os.path.join(folder, codes_name), mmap_mode="r", allow_pickle=False)
    else:
        codes = np.load(io.BytesIO(_read_all(storage, codes_name)), allow_pickle=False)
    values = json.loads(_read_all(storage, segment.make_filename(f".{name}{FACET_VALUES_EXT}")).decode("utf-8"))
    return values, codes


def _read_all(storage: Any, filename: str) -> bytes:
    handle = storage.open_file(filename)
    try:
        return bytes(handle.read())
    finally:
        handle.close()


def segment_format(segment: Any) -> int | None:
    """The array format a segment was written in (None: not by this codec)."""
    codec = segment.codec()
    if not isinstance(codec, MinutesCodec):
        return None
    return int(getattr(codec, "format_version", 0))


__all__ = [
    "FORMAT_VERSION",
    "ArrayMatcher",
    "ArrayPositions",
    "FormatMismatch",
    "MinutesCodec",
    "MinutesTermsReader",
    "TermArrays",
    "facet_column",
    "file_buffer",
    "segment_format",
]
