"""Dagster resources: the warehouse (with the run's transaction), the inbox and the key.

Every run of every job — from the CLI, the UI, the inbox sensor or a schedule — writes
through `WarehouseResource`, so every writer takes the same lock and commits the
warehouse, publish/ and exports/ at once (orchestration.atomic). The jobs run in one
process (in_process_executor), so the resource lives exactly as long as the run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.atomic import CommitError, WarehouseBusy, WarehouseTransaction
from orchestration.core.bsn import Pseudonymiser
from orchestration.keycheck import KeyMismatch, verify_key


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse and the folders a run publishes to, written as one transaction.

    Paths default to INBEELD_WAREHOUSE, INBEELD_PUBLISH and INBEELD_EXPORTS (SPEC §4).
    """

    path: str | None = None
    publish_path: str | None = None
    exports_path: str | None = None
    # Where readers find publish/ behind the proxy (docs/deployment.md), for the UI's links;
    # default INBEELD_PUBLISH_URL, else a file:// link that works on this machine only.
    publish_url: str | None = None
    # A second writer waits this long for the first, then fails with a message.
    lock_wait_seconds: int = 900

    _tx: WarehouseTransaction | None = PrivateAttr(default=None)
    _run_id: str = PrivateAttr(default="")
    _instance: dg.DagsterInstance | None = PrivateAttr(default=None)

    # ------------------------------------------------------------------ lifecycle

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._run_id = context.run_id or uuid.uuid4().hex
        self._instance = context.instance
        try:
            settings.check_exports_location(self.published_dir, self.exports_target)
        except ValueError as exc:
            raise dg.Failure(description=str(exc)) from None

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        tx, self._tx = self._tx, None
        if tx is None:
            return
        try:
            # A run of a selection without the commit step (a subset materialised from the
            # UI) still commits when every step succeeded.
            if not tx.committed and not self._run_had_failures():
                tx.commit()
        finally:
            tx.release()

    def _run_had_failures(self) -> bool:
        if self._instance is None or not self._run_id:
            return True
        failures = self._instance.all_logs(self._run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
        return bool(failures)

    def _begin(self) -> WarehouseTransaction:
        if self._tx is None:
            tx = WarehouseTransaction(
                self.committed_file,
                self._run_id or uuid.uuid4().hex,
                public=[self.published_dir],
                private=[self.exports_target],
                lock_wait_seconds=self.lock_wait_seconds,
            )
            try:
                tx.begin()
            except WarehouseBusy as exc:
                raise dg.Failure(description=str(exc)) from None
            self._tx = tx
        return self._tx

    # ------------------------------------------------------------------ where

    @property
    def committed_file(self) -> Path:
        """The warehouse as readers outside this run see it."""
        return settings.warehouse_path(self.path)

    @property
    def published_dir(self) -> Path:
        return settings.publish_path(self.publish_path)

    @property
    def exports_target(self) -> Path:
        return settings.exports_path(self.exports_path)

    def published_url(self, page: Path) -> str:
        """The link to a published page: under the publish base URL where one is set."""
        base = self.publish_url or settings.publish_url()
        if not base:
            return page.as_uri()
        return f"{base.rstrip('/')}/{page.relative_to(self.published_dir).as_posix()}"

    @property
    def file(self) -> Path:
        """What this run reads: its own work copy once it wrote, else the committed file."""
        if self._tx is not None and not self._tx.committed:
            return self._tx.work
        return self.committed_file

    def writable_file(self) -> Path:
        """Take the lock and the work copy (once per run); the path writers use."""
        return self._begin().work

    def publish_dir(self) -> Path:
        """Where this run writes publish/: an empty staged folder that replaces it at commit
        (publication writes it whole; a region whose numbers did not change is copied over
        from the published folder rather than written again)."""
        return self._begin().staged(self.published_dir, fresh=True)

    def exports_dir(self) -> Path:
        """Where this run writes exports/: an empty staged folder that replaces it at commit
        (the work lists are written complete every time)."""
        return self._begin().staged(self.exports_target, fresh=True)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.file if read_only else self.writable_file()
        con = duckdb.connect(str(path), read_only=read_only)
        try:
            yield con
        finally:
            con.close()

    # ------------------------------------------------------------------ commit

    def commit(self) -> None:
        """Make the run's warehouse, publish/ and exports/ visible together."""
        if self._tx is None:
            return
        try:
            self._tx.commit()
        except CommitError as exc:
            raise dg.Failure(
                description=(
                    f"De run is niet vastgelegd ({exc}). Het warehouse, publish/ en exports/ "
                    "zijn ongewijzigd."
                )
            ) from exc


class InboxResource(dg.ConfigurableResource):
    """The inbox folder (INBEELD_INBOX, default the demo inbox)."""

    path: str | None = None

    @property
    def root(self) -> Path:
        return settings.inbox_path(self.path)


class PseudonymKeyResource(dg.ConfigurableResource):
    """INBEELD_PSEUDONYM_KEY, read when a run needs it; a run without it fails clearly."""

    def key(self) -> str:
        try:
            return settings.pseudonym_key()
        except settings.MissingKeyError as exc:
            raise dg.Failure(description=str(exc)) from None

    def pseudonymiser(self) -> Pseudonymiser:
        return Pseudonymiser(self.key())

    def verify(self, con: duckdb.DuckDBPyConnection) -> None:
        """Stop before writing when the warehouse was built with another key."""
        try:
            verify_key(con, self.key(), record=True)
        except KeyMismatch as exc:
            raise dg.Failure(description=str(exc)) from None


class DisclosureResource(dg.ConfigurableResource):
    """Disclosure control of everything published (SPEC §2): a count of 1..k−1 is shown as
    `<k`. k comes from this resource's config, else INBEELD_DISCLOSURE_K, else the dbt var
    `disclosure_k` (5): one setting for the dashboards and the SZW table."""

    k: int | None = None

    def threshold(self) -> int:
        k = self.k if self.k is not None else settings.disclosure_k()
        if k < 2:
            raise dg.Failure(description=f"disclosure_k moet minstens 2 zijn, niet {k}.")
        return k
