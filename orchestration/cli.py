"""The `inbeeld` command: generate, run and demo (SPEC §5)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import json
import logging
import os
import secrets
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from orchestration import settings
from orchestration.atomic import describe_os_error
from orchestration.ingest.inbox import delivery_months, first_partition_month, parse_month
from orchestration.private import private_dir, private_tree

console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DAGSTER_YAML = """\
# Written by inbeeld. One writer at a time on the DuckDB warehouse: a run whose steps take
# the pool "warehouse" waits for the previous such run as a whole (granularity: run), and
# runs are queued one at a time. A run that crashed or failed to start is tried again;
# a run that failed on the data is not (fix the data, the sensor starts a new run).
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
concurrency:
  pools:
    granularity: run
    default_limit: 1
  runs:
    max_concurrent_runs: 1
run_retries:
  enabled: true
  max_retries: 2
  retry_on_asset_or_op_failure: false
telemetry:
  enabled: false
# Dagster's SQLite storage in this folder, with cheaper event writes
# (orchestration/dagster_storage.py).
storage:
  custom:
    module: orchestration.dagster_storage
    class: InbeeldSqliteStorage
    config:
      base_dir: {home}
"""


def dagster_yaml(home: Path) -> str:
    """The dagster.yaml inbeeld writes into DAGSTER_HOME: the storage is that folder, as in
    Dagster's default (named in full, since a custom storage has no default folder)."""
    return DAGSTER_YAML.replace("{home}", json.dumps(str(home.resolve())))


class UsageError(Exception):
    """A problem the user can fix; printed without a traceback, exit code 2."""


# --------------------------------------------------------------------------- helpers


def _month_arg(value: str) -> dt.date:
    month = parse_month(value)
    if month is None:
        raise UsageError(f"'{value}' is geen maand in de vorm JJJJ-MM.")
    return month


def parse_month_range(value: str) -> tuple[dt.date, dt.date]:
    lo, _, hi = value.partition("..")
    start, end = _month_arg(lo), _month_arg(hi or lo)
    if end < start:
        raise UsageError(f"--months {value}: het einde ligt vóór het begin.")
    return start, end


def inbox_months(inbox: Path) -> list[dt.date]:
    if not inbox.is_dir():
        raise UsageError(
            f"Inbox {inbox} bestaat niet. Wijs met --inbox of INBEELD_INBOX een map aan met "
            "bestanden <JJJJ-MM>/<GMxxxx>/jib.csv, of start `inbeeld demo`."
        )
    months = delivery_months(inbox, settings.today())
    if not months:
        raise UsageError(f"Inbox {inbox} bevat geen maandmappen (JJJJ-MM).")
    return months


def prepare_dagster_home() -> Path:
    """DAGSTER_HOME with its dagster.yaml, owner-only: run and event databases and compute
    logs are read by nobody else."""
    home = settings.dagster_home()
    private_dir(home, create_parents=True)
    cfg = home / "dagster.yaml"
    # Our own file is brought up to date; one the operator wrote is left alone.
    current = cfg.read_text() if cfg.exists() else ""
    wanted = dagster_yaml(home)
    if not current or (current.startswith("# Written by inbeeld") and current != wanted):
        cfg.write_text(wanted)
    private_tree(home)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


# Folders dbt writes while it runs: never walked, since another run may be deleting them.
_DBT_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}


def _dbt_sources(project: Path) -> Iterator[Path]:
    """The project's own .sql/.yml/.csv files; dbt's output folders are pruned, not filtered
    afterwards, so a concurrent run cleaning its target folder cannot break the walk."""
    for folder, dirs, files in os.walk(project):
        if folder == str(project):
            dirs[:] = [d for d in dirs if d not in _DBT_OUTPUT_DIRS and not d.startswith(".")]
        for name in files:
            if Path(name).suffix in {".sql", ".yml", ".csv"}:
                yield Path(folder, name)


