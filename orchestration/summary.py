"""The closing summary of `inbeeld run` / `inbeeld demo`, read from the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from orchestration.ingest.warehouse import OPEN_REJECTIONS_SQL, SHORT_LISTS_SQL
from orchestration.publish.cube import EXCLUSION_SOURCES


def _table(title: str, columns: list[str]) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False)
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right", no_wrap=i == 0)
    return t


def print_summary(console: Console, warehouse: Path, months: tuple[str, str]) -> None:
    lo, hi = months
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loads = con.execute(
            """
            select coalesce(source, '(onbekend)'),
                   count(*) filter (where status = 'loaded' and is_current),
                   count(*) filter (where status = 'rejected'),
                   coalesce(sum(rows_in) filter (where status = 'loaded' and is_current), 0),
                   coalesce(sum(rows_loaded) filter (where status = 'loaded' and is_current), 0),
                   coalesce(sum(rows_quarantined) filter (where is_current or status = 'rejected'), 0)
            from audit.loads
            where month is null or month between ?::date and ?::date
            group by all order by 1
            """,
            [lo, hi],
        ).fetchall()
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
            for path, reason, message in rejected:
                # Paths come from the inbox: print them as text, never as Rich markup.
                console.print(f"  [yellow]{escape(path)}[/] [bold]{reason}[/]: {escape(message)}")
        _print_held_back(console, con)
        _print_short_lists(console, con, lo, hi)

        q = con.execute(
            """
            select coalesce(l.gemeentecode, '-'), q.reason, count(*)
            from audit.quarantine q join audit.loads l using (path, sha256)
            where (l.is_current or l.status = 'rejected')
              and (l.month is null or l.month between ?::date and ?::date)
            group by all order by 1, 2
            """,
            [lo, hi],
        ).fetchall()
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
    held = [r[0] for r in con.execute("select path from audit.held_back order by path").fetchall()]
    if held:
        console.print(
            f"[bold yellow]{len(held)} bestanden wachten:[/] ze worden nog geschreven "
            "(gewijzigd in de laatste minuut) en worden bij de volgende run ingelezen:"
        )
        for path in held:
            console.print(f"  [yellow]{escape(path)}[/]: wordt nog geschreven, volgende run")


def _print_short_lists(console: Console, con: duckdb.DuckDBPyConnection, lo: str, hi: str) -> None:
    short = con.execute(SHORT_LISTS_SQL, [lo, hi]).fetchall()
    for path, rows, previous in short:
        console.print(
            f"[yellow]⚠ {escape(path)}: {rows} jongeren, de vorige lijst van deze gemeente had "
            f"er {previous}. Controleer of de export volledig is en lever zo nodig opnieuw aan.[/]"
        )


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


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
    latest = con.execute("select max(month) from marts.region_month").fetchone()[0]
    if latest is None:
        return
    rows = con.execute(
        """
        select arbeidsmarktregio, on_list, excluded, in_view, persistent,
               priority_a, priority_b, priority_c, approached, reached, in_trajectory,
               excluded_buitenland, excluded_detentie, excluded_jongerenloket,
               excluded_kvk, excluded_rmc
        from marts.region_month where gemeentecode = 'TOTAAL' and month = ?
        order by arbeidsmarktregio
        """,
        [latest],
    ).fetchall()
    t = _table(f"Jongeren op de lijst, {latest:%Y-%m}", ["regio", *(c for c, _ in MART_COLUMNS)])
    for row in rows:
        t.add_row(*[str(v) for v in row[:11]])
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
    for row in rows:
        console.print(
            f"Uitgesloten in {row[0]} naar reden: "
            + ", ".join(f"{r} {n}" for r, n in zip(EXCLUSION_SOURCES, row[11:], strict=True))
        )

    stages = con.execute(
        "select stage, count(*) from marts.youth_month where month = ? group by 1 order by 2 desc",
        [latest],
    ).fetchall()
    console.print("Fase (" + f"{latest:%Y-%m}" + "): " + ", ".join(f"{s} {n}" for s, n in stages))
    placements = con.execute(
        """
        select kind, count(*), count(*) filter (where sustained),
               count(*) filter (where not sustained), count(*) filter (where sustained is null)
        from marts.placements group by 1 order by 1
        """
    ).fetchall()
    for kind, n, yes, no, unknown in placements:
        console.print(
            f"Plaatsingen {kind}: {n} (duurzaam {yes}, niet duurzaam {no}, nog onbekend {unknown})"
        )
    outflow = con.execute(
        "select reason, count(*) from marts.outflow group by 1 order by 2 desc"
    ).fetchall()
    if outflow:
        console.print("Uitstroom: " + ", ".join(f"{r} {n}" for r, n in outflow))
