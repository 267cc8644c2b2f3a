"""Readable checks (issue 15, item 4): every dbt test is a named, described asset check,
descriptions keep `<regio>`-like placeholders visible, dbt assets are grouped by layer."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from conftest import REPO

DBT_DIR = REPO / "dbt_project"
LAYER_GROUPS = {"staging", "rules", "marts", "reports"}
EXPECTED_GROUP = {
    "staging": "staging",
    "intermediate": "rules",
    "marts": "marts",
    "reports": "reports",
}

# dbt's generated test names: `<test>_<model>_<column or arguments>`, long ones shortened to
# a prefix plus a hash (`dbt_expectations_..._a1b2c3d4e5`), shown truncated with `…`.
GENERATED_PREFIXES = (
    "not_null_",
    "unique_",
    "accepted_values_",
    "relationships_",
    "expression_is_true_",
    "unique_combination_",
    "totaal_is_sum_of_municipalities_",
    "adds_up_to_region_total_",
)
HASHED = re.compile(r"_[0-9a-f]{10}$|_[0-9a-f]{32}$")
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
# Words that show a description is Dutch and says what to do.
DUTCH = re.compile(r"\b(de|het|een|elke|is|niet|meld|wat te doen)\b", re.IGNORECASE)
ACTION = re.compile(
    r"meld het|herstel|vul|werk .* bij|vraag|exporteer niet|publiceer niet|niets", re.IGNORECASE
)


@pytest.fixture(scope="module")
def manifest() -> dict:
    r = subprocess.run(
        [str(REPO / ".venv/bin/dbt"), "parse", "--profiles-dir", "."],
        cwd=DBT_DIR,
        env={**os.environ, "GX_ANALYTICS_ENABLED": "false"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs


def _model_tests(manifest: dict) -> list[dict]:
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and str(n.get("attached_node") or "").startswith(("model.", "seed."))
    ]


def _is_generated(name: str) -> bool:
    return name.startswith(GENERATED_PREFIXES) or bool(HASHED.search(name)) or "…" in name


def test_every_model_test_has_a_dutch_name_and_description(manifest):
    tests = _model_tests(manifest)
    assert len(tests) >= 80
    names = [t["name"] for t in tests]
    assert len(names) == len(set(names)), "test names must be unique"
    for t in tests:
        name, description = t["name"], (t.get("description") or "").strip()
        assert SNAKE.match(name), name
        assert not _is_generated(name), name
        assert len(name) <= 60, name
        assert description, f"{name}: no description"
        assert DUTCH.search(description), f"{name}: not Dutch: {description}"
        assert ACTION.search(description), f"{name}: says nothing about what to do"


def test_dbt_asset_checks_carry_the_names_and_descriptions(defs, manifest):
    graph = defs.resolve_asset_graph()
    described = {t["name"]: t["description"].strip() for t in _model_tests(manifest)}
    dbt_checks = {
        k: graph.get_check_spec(k)
        for k in graph.asset_check_keys
        if graph.get_check_spec(k).metadata.get("dagster_dbt/unique_id")
    }
    assert len(dbt_checks) >= 80
    for key, spec in dbt_checks.items():
        assert not _is_generated(key.name), key
        assert key.name in described, key
        assert spec.description, f"{key.name}: 'No description provided' in the UI"
        assert spec.description.split()[:3] == described[key.name].split()[:3], key


def test_seed_tests_are_named_too(defs):
    graph = defs.resolve_asset_graph()
    names = {k.name for k in graph.asset_check_keys}
    assert not any(_is_generated(n) for n in names)


def test_every_check_has_a_description(defs):
    graph = defs.resolve_asset_graph()
    for key in graph.asset_check_keys:
        assert graph.get_check_spec(key).description, key


def test_dbt_assets_are_grouped_by_layer(defs, manifest):
    by_key = {
        (n["schema"], n["name"]): n
        for n in manifest["nodes"].values()
        if n["resource_type"] in {"model", "seed"}
    }
    dbt_specs = [s for s in defs.resolve_all_asset_specs() if tuple(s.key.path) in by_key]
    assert len(dbt_specs) == len(by_key) == 59  # 55 models, 4 seeds
    for spec in dbt_specs:
        node = by_key[tuple(spec.key.path)]
        folder = node["fqn"][1] if node["resource_type"] == "model" else "staging"
        assert spec.group_name == EXPECTED_GROUP[folder], spec.key
    assert {s.group_name for s in dbt_specs} == LAYER_GROUPS


def _bare_tags(defs) -> dict[str, list[str]]:
    from orchestration.quality.markdown import bare_tags

    found: dict[str, list[str]] = {}
    for spec in defs.resolve_all_asset_specs():
        if tags := bare_tags(spec.description or ""):
            found[spec.key.to_user_string()] = tags
    graph = defs.resolve_asset_graph()
    for key in graph.asset_check_keys:
        if tags := bare_tags(graph.get_check_spec(key).description or ""):
            found[key.to_user_string()] = tags
    return found


# Asset descriptions in orchestration/defs/publish/, outside this change.
NOT_YET_ESCAPED = {"publish/dashboards", "exports/werklijsten"}


def test_no_description_swallows_a_placeholder(defs):
    found = _bare_tags(defs)
    assert set(found) <= NOT_YET_ESCAPED, found


def test_publish_descriptions_keep_their_placeholders(defs):
    assert not _bare_tags(defs)


def test_escape_keeps_code_and_escapes_tags():
    from orchestration.quality.markdown import bare_tags, escape_tags

    text = "naar publish/<regio>/index.html, `exports/<gemeentecode>/` en a <= b\n```\n<x>\n```"
    assert bare_tags(text) == ["<regio>"]
    escaped = escape_tags(text)
    assert "publish/&lt;regio&gt;/index.html" in escaped
    assert "`exports/<gemeentecode>/`" in escaped and "a <= b" in escaped and "<x>" in escaped
    assert bare_tags(escaped) == []


def test_every_stored_model_says_how_a_run_rebuilds_it(manifest):
    """Issue #14: a model that stays a full rebuild says why in its description (shown in
    the Dagster UI beside the asset); an incremental one says what a run recomputes."""
    full = re.compile(r"(Rebuilt in full every run|Elke run helemaal opnieuw gebouwd): \w")
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["config"]["materialized"] == "view":
            continue
        text = " ".join(node["description"].split())
        if node["config"]["materialized"] == "incremental":
            assert "Incremental: a run recomputes" in text, node["name"]
        else:
            assert full.search(text), f"{node['name']}: why is it rebuilt in full?"