def _ensure_manifest() -> None:
    """Dagster reads dbt's manifest: (re)parse the project when it is missing or stale."""
    from orchestration.dbt_parse import dbt_executable
    from orchestration.settings import DBT_PROJECT_DIR

    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = list(_dbt_sources(DBT_PROJECT_DIR))
    if manifest.exists() and all(p.stat().st_mtime <= manifest.stat().st_mtime for p in sources):
        return
    err.print("dbt-project gewijzigd: manifest opnieuw maken (dbt parse) …")
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--profiles-dir", "."],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise UsageError(
            "dbt parse is mislukt: herstel het dbt-project (zie hieronder) of start `make install`.\n"
            + result.stdout[-2000:]
            + result.stderr[-2000:]
        )


# --------------------------------------------------------------------------- run


def _check_key(warehouse: Path) -> None:
    """Refuse a key that is missing, too short, or not the one that built the warehouse."""
    from orchestration.keycheck import KeyMismatch, verify_key_file

    key = settings.pseudonym_key()
    try:
        verify_key_file(warehouse, key)
    except KeyMismatch as exc:
        raise UsageError(str(exc)) from None


def _resources_config(inbox: Path | None, warehouse: Path) -> dict:
    """The paths of this command, handed to the run's resources (never via os.environ)."""
    config: dict = {
        "warehouse": {
            "config": {
                "path": str(warehouse),
                "publish_path": str(settings.publish_path()),
                "exports_path": str(settings.exports_path()),
                "lock_wait_seconds": 0,  # a person at a terminal is told at once
            }
        }
    }
    if inbox is not None:
        config["inbox"] = {"config": {"path": str(inbox)}}
    return config


def _committed(warehouse: Path, run_id: str) -> bool:
    import duckdb

    if not warehouse.is_file():
        return False
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            row = con.execute(
                "select count(*) from audit.run_commits where run_id = ?", [run_id]
            ).fetchone()
    except duckdb.Error:
        return False
    return bool(row and row[0])


