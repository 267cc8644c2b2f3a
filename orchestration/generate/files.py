"""Turning the simulated months into the CSV files of SPEC §1.

Lines are built column-wise with numpy object arrays (one string operation per column
per style, not per row), sorted by (month, municipality), and each file is one slice
joined into a string. Case histories that are exported cumulatively are prefixes of
the municipality's event list, so their size is simply what the real thing would be.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from orchestration.generate.calendar import first_day, label, to_date
from orchestration.generate.cohort import Cohort
from orchestration.generate.deliveries import Deliveries
from orchestration.generate.faults import Faults
from orchestration.generate.formats import DateText, Style
from orchestration.generate.fsio import FolderWriter
from orchestration.generate.population import EV, EVENTS, SOURCES
from orchestration.generate.registrations import Registrations

REGISTRATION_FILES = SOURCES  # kvk ... vso_pro
FILE_TYPES: tuple[str, ...] = ("jib", *REGISTRATION_FILES, "begeleiding")


@dataclass
class _Table:
    """Lines sorted by key; bounds[key]..bounds[key+1] are the lines of one file."""

    lines: np.ndarray
    bounds: np.ndarray
    extra: dict[int, list[str]] = field(default_factory=dict)  # appended rows (duplicates)

    def body(self, key: int) -> tuple[str, int]:
        a, b = int(self.bounds[key]), int(self.bounds[key + 1])
        extra = self.extra.get(key, [])
        return "".join(self.lines[a:b].tolist()) + "".join(extra), b - a + len(extra)


@dataclass
class WriteResult:
    files: int = 0
    rows: Counter[str] = field(default_factory=Counter)


class InboxWriter:
    def __init__(
        self,
        root: Path,
        codes: list[str],
        styles: list[Style],
        start: int,
        months: int,
        bsn: np.ndarray,
        dates: DateText,
        faults: Faults,
        org_ids: list[str],
    ) -> None:
        self.root = root
        self.codes = codes
        self.styles = styles
        self.start = start
        self.months = months
        self.bsn_num = np.asarray(bsn, dtype=np.int64)  # the BSN of each cohort person
        self.bsn = self.bsn_num.astype(str).astype(object)
        self.dates = dates
        self.faults = faults
        self.org_ids = org_ids
        self.n_gem = len(codes)
        distinct = list(dict.fromkeys(styles))
        self.style_groups = [
            (s, np.array([i for i, x in enumerate(styles) if x == s])) for s in distinct
        ]
        self.style_of = np.array([distinct.index(s) for s in styles])

    # ------------------------------------------------------------------ tables

    def _masks(self, g: np.ndarray) -> Iterator[tuple[Style, np.ndarray]]:
        """(style, row mask) for each style that writes some of the rows."""
        sid = self.style_of[g]
        for i, (style, _) in enumerate(self.style_groups):
            mask = sid == i
            if mask.any():
                yield style, mask

    def _bounds(self, keys: np.ndarray, n_keys: int) -> np.ndarray:
        return np.searchsorted(keys, np.arange(n_keys + 1))

    def jib_table(self, cohort: Cohort, dl: Deliveries) -> _Table:
        p, t, g = cohort.list_p, cohort.list_t.astype(np.int64), cohort.list_g.astype(np.int64)
        keep = dl.jib[t, g] & ~dl.jib_header_only[t, g]
        p, t, g = p[keep], t[keep], g[keep]
        order = np.lexsort((self.bsn_num[p], g, t))
        p, t, g = p[order], t[order], g[order]
        bsn = self.bsn[p]
        birth = np.empty(p.size, dtype=object)
        code = np.empty(p.size, dtype=object)
        lines = np.empty(p.size, dtype=object)
        code_text = {
            s: np.array([s.code_value(c) for c in self.codes], dtype=object)
            for s, _ in self.style_groups
        }
        for style, m in self._masks(g):
            birth[m] = self.dates(cohort.birth[p[m]], style.date_fmt)
            if style.gemeentecode:
                code[m] = code_text[style][g[m]]
                lines[m] = bsn[m] + style.sep + birth[m] + style.sep + code[m] + style.eol
            else:
                lines[m] = bsn[m] + style.sep + birth[m] + style.eol
        keys = t * self.n_gem + g
        table = _Table(lines, self._bounds(keys, self.months * self.n_gem), defaultdict(list))

        idx, faults = self.faults.pick(p.size, "jib")
        for i, fault in zip(idx.tolist(), faults, strict=True):
            style = self.styles[g[i]]
            fields = [bsn[i], birth[i]] + ([code[i]] if style.gemeentecode else [])
            peildatum = to_date(int(first_day(self.start + t[i])))
            new = self.faults.jib(fault, fields, int(cohort.birth[p[i]]), peildatum, style)
            line = style.sep.join(new) + style.eol
            if fault == "duplicate_bsn":
                table.extra[int(keys[i])].append(line)
            else:
                lines[i] = line
        return table

    def registration_table(
        self, regs: Registrations, snap: tuple[np.ndarray, np.ndarray, np.ndarray], dl: Deliveries
    ) -> _Table:
        r, t, g = snap[0], snap[1].astype(np.int64), snap[2].astype(np.int64)
        src = regs.src[r].astype(np.int64)
        delivered = np.zeros(r.size, dtype=bool)
        for s, name in enumerate(REGISTRATION_FILES):
            m = src == s
            delivered[m] = dl.source[name][t[m], g[m]]
        r, t, g, src = r[delivered], t[delivered], g[delivered], src[delivered]
        p = regs.p[r]
        order = np.lexsort((self.bsn_num[p], g, t, src))
        r, t, g, src, p = r[order], t[order], g[order], src[order], p[order]
        bsn = self.bsn[p]
        begin = np.empty(r.size, dtype=object)
        end = np.empty(r.size, dtype=object)
        lines = np.empty(r.size, dtype=object)
        for style, m in self._masks(g):
            begin[m] = self.dates(regs.begin[r[m]], style.date_fmt)
            end[m] = self.dates(regs.end[r[m]], style.date_fmt)
            lines[m] = bsn[m] + style.sep + begin[m] + style.sep + end[m] + style.eol
        keys = (src * self.months + t) * self.n_gem + g
        n_keys = len(REGISTRATION_FILES) * self.months * self.n_gem
        table = _Table(lines, self._bounds(keys, n_keys))

        idx, faults = self.faults.pick(r.size, "registration")
        for i, fault in zip(idx.tolist(), faults, strict=True):
            style = self.styles[g[i]]
            new = self.faults.registration(
                fault, [bsn[i], begin[i], end[i]], int(regs.begin[r[i]]), style
            )
            lines[i] = style.sep.join(new) + style.eol
        return table

    def event_table(self, cohort: Cohort) -> tuple[_Table, np.ndarray, dict[str, np.ndarray]]:
        """Events per municipality in date order (same date: the SPEC §1 event order)."""
        p, g = cohort.ev_p, cohort.ev_g.astype(np.int64)
        order = np.lexsort((self.bsn_num[p], cohort.ev_code, cohort.ev_day, g))
        p, g = p[order], g[order]
        t = cohort.ev_t[order]
        day = cohort.ev_day[order]
        code = cohort.ev_code[order].astype(np.int64)
        value = cohort.ev_value[order]
        bsn = self.bsn[p]
        datum = np.empty(p.size, dtype=object)
        name = np.empty(p.size, dtype=object)
        waarde = np.full(p.size, "", dtype=object)
        lines = np.empty(p.size, dtype=object)
        trede = code == EV["trede"]
        waarde[trede] = value[trede].astype(str).astype(object)
        org = np.array(self.org_ids + [""], dtype=object)
        ref = code == EV["verwijzing"]
        for style, m in self._masks(g):
            datum[m] = self.dates(day[m], style.date_fmt)
            names = np.array([style.event_name(e) for e in EVENTS], dtype=object)
            name[m] = names[code[m]]
            rm = m & ref
            ids = org[value[rm]]
            waarde[rm] = (
                np.array([x.lower() for x in ids], dtype=object) if style.org_lower else ids
            )
            lines[m] = (
                bsn[m]
                + style.sep
                + datum[m]
                + style.sep
                + name[m]
                + style.sep
                + waarde[m]
                + style.eol
            )
        table = _Table(lines, self._bounds(g, self.n_gem))
        # upto[g, t + 1] = index past the last event of g dated in month <= t (t >= -1):
        # a file is then a slice found without searching.
        lo_t = int(min(t.min(), -1)) if t.size else -1
        width = self.months - lo_t + 1
        keys = g * width + (t.astype(np.int64) - lo_t)
        wanted = np.arange(self.n_gem)[:, None] * width + (np.arange(-1, self.months) - lo_t)
        upto = np.searchsorted(keys, wanted, side="right")
        fields = {"bsn": bsn, "datum": datum, "name": name, "waarde": waarde, "day": day}
        return table, upto, fields

    # ------------------------------------------------------------------ writing

    def write(
        self,
        cohort: Cohort,
        regs: Registrations,
        snap: tuple[np.ndarray, np.ndarray, np.ndarray],
        dl: Deliveries,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> WriteResult:
        stage = "Tabellen opbouwen"
        if progress:
            progress(stage, 0, 3)
        jib = self.jib_table(cohort, dl)
        if progress:
            progress(stage, 1, 3)
        reg = self.registration_table(regs, snap, dl)
        if progress:
            progress(stage, 2, 3)
        events, upto, ev_fields = self.event_table(cohort)
        if progress:
            progress(stage, 3, 3)

        result = WriteResult()
        files = FolderWriter()
        try:
            self._write_all(dl, jib, reg, (events, upto, ev_fields), files, result, progress)
        finally:
            files.close()
        return result

    def _write_all(
        self,
        dl: Deliveries,
        jib: _Table,
        reg: _Table,
        events: tuple[_Table, np.ndarray, dict[str, np.ndarray]],
        files: FolderWriter,
        result: WriteResult,
        progress: Callable[[str, int, int], None] | None,
    ) -> None:
        last_delivered = np.full(self.n_gem, -1)  # for case systems that export only news
        n_cells = self.months * self.n_gem
        for t in range(self.months):
            month_dir = self.root / label(self.start + t)
            for g in range(self.n_gem):
                style = self.styles[g]
                out: list[tuple[str, str, int]] = []
                if dl.jib[t, g]:
                    body, n = jib.body(t * self.n_gem + g)
                    out.append(("jib", style.header("jib") + body, n))
                for s, name in enumerate(REGISTRATION_FILES):
                    if dl.source[name][t, g]:
                        body, n = reg.body((s * self.months + t) * self.n_gem + g)
                        out.append((name, style.header("registration") + body, n))
                if dl.begeleiding[t, g]:
                    body, n = self._events_body(
                        events, bool(dl.cumulative[g]), t, g, last_delivered
                    )
                    out.append(("begeleiding", style.header("begeleiding") + body, n))
                if not out:
                    continue
                bom = "\ufeff" if style.bom else ""
                files.submit(
                    month_dir / self.codes[g],
                    [(f"{name}.csv", (bom + text).encode("utf-8")) for name, text, _ in out],
                )
                for name, _, n in out:
                    result.files += 1
                    result.rows[name] += n
                if progress and g % 50 == 0:
                    progress("Bestanden schrijven", t * self.n_gem + g, n_cells)
            if progress:
                progress("Bestanden schrijven", (t + 1) * self.n_gem, n_cells)

    def _events_body(
        self,
        events: tuple[_Table, np.ndarray, dict[str, np.ndarray]],
        cumulative: bool,
        t: int,
        g: int,
        last_delivered: np.ndarray,
    ) -> tuple[str, int]:
        table, upto, fields = events
        hi = int(upto[g, t + 1])
        # Cumulative: the whole history the case system holds; else what is new since the
        # last delivery.
        lo = int(table.bounds[g]) if cumulative else int(upto[g, last_delivered[g] + 1])
        last_delivered[g] = t
        lines = table.lines[lo:hi].tolist()
        idx, faults = self.faults.pick(len(lines), "begeleiding")
        style = self.styles[g]
        for i, fault in zip(idx.tolist(), faults, strict=True):
            j = lo + i
            row = [fields["bsn"][j], fields["datum"][j], fields["name"][j], fields["waarde"][j]]
            new = self.faults.event(fault, row, int(fields["day"][j]), style)
            lines[i] = style.sep.join(new) + style.eol
        return "".join(lines), len(lines)
