"""What the harvest keeps in its folder (``harvest/<host>/``) follows closure and take-downs, as
the index does: an item turned closed or withdrawn on the portal takes its downloaded
attachments with it at the run that fetches that version, and an item or meeting taken down
with ``minutes forget`` leaves the stored documents and attachments at the next run — the
meeting's document is not fetched again while the take-down stands.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.engines.whoosh.index import MinutesIndex
from tests.harvest.helpers import ONE_MEETING, meeting_id_of, run
from tests.harvest.portal import Portal

MEETING = ONE_MEETING  # served by the portal fixture (conftest.py)


def _folder(root: Path) -> Path:
    [folder] = (root / "harvest").iterdir()
    return folder


def _kept(root: Path) -> set[str]:
    """The files of the harvest folder, as ``meetings/<id>.json`` and ``bilag/<id>.pdf``."""
    folder = _folder(root)
    return {f"{p.parent.name}/{p.name}" for p in folder.glob("*/*") if p.is_file()}


def _with_bilag(portal: Portal) -> dict:
    document = json.loads(portal.documents[meeting_id_of(MEETING)])
    return next(p for p in document["Dagsordenpunkter"] if p.get("Bilag") and not p["Caption"].startswith("Lukket"))


def test_an_item_turned_closed_takes_its_downloaded_attachments_with_it(portal: Portal, tmp_path: Path) -> None:
    """Before: the closed item's ``bilag/<id>.pdf`` stayed in the folder for good."""
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    target = _with_bilag(portal)
    bilag = {f"bilag/{b['Id']}.pdf" for b in target["Bilag"]}
    assert bilag <= _kept(root)

    def close(document: dict) -> None:
        for point in document["Dagsordenpunkter"]:
            if point["Caption"] == target["Caption"]:
                point["Caption"] = point["Navn"] = "Lukket: " + point["Caption"]

    portal.change(meeting_id_of(MEETING), close)
    assert run(portal.url, root, attachments=True).changed == 1
    assert not bilag & _kept(root)
    assert any(name.startswith("bilag/") for name in _kept(root)), "the open items' attachments stay"


def _forget(capsys: pytest.CaptureFixture[str], root: Path, ident: str) -> str:
    capsys.readouterr()
    assert main(["forget", ident, "--reason", "test", "--index", str(root)]) == 0
    return capsys.readouterr().out


def _item_with_bilag(root: Path, target: dict) -> str:
    [item_id] = [
        f["id"]
        for f in MinutesIndex.open(root).iter_stored()
        if f.get("title") == " ".join(str(target["Caption"]).split()) or f.get("number") == str(target["Number"])
    ][:1]
    return item_id