def run_pipeline(inbox: Path, warehouse: Path, months: tuple[dt.date, dt.date] | None) -> int:
    """Materialise the whole asset graph in-process for a month range; 0 when it completed.

    The run's resources work on a copy of the warehouse and staged publish/exports
    folders that replace the originals only when the run completed (orchestration.atomic):
    a failed or killed run changes nothing.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if warehouse.is_dir():
        raise UsageError(f"{warehouse} is een map, geen bestand: kies een warehouse-bestand.")
    _check_key(warehouse)  # before anything is written
    try:
        settings.check_exports_location(settings.publish_path(), settings.exports_path())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    found = inbox_months(inbox)
    start, end = months or (found[0], found[-1])
    first = first_partition_month(inbox, settings.today())
    if start < first:
        raise UsageError(
            f"--months begint vóór de eerste maand van inbeeld ({first:%Y-%m}, "
            "INBEELD_FIRST_MONTH of de eerste maandmap van de inbox): kies een latere "
            "maand of zet INBEELD_FIRST_MONTH eerder."
        )
    _ensure_manifest()
    prepare_dagster_home()
    from orchestration.atomic import work_copy_path
    from orchestration.dbt_parse import parse_ahead

    # The first run on a warehouse: dbt's full parse beside Dagster's start-up and the
    # ingest, instead of at the start of the dbt step (orchestration/dbt_parse.py).
    ahead = parse_ahead(work_copy_path(warehouse))
    try:
        return _execute(inbox, warehouse, start, end)
    finally:
        if ahead is not None:
            ahead.close()


def _explain(failure: str) -> str:
    """A step failure as the summary shows it: the cause first where we know it."""
    lowered = failure.lower()
    if "no space left" in lowered or "disk is full" in lowered or "schijf vol" in lowered:
        return "schijf vol: maak ruimte vrij op de schijf van het warehouse en start de run opnieuw"
    return failure


# Python collects its youngest objects every 700 new ones by default. A run makes millions
# (Dagster's events, dbt's log lines), and the collections took 1.4-1.7 s of a month's run
# in this process, 0.5 s at these thresholds.
GC_THRESHOLDS = (50_000, 20, 20)


def _execute(inbox: Path, warehouse: Path, start: dt.date, end: dt.date) -> int:
    """One in-process run of the job over the month range, with progress and summary."""

    started = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} stappen"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        task = progress.add_task("Dagster laden", total=None)
        from orchestration.workers import start_server

        start_server()
        import dagster as dg

        from orchestration.definitions import defs
        from orchestration.progress import PROGRESS_LOGGER, event_of, failure_text

        job = defs.resolve_job_def("inbeeld_maand")
        gc.set_threshold(*GC_THRESHOLDS)
        steps = len(job.graph.node_dict)
        progress.update(task, total=steps, description=f"Run {start:%Y-%m} t/m {end:%Y-%m}")
        failures: list[str] = []

        class _Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                event_type, step, message = event_of(record)
                if event_type == "STEP_START":
                    progress.update(task, description=f"{step}")
                elif event_type in ("STEP_SUCCESS", "STEP_SKIPPED"):
                    progress.advance(task)
                elif event_type == "STEP_FAILURE":
                    progress.advance(task)
                    failures.append(f"{step}: {failure_text(record)}")
                elif (
                    event_type in ("RUN_FAILURE", "ENGINE_EVENT")
                    and record.levelno >= logging.ERROR
                ):
                    failures.append(failure_text(record))
                elif (
                    record.levelno >= logging.WARNING
                    and event_type is None
                    # Steps skipped after a failure: the failure itself is what counts.
                    and not message.startswith("Dependencies for step")
                ):
                    progress.console.print(f"[yellow]⚠ {escape(message)}[/]")

        handler = _Handler()
        logging.getLogger(PROGRESS_LOGGER).addHandler(handler)
        # dbt's own output goes to a log file, not over the progress display.
        log_file = prepare_dagster_home() / "logs" / "last-run.log"
        log_file.parent.mkdir(exist_ok=True)
        try:
            with open(log_file, "w") as log, contextlib.redirect_stdout(log):
                result = job.execute_in_process(
                    instance=dg.DagsterInstance.get(),
                    raise_on_error=False,
                    tags={
                        "dagster/asset_partition_range_start": start.isoformat(),
                        "dagster/asset_partition_range_end": end.isoformat(),
                        "inbeeld/launched_by": "cli",
                    },
                    run_config={
                        "loggers": {"inbeeld_progress": {}},
                        "resources": _resources_config(inbox, warehouse),
                    },
                )
        except OSError as exc:  # e.g. the log file itself on a full disk
            failures.append(describe_os_error(exc))
            result = None
        finally:
            logging.getLogger(PROGRESS_LOGGER).removeHandler(handler)
        committed = result is not None and result.success and _committed(warehouse, result.run_id)
        progress.update(task, description="Klaar" if committed else "Mislukt")

    from orchestration.summary import print_summary

    elapsed = time.monotonic() - started
    run_id = result.run_id if result is not None else "-"
    if not committed:
        # Nothing was committed: no file counts as read in, so no summary of loads.
        err.print(f"[bold red]De pipeline is niet voltooid[/] (run {run_id}, {elapsed:.0f} s).")
        for f in failures or ["zie de Dagster-UI (make ui) voor de foutmelding"]:
            err.print(f"  [red]{escape(_explain(f))}[/]")
        err.print(
            f"Er is niets vastgelegd: het warehouse ({escape(str(warehouse))}), publish/ en "
            "exports/ zijn ongewijzigd. Herstel de oorzaak en start `inbeeld run` opnieuw."
        )
        return 1
    try:
        print_summary(console, warehouse, (start.isoformat(), end.isoformat()))
    except Exception as exc:  # the summary must never hide the run's own outcome
        err.print(f"[yellow]Geen samenvatting: {escape(str(exc))}[/]")
    console.print(f"Warehouse bijgewerkt: {escape(str(warehouse))}")
    console.print(
        f"Gepubliceerd (geaggregeerd, onder geheimhouding): {escape(str(settings.publish_path()))}"
    )
    console.print(
        f"[bold green]Run voltooid[/] in {elapsed:.0f} s (run {run_id[:8]}). "
        f"Log van dbt: {escape(str(log_file))}"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    months = parse_month_range(args.months) if args.months else None
    return run_pipeline(
        settings.inbox_path(args.inbox), settings.warehouse_path(args.warehouse), months
    )


# --------------------------------------------------------------------------- generate


def _generate(
    out: Path,
    region: str | None,
    national: bool,
    months: int,
    start: str | None,
    seed: int,
    real_scale: float | None = None,
) -> None:
    from orchestration.generate import generate_inbox

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task = progress.add_task("Genereren", total=None)

        def report(stage: str, done: int, total: int) -> None:
            progress.update(task, description=stage, completed=done, total=total)

        summary = generate_inbox(
            out,
            region=None if national else region,
            national=national,
            months=months,
            start=start,
            seed=seed,
            progress=report,
            real_scale=real_scale,
        )
    console.print(
        f"[bold green]Synthetische inbox[/] in {summary.out}: {summary.municipalities} gemeenten, "
        f"{summary.months} maanden, {summary.youths} jongeren, {summary.files} bestanden."
    )
    for w in getattr(summary, "warnings", []) or []:
        err.print(f"[yellow]⚠ {w}[/]")


def cmd_generate(args: argparse.Namespace) -> int:
    if args.start:
        _month_arg(args.start)
    real_scale = None
    if args.real_scale:
        if not args.national:
            err.print("[red]--real-scale is alleen voor --national[/] (de benchmark van het land).")
            return 2
        if not 0 < args.scale <= 1:
            err.print("[red]--scale moet tussen 0 en 1 liggen[/] (1 = de echte omvang).")
            return 2
        real_scale = args.scale
    _generate(
        Path(args.out),
        args.region,
        args.national,
        args.months,
        args.start,
        args.seed,
        real_scale,
    )
    return 0


# --------------------------------------------------------------------------- demo


def demo_key() -> Path:
    """The demo's local pseudonym key: created once, owner-only, never for production."""
    path = (settings.REPO_ROOT / settings.DEMO_KEY_FILE).resolve()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        err.print(
            f"[yellow]Demo: lokale pseudonimiseringssleutel aangemaakt in {path} (alleen "
            "voor de eigenaar leesbaar). Gebruik in productie INBEELD_PSEUDONYM_KEY.[/]"
        )
    return path


