"""The Danish full-form table read from the user's cache is simplemma's own table."""

from __future__ import annotations

from pathlib import Path

import pytest
from simplemma.strategies.dictionaries import dictionary_factory as factory

from indexer.analysis import lexicon


def test_the_cached_table_is_simplemmas_and_a_broken_cache_is_decoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shipped = factory._load_dictionary_from_disk("da")
    first = lexicon._decoded_forms(factory)  # decoded, and written to the cache
    (cached,) = (tmp_path / "minutes-search").glob("simplemma-*-da-*.marshal")
    second = lexicon._decoded_forms(factory)  # read from it
    assert first == shipped and second == shipped and second is not first
    words = ["huse", "kommunens", "vejene", "budgetter", "udvalgets"]
    table = factory.MappingStrToByteString(second)
    assert [table.get(w) for w in words] == [
        factory.DefaultDictionaryFactory().get_dictionary("da").get(w) for w in words
    ]
    assert table.get("huse") == "hus"
    cached.write_bytes(b"not a table")  # a torn or foreign file: decoded again, rewritten
    assert lexicon._decoded_forms(factory) == shipped
    assert lexicon._decoded_forms(factory) == shipped
    assert len(cached.read_bytes()) > 1_000_000
