"""The published pages in a real browser: Debian's chromium, driven by Playwright over the
Chrome DevTools Protocol, opens the index and every regional page at a laptop, a wide and
a phone width and for print. Every figure renders, and on first load, without any resize,
every figure's drawn SVG lies inside its card and on no other card, with its legend clear
of the titles and labels (tests/page_layout.py measures it). The console stays clean,
nothing is fetched from the network, and a screenshot of each page is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import page_layout
import pytest
from conftest import REPO
from test_publish import FIGURE_IDS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = REPO / "tests" / "artifacts" / "screenshots"
# A laptop, a wide screen and a phone.
VIEWPORTS = [
    {"width": 1366, "height": 900},
    {"width": 1920, "height": 1080},
    {"width": 390, "height": 844},
]
# A4 with margins of 1 cm: chromium lays the page out 190 mm (718 px) wide.
PAPER = {"format": "A4", "margin": {"top": "1cm", "right": "1cm", "bottom": "1cm", "left": "1cm"}}
PAPER_VIEWPORT = {"width": 718, "height": 1000}

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


def _open(browser, page_path: Path, viewport: dict, media: str | None = None):
    """The page loaded once at this viewport (and media, if given): nothing resized
    afterwards. Emulating the screen media would keep it when printing, so by default the
    media is chromium's own."""
    page = browser.new_page(viewport=viewport)
    if media:
        page.emulate_media(media=media)
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


def _assert_fits(result: dict, where: str) -> None:
    assert result["problems"] == [], (
        f"{where}: figures sticking out of their card: {page_layout.overflow_summary(result)}\n"
        + "\n".join(result["problems"])
    )


def _pages(published) -> dict[str, Path]:
    """The index and every regional page, by name."""
    pub = published["publish"]
    pages = {"index": pub / "index.html"} | {
        p.parent.name: p for p in sorted(pub.glob("*/index.html"))
    }
    assert len(pages) >= 2
    # One municipality page of each region: printed and laid out like the region's.
    for region in sorted(pub.glob("*/index.html")):
        first = min(p for p in region.parent.glob("*.html") if p.name != "index.html")
        pages[f"{region.parent.name}/{first.stem}"] = first
    return pages


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


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: str(v["width"]))
def test_index_fits_the_screen(browser, published, viewport):
    page, console, network = _open(browser, published["publish"] / "index.html", viewport)
    _assert_fits(page_layout.measure(page), f"index at {viewport['width']} px")
    assert console == [] and network == []
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: str(v["width"]))
def test_every_regional_page_renders_every_figure(browser, published, viewport):
    pages = sorted(published["publish"].glob("*/index.html"))
    assert pages
    for path in pages:
        page, console, network = _open(browser, path, viewport)
        sections = page.locator("section.figure")
        n = sections.count()
        population = (published["inbox"] / "bevolking.csv").is_file()
        assert n == len(FIGURE_IDS) + population  # per 1,000 residents: with bevolking.csv
        # Each figure is drawn: plotly put its SVG in the div and drew marks in it.
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n}"
        )
        # As drawn on first load: measured before anything (a screenshot) resizes the page.
        _assert_fits(page_layout.measure(page), f"{path.parent.name} at {viewport['width']} px")
        for i in range(n):
            section = sections.nth(i)
            assert section.locator("h2").inner_text()
            assert section.locator("p.expl-line").inner_text()
            graph = section.locator(".js-plotly-plot")
            assert graph.count() == 1
            box = graph.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200
            marks = graph.locator(
                "g.trace path, g.trace.scatter path, g.funnellayer path, g.barlayer path,"
                " g.hm image"
            )
            assert marks.count() > 0, section.get_attribute("id")
        assert page.locator(".tile").count() == 5
        assert page.locator("#tabel-gemeenten tbody tr").count() >= 2
        assert "<5" in page.locator("#colofon").inner_text()
        # The delivery grid is readable without hovering: every cell carries its letter.
        letters = page.locator("#sectie-leveringen g.hm text")
        assert letters.count() == len(page.locator("#sectie-leveringen g.hm").all()) * 7 * 15
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{path.parent.name}-{viewport['width']}.png"), full_page=True
        )
        assert console == [], console
        assert network == [], network
        page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: str(v["width"]))
def test_every_municipality_page_renders_its_figures(browser, published, viewport):
    """publish/<regio>/<gemeente>.html: reached from the region's table, every figure
    drawn and fitting its card, the tiles with the region's value beside them."""
    region = sorted(published["publish"].glob("*/index.html"))[0]
    page, console, network = _open(browser, region, viewport)
    links = page.locator("#tabel-gemeenten tbody a")
    paths = sorted(
        region.parent / href
        for href in links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    )
    page.close()
    assert len(paths) == 7 and all(p.is_file() for p in paths)
    for path in paths:
        page, console, network = _open(browser, path, viewport)
        sections = page.locator("section.figure")
        n = sections.count()
        assert n == 5, path.name
        page.wait_for_function(
            f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {n}"
        )
        _assert_fits(page_layout.measure(page), f"{path.name} at {viewport['width']} px")
        for i in range(n):
            graph = sections.nth(i).locator(".js-plotly-plot")
            box = graph.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200
        assert page.locator(".tile").count() >= 5
        assert "regio:" in page.locator("#tiles").inner_text()
        assert page.locator("nav a").first.get_attribute("href") == "index.html"
        if path == paths[0]:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SCREENSHOTS / f"gemeente-{path.stem}-{viewport['width']}.png"),
                full_page=True,
            )
        assert console == [], console
        assert network == [], network
        page.close()


def test_pages_fit_when_opened_for_print(browser, published):
    """Opened in the print media at the width of the paper: laid out and drawn for it."""
    for name, path in _pages(published).items():
        page, console, _ = _open(browser, path, PAPER_VIEWPORT, media="print")
        _assert_fits(page_layout.measure(page), f"{name} opened for print")
        assert console == []
        page.close()


def test_pages_print(browser, published):
    """Printable: read on a laptop, then printed on A4. The print stylesheet applies, the
    figures are redrawn for the paper before chromium paints it (measured at that moment)
    and chromium makes a PDF of the page."""
    for name, path in _pages(published).items():
        region = name != "index"
        page, console, _ = _open(browser, path, {"width": 1366, "height": 900})
        page_layout.arm_print_measure(page)
        pdf = page.pdf(**PAPER)
        assert pdf[:4] == b"%PDF" and len(pdf) > (50_000 if region else 1_000)
        _assert_fits(page_layout.printed(page), f"{name} printed on A4")
        if region:
            page.emulate_media(media="print")
            nav = "getComputedStyle(document.querySelector('nav')).display"
            assert page.evaluate(nav) == "none"
        assert console == []
        page.close()
