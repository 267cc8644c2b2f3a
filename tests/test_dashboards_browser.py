"""The published pages in a real browser: Debian's chromium driven by Playwright opens the
index and every regional page, every figure renders, the console stays clean, nothing
is fetched from the network, and a screenshot of each page is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is missing: `make test` installs it"
)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _open(browser, page_path: Path, viewport: dict):
    page = browser.new_page(viewport=viewport)
    console: list[str] = []
    network: list[str] = []
    page.on(
        "console",
        lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.on(
        "request",
        lambda r: (
            network.append(r.url) if not r.url.startswith(("file:", "data:", "blob:")) else None
        ),
    )
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    return page, console, network


def test_index_lists_every_region_and_links_work(browser, published):
    pub = published["publish"]
    page, console, network = _open(browser, pub / "index.html", {"width": 1280, "height": 800})
    links = page.locator("#regio-overzicht a")
    assert links.count() == len(list(pub.glob("*/index.html")))
    links.first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith("Jongeren buiten beeld — ")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto((pub / "index.html").as_uri())
    page.screenshot(path=str(SCREENSHOTS / "index.png"), full_page=True)
    assert console == [] and network == []
    page.close()


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 900}, {"width": 1920, "height": 1080}]
)
def test_every_regional_page_renders_every_figure(browser, published, viewport):
    pages = sorted(published["publish"].glob("*/index.html"))
    assert pages
    for path in pages:
        page, console, network = _open(browser, path, viewport)
        sections = page.locator("section.figure")
        n = sections.count()
        assert n == 11
        # Each figure is drawn: plotly put its SVG in the div and drew marks in it.
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n}"
        )
        for i in range(n):
            section = sections.nth(i)
            assert section.locator("h2").inner_text()
            assert section.locator("p.expl-line").inner_text()
            graph = section.locator(".js-plotly-plot")
            assert graph.count() == 1
            box = graph.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200
            marks = graph.locator(
                "g.trace path, g.trace.scatter path, g.funnellayer path, g.barlayer path"
            )
            assert marks.count() > 0, section.get_attribute("id")
        assert page.locator(".tile").count() == 5
        assert page.locator("#tabel-gemeenten tbody tr").count() >= 2
        assert "<5" in page.locator("#colofon").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{path.parent.name}-{viewport['width']}.png"), full_page=True
        )
        assert console == [], console
        assert network == [], network
        page.close()


def test_pages_print(browser, published):
    """Printable: the print stylesheet applies and chromium makes a PDF of the page."""
    path = next(published["publish"].glob("*/index.html"))
    page, console, _ = _open(browser, path, {"width": 1366, "height": 900})
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('nav')).display") == "none"
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000
    assert console == []
    page.close()
