"""Publish only the regions whose numbers changed.

A region's pages, leveringen.csv and SZW lines depend on its own inputs alone
(cube.RegionInputs), the disclosure threshold and the code that draws them. Their
fingerprint is stored with what the region's publication returned
(audit.published_regions, in the warehouse that is committed together with publish/).
A run whose fingerprint of a region equals the stored one, and whose published folder
still holds the region's pages, copies that region's folder into its staged publish/ as it
is: a correction from one municipality rewrites one region, not the country. Everything
else of publish/ is written anew (a new month changes every region, and copying the whole
folder first cost 0.4-0.8 s at the country's size).

The fingerprint of a table is order-free (a sum of row hashes in DuckDB), so a table that
dbt rebuilt with the same rows in another order counts as unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import plotly

from orchestration.publish.cube import PUBLISHED_RELATIONS, RegionInputs
from orchestration.publish.regions import PublishedRegion
from orchestration.settings import REPO_ROOT

TABLE = "audit.published_regions"
# The code and code lists that turn a region's inputs into its files: the pages and the
# cube, what they import of ours (the vocabulary reads the dbt seeds), and plotly.
_CODE = (
    "dashboards",
    "orchestration/publish",
    "orchestration/core",
    "orchestration/vocabulary.py",
    "orchestration/settings.py",
    "dbt_project/seeds",
)
_SUFFIXES = {".py", ".j2", ".js", ".css", ".html", ".csv"}


@cache
def code_version() -> str:
    digest = hashlib.sha256(plotly.__version__.encode())
    for name in _CODE:
        root = REPO_ROOT / name
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file() and path.suffix in _SUFFIXES:
                digest.update(str(path.relative_to(REPO_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _table_digests(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Per region, per published relation: its row count and the sum of its rows' hashes."""
    digests: dict[str, dict[str, str]] = {}
    for schema, name in PUBLISHED_RELATIONS:
        rows = con.execute(
            f"select arbeidsmarktregio, count(*), sum(cast(hash(t) as hugeint)) "
            f"from {schema}.{name} as t group by all"  # relation names are constants
        ).fetchall()
        for region, n, total in rows:
            digests.setdefault(region, {})[name] = f"{n}:{total}"
    return digests


def fingerprints(
    con: duckdb.DuckDBPyConnection, inputs: list[RegionInputs], k: int
) -> dict[str, str]:
    """Per region: everything its publication depends on, hashed."""
    tables = _table_digests(con)
    prints = {}
    for i in inputs:
        parts = {
            "code": code_version(),
            "k": k,
            "tables": tables.get(i.region, {}),
            "region_code": i.region_code,
            "deliveries": [repr(d) for d in i.deliveries],
            "names": sorted(i.names.items()),
            "population": sorted((g, sorted(y.items())) for g, y in i.population.items()),
            "sustained_months": i.sustained_months,
            "persistent_months": i.persistent_months,
        }
        prints[i.region] = hashlib.sha256(
            json.dumps(parts, sort_keys=True, default=str).encode()
        ).hexdigest()
    return prints


def _to_json(p: PublishedRegion, out: Path) -> str:
    return json.dumps(
        {
            "region": p.region,
            "latest": p.latest.isoformat(),
            "pages": [str(page.relative_to(out)) for page in p.pages],
            "summary": {**p.summary, "latest": p.summary["latest"].isoformat()},
            "szw_rows": p.szw_rows,
            "deliveries": p.deliveries,
            "missing": p.missing,
            "rejected": p.rejected,
        }
    )


def _from_json(text: str, out: Path) -> PublishedRegion:
    data = json.loads(text)
    summary = data["summary"]
    return PublishedRegion(
        region=data["region"],
        latest=date.fromisoformat(data["latest"]),
        pages=[out / page for page in data["pages"]],
        summary={**summary, "latest": date.fromisoformat(summary["latest"])},
        szw_rows=data["szw_rows"],
        deliveries=data["deliveries"],
        missing=data["missing"],
        rejected=data["rejected"],
    )


def kept(
    con: duckdb.DuckDBPyConnection, prints: dict[str, str], published: Path, out: Path
) -> dict[str, PublishedRegion]:
    """The regions whose stored fingerprint is this run's and whose pages are all in
    `published` (publish/ as the last run committed it), with what their publication
    returned; each one's folder is copied into `out` (this run's staged publish/), its
    files' times kept. The regions that changed are not copied: they are written anew."""
    exists = con.execute(
        "select count(*) from duckdb_tables() "
        "where schema_name = 'audit' and table_name = 'published_regions'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    found = {}
    for region, fingerprint, stored in con.execute(
        f"select region, fingerprint, published from {TABLE}"
    ).fetchall():
        if prints.get(region) != fingerprint:
            continue
        result = _from_json(stored, published)
        if all(page.is_file() for page in result.pages):
            # A region's files are all in its own folder, its page first.
            folder = result.pages[0].parent.relative_to(published)
            shutil.copytree(published / folder, out / folder)
            found[region] = _from_json(stored, out)
    return found


def remember(
    con: duckdb.DuckDBPyConnection,
    prints: dict[str, str],
    published: list[PublishedRegion],
    out: Path,
) -> None:
    """Store every published region's fingerprint and result (and no other region's)."""
    con.execute("create schema if not exists audit")
    con.execute(
        f"create or replace table {TABLE} "
        "(region varchar primary key, fingerprint varchar not null, published varchar not null)"
    )
    con.executemany(
        f"insert into {TABLE} values (?, ?, ?)",
        [(p.region, prints[p.region], _to_json(p, out)) for p in published],
    )
