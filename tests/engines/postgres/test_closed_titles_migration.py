"""Migration 12: a database written before round 32 closes its attachments titled closed.

Round 32 closed an attachment whose title marks it closed ("Bilag 2 (lukket) - …",
``model.title_marks_closed``) as it is read; a database written before kept publishing such an
attachment (its title and text in the search, its file) after the upgrade, as ``db init`` had
nothing to change.  Here a database is filled by the current code with the rule switched off
(what that version wrote), set back to schema version 11 and upgraded: it must then hold exactly
what the current code writes from the same sources (every table, row for row, but the
generation counter and the row numbers), so nothing of the closed attachments is left.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

import indexer.model
from indexer.cli import main
from indexer.engines.postgres import schema
from indexer.engines.postgres.engine import _texts_kept
from tests.conftest import SEED
from tests.helpers import (
    NORDDJURS,
    TITLED_CLOSED_WORDS,
    TITLED_OPEN_WORDS,
    Opened,
    plant_titled_closed,
    quiet_ingest,
)
from tests.postgres import postgres_location

BACK_TO_11 = f"DELETE FROM {schema.SCHEMA_VERSION_TABLE} WHERE version = 12"


def _fill(url: str, source: Path) -> None:
    quiet_ingest([SEED], url, context=NORDDJURS)
    summary = quiet_ingest([source], url)
    assert not summary.rejected


def _content(url: str) -> dict[str, Any]:
    """Every table's rows, by item id rather than row number (an item written again gets a new one)."""
    with psycopg.connect(url) as conn:
        ids = {(m, d): i for m, d, i in conn.execute("SELECT muni, docno, id FROM items").fetchall()}
        return {
            "items": sorted(
                (r[0], r[1], r[2], json.dumps(r[3], sort_keys=True), json.dumps(r[4], sort_keys=True), r[5], r[6])
                for r in conn.execute(
                    "SELECT id, access, date_precision, stored, lengths, position, topics FROM items"
                ).fetchall()
            ),
            "postings": sorted(
                (m, f, t, ids[(m, d)], round(tf, 6), round(ln, 6), str(p))
                for m, f, t, d, tf, ln, p in conn.execute(
                    "SELECT muni, field, term, docno, tf, len, positions FROM postings"
                ).fetchall()
            ),
            "term_stats": sorted(
                (m, f, t, df, round(cf, 6))
                for m, f, t, df, cf in conn.execute("SELECT muni, field, term, df, cf FROM term_stats").fetchall()
            ),
            "field_stats": sorted(
                (m, f, n, round(total, 6))
                for m, f, n, total in conn.execute("SELECT muni, field, docs, total_length FROM field_stats").fetchall()
            ),
            "attachments": sorted(
                (m, n, bytes(c)) for m, n, c in conn.execute("SELECT muni, name, content FROM attachments").fetchall()
            ),
            "route_evidence": sorted(
                json.dumps(r, sort_keys=True)
                for r in conn.execute("SELECT muni, evidence, learnt, definitions FROM route_evidence").fetchall()
            ),
            "municipalities": sorted(conn.execute("SELECT muni, name FROM municipalities").fetchall()),
            "withdrawn": sorted(conn.execute("SELECT id FROM withdrawn").fetchall()),
        }


def _holding(content: dict[str, Any], word: str) -> list[str]:
    """The tables any of whose rows holds the word, or its first six letters (a stemmed term, a file's bytes)."""
    stem = word[:6]
    return [table for table, rows in content.items() if any(stem in repr(row) for row in rows)]


