"""Harvest a FirstAgenda portal (``https://dagsordener.<kommune>.dk``) into the index.

The walk: robots.txt, the front page (an anonymous session cookie: without it
the API answers 302), ``/api/agenda/udvalgsliste`` (committees and their
meetings), ``/api/agenda/dagsorden/<id>`` per meeting, ``/vis/pdf/bilag/<id>``
per attachment of an open item.

What is kept, all under ``<index>/harvest/<host>/``:

* ``meetings/<id>.json`` — each meeting's document with its closed items cut
  down to a stub (number and "Lukket punkt") *before* it is written: no closed
  caption, text or attachment reference is ever on disk.  These files are the
  recorded source ``minutes reindex`` reads again.
* ``bilag/<id>.pdf`` — open attachments, downloaded once; deleted when no stored
  meeting document refers to them any more (their item closed or withdrawn on the
  portal: at the run that fetches that version).
* Items and meetings taken down with ``minutes forget`` leave these files at the
  next run (an item is cut down to its stub, a meeting's document is deleted and not
  fetched again while the take-down stands).
* ``state.json`` — per meeting: validators (ETag, Last-Modified) and the hash of
  the stored document, written only after the meeting's batch is committed.  With
  the PostgreSQL engine the state is a row of the database's ``harvest_state``
  table instead (the documents and attachments live in the ``--state`` folder).

So a run killed at any point leaves at worst meetings that were indexed but not
yet recorded; the next run fetches them again, finds the index already holding
them (ingest is idempotent) and records them.  A broken answer (truncated JSON,
an HTML error page, an empty 200) is reported by URL and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO, cast
from urllib.parse import urlsplit

from indexer.attachments import file_hash
from indexer.engines.whoosh.index import IngestSummary, MinutesIndex
from indexer.formats import IngestContext
from indexer.formats.firstagenda import (
    closed_enclosure_stub,
    committee_name,
    is_closed_enclosure,
    is_closed_point,
    municipality_from_host,
)
from indexer.harvest.client import HarvestError, Politeness, PortalClient

LIST_PATH = "/api/agenda/udvalgsliste"
MEETING_PATH = "/api/agenda/dagsorden/{id}"
ATTACHMENT_PATH = "/vis/pdf/bilag/{id}"
_SAFE_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
STATE_VERSION = 1
# The redaction rule the stored documents of a harvest folder were written under, kept in its
# state (``redaction_rule``): 1 closed items by caption, 2 also by the ``Lukket`` flag (1127fb2),
# 3 also attachments whose title marks them closed (2129700).  A folder written under an older
# rule is redacted again at the next run (``HarvestFolder.sweep``): a document the portal answers
# unchanged is never written again, so the run itself would keep what the older rule let through.
REDACTION_RULE = 3
# The same rule, stamped in the folder itself: on PostgreSQL the state is in the database, so a
# folder swapped for an older copy (a backup restored, a copy from another host) would keep the
# database's current stamp; the sweep runs when either stamp is older or missing.
RULE_FILE = "redaction_rule"


@dataclass
class HarvestSummary:
    meetings_seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    attachments_downloaded: int = 0
    attachments_failed: int = 0
    requests: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)  # "url: problem", one per failure
    swept: str = ""  # what redacting the folder again under the current rule did (one line), if it ran
    ingest: IngestSummary = field(default_factory=IngestSummary)

    def line(self) -> str:
        return (
            f"meetings seen: {self.meetings_seen}  new: {self.new}  changed: {self.changed}  "
            f"unchanged: {self.unchanged}  failed: {self.failed}  attachments downloaded: "
            f"{self.attachments_downloaded} (failed: {self.attachments_failed})  requests: {self.requests}  "
            f"bytes: {self.bytes:,}  time: {self.seconds:.1f} s"
        )


@dataclass
class ListedMeeting:
    id: str
    committee: str
    day: date | None


@dataclass
class Fetched:
    listed: ListedMeeting
    status: str  # new | changed | unchanged | failed
    document: dict[str, Any] | None = None
    digest: str = ""
    etag: str | None = None
    last_modified: str | None = None


def portal_folder(index_root: Path, base_url: str) -> Path:
    host = urlsplit(base_url).netloc.replace(":", "_") or "portal"
    return index_root / "harvest" / host


# --------------------------------------------------------------------------- documents


def _stub(point: dict[str, Any]) -> dict[str, Any]:
    """A closed item as it may be kept: its id and number, nothing it says."""
    return {
        "Id": point.get("Id"),
        "Number": point.get("Number"),
        "Punktnummer": point.get("Punktnummer"),
        "Sorting": point.get("Sorting"),
        "Caption": "Lukket punkt",
        "Navn": "Lukket punkt",
        "IsOpen": False,
        "Felter": [],
        "Bilag": [],
    }


def _read_json(path: Path) -> dict[str, Any]:
    """A stored meeting document, or {} when there is none (or it cannot be read)."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def redact(document: dict[str, Any]) -> dict[str, Any]:
    """The document as it may be kept: closed items reduced to their id and number, closed
    attachments of open items to "Bilag N (lukket)".

    The portal marks a closed item by its caption ("Lukket: …") or its ``Lukket`` flag, as the
    format reads it (``is_closed_point``); its caption, case text, field HTML and attachment
    list are dropped here, in memory, before anything is written or hashed.  An attachment whose
    title marks it closed (``is_closed_enclosure``) loses its title and id, so neither its title
    is written nor its PDF downloaded."""
    points = []
    for point in document.get("Dagsordenpunkter") or []:
        if not isinstance(point, dict):
            continue
        if is_closed_point(point):
            point = _stub(point)
        elif isinstance(point.get("Bilag"), list):
            enclosures = [
                closed_enclosure_stub(b) if isinstance(b, dict) and is_closed_enclosure(b) else b
                for b in point["Bilag"]
            ]
            point = {**point, "Bilag": enclosures}
        points.append(point)
    kept = dict(document)
    kept["Dagsordenpunkter"] = points
    return kept


