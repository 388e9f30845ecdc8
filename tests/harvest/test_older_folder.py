"""A harvest folder written by an older version of the redaction is redacted again at the next
run, though the portal answers every document unchanged (a 304): an attachment whose title marks
it closed (kept whole before 2129700) and an item flagged ``"Lukket": true`` under an ordinary
caption (kept whole before 1127fb2) leave ``meetings/<id>.json``, their downloaded PDFs leave
``bilag/`` and the PDFs' extracted text leaves the index's text cache."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from indexer.cli import main
from indexer.engines.postgres.index import text_cache_root
from indexer.engines.whoosh.index import MinutesIndex
from indexer.harvest.firstagenda import (
    REDACTION_RULE,
    RULE_FILE,
    HarvestOptions,
    HarvestSummary,
    digest_of,
    harvest,
    redact,
)
from tests.harvest.helpers import ONE_MEETING, fast, meeting_id_of, run
from tests.harvest.portal import Portal

MEETING = ONE_MEETING  # served by the portal fixture (conftest.py)
TITLE_MARK = "qzvgammeltlukketbilag"
ITEM_MARK = "qzvgammeltflagetpunkt"


class Target:
    """Where a harvest writes: an index folder (state in ``state.json``, text cache beside the
    index) or a PostgreSQL database (state in ``harvest_state``, documents in a ``--state``
    folder, text cache under $XDG_CACHE_HOME)."""

    def __init__(self, tmp_path: Path, url: str | None) -> None:
        self.url = url
        self.root = tmp_path / "ix"
        self.state_root = tmp_path / "state" if url else None

    def run(self, base: str) -> HarvestSummary:
        if self.url is None:
            return run(base, self.root, attachments=True)
        return harvest(
            base, self.url, fast(), HarvestOptions(attachments=True), stream=io.StringIO(), state_root=self.state_root
        )

    @property
    def folder(self) -> Path:
        [folder] = ((self.state_root or self.root) / "harvest").iterdir()
        return folder

    @property
    def text_cache(self) -> Path:
        return text_cache_root() if self.url else self.root / "textcache"

    def written(self) -> list[Path]:
        """Every file the service wrote for this target (the text cache is the host's, for PostgreSQL)."""
        roots = [self.root] if self.url is None else [self.state_root or self.root, self.text_cache]
        return [p for r in roots if r.exists() for p in r.rglob("*") if p.is_file()]

    def state(self) -> dict[str, Any]:
        if self.url is None:
            return dict(json.loads((self.folder / "state.json").read_text("utf-8")))
        with psycopg.connect(self.url) as conn:
            [(state,)] = conn.execute("SELECT state FROM harvest_state").fetchall()
        return dict(state)

    def save_state(self, state: dict[str, Any]) -> None:
        if self.url is None:
            (self.folder / "state.json").write_text(json.dumps(state), "utf-8")
            return
        with psycopg.connect(self.url) as conn:
            conn.execute("UPDATE harvest_state SET state = %s", (Jsonb(state),))


@pytest.fixture(params=["whoosh", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    return Target(tmp_path, request.getfixturevalue("pg_url") if request.param == "postgres" else None)


def _old_redact(document: dict[str, Any]) -> dict[str, Any]:
    """The first harvester's redaction (40c4b14): closed items by their caption only."""
    points = []
    for point in document["Dagsordenpunkter"]:
        if str(point.get("Caption") or "").startswith("Lukket"):
            point = {k: point.get(k) for k in ("Id", "Number", "Punktnummer", "Sorting")}
            point.update(Caption="Lukket punkt", Navn="Lukket punkt", IsOpen=False, Felter=[], Bilag=[])
        points.append(point)
    return {**document, "Dagsordenpunkter": points}


@dataclass
class Aged:
    """A harvest folder made as an older version left it (``_aged``)."""

    folder: Path
    stored: Path  # the meeting's document
    now: str  # the document as the current rule writes it
    old: dict[str, Any]  # as the older rule wrote it
    cached: list[Path]  # the cached text of the PDFs the current rule deletes
    open_pdfs: set[str]  # the attachments the current rule keeps
    released: int  # how many it deletes


def _aged(portal: Portal, target: Target, older: str) -> Aged:
    """Harvest the meeting with an attachment titled closed and an item flagged closed, then
    leave the folder as an older version would have: the document redacted by caption only,
    every attachment of it downloaded (and its text cached), and ``older`` the stamp that says so
    (the state's removed; the folder's own missing, or older)."""
    ident = meeting_id_of(MEETING)
    open_points = [p for p in json.loads(portal.documents[ident])["Dagsordenpunkter"] if p.get("Bilag")]
    open_points = [p for p in open_points if not p["Caption"].startswith("Lukket")]
    titled, flagged = open_points[0], open_points[1]
    closed_pdf = str(titled["Bilag"][0]["Id"])
    flagged_pdfs = {str(b["Id"]) for b in flagged["Bilag"]}

    def close(document: dict[str, Any]) -> None:
        for point in document["Dagsordenpunkter"]:
            if point["Id"] == titled["Id"]:
                point["Bilag"][0]["Navn"] = f"Bilag 2 (lukket) - Personsag {TITLE_MARK}"
            if point["Id"] == flagged["Id"]:
                point["Lukket"] = True
                point["Caption"] = point["Navn"] = f"{point['Caption']} {ITEM_MARK}"

    portal.change(ident, close)
    target.run(portal.url)
    folder = target.folder
    stored = folder / "meetings" / f"{ident}.json"
    now = stored.read_text("utf-8")

    # The folder as an older version left it: the document redacted by caption only, every
    # attachment of it downloaded (and its text cached), no redaction rule in the state.
    old = _old_redact(json.loads(portal.documents[ident]))
    assert TITLE_MARK in json.dumps(old, ensure_ascii=False) and ITEM_MARK in json.dumps(old, ensure_ascii=False)
    stored.write_text(json.dumps(old, ensure_ascii=False), "utf-8")
    cached: list[Path] = []
    for pdf in {closed_pdf, *flagged_pdfs}:
        data = portal.pdf_for(pdf) + f"\n%{TITLE_MARK}\n".encode()  # content no open attachment has
        (folder / "bilag" / f"{pdf}.pdf").write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        text = target.text_cache / digest[:2] / f"{digest}.json"
        text.parent.mkdir(parents=True, exist_ok=True)
        text.write_text(json.dumps({"text": TITLE_MARK, "status": "extracted", "problem": None}), "utf-8")
        cached.append(text)
    state = target.state()
    assert state["redaction_rule"] == REDACTION_RULE
    assert (folder / RULE_FILE).read_text("utf-8").strip() == str(REDACTION_RULE)
    if older == "state":
        state.pop("redaction_rule", None)
    elif older == "folder stamp missing":
        (folder / RULE_FILE).unlink()
    else:
        (folder / RULE_FILE).write_text(f"{REDACTION_RULE - 1}\n", "utf-8")
    state["meetings"][ident]["digest"] = digest_of(old)
    target.save_state(state)
    open_pdfs = {p.name for p in (folder / "bilag").glob("*.pdf")} - {f"{i}.pdf" for i in {closed_pdf, *flagged_pdfs}}
    assert open_pdfs, "the other open items' attachments were downloaded"

    return Aged(folder, stored, now, old, cached, open_pdfs, 1 + len(flagged_pdfs))


@pytest.mark.parametrize("older", ["state", "folder stamp missing", "folder stamp older"])
def test_a_folder_written_under_an_older_rule_is_redacted_again_when_the_portal_answers_unchanged(
    portal: Portal, target: Target, older: str
) -> None:
    """Before: the portal answered 304, so the stored document and its files were kept as the
    older version wrote them: the closed attachment's title and PDF, the flagged item's text and
    attachments, and the cached text of those PDFs.  ``older``: which stamp says so — the
    state's, or (the state current: on PostgreSQL the database's, with the folder swapped for an
    older copy, restored from a backup or copied from another host) the folder's own, which an
    older version never wrote; before the folder stamp those two were never swept."""
    aged = _aged(portal, target, older)
    folder, stored, now, old, cached, open_pdfs = (
        aged.folder,
        aged.stored,
        aged.now,
        aged.old,
        aged.cached,
        aged.open_pdfs,
    )

    summary = target.run(portal.url)
    assert summary.unchanged == 1 and summary.changed == 0
    assert portal.served("/api/agenda/dagsorden/", 304), "the portal answered unchanged"
    assert stored.read_text("utf-8") == now == json.dumps(redact(old), ensure_ascii=False)
    kept = {p.name for p in (folder / "bilag").glob("*.pdf")}
    assert kept == open_pdfs, "the closed ones' PDFs go, the open ones' stay"
    assert not any(p.exists() for p in cached)
    for path in target.written():
        data = path.read_bytes()
        assert TITLE_MARK.encode() not in data and ITEM_MARK.encode() not in data, path
    assert "1 meeting document(s) redacted again" in summary.swept
    assert f"{aged.released} attachment(s) and {len(cached)} cached text(s) deleted" in summary.swept
    assert target.state()["redaction_rule"] == REDACTION_RULE
    assert (folder / RULE_FILE).read_text("utf-8").strip() == str(REDACTION_RULE)

    again = target.run(portal.url)
    assert again.swept == "" and again.unchanged == 1, "a folder stamped current is not read again"


def test_a_new_folder_is_stamped_with_the_current_rule(portal: Portal, tmp_path: Path) -> None:
    root = tmp_path / "ix"
    assert run(portal.url, root, attachments=True).swept == ""
    [folder] = (root / "harvest").iterdir()
    assert json.loads((folder / "state.json").read_text("utf-8"))["redaction_rule"] == REDACTION_RULE
    assert (folder / RULE_FILE).read_text("utf-8") == f"{REDACTION_RULE}\n"


def _item_ids(target: Target) -> set[str]:
    if target.url is None:
        return {str(stored["id"]) for stored in MinutesIndex.open(target.root).iter_stored()}
    with psycopg.connect(target.url) as conn:
        return {str(row[0]) for row in conn.execute("SELECT id FROM items")}


@pytest.mark.parametrize("older", ["state", "folder stamp missing"])
def test_reindex_redacts_an_older_folder_before_reading_it(
    portal: Portal, target: Target, older: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: ``minutes reindex`` read the folder as the older rule left it, and the files it let
    through stayed until the next harvest.  Now the rebuild reads the folder redacted again (and
    holds every item it held before), the deleted PDFs' cached text goes with the swap, one line
    says so, and the next harvest finds nothing left to do."""
    aged = _aged(portal, target, older)
    held = _item_ids(target)
    assert held
    index = target.url or str(target.root)
    capsys.readouterr()
    assert main(["reindex", "--index", index]) == 0
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "older redaction rule" in line]
    assert len(said) == 1, f"one line names the folder swept: {err}"
    assert said == [
        f"harvest folder {aged.folder}: written under an older redaction rule; 1 meeting document(s) redacted "
        f"again and {aged.released} attachment(s) deleted before the rebuild read it ({said[0].rsplit('(', 1)[1]}"
    ], err
    assert aged.stored.read_text("utf-8") == aged.now
    assert {p.name for p in (aged.folder / "bilag").glob("*.pdf")} == aged.open_pdfs
    assert not any(p.exists() for p in aged.cached)
    for path in target.written():
        data = path.read_bytes()
        assert TITLE_MARK.encode() not in data and ITEM_MARK.encode() not in data, path
    assert _item_ids(target) == held, "the rebuild holds every item the index held"
    assert (aged.folder / RULE_FILE).read_text("utf-8") == f"{REDACTION_RULE}\n"

    again = target.run(portal.url)
    assert again.swept == "" and again.unchanged == 1 and again.changed == 0
