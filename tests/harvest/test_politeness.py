"""What a harvest asks of a portal: who is asking, how fast, how many at once, and only
what robots.txt allows."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from indexer.cli import main
from indexer.harvest.client import HarvestError
from tests.harvest.helpers import CONTACT, documents, fast, meeting_id_of, run
from tests.harvest.portal import Portal

SMALL = documents(
    "Kultur- og Fritidsudvalget_2022-03-21",
    "Sundheds- og Omsorgsudvalget_2022-05-23",
    "Klima-, Teknik- og Miljøudvalget_2022-12-12",
    "Plan- og Tryghedsudvalget_2024-11-13",
)


@pytest.fixture()
def portal() -> Iterator[Portal]:
    served = Portal(SMALL)
    served.start()
    yield served
    served.stop()


def test_every_request_names_the_software_and_the_operator_contact(portal: Portal, tmp_path: Path) -> None:
    run(portal.url, tmp_path / "ix", attachments=True)
    assert portal.hits
    assert {h.user_agent for h in portal.hits} == {
        f"minutes-search/0.1.0 (+{CONTACT}; harvests public minutes for search)"
    }


def test_at_most_two_requests_at_once(portal: Portal, tmp_path: Path) -> None:
    for path in SMALL:
        portal.fault(f"/api/agenda/dagsorden/{meeting_id_of(path)}", "slow:0.3")
    summary = run(portal.url, tmp_path / "ix", fast(timeout=2.0))
    assert summary.new == 4
    assert portal.max_in_flight == 2  # both slots used, never a third


def test_requests_start_no_faster_than_the_rate(portal: Portal, tmp_path: Path) -> None:
    run(portal.url, tmp_path / "ix", fast(rate=10.0))
    starts = sorted(h.started for h in portal.hits)
    assert len(starts) == 3 + 4  # robots.txt, front page, committee list, four meetings
    # The client spaces starts exactly; the server sees them through thread scheduling, so allow jitter:
    # five gaps of 0.1 s after the first request, and no two requests together (unspaced, they start a
    # millisecond or two apart).  One gap alone may look shorter: a start the server saw late makes the
    # next gap short by as much (a gap of 0.054 s was seen once on a loaded machine, against 0.06
    # asked).  The first request opens the connection and a server thread, so the server sees it
    # latest of all: the span is counted from the second (the first gap was 3–14 ms short in six runs).
    assert starts[-1] - starts[1] >= 5 * 0.1 * 0.8
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.03


def test_robots_crawl_delay_slows_the_harvest_down(portal: Portal, tmp_path: Path) -> None:
    portal.robots = "User-agent: *\nCrawl-delay: 0.2\n"
    run(portal.url, tmp_path / "ix")
    starts = sorted(h.started for h in portal.hits)
    after_robots = starts[1:]
    assert after_robots[-1] - after_robots[0] >= 5 * 0.2 * 0.8  # unspaced: a few ms
    assert min(b - a for a, b in itertools.pairwise(after_robots)) >= 0.1  # jitter, as above


def test_robots_disallow_is_honoured(portal: Portal, tmp_path: Path) -> None:
    portal.robots = "User-agent: *\nDisallow: /api/\n"
    with pytest.raises(HarvestError, match=r"robots\.txt disallows it"):
        run(portal.url, tmp_path / "ix")
    assert [h.path for h in portal.hits] == ["/robots.txt"]


def test_robots_disallowing_attachments_keeps_the_meetings(portal: Portal, tmp_path: Path) -> None:
    portal.robots = "User-agent: minutes-search\nDisallow: /vis/\n"
    summary = run(portal.url, tmp_path / "ix", attachments=True)
    assert summary.new == 4
    assert summary.attachments_downloaded == 0 and summary.attachments_failed > 0
    assert not [h for h in portal.hits if h.path.startswith("/vis/")]


def test_cli_needs_an_operator_contact(portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MINUTES_HARVEST_CONTACT", raising=False)
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["harvest", portal.url, "--index", str(tmp_path / "ix")])
    assert code == 2
    assert "--contact or $MINUTES_HARVEST_CONTACT" in err.getvalue()
    assert portal.hits == []


def test_cli_harvest_prints_a_summary(portal: Portal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINUTES_HARVEST_CONTACT", CONTACT)
    out, err = io.StringIO(), io.StringIO()
    args = [
        "harvest",
        portal.url,
        "--index",
        str(tmp_path / "ix"),
        "--rate",
        "0",
        "--committee",
        "Plan- og Tryghedsudvalget",
    ]
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    assert code == 0, err.getvalue()
    first = out.getvalue().splitlines()[0]
    assert first.startswith("meetings seen: 1  new: 1  changed: 0  unchanged: 0  failed: 0  attachments downloaded: 2 ")
    # robots.txt, front page, committee list, the meeting, its two attachments — as the portal counted them.
    assert "requests: 6 " in first and len(portal.hits) == 6
    assert "text analysis" not in err.getvalue()  # a new index: this program's analysis
    # The index as an earlier release left it (no analysis stamp): the harvest says so, once.
    (tmp_path / "ix" / "current" / "analysis-version").unlink()
    out2, err2 = io.StringIO(), io.StringIO()
    with redirect_stdout(out2), redirect_stderr(err2):
        assert main(args) == 0
    assert out2.getvalue().startswith(
        "meetings seen: 1  new: 0  changed: 0  unchanged: 1  failed: 0  attachments downloaded: 0 "
    )
    said = [line for line in err2.getvalue().splitlines() if "text analysis" in line]
    assert len(said) == 1 and said[0].endswith(f"`minutes reindex --index {tmp_path / 'ix'}`"), err2.getvalue()


@pytest.mark.parametrize(("option", "value"), [("--since", "2024-13-45"), ("--rate", "-1"), ("--rate", "fast")])
def test_cli_refuses_bad_options_before_any_request(portal: Portal, tmp_path: Path, option: str, value: str) -> None:
    err = io.StringIO()
    with redirect_stderr(err), pytest.raises(SystemExit) as info:
        main(["harvest", portal.url, "--index", str(tmp_path / "ix"), "--contact", CONTACT, option, value])
    assert info.value.code == 2
    assert option in err.getvalue() and value in err.getvalue()
    assert portal.hits == []


def test_defaults_are_the_polite_ones() -> None:
    """Without options: one request start a second, two at once, four retries from a 2 s backoff."""
    from indexer.cli import build_parser
    from indexer.harvest.client import Politeness

    defaults = Politeness(contact=CONTACT)
    assert (defaults.rate, defaults.concurrency, defaults.retries, defaults.backoff) == (1.0, 2, 4, 2.0)
    assert (defaults.max_attachment_bytes, defaults.attachment_seconds) == (50 * 1024 * 1024, 120.0)
    args = build_parser().parse_args(["harvest", "https://dagsordener.greve.dk", "--index", "ix"])
    assert (args.rate, args.concurrency, args.retries) == (1.0, 2, 4)
    with redirect_stderr(io.StringIO()), pytest.raises(SystemExit):
        build_parser().parse_args(["harvest", "https://dagsordener.greve.dk", "--concurrency", "3"])


def test_progress_is_shown_on_a_terminal(portal: Portal, tmp_path: Path) -> None:
    from indexer.harvest.firstagenda import HarvestOptions, harvest

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    summary = harvest(portal.url, tmp_path / "ix", fast(), HarvestOptions(attachments=False), stream=screen)
    assert summary.new == 4
    steps = [s for s in screen.getvalue().split("\r") if s]
    assert [s.split()[1] for s in steps] == ["1/4", "2/4", "3/4", "4/4"]
    quiet = io.StringIO()  # piped: nothing
    harvest(portal.url, tmp_path / "ix", fast(), HarvestOptions(attachments=False), stream=quiet)
    assert quiet.getvalue() == ""