def check_document(url: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Parse a meeting document or say, naming the URL, why it is not one."""
    if not body.strip():
        raise HarvestError(url, "empty answer (HTTP 200 with no body)")
    head = body.lstrip()[:200].lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        raise HarvestError(url, "an HTML page where a JSON document was expected (an error page?)")
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HarvestError(url, f"broken JSON ({str(exc).splitlines()[0][:80]})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("Dagsordenpunkter"), list):
        raise HarvestError(url, "JSON without a Dagsordenpunkter list")
    if not document["Dagsordenpunkter"]:
        raise HarvestError(url, "a meeting document with no items")
    return document


def digest_of(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def listed_meetings(url: str, body: bytes) -> list[ListedMeeting]:
    """``{"Udvalg": {"<group>": [{"Navn", "Id", "Moeder": [{"Id", "Dato"}]}]}}`` → meetings."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HarvestError(url, f"broken committee list ({str(exc).splitlines()[0][:80]})") from exc
    groups = data.get("Udvalg") if isinstance(data, dict) else None
    if not isinstance(groups, dict):
        raise HarvestError(url, "committee list without an Udvalg object")
    found: dict[str, ListedMeeting] = {}
    for committees in groups.values():
        for committee in committees if isinstance(committees, list) else []:
            if not isinstance(committee, dict):
                continue
            name = str(committee.get("Navn") or "")
            for meeting in committee.get("Moeder") or []:
                ident = str(meeting.get("Id") or "") if isinstance(meeting, dict) else ""
                if not _SAFE_ID.match(ident) or ident in found:
                    continue
                when = str(meeting.get("Dato") or "")[:10]
                try:
                    day = date.fromisoformat(when)
                except ValueError:
                    day = None
                found[ident] = ListedMeeting(ident, name, day)
    return sorted(found.values(), key=lambda m: (m.day or date.min, m.id))


# --------------------------------------------------------------------------- state


def load_state(folder: Path) -> dict[str, Any]:
    try:
        state = json.loads((folder / "state.json").read_text("utf-8"))
    except FileNotFoundError:
        return {"version": STATE_VERSION, "meetings": {}}
    except (OSError, ValueError):
        # A damaged state costs a full re-fetch, never a wrong index: ingest is idempotent.
        return {"version": STATE_VERSION, "meetings": {}}
    if not isinstance(state, dict) or not isinstance(state.get("meetings"), dict):
        return {"version": STATE_VERSION, "meetings": {}}
    return state


def save_state(folder: Path, state: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / "state.json", json.dumps(state, ensure_ascii=False, indent=0).encode("utf-8"))


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(target)


# --------------------------------------------------------------------------- take-downs


@dataclass
class Cut:
    """What taking items and meetings down did to a harvest folder."""

    deleted: set[Path] = field(default_factory=set)  # meeting documents deleted
    rewritten: set[Path] = field(default_factory=set)  # documents with items cut to stubs
    released: set[str] = field(default_factory=set)  # attachment ids no longer referred to by those
    unreadable: set[Path] = field(default_factory=set)  # deleted as they could not be read for their ids
    attachments_deleted: int = 0

    def line(self, folder: Path) -> str:
        return (
            f"harvest folder {folder}: {len(self.deleted)} meeting document(s) deleted, "
            f"{len(self.rewritten)} cut down to stubs, {self.attachments_deleted} attachment(s) deleted"
        )


@dataclass
class Sweep:
    """What redacting a harvest folder again under the current rule did (``HarvestFolder.sweep``)."""

    rewritten: list[Path] = field(default_factory=list)  # meeting documents redacted again
    released: set[str] = field(default_factory=set)  # content hashes of the attachments deleted
    texts_dropped: int = 0  # cached texts (and archived copies) of those no open item refers to
    seconds: float = 0.0

    def line(self, folder: Path) -> str:
        return (
            f"harvest folder {folder}: written under an older redaction rule; {len(self.rewritten)} meeting "
            f"document(s) redacted again, {len(self.released)} attachment(s) and {self.texts_dropped} cached "
            f"text(s) deleted ({self.seconds:.2f} s)"
        )

    def reindex_line(self, folder: Path) -> str:
        """``minutes reindex``'s: the cached texts go with the rebuild's own pruning."""
        return (
            f"harvest folder {folder}: written under an older redaction rule; {len(self.rewritten)} meeting "
            f"document(s) redacted again and {len(self.released)} attachment(s) deleted before the rebuild "
            f"read it ({self.seconds:.2f} s)"
        )


class HarvestFolder:
    """The files a harvest keeps for one portal (``meetings/``, ``bilag/``), and how a take-down
    leaves them: shared by the harvest (for what it fetches) and ``minutes forget`` (at once)."""

    def __init__(self, folder: Path, context: IngestContext) -> None:
        self.folder = folder
        self.meetings_dir = folder / "meetings"
        self.bilag_dir = folder / "bilag"
        self.context = context  # the ids depend on it (the municipality): read as the ingest read them

    def release_bilag(self, candidates: set[str]) -> int:
        """Delete the downloaded attachments among ``candidates`` no stored meeting document
        refers to any more.  Returns the number deleted."""
        return len(self.release_bilag_files(candidates))

    def release_bilag_files(self, candidates: set[str]) -> set[str]:
        """``release_bilag``, returning the content hashes of the files deleted: their extracted
        text (the index's text cache, keyed by content hash) may have to go as well."""
        if not candidates:
            return set()
        referred: set[str] = set()
        for stored in self.meetings_dir.glob("*.json"):
            referred |= set(_pdf_ids(_read_json(stored)))
        deleted: set[str] = set()
        for ident in candidates - referred:
            path = self.bilag_dir / f"{ident}.pdf"
            if _SAFE_ID.match(ident) and path.is_file():
                deleted.add(file_hash(path))
                path.unlink()
        return deleted

    def folder_rule(self) -> int | None:
        """The redaction rule stamped in the folder (``RULE_FILE``); None when missing or unreadable."""
        try:
            return int((self.folder / RULE_FILE).read_text("utf-8").strip())
        except (OSError, ValueError):
            return None

    def holds_meetings(self) -> bool:
        return self.meetings_dir.is_dir() and any(self.meetings_dir.glob("*.json"))

    def stamp(self) -> None:
        """Stamp the folder with the current rule once it holds documents (only ever after they
        have been redacted under it); a folder not yet made is left unmade."""
        if self.meetings_dir.is_dir() and self.folder_rule() != REDACTION_RULE:
            _atomic_write(self.folder / RULE_FILE, f"{REDACTION_RULE}\n".encode())

    def is_current(self, state: dict[str, Any]) -> bool:
        """Whether both stamps say the current rule: the state's (``redaction_rule``) and the
        folder's own (``RULE_FILE``; missing is fine while the folder holds no document)."""
        if state.get("redaction_rule") != REDACTION_RULE:
            return False
        return self.folder_rule() == REDACTION_RULE or not self.holds_meetings()

    def sweep(self, state: dict[str, Any]) -> Sweep | None:
        """Redact again every stored document when the folder was written under an older rule
        (``REDACTION_RULE``, stamped in ``state`` and in the folder, ``is_current``): a document
        changed by it is rewritten (its state digest follows, so an unchanged portal answer stays
        unchanged) and the attachments no stored document refers to any more are deleted.  None
        when both stamps are current (nothing read); else what was done, and ``state`` stamped:
        save it, then ``stamp`` the folder (a run stopped in between sweeps again)."""
        if self.is_current(state):
            return None
        started = time.monotonic()
        done = Sweep()
        released: set[str] = set()
        for path in sorted(self.meetings_dir.glob("*.json")) if self.meetings_dir.is_dir() else []:
            document = _read_json(path)
            if not isinstance(document.get("Dagsordenpunkter"), list):
                continue  # not a document an ingest reads; left as the take-down step leaves it
            kept = redact(document)
            if kept == document:
                continue
            released |= set(_pdf_ids(document)) - set(_pdf_ids(kept))
            _atomic_write(path, json.dumps(kept, ensure_ascii=False).encode("utf-8"))
            done.rewritten.append(path)
            entry = state["meetings"].get(path.stem)
            if isinstance(entry, dict) and entry.get("digest"):
                entry["digest"] = digest_of(kept)
        done.released = self.release_bilag_files(released)
        state["redaction_rule"] = REDACTION_RULE
        done.seconds = time.monotonic() - started
        return done

    def cut_taken_down(self, stored: list[Path], taken_down: set[str], state: dict[str, Any]) -> Cut:
        """Among the ``stored`` documents: a meeting taken down (or all of whose items are) is
        deleted and marked in ``state`` so it is not fetched again while the take-down stands;
        an item taken down is cut to a closed item's stub.  Attachments are not deleted here
        (``release_bilag``: another document may refer to them)."""
        from indexer.formats.firstagenda import parse  # the reading an ingest does, for the ids

        cut = Cut()
        for path in stored:
            document = _read_json(path)
            try:
                [meeting] = list(parse(path, self.context))
            except Exception:  # unreadable: an ingest could not read it either
                # Which of its items were taken down cannot be told: keep nothing of it (default
                # deny) and fetch it in full next time, not marked as taken down.
                cut.released |= set(_pdf_ids(document))
                path.unlink(missing_ok=True)
                cut.deleted.add(path)
                cut.unreadable.add(path)
                entry = state["meetings"].setdefault(path.stem, {})
                entry.update(etag=None, last_modified=None, digest="")
                continue
            if meeting.id in taken_down or all(i.id in taken_down for i in meeting.items):
                cut.released |= set(_pdf_ids(document))
                path.unlink()
                cut.deleted.add(path)
                entry = state["meetings"].setdefault(path.stem, {})
                entry.update(forgotten=meeting.id, etag=None, last_modified=None, digest="")
                continue
            gone = {i.source_key for i in meeting.items if i.id in taken_down and i.source_key}
            if not gone:
                continue
            kept = dict(document)
            kept["Dagsordenpunkter"] = [
                _stub(p) if isinstance(p, dict) and str(p.get("Id")) in gone else p
                for p in document.get("Dagsordenpunkter") or []
            ]
            cut.released |= set(_pdf_ids(document)) - set(_pdf_ids(kept))
            _atomic_write(path, json.dumps(kept, ensure_ascii=False).encode("utf-8"))
            cut.rewritten.add(path)
        return cut

    def apply_takedowns(self, taken_down: set[str], state: dict[str, Any]) -> Cut | None:
        """Items and meetings taken down since ``state`` last saw the take-downs leave the folder
        (``cut_taken_down`` on every stored document, then the attachments no document refers
        to any more); a take-down undone (``--allow-forgotten``) lets its meeting be fetched
        again.  The stored documents are parsed only when there is a take-down this folder has
        not seen yet.  Returns None when there was nothing to do (``state`` unchanged but for
        the list of take-downs seen), else what was done: save ``state`` then."""
        seen = set(state.get("takedowns_seen") or [])
        undone = False
        for entry in state["meetings"].values():  # a take-down undone (--allow-forgotten): fetch again
            if entry.get("forgotten") and entry["forgotten"] not in taken_down:
                entry.pop("forgotten")
                entry["digest"] = ""
                undone = True
        if not (taken_down - seen) or not self.meetings_dir.is_dir():
            state["takedowns_seen"] = sorted(taken_down)
            return Cut() if undone else None
        cut = self.cut_taken_down(sorted(self.meetings_dir.glob("*.json")), taken_down, state)
        cut.attachments_deleted = self.release_bilag(cut.released)
        state["takedowns_seen"] = sorted(taken_down)
        return cut


def recorded_folders(sources: list[dict[str, Any]]) -> dict[str, tuple[Path, IngestContext]]:
    """The harvest folders among an index's recorded sources, by portal (host[:port]): a harvest
    records its ``meetings/`` folder as a ``firstagenda`` source whose context names the portal
    (``base_url``, which only a harvest sets), with the context its documents are read with."""
    recorded: dict[str, tuple[Path, IngestContext]] = {}
    for source in sources:
        context = source.get("context") if isinstance(source, dict) else None
        extras = context.get("extras") if isinstance(context, dict) else None
        base = extras.get("base_url") if isinstance(extras, dict) else None
        meetings = Path(str(source.get("path") or ""))
        if source.get("format") != "firstagenda" or not base or meetings.name != "meetings":
            continue
        assert isinstance(context, dict) and isinstance(extras, dict)
        recorded[urlsplit(str(base)).netloc] = (
            meetings.parent,
            IngestContext(
                municipality=context.get("municipality"),
                extract_text=bool(context.get("extract_text", True)),
                extras={str(k): str(v) for k, v in extras.items()},
            ),
        )
    return recorded


def sweep_recorded(sources: list[dict[str, Any]], database: Any = None) -> tuple[list[str], set[str]]:
    """``minutes reindex``: redact again, under the current rule, every harvest folder among the
    recorded ``sources`` (a ``firstagenda`` source whose context names the portal, ``base_url``:
    only a harvest records one), before the rebuild reads it; a line for each folder changed.

    Call it under the index's run lock (no harvest writes the folder meanwhile).  Nothing the
    index may hold is lost: the sweep removes only what the current rule keeps out, which the
    ingest's parser keeps out of the index as well (``is_closed_point``, closed attachment titles).
    A folder whose state is beside it (an index folder's harvest, ``state.json``) has that state's
    digests and stamp updated as the harvest's sweep does.  On PostgreSQL (``database``, the live
    engine) the state's stamp is read but the state is not written (the reindex's rebuild is
    beside it): the next harvest's sweep finds nothing to rewrite and only stamps it (a digest left
    older costs that meeting one ingest on a changed answer, no more)."""
    lines: list[str] = []
    released: set[str] = set()
    for portal, (folder, context) in sorted(recorded_folders(sources).items()):
        if not folder.is_dir():
            continue  # gone: the reindex refuses it by name (sources_to_replay)
        kept = HarvestFolder(folder, context)
        beside = database is None and (kept.folder / "state.json").is_file()
        state = load_state(kept.folder) if beside else {"meetings": {}, "redaction_rule": REDACTION_RULE}
        stored = database.harvest_state(portal) if database is not None else None
        if isinstance(stored, dict) and isinstance(stored.get("meetings"), dict):
            state = stored  # a copy: its digests and stamp follow at the next harvest
        done = kept.sweep(state)
        if done is None:
            continue
        if beside:
            save_state(kept.folder, state)
        kept.stamp()
        released |= done.released
        if done.rewritten or done.released:
            lines.append(done.reindex_line(kept.folder))
    return lines, released


def clean_after_takedown(index: Any, database: Any = None) -> list[str]:
    """``minutes forget``: what was just taken down leaves the harvest folders at once, not at their
    portal's next run.  The folders are those the index recorded as sources (a harvest records its
    ``meetings/`` folder, with the context its documents are read with).  Returns one line per
    folder changed, and one per harvest the index knows of without its folder (a harvest stopped
    before it recorded its source; a moved ``--state`` folder): those are cleaned at their next run.
    ``database`` is the PostgreSQL engine when the harvest state lives there."""
    taken_down = set(index.takedowns().ids())
    lines: list[str] = []
    recorded = recorded_folders(index.sources())
    for portal, (folder, context) in sorted(recorded.items()):
        if not folder.is_dir():
            lines.append(f"harvest folder {folder} (recorded for {portal}) not found: nothing there to clean")
            continue
        state: dict[str, Any] | None = database.harvest_state(portal) if database is not None else load_state(folder)
        if not isinstance(state, dict) or not isinstance(state.get("meetings"), dict):
            state = {"version": STATE_VERSION, "meetings": {}}
        cut = HarvestFolder(folder, context).apply_takedowns(taken_down, state)
        if cut is None:
            continue
        if database is not None:
            database.save_harvest_state(portal, state)
        else:
            save_state(folder, state)
        if cut.deleted or cut.rewritten or cut.attachments_deleted:
            lines.append(cut.line(folder))
    if database is not None:
        unknown = sorted(set(database.harvest_portals()) - set(recorded))
    else:
        harvests = index.root / "harvest"
        known = {folder.resolve() for folder, _ in recorded.values()}
        found = sorted(f for f in harvests.iterdir() if f.is_dir()) if harvests.is_dir() else []
        unknown = [str(f) for f in found if f.resolve() not in known and (f / "meetings").is_dir()]
    for name in unknown:
        lines.append(
            f"harvest of {name}: its folder is not recorded in this index (a harvest stopped before its end?); "
            "what was taken down leaves it at that portal's next harvest run"
        )
    return lines


# --------------------------------------------------------------------------- the run


@dataclass
class HarvestOptions:
    since: date | None = None
    committees: list[str] = field(default_factory=list)
    municipality: str | None = None
    attachments: bool = True
    extract_text: bool = True
    batch_items: int = 1000


class Harvester:
    def __init__(
        self,
        base_url: str,
        index_root: Path | str,
        politeness: Politeness,
        options: HarvestOptions | None = None,
        client: PortalClient | None = None,
        stream: TextIO = sys.stderr,
        state_root: Path | None = None,
    ) -> None:
        self.client = client or PortalClient(base_url, politeness)
        self.base = self.client.base
        # An index folder, or a postgresql:// URL (then the state is in the database and the
        # documents and attachments in ``state_root``).
        self.location = index_root if _is_database(index_root) else Path(index_root)
        if state_root is None and isinstance(self.location, str):
            raise ValueError(
                "a harvest into a database keeps the documents and attachments it fetched in a folder: give --state DIR"
            )
        self.options = options or HarvestOptions()
        self.folder = portal_folder(Path(state_root or self.location), self.base)
        self.meetings_dir = self.folder / "meetings"
        self.bilag_dir = self.folder / "bilag"
        self.kept = HarvestFolder(self.folder, self.context())
        self.stream = stream
        self.summary = HarvestSummary()

    # What a later `minutes reindex` needs to read the stored documents exactly as this run did.
    def context(self) -> IngestContext:
        municipality = self.options.municipality or municipality_from_host(self.base) or None
        extras = {"base_url": self.base}
        if self.options.attachments:
            extras["attachments_dir"] = str(self.bilag_dir)
        return IngestContext(municipality=municipality, extract_text=self.options.extract_text, extras=extras)

    def wanted(self, meeting: ListedMeeting) -> bool:
        if self.options.since and meeting.day and meeting.day < self.options.since:
            return False
        if self.options.committees:
            names = {n.casefold() for n in self.options.committees} | {
                committee_name(n).casefold() for n in self.options.committees
            }
            if meeting.committee.casefold() not in names and committee_name(meeting.committee).casefold() not in names:
                return False
        return True

    def run(self) -> HarvestSummary:
        started = time.monotonic()
        index = _open_target(self.location)
        try:
            with index.ingest_lock():
                self._run(index)
        finally:
            if isinstance(self.location, str):
                index.engine.close()  # the database's connection pool, opened for this run
            self.summary.requests = self.client.traffic.requests
            self.summary.bytes = self.client.traffic.bytes
            self.summary.seconds = time.monotonic() - started
        return self.summary

    def _load_state(self, index: Any) -> dict[str, Any]:
        database = getattr(index, "engine", None) if isinstance(self.location, str) else None
        if database is None:
            return load_state(self.folder)
        state = database.harvest_state(urlsplit(self.base).netloc)
        if not isinstance(state, dict) or not isinstance(state.get("meetings"), dict):
            return {"version": STATE_VERSION, "meetings": {}}
        return state

    def _save_state(self, index: Any, state: dict[str, Any]) -> None:
        database = getattr(index, "engine", None) if isinstance(self.location, str) else None
        if database is None:
            save_state(self.folder, state)
        else:
            database.save_harvest_state(urlsplit(self.base).netloc, state)

    def _run(self, index: Any) -> None:
        state = self._load_state(index)
        known: dict[str, Any] = state["meetings"]
        self._apply_takedowns(index, state)
        self._sweep(index, state)
        answer = self.client.get(LIST_PATH, kind="list")
        meetings = [m for m in listed_meetings(answer.url, answer.body) if self.wanted(m)]
        self.summary.meetings_seen = len(meetings)
        progress = _Progress(len(meetings), self.stream)
        batch: list[Fetched] = []
        batch_items = 0
        workers = max(1, self.client.politeness.concurrency)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # Bounded look-ahead: at most a few documents wait in memory for the writer.
            window = workers * 4
            for start in range(0, len(meetings), window):
                chunk = meetings[start : start + window]
                for fetched in pool.map(lambda m: self._fetch(m, known.get(m.id)), chunk):
                    progress.step(fetched.listed.committee)
                    if fetched.status == "unchanged":
                        self.summary.unchanged += 1
                        continue
                    if fetched.status == "failed":
                        self.summary.failed += 1
                        continue
                    batch.append(fetched)
                    batch_items += len(fetched.document["Dagsordenpunkter"]) if fetched.document else 0
                    if batch_items >= self.options.batch_items:
                        self._commit(index, batch, state, pool)
                        batch, batch_items = [], 0
            self._commit(index, batch, state, pool)
        progress.close()
        index.merge_segments()
        index.record_sources(
            [
                {
                    "path": str(self.meetings_dir.resolve()),
                    "format": "firstagenda",
                    "context": _context_dict(self.context()),
                }
            ]
        )

    def _fetch(self, listed: ListedMeeting, known: dict[str, Any] | None) -> Fetched:
        path = MEETING_PATH.format(id=listed.id)
        stored = self.meetings_dir / f"{listed.id}.json"
        if known is not None and known.get("forgotten"):
            return Fetched(listed, "unchanged")  # taken down (minutes forget): never fetched or kept again
        have = known is not None and stored.is_file()
        try:
            answer = self.client.get(
                path,
                etag=known.get("etag") if have and known else None,
                last_modified=known.get("last_modified") if have and known else None,
            )
            if answer.status == 304:
                return Fetched(listed, "unchanged")
            document = redact(check_document(answer.url, answer.body, answer.content_type))
        except HarvestError as exc:
            self._problem(str(exc))
            return Fetched(listed, "failed")
        digest = digest_of(document)
        if have and known and known.get("digest") == digest:
            status = "unchanged"
            if answer.etag != known.get("etag") or answer.last_modified != known.get("last_modified"):
                status = "revalidated"  # same content under new validators: remember them, ingest nothing
        else:
            status = "changed" if have else "new"
        return Fetched(listed, status, document, digest, answer.etag, answer.last_modified)

    def _commit(self, index: Any, batch: list[Fetched], state: dict[str, Any], pool: ThreadPoolExecutor) -> None:
        """Download attachments, write the documents, ingest them in one commit, then record them."""
        if not batch:
            return
        from indexer.cli import ingest  # the same ingest path as `minutes ingest` (imported late: cli imports us)

        paths = []
        released: set[str] = set()  # attachments the stored versions referred to
        for fetched in batch:
            target = self.meetings_dir / f"{fetched.listed.id}.json"
            if fetched.document is not None and fetched.status != "revalidated":
                released |= set(_pdf_ids(_read_json(target))) - set(_pdf_ids(fetched.document))
                _atomic_write(target, json.dumps(fetched.document, ensure_ascii=False).encode("utf-8"))
            if fetched.status in ("new", "changed"):
                paths.append(target)
        # What was taken down stays out of the folder: a forgotten item of a meeting fetched again
        # (it changed on the portal) is cut to its stub before its attachments are asked for.
        taken_down = set(index.takedowns().ids())
        unreadable: set[Path] = set()
        if taken_down and paths:
            cut = self.kept.cut_taken_down(paths, taken_down, state)
            released |= cut.released
            unreadable = cut.unreadable
            for fetched in batch:
                target = self.meetings_dir / f"{fetched.listed.id}.json"
                if target in cut.deleted:
                    paths.remove(target)
                    fetched.document = None
                elif target in cut.rewritten:
                    fetched.document = _read_json(target)
        to_ingest = [f for f in batch if f.status in ("new", "changed") and f.document is not None]
        retry_later: set[str] = set()  # attachments whose download may succeed another time
        if self.options.attachments:
            wanted = {f.listed.id: _pdf_ids(f.document or {}) for f in to_ingest}
            missing = [
                i
                for i in dict.fromkeys(x for ids in wanted.values() for x in ids)
                if not (self.bilag_dir / f"{i}.pdf").is_file()
            ]
            outcomes = dict(zip(missing, pool.map(self._download, missing), strict=True))
            failed_now = {i for i, outcome in outcomes.items() if outcome == "retry"}
            retry_later = {m for m, ids in wanted.items() if failed_now.intersection(ids)}
        if paths:
            result = ingest(
                paths, cast(Path, self.location), self.context(), "firstagenda", workers=1, record=False, target=index
            )
            self.summary.ingest.merge(result)
            failed = {Path(r.split(": ", 1)[0]).name for r in result.rejected}
        else:
            failed = set()
        self.kept.release_bilag(released)  # an item closed or withdrawn: its attachments leave the folder
        for fetched in batch:
            name = f"{fetched.listed.id}.json"
            if fetched.listed.id in state["meetings"] and state["meetings"][fetched.listed.id].get("forgotten"):
                self.summary.unchanged += 1  # taken down: deleted above, marked so it is not fetched again
                continue
            if self.meetings_dir / name in unreadable:  # deleted above: it may hold what was taken down
                self.summary.failed += 1
                self._problem(f"{self.client.url(MEETING_PATH.format(id=fetched.listed.id))}: could not be read")
                continue
            if name in failed:
                self.summary.failed += 1
                self._problem(f"{self.client.url(MEETING_PATH.format(id=fetched.listed.id))}: could not be read")
                continue
            if fetched.status == "new":
                self.summary.new += 1
            elif fetched.status == "changed":
                self.summary.changed += 1
            else:
                self.summary.unchanged += 1
            incomplete = fetched.listed.id in retry_later
            state["meetings"][fetched.listed.id] = {
                "committee": fetched.listed.committee,
                "date": fetched.listed.day.isoformat() if fetched.listed.day else None,
                # A meeting indexed without some attachment is asked for again in full next time.
                "etag": None if incomplete else fetched.etag,
                "last_modified": None if incomplete else fetched.last_modified,
                "digest": "" if incomplete else fetched.digest,
            }
        self._save_state(index, state)
        self.kept.stamp()  # a new folder's first documents (the sweep stamped an existing one)

    def _apply_takedowns(self, index: Any, state: dict[str, Any]) -> None:
        """Take-downs recorded since the last run (a ``minutes forget`` that could not reach this
        folder) leave it now; see ``HarvestFolder.apply_takedowns``."""
        if self.kept.apply_takedowns(set(index.takedowns().ids()), state) is not None:
            self._save_state(index, state)

    def _sweep(self, index: Any, state: dict[str, Any]) -> None:
        """A folder written under an older redaction rule is redacted again before anything is
        fetched (``HarvestFolder.sweep``); the documents rewritten are ingested again so the index
        reads what the folder now holds, and the deleted files' cached text leaves the index's
        text cache unless an open item still refers to the same content."""
        done = self.kept.sweep(state)
        if done is None:
            return
        if done.rewritten:
            from indexer.cli import ingest  # as in _commit: cli imports us

            result = ingest(
                done.rewritten,
                cast(Path, self.location),
                self.context(),
                "firstagenda",
                workers=1,
                record=False,
                target=index,
            )
            self.summary.ingest.merge(result)
        done.texts_dropped = _drop_texts(index, done.released)
        if done.rewritten or done.released or state["meetings"]:
            # (A fresh state is saved with its stamp by the run's first commit: a run that stops
            # before it leaves no harvest state behind.)
            self._save_state(index, state)
        self.kept.stamp()
        if done.rewritten or done.released:
            self.summary.swept = done.line(self.folder)

    def _download(self, ident: str) -> str:
        """``ok``, ``retry`` (a failure another run may not meet) or ``lasting``."""
        target = self.bilag_dir / f"{ident}.pdf"
        try:
            data = self.client.download(ATTACHMENT_PATH.format(id=ident))
            if not data.startswith(b"%PDF"):
                raise HarvestError(self.client.url(ATTACHMENT_PATH.format(id=ident)), "not a PDF")
        except HarvestError as exc:
            self.summary.attachments_failed += 1
            self._problem(str(exc))
            return "lasting" if exc.lasting else "retry"
        _atomic_write(target, data)
        self.summary.attachments_downloaded += 1
        return "ok"

    def _problem(self, text: str) -> None:
        self.summary.problems.append(text)


def _is_database(location: Path | str) -> bool:
    from indexer.engines.postgres import is_database_url

    return isinstance(location, str) and bool(is_database_url(location))


def _open_target(location: Path | str) -> Any:
    """The index to write: the embedded one in a folder, or the PostgreSQL engine's for a URL."""
    if isinstance(location, str):
        from indexer.cli import _postgres_ingest_target  # the same target `minutes ingest` writes to

        return _postgres_ingest_target(location)
    return MinutesIndex.open_or_create(location)


def _drop_texts(index: Any, digests: set[str]) -> int:
    """Delete the cached text (and, embedded, the archived copy) of these files unless an open
    item still refers to the same content.  Returns the number of files deleted."""
    if not digests:
        return 0
    if isinstance(index, MinutesIndex):
        return index.prune(digests)
    return int(index.drop_cached_text(index.engine.unreferenced(digests)))


def _pdf_ids(document: dict[str, Any]) -> list[str]:
    """Attachment ids of a (redacted) document that the portal has as PDF: open items' only."""
    return [
        str(b.get("Id"))
        for p in document.get("Dagsordenpunkter", [])
        if isinstance(p, dict)
        for b in p.get("Bilag") or []
        if isinstance(b, dict) and _SAFE_ID.match(str(b.get("Id") or "")) and _has_pdf(b)
    ]


def _has_pdf(enclosure: dict[str, Any]) -> bool:
    value = enclosure.get("HarPdfVersion", True)
    return value is True or str(value).strip().casefold() == "true"


def _context_dict(context: IngestContext) -> dict[str, Any]:
    return {
        "municipality": context.municipality,
        "committee": None,
        "meeting_date": None,
        "extract_text": context.extract_text,
        "extras": dict(context.extras),
    }


class _Progress:
    """A one-line progress counter on a terminal; silent otherwise."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.enabled = total > 0 and hasattr(stream, "isatty") and stream.isatty()

    def step(self, note: str) -> None:
        self.done += 1
        if self.enabled:
            self.stream.write(f"\rharvest {self.done}/{self.total} {note[:40]:<40}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def harvest(
    base_url: str,
    index_root: Path | str,
    politeness: Politeness,
    options: HarvestOptions | None = None,
    stream: TextIO = sys.stderr,
    client_factory: Callable[[str, Politeness], PortalClient] | None = None,
    state_root: Path | None = None,
) -> HarvestSummary:
    client = (client_factory or PortalClient)(base_url, politeness)
    try:
        return Harvester(
            base_url, index_root, politeness, options, client=client, stream=stream, state_root=state_root
        ).run()
    finally:
        client.close()