def test_a_forgotten_meeting_leaves_the_harvest_folder_at_once(
    portal: Portal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: ``meetings/<id>.json`` (all the open text) and the attachments stayed after
    ``minutes forget`` until the portal's next harvest run, and ``minutes reindex`` reads that folder."""
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    assert any(name.startswith("bilag/") for name in _kept(root))
    with MinutesIndex.open(root).ix.searcher() as searcher:
        [meeting_id] = {f["meeting_id"] for f in searcher.all_stored_fields()}
    out = _forget(capsys, root, meeting_id)
    assert _kept(root) == set(), "nothing of the meeting is left once forget has returned"
    assert f"harvest folder {_folder(root)}: 1 meeting document(s) deleted" in out

    again = run(portal.url, root, attachments=True)
    assert _kept(root) == set()
    assert again.new == 0 and MinutesIndex.open(root).doc_count() == 0
    fetched = portal.served_so_far("/api/agenda/dagsorden/")
    run(portal.url, root, attachments=True)
    assert portal.served_so_far("/api/agenda/dagsorden/") == fetched, "not fetched while the take-down stands"
    assert _kept(root) == set()


def test_a_forgotten_item_is_cut_down_to_a_stub_in_the_stored_document_at_once(
    portal: Portal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    target = _with_bilag(portal)
    out = _forget(capsys, root, _item_with_bilag(root, target))

    stored = _folder(root) / "meetings" / f"{meeting_id_of(MEETING)}.json"
    assert target["Caption"] not in stored.read_text("utf-8")
    assert not {f"bilag/{b['Id']}.pdf" for b in target["Bilag"]} & _kept(root)
    assert "1 cut down to stubs" in out
    run(portal.url, root, attachments=True)
    assert target["Caption"] not in stored.read_text("utf-8")
    assert MinutesIndex.open(root).doc_count() > 0, "the meeting's other items stay"


def test_a_forgotten_item_of_a_meeting_fetched_again_is_not_written_back(
    portal: Portal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: when the meeting changed on the portal after the take-down, the next run wrote its
    new document whole — the forgotten item's text — and downloaded that item's attachments again
    (the index left the item out; the folder kept it for good)."""
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    target = _with_bilag(portal)
    _forget(capsys, root, _item_with_bilag(root, target))

    def touch(document: dict) -> None:
        document["Moede"]["Sted"] = "Mødelokale 2"

    portal.change(meeting_id_of(MEETING), touch)
    assert run(portal.url, root, attachments=True).changed == 1
    stored = _folder(root) / "meetings" / f"{meeting_id_of(MEETING)}.json"
    assert "Mødelokale 2" in stored.read_text("utf-8")
    assert target["Caption"] not in stored.read_text("utf-8")
    assert not {f"bilag/{b['Id']}.pdf" for b in target["Bilag"]} & _kept(root)


def test_a_harvest_folder_the_index_has_not_recorded_is_named_and_cleaned_at_the_next_run(
    portal: Portal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A harvest stopped before its end has not recorded its folder as a source: forget cannot
    read its documents as the harvest did, and says so instead of saying nothing."""
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    (root / "sources.json").unlink()  # as a first run killed before its last step leaves it
    with MinutesIndex.open(root).ix.searcher() as searcher:
        [meeting_id] = {f["meeting_id"] for f in searcher.all_stored_fields()}
    out = _forget(capsys, root, meeting_id)
    assert f"harvest of {_folder(root)}: its folder is not recorded in this index" in out
    assert _kept(root), "left as it was"
    run(portal.url, root, attachments=True)
    assert _kept(root) == set()


def test_an_item_the_portal_flags_closed_keeps_nothing_in_the_folder(portal: Portal, tmp_path: Path) -> None:
    """The format reads an item as closed by its caption ("Lukket: …") or by ``"Lukket": true``;
    the harvester's redaction read the caption only, so an item flagged closed under an ordinary
    caption was kept whole in ``meetings/<id>.json`` (its caption and text) and its attachments
    downloaded to ``bilag/``, though the index showed it as a closed stub."""
    target = _with_bilag(portal)
    marker = "flagklappesnude"

    def flag(document: dict) -> None:
        for point in document["Dagsordenpunkter"]:
            if point["Caption"] == target["Caption"]:
                point["Lukket"] = True
                point["Caption"] = point["Navn"] = f"{point['Caption']} {marker}"

    portal.change(meeting_id_of(MEETING), flag)
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    bilag = {f"bilag/{b['Id']}.pdf" for b in target["Bilag"]}
    kept = _kept(root)
    assert not bilag & kept
    assert any(name.startswith("bilag/") for name in kept), "the open items' attachments are downloaded"
    folder = _folder(root)
    for path in folder.rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes(), path
    [stored] = (folder / "meetings").glob("*.json")
    points = json.loads(stored.read_text("utf-8"))["Dagsordenpunkter"]
    [stub] = [p for p in points if p.get("Id") == target["Id"]]
    assert stub["Caption"] == "Lukket punkt" and not stub["Felter"] and not stub["Bilag"]


def test_a_fetched_document_that_cannot_be_read_for_ids_does_not_bring_a_forgotten_item_back(
    portal: Portal, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cut reads a fetched document as an ingest does, for its items' ids; a document it could
    not read (here the portal's next version lost its meeting date) was kept whole — the forgotten
    item's text — and its attachments downloaded again, though the ingest then refused it.  Not
    knowing which item was taken down, the folder keeps nothing of it (default deny); a later
    readable version is fetched as usual."""
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    target = _with_bilag(portal)
    _forget(capsys, root, _item_with_bilag(root, target))
    bilag = {f"bilag/{b['Id']}.pdf" for b in target["Bilag"]}
    assert not bilag & _kept(root)
    kept = dict(json.loads(portal.documents[meeting_id_of(MEETING)])["Moede"])

    def undated(document: dict) -> None:
        document["Moede"]["Dato"] = document["Moede"]["MeetingBeginUtc"] = ""

    portal.change(meeting_id_of(MEETING), undated)
    run(portal.url, root, attachments=True)
    stored = _folder(root) / "meetings" / f"{meeting_id_of(MEETING)}.json"
    assert not stored.exists() or target["Caption"] not in stored.read_text("utf-8")
    assert not bilag & _kept(root)

    def dated(document: dict) -> None:
        document["Moede"] = kept

    portal.change(meeting_id_of(MEETING), dated)
    run(portal.url, root, attachments=True)
    assert stored.is_file() and target["Caption"] not in stored.read_text("utf-8")
    assert not bilag & _kept(root)
    assert MinutesIndex.open(root).doc_count() > 0


def test_an_attachment_titled_closed_of_an_open_item_keeps_nothing_in_the_folder(
    portal: Portal, tmp_path: Path
) -> None:
    """An attachment whose title marks it closed ("Bilag 2 (lukket) - …", ``model.title_marks_closed``)
    of an open item is closed in the index, but the harvester kept its title in
    ``meetings/<id>.json`` and downloaded its PDF to ``bilag/``.  Now it is kept as "Bilag N (lukket)"
    with no id: nothing of it is written, and it is still read as a closed attachment."""
    target = _with_bilag(portal)
    marker = "qzvlukketbilagharvest"
    [first, *others] = target["Bilag"]

    def retitle(document: dict) -> None:
        for point in document["Dagsordenpunkter"]:
            if point["Caption"] == target["Caption"]:
                point["Bilag"][0]["Navn"] = f"Bilag 2 (lukket) - Personsag {marker}"

    portal.change(meeting_id_of(MEETING), retitle)
    assert marker.encode() in portal.documents[meeting_id_of(MEETING)]
    root = tmp_path / "ix"
    run(portal.url, root, attachments=True)
    kept = _kept(root)
    assert f"bilag/{first['Id']}.pdf" not in kept
    assert {f"bilag/{b['Id']}.pdf" for b in others} <= kept, "its open siblings are downloaded"
    for path in root.rglob("*"):
        if path.is_file():
            assert marker.encode() not in path.read_bytes(), path
    [stored] = (_folder(root) / "meetings").glob("*.json")
    points = json.loads(stored.read_text("utf-8"))["Dagsordenpunkter"]
    [point] = [p for p in points if p.get("Id") == target["Id"]]
    assert point["Bilag"][0] == {"Navn": "Bilag 2 (lukket)", "HarPdfVersion": False}
    [item] = [f for f in MinutesIndex.open(root).iter_stored() if f.get("id") == _item_with_bilag(root, target)]
    titles = str(item.get("attachment_titles"))
    assert all(b["Navn"] in titles for b in others) and "lukket" not in titles.casefold()
