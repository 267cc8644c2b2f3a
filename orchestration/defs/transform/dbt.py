"""The dbt project as Dagster assets: one dbt build per run, over everything loaded.

The dbt assets are not partitioned. The incremental models recompute by content, not by
the run's partitions: from the first month whose inputs changed, whatever files a run
loaded (a late registration, a late case event or a corrected list reaches back;
dbt_project/macros/incremental.sql). They are the list chain (int_listing_rows,
int_listings, int_status, int_runs, int_persistence), the registrations in force and the
exclusions, the case chain (int_stage_timeline, int_case_stage), youth_month and the
funnel per municipality; int_events is incremental by file version (the case exports
added since, merged in; dbt_project/macros/incremental_versions.sql); every other model is a full rebuild, because its months read
later months (outflow and placements look ahead, the work list and most reports span all
months) or it is small, and each says so in its description. The ingest upstream is
partitioned by month; one run of the monthly job ingests its months and then builds the
models once.
"""

import datetime as dt
import importlib.metadata
import shutil
import uuid
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from orchestration.dbt_parse import (
    keep_parse_state,
    parse_state_file,
    restore_parse_state,
    warehouse_vars,
)
from orchestration.defs.partitions import WAREHOUSE_POOL
from orchestration.memory import release
from orchestration.quality import process as gx_process
from orchestration.quality.markdown import escape_tags
from orchestration.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class InbeeldDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI without its two start-up probes, ~10 s of every run here.

    Before each `dbt build`, dagster-dbt runs `dbt --version` in a subprocess (a full dbt
    import, 4-8 s on this machine) and builds a dbt adapter in this process (~4 s). The
    adapter only serves `fetch_row_counts` and `fetch_column_metadata`, which inbeeld does
    not call. The dbt that runs is the venv's own (dbt_parse.dbt_executable), so its
    version is the installed dbt-core's, read from the package metadata;
    tests/test_definitions.py holds both against the real `dbt --version`.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


class InbeeldDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema (staging/intermediate/marts/reports), grouped by layer.

    Groups follow the model's folder (fqn): staging, rules (the intermediate models, one
    per rule of SPEC §3), marts and reports; the seed (the municipality registry) is read
    by staging and sits with it. dbt tests become asset checks named after the test's
    `name:` in the yml, described by its `description:` (dagster-dbt itself only reads
    `meta.description`); descriptions are escaped so `<regio>` stays visible in the UI.
    """

    GROUP_BY_FOLDER: Mapping[str, str] = {
        "staging": "staging",
        "intermediate": "rules",
        "marts": "marts",
        "reports": "reports",
    }

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        folder = fqn[1] if len(fqn) > 2 else ""
        return self.GROUP_BY_FOLDER.get(folder, "staging")

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        return escape_tags(super().get_description(dbt_resource_props))

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:regionaal-datateam"]

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        test = manifest["nodes"][unique_id]
        description = (
            test.get("description")
            or (test.get("meta") or {}).get("description")
            or self._fallback_check_description(test)
        )
        return spec._replace(description=escape_tags(description))

    @staticmethod
    def _fallback_check_description(test: Mapping[str, Any]) -> str:
        """A Dutch description for a test its yml does not describe (never left empty)."""
        meta = test.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        column = kwargs.get("column_name")
        on = f"kolom `{column}`" if column else "het model"
        return (
            f"dbt-test `{meta.get('name') or test['name']}` op {on}. Faalt hij, dan klopt "
            "een belofte van het model niet: meld het aan het datateam met de naam van "
            "deze controle."
        )


def dbt_build_args(warehouse_file: Path) -> list[str]:
    """`dbt build` on the run's work copy, handed over as a var (the profile reads it)
    rather than through the environment. dbt unit tests run in `make check`, not in every
    run: they test the rules' SQL, not the data."""
    return [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        warehouse_vars(warehouse_file),
    ]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=InbeeldDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def inbeeld_dbt_models(
    context: dg.AssetExecutionContext, dbt: InbeeldDbtCliResource, warehouse: WarehouseResource
):
    work = warehouse.writable_file()
    target = (
        DBT_PROJECT_DIR
        / "target"
        / f"inbeeld_dbt_models-{context.run_id[:7]}-{uuid.uuid4().hex[:7]}"
    )
    saved = parse_state_file(work)
    restore_parse_state(saved, target)
    # dbt's process is the run's largest: this one gives back what the ingest left first
    # (once, here, where the peak is: a release costs ~0.16 s), and GX's process, whose
    # checks block this step, ends.
    gx_process.stop()
    release()
    yield from dbt.cli(dbt_build_args(work), context=context, target_path=target).stream()
    keep_parse_state(target, saved)
    prune_run_targets(DBT_PROJECT_DIR / "target")
    with warehouse.connect() as con:
        for line in incremental_summary(con):
            context.log.info(line)


