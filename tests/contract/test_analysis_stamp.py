"""Every engine knows which text analysis wrote its index, and says so when it is older.

A fresh index carries this program's ``ANALYSIS_VERSION`` and nothing warns.  An index written
before stamps (the Whoosh generation without its ``analysis-version`` file, the database's
``state.analysis`` NULL, as every index of an earlier release is) still answers, but each command
that reads or writes it prints one line naming the reindex to run, the web UI logs it once at
startup and never shows it, and ``minutes reindex`` stamps the rebuilt content, which ends it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from indexer.analysis import ANALYSIS_VERSION, UNSTAMPED_ANALYSIS
from indexer.cli import main
from indexer.engines.postgres import is_database_url
from indexer.engines.postgres.server import free_port
from indexer.engines.whoosh.index import ANALYSIS_STAMP, MinutesIndex
from indexer.search.service import SearchRequest
from tests.conftest import REPO, SEED
from tests.helpers import Opened

OLDER = "written by an older text analysis"


def written_before_stamps(location: str) -> None:
    """Make the index what an earlier release left: its content, no analysis stamp."""
    if is_database_url(location):
        with psycopg.connect(location) as conn:
            conn.execute("UPDATE state SET analysis = NULL WHERE muni = 0")
    else:
        (MinutesIndex.live_dir(Path(location)) / ANALYSIS_STAMP).unlink()


def ingest_seed(location: str) -> None:
    argv = ["ingest", str(SEED), "--index", location, "--municipality", "Norddjurs Kommune", "--workers", "1"]
    assert main(argv) == 0


def warnings_of(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> list[str]:
    """Run a command; the analysis warnings it wrote to stderr."""
    capsys.readouterr()
    assert main(argv) == code
    return [line for line in capsys.readouterr().err.splitlines() if "text analysis" in line]


def test_a_fresh_index_carries_this_analysis_and_warns_nowhere(
    location: str, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_seed(location)
    assert opened.engine(location).analysis_version() == ANALYSIS_VERSION
    for argv in (["search", "sociale", "medier"], ["stats"], ["ingest", str(SEED)]):
        assert warnings_of(capsys, [*argv, "--index", location]) == [], argv
    capsys.readouterr()
    assert main(["stats", "--json", "--index", location]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["analysis_version"], stats["analysis_current"]) == (ANALYSIS_VERSION, ANALYSIS_VERSION)


def test_an_index_written_before_stamps_warns_once_per_command_until_reindexed(
    location: str, opened: Opened, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    ingest_seed(location)
    written_before_stamps(location)
    engine = opened.engine(location)
    assert engine.analysis_version() == UNSTAMPED_ANALYSIS
    shown = engine.shown_location()
    expected = (
        f"warning: {shown}: written by an older text analysis (version {UNSTAMPED_ANALYSIS}; this version "
        f"analyses with {ANALYSIS_VERSION}): some word forms are missed until you run "
        f"`minutes reindex --index {shown}`"
    )
    for argv in (["search", "sociale", "medier"], ["search", "--json", "sociale"], ["stats"], ["stats", "--json"]):
        assert warnings_of(capsys, [*argv, "--index", location]) == [expected], argv
    # Searches still answer from the old terms (never refused).
    assert opened.service(location).search(SearchRequest(q="sociale medier")).total == 1
    assert main(["stats", "--json", "--index", location]) == 0
    assert json.loads(capsys.readouterr().out)["analysis_version"] == UNSTAMPED_ANALYSIS
    # An ingest adds text with this analysis but leaves the old terms: still older.
    assert warnings_of(capsys, ["ingest", str(SEED), "--index", location, "--workers", "1"]) == [expected]
    assert opened.engine(location).analysis_version() == UNSTAMPED_ANALYSIS
    # The web UI: logged once when the app is made, in no page.
    with caplog.at_level(logging.WARNING, logger="webui"):
        app = opened.app(location)
    assert [f"warning: {r.getMessage()}" for r in caplog.records if "text analysis" in r.getMessage()] == [expected]
    page = app.test_client().get("/?q=sociale+medier")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and OLDER not in body and "reindex" not in body
    # The reindex re-analyses everything and stamps it: the warning is gone.
    assert main(["reindex", "--index", location]) == 0
    assert opened.engine(location).analysis_version() == ANALYSIS_VERSION
    for argv in (["search", "sociale"], ["stats"], ["ingest", str(SEED), "--workers", "1"]):
        assert warnings_of(capsys, [*argv, "--index", location]) == [], argv
    caplog.clear()
    opened.app(location)
    assert not [r for r in caplog.records if "text analysis" in r.getMessage()]


def test_an_index_of_a_newer_analysis_says_so(
    location: str, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_seed(location)
    newer = ANALYSIS_VERSION + 1
    if is_database_url(location):
        with psycopg.connect(location) as conn:
            conn.execute("UPDATE state SET analysis = %s WHERE muni = 0", (newer,))
    else:
        (MinutesIndex.live_dir(Path(location)) / ANALYSIS_STAMP).write_text(f"{newer}\n", "ascii")
    said = warnings_of(capsys, ["search", "sociale", "--index", location])
    assert len(said) == 1 and f"newer text analysis (version {newer};" in said[0], said


def test_an_empty_index_written_before_stamps_is_this_analysis_and_its_first_write_stamps_it(
    location: str, opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    """An index created by an earlier release and never written to holds nothing another analysis
    wrote, and ``minutes reindex`` has nothing to rebuild it from: it must not warn for ever.  What
    its first ingest writes is this analysis's, so that ingest stamps it."""
    if not is_database_url(location):
        MinutesIndex.create(Path(location))  # the database is created empty by the fixture
    written_before_stamps(location)
    assert opened.engine(location).analysis_version() == ANALYSIS_VERSION
    assert warnings_of(capsys, ["stats", "--index", location]) == []
    ingest_argv = ["ingest", str(SEED), "--index", location, "--municipality", "Norddjurs Kommune", "--workers", "1"]
    assert warnings_of(capsys, ingest_argv) == []
    assert opened.engine(location).analysis_version() == ANALYSIS_VERSION  # stamped, and not empty now
    assert opened.service(location).search(SearchRequest(q="sociale medier")).total == 1
    assert warnings_of(capsys, ["search", "sociale", "medier", "--index", location]) == []


def test_serve_logs_the_older_analysis_as_the_commands_print_it(location: str, opened: Opened) -> None:
    """``minutes serve`` wrote the warning through logging's default format, as
    ``WARNING:webui:warning: …``; it is now the one line the other commands print."""
    ingest_seed(location)
    written_before_stamps(location)
    shown = opened.engine(location).shown_location()
    serving = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "serve", "--index", location, "--port", str(free_port())],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert serving.stdout is not None
        assert serving.stdout.readline().startswith("minutes-search: serving ")  # the app is made: logged by now
    finally:
        serving.terminate()
        _, err = serving.communicate(timeout=60)
    said = [line for line in err.splitlines() if "text analysis" in line]
    assert said == [
        f"warning: {shown}: written by an older text analysis (version {UNSTAMPED_ANALYSIS}; this version "
        f"analyses with {ANALYSIS_VERSION}): some word forms are missed until you run "
        f"`minutes reindex --index {shown}`"
    ]