def test_db_init_closes_what_a_database_written_before_round_32_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = plant_titled_closed(tmp_path / "source")
    expected_url, old_url = postgres_location(), postgres_location()
    _fill(expected_url, source)
    with monkeypatch.context() as before:
        before.setattr(indexer.model, "title_marks_closed", lambda title: False)  # the rule as it was
        _fill(old_url, source)
    old, expected = _content(old_url), _content(expected_url)
    for word in TITLED_CLOSED_WORDS:  # the filled database publishes them, so the checks can fail
        assert {"items", "postings", "term_stats"} <= set(_holding(old, word)), word
        assert _holding(expected, word) == [], word
    assert any(b"qzvluktekst" in row[2] for row in old["attachments"])
    with psycopg.connect(old_url) as conn:
        conn.execute(BACK_TO_11)
    capsys.readouterr()
    assert main(["db", "init", "--index", old_url]) == 0
    out = capsys.readouterr().out
    assert f"from version 11 to version {schema.LATEST} (applied 12)" in out
    assert _content(old_url) == expected
    assert "closed 2 attachment(s) titled closed, in 2 item(s)" in out
    assert _holding(_content(old_url), TITLED_OPEN_WORDS[1]), "the open attachments' text is kept"
    opened = Opened()
    try:
        client = opened.app(old_url).test_client()
        for word in TITLED_CLOSED_WORDS:
            found = client.get(f"/api/search?q={word}").get_json()
            assert found["total"] == 0 and found["results"] == []
        hits = client.get(f"/api/search?q={TITLED_OPEN_WORDS[1]}").get_json()
        assert hits["total"] == 1
        item = hits["results"][0]["id"]
        for url in (f"/items/{item}", f"/api/items/{item}", "/export.csv", "/feed.atom"):
            body = client.get(url).get_data(as_text=True)
            assert not any(word in body for word in TITLED_CLOSED_WORDS), url
    finally:
        opened.close()
    assert main(["db", "init", "--index", old_url]) == 0
    assert "up to date" in capsys.readouterr().out


def test_db_init_closes_an_attachment_marked_in_any_way_the_rule_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upgrade read only the items whose stored document held "lukke", "fortrolig" or
    "offentliggjort": an attachment titled with a soft hyphen ("Luk\u00adket", which the rule and
    the search read as "lukket") or "ikke offentligt" stayed published after it."""
    source = plant_titled_closed(tmp_path / "source", ("Bilag 2 - Luk\u00adket -", "Notat - ikke offentligt"))
    expected_url, old_url = postgres_location(), postgres_location()
    _fill(expected_url, source)
    with monkeypatch.context() as before:
        before.setattr(indexer.model, "title_marks_closed", lambda title: False)
        _fill(old_url, source)
    assert _holding(_content(old_url), TITLED_CLOSED_WORDS[0]), "the filled database publishes them"
    with psycopg.connect(old_url) as conn:
        conn.execute(BACK_TO_11)
    assert main(["db", "init", "--index", old_url]) == 0
    after = _content(old_url)
    assert [_holding(after, word) for word in TITLED_CLOSED_WORDS] == [[], []]
    assert after == _content(expected_url)


def test_an_attachments_text_is_cut_by_its_titles_or_dropped_when_they_do_not_tell() -> None:
    kort = {"title": "Bilag 1 - Kort", "has_text": True}
    lukket = {"title": "Bilag 2 (lukket) - Notat", "has_text": True}
    uden = {"title": "Bilag 3 - Uden tekst", "has_text": False}
    budget = {"title": "Bilag 4 - Budget", "has_text": True}
    joined = "Bilag 1 - Kort\nkortet\n\nmere\n\nBilag 2 (lukket) - Notat\nlukket\n\ntekst\n\nBilag 4 - Budget\nbudget"
    attachments = [kort, lukket, uden, budget]
    assert (
        _texts_kept(joined, attachments, [kort, uden, budget])
        == "Bilag 1 - Kort\nkortet\n\nmere\n\nBilag 4 - Budget\nbudget"
    )
    assert _texts_kept(joined, attachments, [lukket]) == "Bilag 2 (lukket) - Notat\nlukket\n\ntekst"
    # the closed text repeats the next title: where it ends cannot be told, so nothing is kept
    repeated = joined.replace("lukket\n\ntekst", "lukket\n\nBilag 4 - Budget\nmere lukket")
    assert _texts_kept(repeated, attachments, [kort, uden, budget]) == ""
    # two attachments titled alike: which text is whose cannot be told either
    twins = [kort, lukket, dict(lukket)]
    alike = "Bilag 1 - Kort\nk\n\nBilag 2 (lukket) - Notat\na\n\nBilag 2 (lukket) - Notat\nb"
    assert _texts_kept(alike, twins, [kort]) == ""
    assert _texts_kept(joined, attachments, [uden]) == ""
