"""The closing summary of `inbeeld run` / `inbeeld demo`, read from the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestration.ingest.warehouse import OPEN_REJECTIONS_SQL, SHORT_LISTS_SQL
from orchestration.sql import statements

SQL = statements("summary")
# A list longer than this is cut, with how many more and where the whole list is.
LISTED = 100


def _table(title: str, columns: list[str]) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False)
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right", no_wrap=i == 0)
    return t


def print_summary(console: Console, warehouse: Path, months: tuple[str, str]) -> None:
    lo, hi = months
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loads = con.execute(SQL["loads"], [lo, hi]).fetchall()
        t = _table(
            f"Ingelezen bestanden {lo[:7]} t/m {hi[:7]}",
            ["bestandstype", "ingelezen", "afgekeurd", "regels", "geladen", "quarantaine"],
        )
        for row in loads:
            t.add_row(*[str(v) for v in row])
        console.print(t)

        rejected = con.execute(OPEN_REJECTIONS_SQL, [lo, hi]).fetchall()
        if rejected:
            console.print(f"[bold yellow]{len(rejected)} afgekeurde bestanden:[/]")
            for path, reason, message in rejected[:LISTED]:
                # Paths come from the inbox: print them as text, never as Rich markup.
                console.print(f"  [yellow]{escape(path)}[/] [bold]{reason}[/]: {escape(message)}")
            _print_more(console, len(rejected), "audit.loads (status 'rejected')")
        _print_held_back(console, con)
        _print_short_lists(console, con, lo, hi)

        q = con.execute(SQL["quarantine"], [lo, hi]).fetchall()
        if q:
            t = _table("Regels in quarantaine per gemeente", ["gemeente", "reden", "regels"])
            for gm, reason, n in q:
                t.add_row(gm, reason, str(n))
            console.print(t)
        _print_marts(console, con)
    finally:
        con.close()


def _print_held_back(console: Console, con: duckdb.DuckDBPyConnection) -> None:
    if not _has_table(con, "audit", "held_back"):
        return
    held = [r[0] for r in con.execute(SQL["held_back"]).fetchall()]
    if held:
        console.print(
            f"[bold yellow]{len(held)} bestanden wachten:[/] ze worden nog geschreven "
            "(gewijzigd in de laatste minuut) en worden bij de volgende run ingelezen:"
        )
        for path in held[:LISTED]:
            console.print(f"  [yellow]{escape(path)}[/]: wordt nog geschreven, volgende run")
        _print_more(console, len(held), "audit.held_back")


def _print_more(console: Console, n: int, where: str) -> None:
    if n > LISTED:
        console.print(f"  en nog {n - LISTED}; de hele lijst staat in {where} in het warehouse")


def _print_short_lists(console: Console, con: duckdb.DuckDBPyConnection, lo: str, hi: str) -> None:
    short = con.execute(SHORT_LISTS_SQL, [lo, hi]).fetchall()
    for path, rows, previous in short:
        console.print(
            f"[yellow]⚠ {escape(path)}: {rows} jongeren, de vorige lijst van deze gemeente had "
            f"er {previous}. Controleer of de export volledig is en lever zo nodig opnieuw aan.[/]"
        )


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(SQL["has_table"], [schema, table]).fetchone()[0])


# The region's figures of the latest month: short column head, and the words on a narrow
# terminal, in the order of the query below.
MART_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lijst", "op de lijst"),
    ("uitgesl.", "uitgesloten"),
    ("in beeld", "in beeld te brengen"),
    ("pers.", "persistent"),
    ("A", "prioriteit A"),
    ("B", "prioriteit B"),
    ("C", "prioriteit C"),
    ("benad.", "benaderd"),
    ("bereikt", "bereikt"),
    ("traject", "in traject"),
)


def _print_marts(console: Console, con: duckdb.DuckDBPyConnection) -> None:
    """The latest month of the window per region, and placements and outflow overall."""
    if not _has_table(con, "marts", "region_month"):
        return
    latest = con.execute(SQL["latest_month"]).fetchone()[0]
    if latest is None:
        return
    rows = con.execute(SQL["region_totals"], [latest]).fetchall()
    t = _table(f"Jongeren op de lijst, {latest:%Y-%m}", ["regio", *(c for c, _ in MART_COLUMNS)])
    for row in rows:
        t.add_row(*[str(v) for v in row])
    # The width the table wants unwrapped (measuring within the console caps it there).
    if console.measure(t, options=console.options.update_width(10_000)).maximum <= console.width:
        console.print(t)
    else:
        # A narrow terminal (80 columns): one wrapped line per region instead of a table
        # whose columns would be cut to a few letters.
        console.print(f"[bold]Jongeren op de lijst, {latest:%Y-%m}[/]")
        for row in rows:
            figures = " · ".join(
                f"{name} {v}" for (_, name), v in zip(MART_COLUMNS, row[1:11], strict=True)
            )
            console.print(f"[bold]{escape(str(row[0]))}[/]: {figures}")
    by_source: dict[str, list[str]] = {}
    for region, source, n in con.execute(SQL["exclusions"], [latest]).fetchall():
        by_source.setdefault(region, []).append(f"{source} {n}")
    for region, figures in by_source.items():
        console.print(f"Uitgesloten in {region} naar reden: " + ", ".join(figures))

    stages = con.execute(SQL["stages"], [latest]).fetchall()
    console.print("Fase (" + f"{latest:%Y-%m}" + "): " + ", ".join(f"{s} {n}" for s, n in stages))
    placements = con.execute(SQL["placements"]).fetchall()
    for kind, n, yes, no, unknown in placements:
        console.print(
            f"Plaatsingen {kind}: {n} (duurzaam {yes}, niet duurzaam {no}, nog onbekend {unknown})"
        )
    outflow = con.execute(SQL["outflow"]).fetchall()
    if outflow:
        console.print("Uitstroom: " + ", ".join(f"{r} {n}" for r, n in outflow))
