"""The incremental person models' bookkeeping (dbt_project/macros/incremental.sql).

Their behaviour is tested end to end in tests/test_backfill_identity.py: month by month
equals one backfill, and a month recomputes only from the first month whose inputs
changed."""

from __future__ import annotations

import re

import yaml

from orchestration.settings import DBT_PROJECT_DIR


def test_every_var_is_part_of_the_build_key():
    """A threshold changed in dbt_project.yml must rebuild the incremental models in full,
    so rule_vars() (part of build_key) names every var of the project."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    macro = (DBT_PROJECT_DIR / "macros" / "incremental.sql").read_text(encoding="utf-8")
    body = re.search(r"macro rule_vars\(\).*?return\(\[(.*?)\]\)", macro, re.S)
    assert body, "rule_vars() not found"
    named = set(re.findall(r"'([a-z0-9_]+)'", body.group(1)))
    assert named == set(project["vars"])


def test_the_person_models_are_incremental_and_the_rest_is_not():
    """Only models whose rows of month M read inputs of months <= M may be incremental by
    month; the list is short on purpose (docs/architectuur.md)."""
    incremental = {
        p.stem
        for p in (DBT_PROJECT_DIR / "models").rglob("*.sql")
        if "incremental_by_month_config()" in p.read_text(encoding="utf-8")
    }
    assert incremental == {"int_status", "int_runs", "int_persistence"}
