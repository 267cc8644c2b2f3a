"""Build and write the regions' cubes and pages on every core.

A region's cube (disclosure control over its cells) and its pages depend on that region's
rows alone, and they are most of publish's time at every scale: the cells grow with
regions, municipalities and months, not with rows. So each region is built and written by
one of a few worker processes, each into its own publish/<regio>/ folder; the parent
gets back the region's lines of the SZW table and of the index page.

The workers come from orchestration.workers (a forkserver shared with the ingest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboards import site
from orchestration.publish import szw
from orchestration.publish.cube import RegionInputs, build_region
from orchestration.workers import process_pool


@dataclass(frozen=True)
class PublishedRegion:
    """What the parent needs of a region once it is written: not the cube itself (its
    cells and their memo are large to send back), but what it tells about it."""

    region: str
    latest: date
    pages: list[Path]  # the region's page first, then its municipalities'
    summary: dict  # the region's line on publish/index.html
    szw_rows: list[list[str]]  # its lines of the SZW table (szw.rows)
    deliveries: int  # lines of its leveringen.csv
    missing: int  # of which "ontbreekt"
    rejected: int  # of which "afgekeurd"


def publish_region(inputs: RegionInputs, k: int, out: Path) -> PublishedRegion:
    cube = build_region(inputs, k)
    pages, summary = site.write_region(cube, out)
    return PublishedRegion(
        region=cube.region,
        latest=cube.latest,
        pages=pages,
        summary=summary,
        szw_rows=szw.rows([cube]),
        deliveries=len(cube.deliveries),
        missing=sum(1 for d in cube.deliveries if d.status == "ontbreekt"),
        rejected=sum(1 for d in cube.deliveries if d.status == "afgekeurd"),
    )


def publish_regions(
    inputs: list[RegionInputs], k: int, out: Path, workers: int
) -> list[PublishedRegion]:
    """Every region built and written, in the order of `inputs`; plotly.js, the index page
    and the SZW table are the caller's (they span regions). A worker's error is raised
    here."""
    workers = min(workers, len(inputs))
    if workers <= 1:
        return [publish_region(i, k, out) for i in inputs]
    # The largest regions first, so no worker is left with a big one at the end.
    order = sorted(range(len(inputs)), key=lambda n: -len(inputs[n].tables["region_month"]))
    pool = process_pool(workers)
    try:
        futures = {n: pool.submit(publish_region, inputs[n], k, out) for n in order}
        return [futures[n].result() for n in range(len(inputs))]
    finally:
        # On an error or a cancelled run, the regions not yet started are dropped rather
        # than waited for; a failed run's staged folder is discarded anyway.
        pool.shutdown(wait=True, cancel_futures=True)
