"""All real samples through `minutes ingest` twice: progress is shown, nothing changes the second time."""

from __future__ import annotations

import io
import re
from pathlib import Path

from indexer.cli import ingest
from indexer.engines.whoosh.index import MinutesIndex
from indexer.formats import IngestContext, iter_inputs
from tests.conftest import SAMPLES


class Terminal(io.StringIO):
    """Captured output that says it is a terminal, as an interactive shell's stderr does."""

    def isatty(self) -> bool:
        return True


def _stored(root: Path) -> dict[str, str]:
    return {f["id"]: f.get("doc", "") for f in MinutesIndex.open(root).iter_stored()}


def test_folder_of_many_meetings_shows_progress_and_reingest_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "ix"
    context = IngestContext(municipality="Testrup")  # for the exports that do not name theirs
    inputs = [path for path, module in iter_inputs([SAMPLES]) if module is not None]
    assert len(inputs) >= 7

    terminal = Terminal()
    first = ingest([SAMPLES], root, context=context, workers=1, stream=terminal)
    assert first.items_added > 0 and first.items_updated == 0
    bars = re.findall(r"ingest: +\d+%\|[^|]*\| (\d+)/(\d+) \[", terminal.getvalue())  # tqdm's bar
    assert len(bars) >= 2 and int(bars[-1][1]) >= len(inputs)  # it moves, over every input
    assert bars[-1][0] == bars[-1][1]  # ends complete
    before = _stored(root)

    second = ingest([SAMPLES], root, context=context, workers=1, stream=io.StringIO())
    assert (second.items_added, second.items_updated) == (0, 0)
    assert second.items_skipped == first.items_added + first.items_updated
    assert second.rejected == first.rejected  # the same non-meeting files, named again
    assert _stored(root) == before
