"""SQL that the orchestration runs itself, kept in .sql files beside this module.

The transformations live in the dbt project; what remains here are the audit,
housekeeping and export queries of the Python steps. Each file holds named statements,
each headed by a line `-- name: <name>` (the convention of aiosql, without its runtime):
`statements("retention")["activity"]` is the statement named activity in retention.sql.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
_NAME = re.compile(r"^-- name: ([a-z_]+)\s*$", re.MULTILINE)


@cache
def statements(module: str) -> dict[str, str]:
    text = (HERE / f"{module}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    # parts: [preamble, name1, body1, name2, body2, ...]
    named = {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    if len(named) != len(parts[1::2]):
        raise ValueError(f"{module}.sql: a statement name is used twice")
    return named