def cmd_demo(args: argparse.Namespace) -> int:
    if not os.environ.get(settings.KEY_ENV):
        os.environ[settings.KEY_ENV] = demo_key().read_text().strip()
        err.print(f"Demo: sleutel uit {settings.DEMO_KEY_FILE}.")
    inbox = settings.inbox_path(args.inbox)
    _generate(inbox, args.region, False, args.months, None, args.seed)
    # The generator has finished writing: nothing in the demo inbox is still being written.
    os.environ.setdefault("INBEELD_SETTLE_SECONDS", "0")
    rc = run_pipeline(inbox, settings.warehouse_path(args.warehouse), None)
    if rc == 0:
        console.print("\n[bold]Waar kijken:[/]")
        console.print(f"  inbox       {inbox}")
        console.print(
            f"  warehouse   {settings.warehouse_path(args.warehouse)} "
            "(DuckDB: marts.youth_month, marts.region_month, marts.outflow, marts.placements; "
            "audit.loads, audit.quarantine)"
        )
        console.print(
            f"  werklijsten {settings.exports_path()}/<gemeentecode>/werklijst.csv "
            "(persoonsgegevens, alleen eigenaar)"
        )
        publish = settings.publish_path()
        console.print(f"  SZW-tabel   {publish / 'szw' / 'szw_kwartaal.csv'} (met definities.md)")
        console.print("  Dagster UI  make ui  →  http://127.0.0.1:3000")
        console.print("\n[bold]Dashboards (open in een browser):[/]")
        # Plain print: the path must stay on one line, whatever the terminal width.
        print(publish / "index.html", flush=True)
    return rc


# --------------------------------------------------------------------------- reidentify


