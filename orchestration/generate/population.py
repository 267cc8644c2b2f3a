"""The youths, month by month: who is on which list and what outreach does with them.

One numpy step per month over the whole population (never a loop per person). A burn-in
of four years before the first generated month fills the lists with every duration a
23-27-year-old can have, so month one already looks like a running municipality.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from orchestration import vocabulary
from orchestration.generate.calendar import days_in, first_day, month_of_day, random_day
from orchestration.ingest.rows import EVENTS  # one list of events, SPEC §1 order

BURN_IN = 48  # months; no youth can be listed longer (23 -> 27)
AGE_23, AGE_27 = 23 * 12, 27 * 12  # age bounds in months

EV = {name: i for i, name in enumerate(EVENTS)}

# Case stages of the simulation (they drive which event comes next).
N, APPROACHED, REACHED, INTAKE, TRAJECT, U_SCHOOL, U_WORK, DECLINED, OBJECTED = range(9)

SOURCES: tuple[str, ...] = vocabulary.registration_sources()  # kvk .. vso_pro
SRC = {name: i for i, name in enumerate(SOURCES)}

# Why a listed youth leaves the list without the municipality's help.
WORK, SCHOOL, BENEFIT, ABROAD, DETENTION, OTHER = range(6)
EXIT_REASON_P = np.array([0.36, 0.08, 0.22, 0.05, 0.03, 0.26])
# Chance and mean delay (months) of coming back on the list after such an exit: the
# job or course that did not last, the benefit that stopped.
REENTRY_P = {WORK: 0.25, SCHOOL: 0.2, BENEFIT: 0.15, OTHER: 0.35}
REENTRY_DELAY = {WORK: 8.0, SCHOOL: 10.0, BENEFIT: 10.0, OTHER: 6.0}

INFLOW_PER_STOCK = 0.065  # new youths a month per listed youth: keeps the stock level
SHARE_AT_23 = 0.55  # of the inflow: on the list right after the 23rd birthday
HAZARD_BASE = 0.052  # monthly chance to leave the list unaided
HAZARD_REACHED = 0.03
HAZARD_IN_CARE = 0.012  # intake or trajectory: fewer unexplained exits
P_MOVE = 0.004  # moving house within the region, per listed month
P_TWO_LISTS = 0.15  # of movers: on the old municipality's list too that month
P_VSO = 0.065  # special-education history among listed youths
LIST_LAG_STAY = 0.4  # still listed the month after starting work or school
QUIET_MONTHS = 6


@dataclass(frozen=True)
class Policy:
    """How each municipality works its list; drawn once per municipality."""

    case: np.ndarray  # bool: does outreach and delivers begeleiding.csv
    threshold: np.ndarray  # months on the list before the first letter
    p_letter: np.ndarray  # monthly chance that an eligible youth gets a letter
    contact_mult: np.ndarray  # how good the team is at getting in touch


def draw_policy(n: int, rng: np.random.Generator) -> Policy:
    return Policy(
        case=rng.random(n) < 0.92,
        threshold=np.where(rng.random(n) < 0.25, 1, 3),
        p_letter=rng.uniform(0.35, 0.75, n),
        contact_mult=rng.uniform(0.7, 1.3, n),
    )


@dataclass
class Simulation:
    """Everything that happened, as flat arrays (person index = row of the person arrays)."""

    start: int  # absolute month of t = 0
    months: int
    n: int
    eff: np.ndarray  # birth month for age counting: age(m) = (m - eff) // 12
    birth: np.ndarray  # day number
    gem0: np.ndarray  # municipality at creation
    vso: np.ndarray
    list_p: np.ndarray  # listing rows of the generated months
    list_t: np.ndarray
    list_g: np.ndarray
    ev_p: np.ndarray  # case events (burn-in included, t < 0)
    ev_t: np.ndarray
    ev_day: np.ndarray
    ev_code: np.ndarray
    ev_value: np.ndarray  # trede rung / organisation index / -1
    ev_g: np.ndarray
    reg_p: np.ndarray  # registrations caused by exits (abroad, detention)
    reg_src: np.ndarray
    reg_begin: np.ndarray
    reg_end: np.ndarray  # -1 = open
    move_p: np.ndarray
    move_t: np.ndarray
    move_g: np.ndarray
    policy: Policy

    def gem_history(self, persons: np.ndarray) -> np.ndarray:
        """Municipality of each given person in each generated month, shape (len, months)."""
        hist = np.repeat(self.gem0[persons][:, None], self.months, axis=1).astype(np.int32)
        row = np.full(self.n, -1, dtype=np.int64)
        row[persons] = np.arange(persons.size)
        order = np.argsort(self.move_t, kind="stable")
        for p, t, g in zip(
            row[self.move_p[order]], self.move_t[order], self.move_g[order], strict=True
        ):
            if p >= 0:  # moves are rare: a loop over them is cheap
                hist[p, max(t, 0) :] = g
        return hist


class _People:
    """Growable per-person state."""

    FIELDS: dict[str, tuple[type, int]] = {
        "eff": (np.int64, 0),
        "birth": (np.int64, 0),
        "gem": (np.int32, 0),
        "gem0": (np.int32, 0),
        "vso": (np.bool_, 0),
        "listed": (np.bool_, 0),
        "consec": (np.int32, 0),
        "stage": (np.int8, N),
        "stage_k": (np.int32, -999),
        "letters": (np.int8, 0),
        "rung": (np.int8, 0),
        "u_month": (np.int32, -999),
        "relist_at": (np.int32, -1),
    }

    def __init__(self, capacity: int) -> None:
        self.n = 0
        self.cap = max(capacity, 16)
        for name, (dtype, fill) in self.FIELDS.items():
            setattr(self, name, np.full(self.cap, fill, dtype=dtype))

    def add(self, m: int) -> slice:
        if self.n + m > self.cap:
            new_cap = max(2 * self.cap, self.n + m)
            for name, (dtype, fill) in self.FIELDS.items():
                grown = np.full(new_cap, fill, dtype=dtype)
                grown[: self.n] = getattr(self, name)[: self.n]
                setattr(self, name, grown)
            self.cap = new_cap
        s = slice(self.n, self.n + m)
        self.n += m
        return s


def _choose(u: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Category per row from uniforms u and a (rows, c) probability table; c means none."""
    return (u[:, None] >= np.cumsum(probs, axis=1)).sum(axis=1)


