"""Items that were published once and are gone: withdrawn by a newer version of their
meeting, or taken down with ``minutes forget``.

Their old URLs answer 410 Gone rather than 404, so a search engine or a link checker
learns at once that the page was removed on purpose.  Only the opaque item ids are
kept, in ``gone.json`` beside the index — never a title or any other content.  An
item that comes back (a later version, ``--allow-forgotten``) is served as before:
the web UI asks the index first and this list only when the item is not there.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

GONE = "gone.json"
FRESH_NS = 1_000_000_000  # a list younger than this is not cached


class Gone:
    """The ids of removed items of one index folder."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / GONE
        self._cache: tuple[tuple[int, int, int, int], frozenset[str]] | None = None

    def ids(self) -> frozenset[str]:
        try:
            status = self.path.stat()
        except OSError:
            return frozenset()
        # Every write replaces the file (a new inode): its mtime alone can stay the same when two
        # writes fall within one tick of the file system's clock, and the list would go stale.  A
        # file written in the last moment is read again each time (a freed inode may come back).
        stamp = (status.st_ino, status.st_mtime_ns, status.st_ctime_ns, status.st_size)
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return frozenset()
        found = frozenset(str(i) for i in data) if isinstance(data, list) else frozenset()
        if time.time_ns() - status.st_mtime_ns > FRESH_NS:
            self._cache = (stamp, found)
        return found

    def add(self, ids: Iterable[str]) -> None:
        new = set(ids) - self.ids()
        if not new:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{GONE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(sorted(self.ids() | new), indent=0), "utf-8")
        tmp.replace(self.path)