def cmd_reidentify(args: argparse.Namespace) -> int:
    import duckdb

    from orchestration.atomic import REIDENTIFIED_MAX_AGE
    from orchestration.core.bsn import Pseudonymiser
    from orchestration.publish.work_lists import ReidentifyError, reidentify

    gemeentecode = args.gemeente.strip().upper()
    pseudonymise = Pseudonymiser(settings.pseudonym_key())
    warehouse = settings.warehouse_path(args.warehouse)
    if not warehouse.is_file():
        raise UsageError(f"Warehouse {warehouse} bestaat niet: start eerst `inbeeld run`.")
    _check_key(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        target, n = reidentify(
            con,
            gemeentecode,
            settings.inbox_path(args.inbox),
            settings.exports_path(),
            pseudonymise,
        )
    except ReidentifyError as exc:
        raise UsageError(str(exc)) from None
    finally:
        con.close()
    console.print(
        f"Werklijst met BSN voor {gemeentecode}: {n} jongeren met prioriteit in {target} "
        "(alleen voor de eigenaar leesbaar). Het bestand wordt verwijderd bij de volgende run "
        f"of na {REIDENTIFIED_MAX_AGE.days} dagen, wat het eerst komt; verwijder het zelf "
        "zodra het niet meer nodig is."
    )
    return 0


# --------------------------------------------------------------------------- retention


def cmd_retention(args: argparse.Namespace) -> int:
    """The retention job (orchestration/defs/retention) in-process, all or nothing, then
    the monthly job over the inbox's months — as the sensor inbeeld_na_retentie does in
    the UI — so marts, work lists and pages lose every trace of a purged youth."""
    warehouse = settings.warehouse_path(args.warehouse)
    inbox = settings.inbox_path(args.inbox)
    if not warehouse.is_file():
        raise UsageError(f"Geen warehouse op {warehouse}: eerst `inbeeld run`.")
    if args.as_of:
        _month_arg(args.as_of)
    _check_key(warehouse)
    inbox_months(inbox)  # the rebuild needs the inbox: refuse before anything is purged
    _ensure_manifest()
    prepare_dagster_home()
    import dagster as dg

    from orchestration.definitions import defs

    job = defs.resolve_job_def("inbeeld_retentie")
    log_file = prepare_dagster_home() / "logs" / "last-retention.log"
    log_file.parent.mkdir(exist_ok=True)
    with (
        err.status("Bewaartermijn toepassen: bevriezen en verwijderen"),
        open(log_file, "w") as log,
        contextlib.redirect_stdout(log),
    ):
        result = job.execute_in_process(
            instance=dg.DagsterInstance.get(),
            raise_on_error=False,
            run_config={
                "ops": {"bewaartermijn_toepassen": {"config": {"as_of": args.as_of}}},
                "loggers": {"inbeeld_progress": {}},
                "resources": _resources_config(None, warehouse),
            },
            tags={"inbeeld/launched_by": "cli"},
        )
    if not (result.success and _committed(warehouse, result.run_id)):
        err.print(
            f"[bold red]Bewaartermijn niet toegepast[/]; het warehouse is ongewijzigd. Zie {log_file}."
        )
        return 1
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select as_of, youths_purged, jib_rows, registration_rows, begeleiding_rows,"
            " quarantine_rows, never_listed_registration_rows, frozen_through"
            " from audit.retention_runs order by run_at desc limit 1"
        ).fetchone()
    frozen = f"gepubliceerde cijfers bevroren t/m {row[7]:%Y-%m}" if row[7] else "niets bevroren"
    console.print(
        f"Bewaartermijn per {row[0]:%Y-%m}: {row[1]} jongeren verwijderd "
        f"(rijen: jib {row[2]}, registraties {row[3]}, begeleiding {row[4]}, quarantaine {row[5]}); "
        f"{row[6]} registraties van nooit vermelde jongeren verwijderd; {frozen}."
    )
    console.print("Herbouwen en opnieuw publiceren (de maandjob over alle maanden) …")
    return run_pipeline(inbox, warehouse, None)


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="inbeeld", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the whole asset graph through Dagster, in-process")
    run.add_argument("--inbox", help="inbox folder (default INBEELD_INBOX or demo/inbox)")
    run.add_argument(
        "--warehouse", help="DuckDB file (default INBEELD_WAREHOUSE or warehouse/inbeeld.duckdb)"
    )
    run.add_argument("--months", help="YYYY-MM..YYYY-MM (default: every month in the inbox)")
    run.set_defaults(func=cmd_run)

    gen = sub.add_parser("generate", help="write a synthetic inbox")
    gen.add_argument("--out", required=True)
    where = gen.add_mutually_exclusive_group()
    where.add_argument("--region", default="Zuid-Kennemerland en IJmond")
    where.add_argument("--national", action="store_true")
    gen.add_argument("--months", type=int, default=24)
    gen.add_argument("--start", help="first month YYYY-MM (default: ends at the last closed month)")
    gen.add_argument("--seed", type=int, default=20261122)
    gen.add_argument(
        "--real-scale",
        action="store_true",
        help=(
            "with --national, for the benchmark only: the country at its real size. The "
            "9999xxxxx test range holds too few numbers, so this mode alone draws random "
            "elfproef-valid BSNs from the whole 9-digit space; they exist only in --out, "
            "never commit or share that folder (bench/README.md)"
        ),
    )
    gen.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="with --real-scale: the share of the real size (e.g. 0.25 for the growth table)",
    )
    gen.set_defaults(func=cmd_generate)

    demo = sub.add_parser(
        "demo", help="generate a synthetic region, run everything, print where to look"
    )
    demo.add_argument("--inbox", help="where to write the demo inbox (default demo/inbox)")
    demo.add_argument("--warehouse")
    demo.add_argument("--region", default="Zuid-Kennemerland en IJmond")
    demo.add_argument("--months", type=int, default=24)
    demo.add_argument("--seed", type=int, default=20261122)
    demo.set_defaults(func=cmd_demo)
    reid = sub.add_parser("reidentify", help="the work list with BSNs, for one municipality")
    reid.add_argument("--gemeente", required=True, help="GMxxxx")
    reid.add_argument("--inbox")
    reid.add_argument("--warehouse")
    reid.set_defaults(func=cmd_reidentify)
    ret = sub.add_parser("retention", help="apply the retention period (SPEC §2) and republish")
    ret.add_argument("--as-of", help="YYYY-MM (default: the current month)")
    ret.add_argument("--warehouse")
    ret.add_argument("--inbox", help="the inbox the rebuild reads (default INBEELD_INBOX)")
    ret.set_defaults(func=cmd_retention)
    return p


