"""Search every byte an index folder holds for words that must not be there.

Raw file contents are not enough: Whoosh compresses posting blocks and may
compress stored fields, and a replaced document stays in its segment until the
segment is merged.  So besides the raw bytes, every zlib stream found in a file
is inflated, and every index generation is opened to read its whole vocabulary
and the stored fields of every document number — deleted ones included.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index

ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, 50_000_000)
    except zlib.error:
        return b""


def _inflated(data: bytes) -> Iterable[bytes]:
    start = data.find(b"\x78")
    while start != -1:
        if data[start : start + 2] in ZLIB_HEADERS:
            yield _inflate(data[start:])
        start = data.find(b"\x78", start + 1)


def _index_texts(generation: Path) -> Iterable[str]:
    try:
        ix = whoosh_index.open_dir(str(generation), indexname="minutes")
    except Exception:  # not a Whoosh folder
        return
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            if leaf.segment() is None:
                continue
            for field, term in leaf.all_terms():
                yield f"{field}:{term.decode('utf-8', 'replace')}"
            for number in range(leaf.doc_count_all()):  # deleted documents too
                yield repr(leaf.stored_fields(number))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def hits_on_disk(root: Path, words: Iterable[str]) -> list[str]:
    """ "word in path" for every word found anywhere under ``root`` (case-insensitive)."""
    wanted = [w.lower() for w in words]
    hits: list[str] = []
    for path in files_under(root):
        data = path.read_bytes()
        blobs = [data, *_inflated(data)]
        text = b"\n".join(blobs).decode("utf-8", "replace").lower()
        hits += [f"{word} in {path}" for word in wanted if word in text]
    for generation in {p.parent for p in root.rglob("_minutes_*.toc")}:
        text = "\n".join(_index_texts(generation)).lower()
        hits += [f"{word} in the index vocabulary or stored fields of {generation}" for word in wanted if word in text]
    return hits
