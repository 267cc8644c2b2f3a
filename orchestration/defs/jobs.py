"""The job `inbeeld run`, the sensor and the schedule materialise: the whole asset graph."""

import dagster as dg

monthly_pipeline = dg.define_asset_job(
    name="inbeeld_maand",
    # Every asset: retention is an op job of its own (orchestration/defs/retention).
    selection=dg.AssetSelection.all(),
    description="Ingest, checks, dbt build and publication for the selected month(s).",
    executor_def=dg.in_process_executor,  # the run's transaction lives in one process
)
