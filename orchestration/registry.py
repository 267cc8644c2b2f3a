"""The municipality registry (CBS code, name, arbeidsmarktregio): the dbt seed file."""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.settings import registry_path


def load_registry(path: Path | None = None) -> list[dict[str, str]]:
    with (path or registry_path()).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def known_gemeenten(path: Path | None = None) -> set[str]:
    return {row["gemeentecode"] for row in load_registry(path)}