def restore_interrupts() -> None:
    """SIGINT and SIGTERM as a foreground command has them.

    A shell starts a background job (`inbeeld run &`, a CI step in the background) with
    SIGINT ignored. Dagster maps SIGTERM onto SIGINT's handler, so SIGTERM became ignored
    as well, and every child inherits that: a cancelled run's dbt and `make ui`'s servers
    then never stopped on SIGTERM. Restoring the defaults keeps them stoppable."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    restore_interrupts()
    # Dagster's notices about its own beta and preview APIs are for the developers (the UI
    # and `make check` show them), not for a region's data team running a command.
    for notice in (r".*is currently in beta", r".*is currently in preview", r".*superseded"):
        warnings.filterwarnings("ignore", message=notice)
    # Everything this command creates is owner-only (warehouse, Dagster's run history,
    # logs, work lists); published aggregates are opened up explicitly when committed.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    if getattr(args, "inbox", None):
        # The code location places its first month partition by the inbox
        # (orchestration/defs/partitions.py) when it loads: name it before that. Paths
        # reach the run itself as resource config, never through the environment.
        os.environ["INBEELD_INBOX"] = str(settings.inbox_path(args.inbox))
    try:
        return int(args.func(args) or 0)
    except (UsageError, settings.MissingKeyError, settings.SettingError) as exc:
        err.print(f"[bold red]inbeeld:[/] {escape(str(exc))}")
        return 2
    except KeyboardInterrupt:
        err.print(
            "[red]Afgebroken.[/] Wat al geladen was blijft staan; start het commando opnieuw."
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
