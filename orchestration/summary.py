"""The closing summary of `inbeeld run` / `inbeeld demo`, read from the warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table


def _table(title: str, columns: list[str]) -> Table:
    t = Table(title=title, title_justify="left", show_lines=False)
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
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

        rejected = con.execute(
            """
            select path, reason, message from audit.loads l
            where status = 'rejected' and (month is null or month between ?::date and ?::date)
              and not exists (select 1 from audit.loads c where c.path = l.path
                              and c.is_current and c.loaded_at >= l.loaded_at)
            order by path
            """,
            [lo, hi],
        ).fetchall()
        if rejected:
            console.print(f"[bold yellow]{len(rejected)} afgekeurde bestanden:[/]")
            for path, reason, message in rejected:
                console.print(f"  [yellow]{path}[/] [bold]{reason}[/]: {message}")

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
    finally:
        con.close()
