"""Publish: the regional dashboards and the SZW quarterly table, disclosure-controlled,
and per region the delivery status (publish/<regio>/leveringen.csv).

Both are drawn from one protected set of cells per region (orchestration/publish/cube.py),
so a number hidden in one can't be recovered from the other. The delivery status is about
files, not persons (reports.delivery_status): no counts, no disclosure control.
"""

from pathlib import Path

import dagster as dg

from dashboards import site
from orchestration import settings
from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.publish import deliveries, szw, unchanged
from orchestration.publish.cube import read_inputs
from orchestration.publish.regions import PublishedRegion, publish_regions
from orchestration.resources import DisclosureResource, WarehouseResource

REPORT_MODELS = (
    "persistence_distribution",
    "trede_distribution",
    "ladder_quarters",
    "outreach_funnel",
    "referrals_by_type",
    "referrals_by_role",
    "placement_outcomes",
    "szw_quarter_counts",
    "delivery_status",
)
UPSTREAM = [
    dg.AssetKey(["marts", "region_month"]),
    *(dg.AssetKey(["reports", m]) for m in REPORT_MODELS),
]
OWNERS = ["team:regionaal-datateam"]


SZW_KEY = dg.AssetKey(["reports", "szw_quarterly"])
DASHBOARDS_KEY = dg.AssetKey(["publish", "dashboards"])


@dg.multi_asset(
    name="publication",
    specs=[
        dg.AssetSpec(
            SZW_KEY,
            deps=UPSTREAM,
            group_name="publish",
            kinds={"duckdb", "csv", "python"},
            owners=OWNERS,
            description=(
                "De SZW-kwartaaltabel per arbeidsmarktregio en volledig kwartaal: voorraad aan "
                "het eind van het kwartaal en stromen in het kwartaal, onder geheimhouding "
                "(<k, x). In de warehouse als `reports.szw_quarterly` en gepubliceerd als "
                "`publish/szw/szw_kwartaal.csv` (puntkomma-gescheiden) met "
                "`publish/szw/definities.md`."
            ),
        ),
        dg.AssetSpec(
            DASHBOARDS_KEY,
            deps=[*UPSTREAM, SZW_KEY],
            group_name="publish",
            kinds={"html", "plotly", "python"},
            owners=OWNERS,
            description=(
                "Het regionale dashboard per arbeidsmarktregio (`publish/<regio>/index.html`), "
                "een pagina per gemeente (`publish/<regio>/<gemeente>.html`) en de index "
                "(`publish/index.html`): statische HTML, plotly.js één keer per site "
                "(`publish/plotly.min.js`, geen netwerk nodig), Nederlandstalig, alleen "
                "geaggregeerde aantallen onder geheimhouding. Per regio ook "
                "`publish/<regio>/leveringen.csv`: per maand, gemeente en bestand geleverd, "
                "afgekeurd (met de reden) of ontbreekt (uit `reports.delivery_status`)."
            ),
        ),
    ],
    pool=WAREHOUSE_POOL,
    description=(
        "Beide uit één beschermde set cellen per regio, in één stap: de cellen worden één "
        "keer gelezen en beschermd, niet per publicatie opnieuw. De regio's worden naast "
        "elkaar beschermd en geschreven, één proces per kern (INBEELD_PUBLISH_WORKERS). "
        "Alleen regio's waarvan de cijfers (of de drempel of de code) veranderden worden "
        "opnieuw geschreven; de andere houden hun bestanden (metadata `regio's herschreven`)."
    ),
)
def publication(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, disclosure: DisclosureResource
):
    k = disclosure.threshold()
    staged = warehouse.publish_dir()
    site.write_plotly(staged)
    with warehouse.connect() as con:
        inputs = read_inputs(con)
        prints = unchanged.fingerprints(con, inputs, k)
        kept = unchanged.kept(con, prints, warehouse.published_dir, staged)
        changed = [i for i in inputs if i.region not in kept]
        written = publish_regions(changed, k, staged, settings.publish_workers())
        fresh = {r.region: r for r in written}
        published = [kept.get(i.region) or fresh[i.region] for i in inputs]
        unchanged.remember(con, prints, published, staged)
        table = szw.merge_rows([r.szw_rows for r in published])
        stored = szw.store(con, table)
    if kept:
        context.log.info(
            f"{len(written)} regio's opnieuw gepubliceerd, {len(kept)} ongewijzigd (zelfde "
            f"cijfers, drempel en code): {', '.join(sorted(kept))}"
        )
    yield _szw_result(context, warehouse, k, stored, table)
    yield _dashboards_result(context, warehouse, published, k, staged, len(written))


def _szw_result(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    k: int,
    stored: int,
    table: list[list[str]],
) -> dg.MaterializeResult:
    csv_path, defs_path, rows = szw.write_table(table, warehouse.publish_dir() / "szw", k)
    context.log.info(f"SZW-kwartaaltabel: {rows} regels naar {csv_path}")
    return dg.MaterializeResult(
        asset_key=SZW_KEY,
        metadata={
            "csv": dg.MetadataValue.path(str(warehouse.published_dir / "szw" / csv_path.name)),
            "definities": dg.MetadataValue.path(
                str(warehouse.published_dir / "szw" / defs_path.name)
            ),
            "regels": dg.MetadataValue.int(stored),
            "k": dg.MetadataValue.int(k),
        },
    )


def _dashboards_result(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    published: list[PublishedRegion],
    k: int,
    staged: Path,
    rewritten: int,
) -> dg.MaterializeResult:
    latest = max((r.latest for r in published), default=None)
    written = [
        site.write_index([r.summary for r in published], latest, k, staged),
        *(p for r in published for p in r.pages),
    ]
    # Written to the staged folder; the paths below are where they stand after the commit.
    pages = [warehouse.published_dir / p.relative_to(staged) for p in written]
    index = pages[0]
    context.log.info(f"Dashboards: {len(published)} regio's, index {index}")
    metadata: dict[str, dg.MetadataValue] = {
        "index": dg.MetadataValue.path(str(index)),
        "open": dg.MetadataValue.url(warehouse.published_url(index)),
        "regio's": dg.MetadataValue.int(len(published)),
        # Regions whose inputs, threshold and code are unchanged keep their files.
        "regio's herschreven": dg.MetadataValue.int(rewritten),
        "laatste maand": dg.MetadataValue.text(str(latest or "geen")),
    }
    region_pages = [p for p in pages[1:] if p.name == "index.html"]
    metadata["gemeentepagina's"] = dg.MetadataValue.int(len(pages) - 1 - len(region_pages))
    for r, page in zip(published, region_pages, strict=True):
        metadata[f"dashboard {r.region}"] = dg.MetadataValue.path(str(page))
        metadata[f"leveringen {r.region}"] = dg.MetadataValue.path(
            str(page.parent / deliveries.FILE_NAME)
        )
        context.log.info(
            f"Leveringen {r.region}: {r.deliveries} regels, {r.missing} ontbreekt, "
            f"{r.rejected} afgekeurd"
        )
    return dg.MaterializeResult(asset_key=DASHBOARDS_KEY, metadata=metadata)
