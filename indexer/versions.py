"""Versions of one meeting arriving over time: which items stand, and how closed they are.

A meeting is published more than once — a dagsorden, then its referat, then a
corrected referat — and re-imports bring old versions back.  The rules, the same
for every engine and for incremental harvests:

* **The newest version defines the items.**  A version of equal or higher rank
  (referat over dagsorden) replaces the meeting's set of items: an item it no
  longer lists (withdrawn, "udgår", or moved into another meeting) is removed.
  A *partial* version (``Meeting.partial``: one agenda item copied into a text
  file) adds and replaces the items it lists and withdraws none.
* **Access only tightens.**  An item that any version of equal or higher rank
  closes stays closed when a later version opens it again (unless the operator
  re-imports with ``allow_reopen``).  A version of lower rank (a dagsorden after
  its referat) changes nothing — except that an item it closes is closed.

The fold works on public meetings (``indexer.public``): closed items are stubs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from indexer.model import KIND_RANK, Access, Item, Meeting, MeetingKind
from indexer.public import PublicMeeting, closed_stub


def rank_of(meeting: Meeting) -> int:
    """A draft referat counts as the dagsorden it is shown as."""
    kind = MeetingKind.DAGSORDEN if meeting.draft else meeting.kind
    return KIND_RANK.get(kind, 0)


@dataclass
class Indexed:
    """What the index holds of one item (no text needed)."""

    id: str
    rank: int
    open: bool


@dataclass
class Entry:
    """One item as the fold decided it: written from ``meeting`` unless ``item`` is None."""

    rank: int
    open: bool
    item: Item | None = None  # None: the indexed version stands unchanged
    meeting: Meeting | None = None
    position: int = 0


@dataclass
class MeetingState:
    """The items of one meeting after every version seen so far."""

    meeting_id: str
    rank: int = 0
    entries: dict[str, Entry] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)  # indexed ids no version lists any more
    kept_closed: list[Item] = field(default_factory=list)  # open in a version, closed by an earlier one
    closed_by_older: int = 0
    held_open: set[str] = field(default_factory=set)  # indexed open before this batch
    indexed: set[str] = field(default_factory=set)  # every item indexed before this batch
    stood: set[str] = field(default_factory=set)  # items a version in this batch set to be written
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_index(cls, meeting_id: str, indexed: Iterable[Indexed]) -> MeetingState:
        state = cls(meeting_id)
        for record in indexed:
            state.entries[record.id] = Entry(record.rank, record.open)
            state.indexed.add(record.id)
            if record.open:
                state.held_open.add(record.id)
            state.rank = max(state.rank, record.rank)
        return state

    def apply(self, version: PublicMeeting, allow_reopen: bool = False) -> None:
        """Fold one more version of the meeting in (in the order they are ingested)."""
        rank = rank_of(version)
        if version.partial:
            self._apply_partial(version, rank, allow_reopen)
            return
        if rank >= self.rank:
            if rank == self.rank:
                self._warn_if_most_items_dropped(version)
            entries: dict[str, Entry] = {}
            for position, item in enumerate(version.items):
                old = self.entries.get(item.id)
                if old is not None and not old.open and item.access == Access.OPEN and not allow_reopen:
                    self.kept_closed.append(item)
                    item = closed_stub(item)
                entries[item.id] = Entry(rank, item.access == Access.OPEN, item, version, position)
            self.removed |= self.entries.keys() - entries.keys()
            self.removed -= entries.keys()
            self.entries = entries
            self.stood |= entries.keys()
            self.rank = rank
            return
        # An older kind of document: it may close, nothing else.
        for position, item in enumerate(version.items):
            old = self.entries.get(item.id)
            if old is None or not old.open or item.access == Access.OPEN:
                continue
            self.closed_by_older += 1
            stands_as = dataclasses.replace(version, kind=_kind_of_rank(old.rank), draft=False, items=[])
            self.entries[item.id] = Entry(old.rank, False, closed_stub(item), stands_as, position)

    def _apply_partial(self, version: PublicMeeting, rank: int, allow_reopen: bool) -> None:
        """Item by item: the same rules, but the items it does not list stay as they are."""
        for position, item in enumerate(version.items):
            old = self.entries.get(item.id)
            if old is not None and rank < old.rank:
                if old.open and item.access != Access.OPEN:
                    self.closed_by_older += 1
                    stands_as = dataclasses.replace(version, kind=_kind_of_rank(old.rank), draft=False, items=[])
                    self.entries[item.id] = Entry(old.rank, False, closed_stub(item), stands_as, position)
                continue
            if old is not None and not old.open and item.access == Access.OPEN and not allow_reopen:
                self.kept_closed.append(item)
                item = closed_stub(item)
            self.entries[item.id] = Entry(rank, item.access == Access.OPEN, item, version, position)
            self.stood.add(item.id)
            self.removed.discard(item.id)
        self.rank = max(self.rank, rank)

    def _warn_if_most_items_dropped(self, version: PublicMeeting) -> None:
        """A version of the same kind that lists fewer than half of the meeting's items (of four
        or more) is more likely a partial copy (a scan of the first pages, a truncated file) than
        a meeting that withdrew most of its agenda: it still defines the items, but is said.  A
        6-page scan of a 21-item referat, read after the full PDF, left 18 items unindexed with
        nothing said but "unchanged/skipped"."""
        before = len(self.entries)
        kept = len(self.entries.keys() & {item.id for item in version.items})
        if before < 4 or kept * 2 >= before:
            return
        earlier = next((e.meeting.source for e in self.entries.values() if e.meeting and e.meeting.source), "")
        self.warnings.append(
            f"meeting {self.meeting_id}: {version.source or 'a newer version'} lists {kept} of the {before} items "
            f"of {earlier or 'the version indexed'}, a {version.kind.value} too; the other {before - kept} "
            "are not indexed (a partial copy? ingest the full document last)"
        )

    def lost(self) -> int:
        """Items a version in this batch listed that a later version of the meeting in it left
        out: never indexed (those the index held are withdrawn, counted in ``removed``)."""
        return len(self.stood - self.entries.keys() - self.indexed)

    def tightened(self) -> int:
        """Items the index held open that this batch closes or withdraws."""
        return sum(1 for i in self.held_open if i in self.removed or (i in self.entries and not self.entries[i].open))

    def kept_closed_warnings(self) -> list[str]:
        """One line for each item a version opened that an earlier version had closed."""
        return [
            f"item {item.id} ({item.number or '-'}) stays closed: an earlier version closed it "
            "(re-import with --allow-reopen to publish it)"
            for item in self.kept_closed
        ]

    def to_write(self) -> list[tuple[Meeting, Item, int]]:
        """(meeting, item, position) of every item this state writes, in agenda order."""
        return [(e.meeting, e.item, e.position) for e in self.entries.values() if e.item is not None and e.meeting]


def _kind_of_rank(rank: int) -> MeetingKind:
    return next((kind for kind, value in KIND_RANK.items() if value == rank), MeetingKind.DAGSORDEN)
