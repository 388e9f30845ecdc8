"""The running server in headless Chromium: search, facet, item page, attachment, axe-core.

Set MINUTES_SCREENSHOTS=1 to refresh docs/screenshots/ from this run.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.cli import ingest
from indexer.formats import IngestContext
from tests.conftest import REPO, SAMPLES, SEED

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=da-DK",  # date inputs in the Danish order, as a Danish visitor sees them
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # 2.2: target size (2.5.8) too

pytestmark = pytest.mark.e2e

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = tmp_path_factory.mktemp("e2e") / "index"
    quiet = io.StringIO()
    ingest([SEED], index, IngestContext(municipality="Norddjurs Kommune"), workers=1, stream=quiet)
    ingest([SAMPLES], index, workers=1, stream=quiet)
    port = free_port()
    log = tmp_path_factory.mktemp("e2e-log") / "serve.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "indexer.cli",
                "serve",
                "--index",
                str(index),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"minutes serve did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def serious_violations(page: object) -> list[str]:
    """axe-core over the current page; only serious and critical problems count."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot_dir(tmp_path: Path) -> Path:
    if os.environ.get("MINUTES_SCREENSHOTS"):
        target = REPO / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        return target
    return tmp_path


def test_search_facet_item_attachment_and_accessibility(server: str, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    shots = screenshot_dir(tmp_path)
    # bypass_csp only so axe-core can be injected; the app's own pages carry no inline script
    context = browser.new_context(bypass_csp=True, locale="da-DK", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    assert serious_violations(page) == []

    # search from the box, with the keyboard
    page.get_by_label("Søg efter punkter, beslutninger og bilag").fill("sundhed")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=sundhed*")
    hits = page.locator("li.hit")
    expect(hits.first).to_be_visible()
    total_before = hits.count()
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "search.png"))
    # the words found stand out by more than their pale yellow (1.2:1 against white): bold too
    found = page.locator("li.hit p.snippet mark").first
    weights = found.evaluate("m => [getComputedStyle(m).fontWeight, getComputedStyle(m.parentElement).fontWeight]")
    assert int(weights[0]) >= int(weights[1]) + 200, weights

    # narrow by a committee facet: a chip appears and the URL carries the filter
    facet = page.locator("section.facet").filter(has=page.get_by_role("heading", name="Udvalg")).locator("a").first
    committee = facet.locator(".facet-label").inner_text()
    facet.click()
    page.wait_for_url("**committee=*")
    expect(page.locator("nav.chips a.chip").first).to_contain_text(committee)
    assert hits.count() <= total_before
    for meta in page.locator("li.hit p.meta").all():
        assert committee in meta.inner_text()

    # open an item that has an archived attachment
    page.goto(server + "/?q=kronisk")
    page.locator("li.hit h3 a").first.click()
    page.wait_for_url("**/items/*")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("heading", name="Fraværende")).to_be_visible()
    expect(page.locator("section.decision").first).to_be_visible()
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "item.png"))

    link = page.locator("ul.attachments a").first
    href = link.get_attribute("href")
    assert href and "/bilag/" in href
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")

    # the JSON twin is announced and answers
    twin = page.locator('link[rel="alternate"][type="application/json"]').get_attribute("href")
    assert twin and page.request.get(server + twin).json()["title"] == page.locator("h1").inner_text()
    context.close()


def test_autocomplete_fills_the_datalist(server: str, browser: object) -> None:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/")
    page.locator("#q").press_sequentially("sundh", delay=30)
    page.locator("#forslag option").first.wait_for(state="attached", timeout=15_000)
    values = page.eval_on_selector_all("#forslag option", "els => els.map(e => e.value)")
    assert any(v.lower().startswith("sundh") for v in values), values
    context.close()


def test_without_javascript_search_facet_and_keyboard_chip_removal(server: str, browser: object) -> None:
    """The form, facets, chips and paging are plain links and GET forms: no script needed."""
    from playwright.sync_api import expect

    context = browser.new_context(java_script_enabled=False, locale="da-DK")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Søg efter punkter, beslutninger og bilag").fill("sundhed")
    page.get_by_role("button", name="Søg", exact=True).click()
    page.wait_for_url("**/?q=sundhed*")
    expect(page.locator("li.hit").first).to_be_visible()
    page.locator("section.facet").filter(has=page.get_by_role("heading", name="År")).locator("a").first.click()
    page.wait_for_url("**year=*")
    chip = page.get_by_role("link", name=re.compile(r"^Fjern filter År: \d{4}$"))
    expect(chip).to_have_count(1)

    # reach the chip with the keyboard; its focus ring shows; Enter removes the filter
    page.locator("#q").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label') || ''").startswith("Fjern filter År"):
            break
    else:
        raise AssertionError("the chip cannot be reached with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "focus is visible"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*year=).*q=sundhed"))
    expect(page.locator("nav.chips")).to_have_count(0)
    context.close()


def test_phone_width_results_first_facets_fold_and_breadcrumb_returns(
    server: str, browser: object, tmp_path: Path
) -> None:
    """At 390 px the first hit is on the first screen, the facets fold away below the results, no
    date field shows mm/dd/yyyy, and an item's "Søgning" link leads back to the same search."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/?q=sundhed")
    first_hit = page.locator("li.hit").first
    expect(first_hit).to_be_visible()
    hit_top = first_hit.bounding_box()["y"]
    assert hit_top < 844, f"the first hit starts {hit_top:.0f} px down"
    assert page.locator("aside.facets").bounding_box()["y"] > hit_top
    page.screenshot(path=str(screenshot_dir(tmp_path) / "phone.png"))
    panel = page.locator("details.facet-panel")
    expect(panel).not_to_have_attribute("open", "")
    facet_link = page.locator("section.facet a").first
    expect(facet_link).to_be_hidden()
    page.locator(".to-facets a").click()
    expect(facet_link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "nothing wider than the phone"
    for field in ("#from", "#to"):
        assert page.locator(field).get_attribute("type") == "text"
        assert page.locator(field).get_attribute("placeholder") == "ÅÅÅÅ-MM-DD"

    first_hit.locator("h3 a").click()
    page.wait_for_url("**/items/**")
    crumb = page.locator("nav.breadcrumb a")
    expect(crumb).to_contain_text("sundhed")
    crumb.click()
    page.wait_for_url(re.compile(r"/\?q=sundhed$"))
    expect(page.locator("#q")).to_have_value("sundhed")

    # zero results: the message uses the whole width, not a 250 px column
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(server + "/?q=zzqqxxyy")
    results = page.locator("section.results").bounding_box()
    assert results["width"] > 900
    context.close()