Emit = Callable[..., None]  # emit(row mask, event code, value=-1)
MoveTo = Callable[[np.ndarray, int], None]  # move_to(row mask, stage)


class _Recorder:
    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {}

    def add(self, **cols: np.ndarray) -> None:
        for name, values in cols.items():
            self.parts.setdefault(name, []).append(np.asarray(values))

    def get(self, name: str, dtype: type) -> np.ndarray:
        parts = self.parts.get(name)
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def simulate(
    target_stock: np.ndarray,
    start: int,
    months: int,
    rng: np.random.Generator,
    referral_orgs: np.ndarray,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Run the lists of len(target_stock) municipalities from start - BURN_IN to the end."""
    n_gem = len(target_stock)
    policy = draw_policy(n_gem, rng)
    move_cdf = np.cumsum(target_stock) / max(target_stock.sum(), 1e-9)
    inflow = target_stock * INFLOW_PER_STOCK
    total = BURN_IN + months
    people = _People(int(inflow.sum() * total * 1.2) + 64)
    lists, events, regs, moves = _Recorder(), _Recorder(), _Recorder(), _Recorder()

    for k in range(total):
        m = start - BURN_IN + k  # absolute month
        t = k - BURN_IN  # generated month index (< 0 during burn-in)
        _exits(people, k, m, rng, regs)
        _relists(people, k, m)
        _inflow(people, k, m, rng, inflow)
        movers, old_gem = _moves(people, m, rng, move_cdf, t, moves)
        listed = people.listed[: people.n]
        people.consec[: people.n] = np.where(listed, people.consec[: people.n] + 1, 0)
        _casework(people, k, m, rng, policy, referral_orgs, events, t)
        if t >= 0:
            on = np.flatnonzero(listed)
            lists.add(p=on, t=np.full(on.size, t), g=people.gem[on])
            two = rng.random(movers.size) < P_TWO_LISTS
            lists.add(p=movers[two], t=np.full(int(two.sum()), t), g=old_gem[two])
        if progress is not None:
            progress(k + 1, total)

    n = people.n
    return Simulation(
        start=start,
        months=months,
        n=n,
        eff=people.eff[:n].copy(),
        birth=people.birth[:n].copy(),
        gem0=people.gem0[:n].copy(),
        vso=people.vso[:n].copy(),
        list_p=lists.get("p", np.int64),
        list_t=lists.get("t", np.int32),
        list_g=lists.get("g", np.int32),
        ev_p=events.get("p", np.int64),
        ev_t=events.get("t", np.int32),
        ev_day=events.get("day", np.int64),
        ev_code=events.get("code", np.int8),
        ev_value=events.get("value", np.int32),
        ev_g=events.get("g", np.int32),
        reg_p=regs.get("p", np.int64),
        reg_src=regs.get("src", np.int8),
        reg_begin=regs.get("begin", np.int64),
        reg_end=regs.get("end", np.int64),
        move_p=moves.get("p", np.int64),
        move_t=moves.get("t", np.int32),
        move_g=moves.get("g", np.int32),
        policy=policy,
    )


def _exits(people: _People, k: int, m: int, rng: np.random.Generator, regs: _Recorder) -> None:
    L = np.flatnonzero(people.listed[: people.n])
    if L.size == 0:
        return
    st = people.stage[L]
    u = rng.random(L.size)
    aged = (m - people.eff[L]) >= AGE_27
    started = (st == U_SCHOOL) | (st == U_WORK)
    since = k - people.u_month[L]
    # Work or school found through the case: off the list, possibly one month late.
    case_exit = started & ((since >= 2) | ((since == 1) & (u >= LIST_LAG_STAY)))
    hazard = np.where(
        st == REACHED,
        HAZARD_REACHED,
        np.where((st == INTAKE) | (st == TRAJECT), HAZARD_IN_CARE, HAZARD_BASE),
    )
    unaided = ~started & ~aged & (u < hazard)
    people.listed[L[aged | case_exit | unaided]] = False

    idx = L[unaided]
    reason = _choose(rng.random(idx.size), np.broadcast_to(EXIT_REASON_P, (idx.size, 6)))
    for r, p_re in REENTRY_P.items():
        who = idx[reason == r]
        back = who[rng.random(who.size) < p_re]
        delay = 2 + rng.geometric(1.0 / REENTRY_DELAY[r], back.size)
        people.relist_at[back] = k + delay

    # Abroad and detention leave a trace in the registration files, dated around the
    # last listed month, so the exclusion and outflow rules can see them.
    for r, src, p_reg in ((ABROAD, SRC["buitenland"], 0.75), (DETENTION, SRC["detentie"], 0.9)):
        who = idx[reason == r]
        if who.size == 0:
            continue
        begin = random_day(m - 1 - (rng.random(who.size) < 0.4), rng.random(who.size))
        if r == ABROAD:
            returns = rng.random(who.size) < 0.2
            away = rng.integers(6, 25, who.size)
            end = np.where(returns, random_day(m + away, rng.random(who.size)), -1)
            back_k = k + away + 1
        else:
            returns = rng.random(who.size) < 0.6
            stay = np.minimum(1 + rng.geometric(1 / 5.0, who.size), 24)
            end = begin + stay * 30 + rng.integers(0, 30, who.size)
            back_k = k + (month_of_day(end) - m) + 1
        people.relist_at[who[returns]] = back_k[returns]
        reg = rng.random(who.size) < p_reg
        regs.add(p=who[reg], src=np.full(int(reg.sum()), src), begin=begin[reg], end=end[reg])


def _relists(people: _People, k: int, m: int) -> None:
    R = np.flatnonzero(people.relist_at[: people.n] == k)
    if R.size == 0:
        return
    people.relist_at[R] = -1
    R = R[~people.listed[R] & ((m - people.eff[R]) < AGE_27)]
    people.listed[R] = True
    # Back on the list: the job or school did not last (SPEC run start: U -> N).
    st = people.stage[R]
    people.stage[R] = np.where((st == U_SCHOOL) | (st == U_WORK), N, st)


def _inflow(people: _People, k: int, m: int, rng: np.random.Generator, inflow: np.ndarray) -> None:
    counts = rng.poisson(inflow)
    gem = np.repeat(np.arange(inflow.size, dtype=np.int32), counts)
    n_new = gem.size
    if n_new == 0:
        return
    at_23 = rng.random(n_new) < SHARE_AT_23
    age = np.where(at_23, AGE_23 + rng.integers(0, 3, n_new), rng.integers(AGE_23, AGE_27, n_new))
    eff = m - age
    # A birth from the 2nd of month eff-1 to the 1st of month eff has birthday month eff
    # as far as the peildatum (always the 1st) is concerned.
    birth = first_day(eff - 1) + 1 + (rng.random(n_new) * days_in(eff - 1)).astype(np.int64)
    s = people.add(n_new)
    people.eff[s] = eff
    people.birth[s] = birth
    people.gem[s] = gem
    people.gem0[s] = gem
    people.vso[s] = rng.random(n_new) < P_VSO
    people.listed[s] = True


def _moves(
    people: _People,
    m: int,
    rng: np.random.Generator,
    move_cdf: np.ndarray,
    t: int,
    moves: _Recorder,
) -> tuple[np.ndarray, np.ndarray]:
    L = np.flatnonzero(people.listed[: people.n])
    if move_cdf.size < 2 or L.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    who = L[rng.random(L.size) < P_MOVE]
    new = np.searchsorted(move_cdf, rng.random(who.size), side="right").astype(np.int32)
    new = np.minimum(new, move_cdf.size - 1)
    old = people.gem[who]
    real = new != old
    who, new, old = who[real], new[real], old[real]
    people.gem[who] = new
    moves.add(p=who, t=np.full(who.size, t), g=new)
    return who, old


def _casework(
    people: _People,
    k: int,
    m: int,
    rng: np.random.Generator,
    policy: Policy,
    referral_orgs: np.ndarray,
    events: _Recorder,
    t: int,
) -> None:
    """One month of outreach: at most one step in the funnel per youth, as real teams do."""
    n = people.n
    C = np.flatnonzero(people.listed[:n] & policy.case[people.gem[:n]])
    day_of = random_day(np.full(C.size, m), rng.random(C.size))
    st = people.stage[C]
    u = rng.random(C.size)
    g = people.gem[C]

    def emit(sel: np.ndarray, code: int, value: np.ndarray | int = -1) -> None:
        who = C[sel]
        if who.size:
            vals = np.broadcast_to(np.asarray(value), (who.size,))
            events.add(
                p=who,
                t=np.full(who.size, t),
                day=day_of[sel],
                code=np.full(who.size, code),
                value=vals,
                g=people.gem[who],
            )

    def move_to(sel: np.ndarray, stage: int) -> None:
        people.stage[C[sel]] = stage
        people.stage_k[C[sel]] = k

    zero = np.zeros(C.size)

    # Not approached yet (or the quiet period after a refusal is over): the letter.
    eligible = ((st == N) | ((st == DECLINED) & (k - people.stage_k[C] >= QUIET_MONTHS))) & (
        people.consec[C] >= policy.threshold[g]
    )
    letter = eligible & (u < policy.p_letter[g])
    walk_in = ((st == N) | (st == DECLINED)) & ~letter & (u >= 0.996)
    emit(letter, EV["brief"])
    move_to(letter, APPROACHED)
    people.letters[C[letter]] = 1
    emit(walk_in, EV["contact"])
    move_to(walk_in, REACHED)

    # Approached: mostly more attempts, sometimes contact.
    a = st == APPROACHED
    second = a & (people.letters[C] == 1) & (k - people.stage_k[C] >= 1)
    probs = np.stack(
        [
            0.065 * policy.contact_mult[g],
            zero + 0.012,  # weigering
            zero + 0.0008,  # bezwaar: rare
            np.where(second, 0.5, 0.0),  # tweede_brief
            zero + 0.05,  # huisbezoek
            zero + 0.06,  # whatsapp
            zero + 0.03,  # verwijzing
        ],
        axis=1,
    )
    c = np.where(a, _choose(u, probs), 99)
    emit(c == 0, EV["contact"])
    move_to(c == 0, REACHED)
    _refuse(c == 1, c == 2, emit, move_to)
    emit(c == 3, EV["tweede_brief"])
    people.letters[C[c == 3]] = 2
    emit(c == 4, EV["huisbezoek"])
    emit(c == 5, EV["whatsapp"])
    if referral_orgs.size:
        org = referral_orgs[rng.integers(0, referral_orgs.size, C.size)]
        emit(c == 6, EV["verwijzing"], org[c == 6])

    # Reached: an intake, sometimes straight to work or school.
    r = st == REACHED
    probs = np.stack([zero + 0.40, zero + 0.06, zero + 0.01, zero + 0.025, zero + 0.001], axis=1)
    c = np.where(r, _choose(u, probs), 99)
    emit(c == 0, EV["intake"])
    move_to(c == 0, INTAKE)
    _start(c == 1, c == 2, C, k, people, emit, move_to, rng)
    _refuse(c == 3, c == 4, emit, move_to)

    # Intake: a trajectory on a rung of the participatieladder.
    i = st == INTAKE
    probs = np.stack([zero + 0.55, zero + 0.03, zero + 0.005, zero + 0.02, zero + 0.0005], axis=1)
    c = np.where(i, _choose(u, probs), 99)
    rung = rng.integers(1, 4, C.size).astype(np.int8)
    emit(c == 0, EV["traject_start"])
    emit(c == 0, EV["trede"], rung[c == 0])
    people.rung[C[c == 0]] = rung[c == 0]
    move_to(c == 0, TRAJECT)
    _start(c == 1, c == 2, C, k, people, emit, move_to, rng)
    _refuse(c == 3, c == 4, emit, move_to)

    # In a trajectory: climbing the ladder, and most end in work.
    tr = st == TRAJECT
    cur = people.rung[C]
    probs = np.stack(
        [
            zero + 0.11,  # start_werk
            zero + 0.014,  # start_opleiding
            zero + 0.012,  # traject_einde
            np.where(cur < 5, 0.12, 0.0),  # a rung up
            zero + 0.004,  # weigering
            zero + 0.0005,  # bezwaar
        ],
        axis=1,
    )
    c = np.where(tr, _choose(u, probs), 99)
    _start(c == 0, c == 1, C, k, people, emit, move_to, rng)
    emit(c == 2, EV["traject_einde"])
    move_to(c == 2, REACHED)
    up = (cur + 1).astype(np.int8)
    emit(c == 3, EV["trede"], up[c == 3])
    people.rung[C[c == 3]] = up[c == 3]
    _refuse(c == 4, c == 5, emit, move_to)

    _dropouts(people, k, m, rng, policy, events, t)


def _refuse(weigering: np.ndarray, bezwaar: np.ndarray, emit: Emit, move_to: MoveTo) -> None:
    emit(weigering, EV["weigering"])
    move_to(weigering, DECLINED)
    emit(bezwaar, EV["bezwaar"])
    move_to(bezwaar, OBJECTED)


def _start(
    werk: np.ndarray,
    opleiding: np.ndarray,
    C: np.ndarray,
    k: int,
    people: _People,
    emit: Emit,
    move_to: MoveTo,
    rng: np.random.Generator,
) -> None:
    emit(werk, EV["start_werk"])
    # Paid work is rung 5 (with support) or 6 on the ladder; teams often record it.
    rung = np.where(rng.random(werk.size) < 0.5, 6, 5).astype(np.int8)
    ladder = werk & (rng.random(werk.size) < 0.4)
    emit(ladder, EV["trede"], rung[ladder])
    people.rung[C[ladder]] = rung[ladder]
    move_to(werk, U_WORK)
    emit(opleiding, EV["start_opleiding"])
    move_to(opleiding, U_SCHOOL)
    people.u_month[C[werk | opleiding]] = k


def _dropouts(
    people: _People,
    k: int,
    m: int,
    rng: np.random.Generator,
    policy: Policy,
    events: _Recorder,
    t: int,
) -> None:
    """Uitval in the first half year after a start, listed or not; many come back on the list."""
    n = people.n
    st = people.stage[:n]
    since = k - people.u_month[:n]
    U = np.flatnonzero(((st == U_SCHOOL) | (st == U_WORK)) & (since >= 1) & (since <= 6))
    U = U[policy.case[people.gem[U]] & (rng.random(U.size) < 0.03)]
    if U.size == 0:
        return
    events.add(
        p=U,
        t=np.full(U.size, t),
        day=random_day(np.full(U.size, m), rng.random(U.size)),
        code=np.full(U.size, EV["uitval"]),
        value=np.full(U.size, -1),
        g=people.gem[U],
    )
    people.stage[U] = TRAJECT
    people.stage_k[U] = k
    back = U[~people.listed[U] & (rng.random(U.size) < 0.6)]
    people.relist_at[back] = k + 1 + (rng.random(back.size) < 0.5)
