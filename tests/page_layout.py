"""Measure a published page as chromium laid it out: every plotly figure's drawn SVG lies
inside its card and on no other card, its legend inside the drawing and clear of the
subplot titles and axis labels, and no card is wider than the page or than its content.

The measuring runs in the page (`MEASURE`, a JavaScript function); `problems()` turns its
findings into readable lines, empty when the page fits."""

from __future__ import annotations

# Cards: the boxes a reader sees; a figure belongs to the card that holds it.
CARDS = "section.figure, section.block, .tile"
SLACK = 1  # px: rounding of fractional layout widths

MEASURE = """({ slack: SLACK, cards: CARDS }) => {
  const box = (el) => {
    const b = el.getBoundingClientRect();
    return { l: b.left, t: b.top, r: b.right, b: b.bottom, w: b.width, h: b.height };
  };
  const inside = (a, c) =>
    a.l >= c.l - SLACK && a.t >= c.t - SLACK && a.r <= c.r + SLACK && a.b <= c.b + SLACK;
  const overlap = (a, c) =>
    Math.min(a.r, c.r) - Math.max(a.l, c.l) > SLACK && Math.min(a.b, c.b) - Math.max(a.t, c.t) > SLACK;
  const fmt = (a) => `${Math.round(a.l)}..${Math.round(a.r)} x ${Math.round(a.t)}..${Math.round(a.b)}`;
  const name = (el) => el.id || (el.querySelector("h2") || el).textContent.trim().slice(0, 40);
  const cards = [...document.querySelectorAll(CARDS)];
  const problems = new Set();
  const figures = [];
  // The body's width, not the document's: while printing, the latter is the screen's.
  const page = document.documentElement;
  if (document.body.scrollWidth > page.clientWidth + SLACK) {
    problems.add(`the page is wider than the window: ${document.body.scrollWidth} px in ${page.clientWidth} px`);
  }
  for (const card of cards) {
    if (card.scrollWidth > card.clientWidth + SLACK) {
      problems.add(`card ${name(card)}: content ${card.scrollWidth} px wide in ${card.clientWidth} px`);
    }
  }
  for (const gd of document.querySelectorAll(".js-plotly-plot")) {
    const card = gd.closest(CARDS);
    const svgs = [...gd.querySelectorAll("svg.main-svg")];
    if (!card || !svgs.length) {
      problems.add(`${gd.id}: ${card ? "no drawn svg.main-svg" : "not in a card"}`);
      continue;
    }
    const c = box(card);
    const s = box(svgs[0]);
    figures.push({ id: gd.id, card: c, svg: s, over: Math.max(0, s.r - c.r, c.l - s.l) });
    for (const svg of svgs) {
      const a = box(svg);
      if (!(a.w > 0 && a.h > 0)) problems.add(`${gd.id}: svg drawn ${a.w} x ${a.h} px`);
      if (!inside(a, c)) {
        problems.add(`${gd.id}: svg ${fmt(a)} (${Math.round(a.w)} px wide) sticks out of its card ${fmt(c)} (${Math.round(c.w)} px) by ${Math.round(Math.max(a.r - c.r, c.l - a.l, a.b - c.b, c.t - a.t))} px`);
      }
      for (const other of cards) {
        if (other !== card && !other.contains(card) && overlap(a, box(other))) {
          problems.add(`${gd.id}: svg ${fmt(a)} lies on card ${name(other)} ${fmt(box(other))}`);
        }
      }
    }
    // Texts that must stay readable: titles of the figure and of its subplots, axis labels.
    const texts = [...gd.querySelectorAll("g.annotation, .gtitle, g.xtick text, g.ytick text, .g-xtitle text, .g-ytitle text")]
      .map((el) => ({ el, b: box(el) }))
      .filter((x) => x.b.w > 0 && x.b.h > 0);
    for (const x of texts) {
      if (!inside(x.b, s)) problems.add(`${gd.id}: "${x.el.textContent}" ${fmt(x.b)} is cut off by the drawing ${fmt(s)}`);
    }
    for (const legend of gd.querySelectorAll("g.legend")) {
      const l = box(legend);
      if (!inside(l, s)) problems.add(`${gd.id}: legend ${fmt(l)} is cut off by the drawing ${fmt(s)}`);
      for (const x of texts) {
        if (overlap(l, x.b)) problems.add(`${gd.id}: legend ${fmt(l)} overlaps "${x.el.textContent}" ${fmt(x.b)}`);
      }
    }
  }
  return { problems: [...problems], figures, width: page.clientWidth };
}"""
ARGS = {"slack": SLACK, "cards": CARDS}

# Waits for two frames, so that what the page does before its first paint is done.
SETTLED = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def measure(page) -> dict:
    """The page as laid out now: {'problems': [...], 'figures': [...], 'width': px}."""
    page.evaluate(SETTLED)
    return page.evaluate(MEASURE, ARGS)


def arm_print_measure(page) -> None:
    """Measure again the moment the page is laid out for printing (Chrome switches to the
    print media and the paper's width before it paints the pages): read it with
    `printed(page)` after `page.pdf()`. Registered after the page's own listeners, so
    what the page does for printing is done first."""
    page.evaluate(
        "([measure, args]) => { const m = new Function(`return (${measure})`)();"
        " window.__printed = null; window.__print = matchMedia('print');"
        " window.__print.addEventListener('change', (e) => {"
        " if (e.matches && !window.__printed) window.__printed = m(args); }); }",
        [MEASURE, ARGS],
    )


def printed(page) -> dict:
    result = page.evaluate("window.__printed")
    assert result is not None, "the page never switched to the print media"
    return result


def overflow_summary(result: dict) -> str:
    """'fig-trend +608' per figure sticking out of its card: for messages and the report."""
    out = [f"{f['id']} +{round(f['over'])}" for f in result["figures"] if f["over"] > SLACK]
    return ", ".join(out) or "none"