# rebuild_from()'s "everything" (dbt_project/macros/incremental.sql).
FULL_BUILD = dt.date(1, 1, 1)


def incremental_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What the incremental models recomputed in this build (Dutch, for the run's log):
    from a month on, everything, or nothing (dbt_project/macros/incremental.sql). Each
    layer keeps its own state table (intermediate: the person models; reports: the
    aggregates by month)."""
    schemas = _schemas_with(con, "incremental_state")
    if not schemas:
        return []  # no incremental model built yet
    states = " union all ".join(
        f"select model, rebuilt_from, month from {schema}.incremental_state" for schema in schemas
    )
    rows = con.execute(
        "select rebuilt_from, max(month), string_agg(distinct model, ', ' order by model)"
        f" from ({states}) group by rebuilt_from order by rebuilt_from"
    ).fetchall()
    lines = []
    for rebuilt_from, last_month, models in rows:
        if rebuilt_from <= FULL_BUILD:
            what = "helemaal herberekend (eerste build, nieuwe projectversie of --full-refresh)"
        elif rebuilt_from > last_month:
            what = "niets herberekend: hun invoer veranderde in geen enkele maand"
        else:
            what = (
                f"herberekend vanaf {rebuilt_from:%Y-%m}, de eerste maand waarvan de invoer "
                "veranderde; de maanden ervoor bleven staan"
            )
        lines.append(f"{models}: {what}.")
    return lines + _by_version_summary(con)


def _schemas_with(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The schemas holding a state table of that name (each layer keeps its own)."""
    rows = con.execute(
        "select schema_name from duckdb_tables() where table_name = ? order by schema_name",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _by_version_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The same for the models incremental by file version (int_events;
    dbt_project/macros/incremental_versions.sql)."""
    lines = []
    for schema in _schemas_with(con, "incremental_versions"):
        rows = con.execute(
            "select model, bool_or(added_only), max(versions_added)"
            f" from {schema}.incremental_versions group by model order by model"
        ).fetchall()
        for model, added_only, added in rows:
            if not added_only:
                what = (
                    "helemaal herberekend (eerste build, een vervangen of ingetrokken "
                    "bestand, nieuwe projectversie of --full-refresh)"
                )
            elif added:
                what = f"alleen de rijen van {added} nieuwe bestandsversies samengevoegd"
            else:
                what = "niets herberekend: geen nieuwe bestandsversie"
            lines.append(f"{model}: {what}.")
    return lines


KEEP_RUN_TARGETS = 5


def prune_run_targets(target: Path, keep: int = KEEP_RUN_TARGETS) -> None:
    """dagster-dbt writes a target folder per invocation (inbeeld_dbt_models-<run>-<id>);
    keep the newest few for debugging, not one per run for ever."""
    runs: list[tuple[float, Path]] = []
    for p in target.glob("inbeeld_dbt_models-*"):
        try:  # a concurrent run may be pruning the same folders
            if p.is_dir():
                runs.append((p.stat().st_mtime, p))
        except OSError:
            continue
    for _, old in sorted(runs)[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
