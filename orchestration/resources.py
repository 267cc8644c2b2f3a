"""Dagster resources: the warehouse, the inbox and the pseudonym key, injected into assets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from orchestration import settings
from orchestration.core.bsn import Pseudonymiser


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (INBEELD_WAREHOUSE, default warehouse/inbeeld.duckdb)."""

    path: str | None = None

    @property
    def file(self) -> Path:
        return settings.warehouse_path(self.path)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(self.file), read_only=read_only)
        try:
            yield con
        finally:
            con.close()


class InboxResource(dg.ConfigurableResource):
    """The inbox folder (INBEELD_INBOX, default the demo inbox)."""

    path: str | None = None

    @property
    def root(self) -> Path:
        return settings.inbox_path(self.path)


class PseudonymKeyResource(dg.ConfigurableResource):
    """INBEELD_PSEUDONYM_KEY, read when a run needs it; a run without it fails clearly."""

    def pseudonymiser(self) -> Pseudonymiser:
        try:
            return Pseudonymiser(settings.pseudonym_key())
        except settings.MissingKeyError as exc:
            raise dg.Failure(description=str(exc)) from None
