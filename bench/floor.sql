-- The floor: the least work marts.youth_month's persistence and exclusion columns need.
-- One plain DuckDB script, no Dagster, no dbt, no GX: it reads the inbox's CSVs set-wise
-- (read_csv over a glob), keeps the rows the real ingest would keep for these columns
-- (elfproef, a date, age 23-26 on the peildatum), and applies SPEC §3's status, run and
-- exclusion rules. `{inbox}` is replaced by bench/bench.py before it runs.
--
-- Files are read as lines with one fixed dialect and split on `;` or `,` (the generator's
-- two export styles; no quoting): DuckDB then streams the files instead of sniffing
-- each one, which over ~100,000 small files is what makes it a floor.
--
-- What it leaves out, being a floor: pseudonymisation (it keys on the BSN), file
-- versions (it reads what is in the inbox now), whole-file rejections (run it on an
-- inbox without the files the pipeline rejected, as tests/test_bench_floor.py does),
-- messages and audit, the case stage, priority and everything downstream.

create or replace macro month_of_path(p) as
    cast(regexp_extract(p, '(\d{4}-\d{2})[/\\]GM\d{4}[/\\][^/\\]+$', 1) || '-01' as date);
create or replace macro gm_of_path(p) as
    upper(regexp_extract(p, '[/\\](GM\d{4})[/\\][^/\\]+$', 1));
create or replace macro any_date(s) as
    coalesce(try_strptime(trim(s), '%Y-%m-%d'), try_strptime(trim(s), '%d-%m-%Y'))::date;
create or replace macro bsn9(s) as
    case when regexp_full_match(trim(s), '\d{8,9}') then lpad(trim(s), 9, '0') end;
create or replace macro elfproef(b) as
    b is not null and regexp_full_match(b, '\d{9}') and (
        9 * b[1]::int + 8 * b[2]::int + 7 * b[3]::int + 6 * b[4]::int + 5 * b[5]::int
        + 4 * b[6]::int + 3 * b[7]::int + 2 * b[8]::int - b[9]::int) % 11 = 0;
create or replace macro age_on(birth, d) as
    date_diff('year', birth, d) - case when birth + to_years(date_diff('year', birth, d)) > d then 1 else 0 end;

-- Every line of every file of a type, split into fields; header and blank lines dropped.
create or replace macro fields_of(line) as
    string_split(line, case when contains(line, ';') then ';' else ',' end);

-- Every jib.csv: a delivery per (gemeentecode, month), and its rows.
create or replace table floor_jib_lines as
select month_of_path(filename) as month, gm_of_path(filename) as gemeentecode,
       fields_of(line) as f
from read_csv('{inbox}/*/*/jib.csv', columns = {'line': 'VARCHAR'}, delim = '\t', quote = '',
              escape = '', header = false, auto_detect = false, filename = true);

-- A header-only list after a list with rows is an export fault, not a delivery (SPEC §1).
create or replace table floor_jib_files as
with counts as (
    select month, gemeentecode, count(*) filter (where lower(trim(f[1])) <> 'bsn' and trim(f[1]) <> '') as n
    from floor_jib_lines
    group by all
)
select month, gemeentecode
from (select *, lag(n) over (partition by gemeentecode order by month) as previous_n from counts)
where n > 0 or coalesce(previous_n, 0) = 0;

create or replace table floor_jib_rows as
select month, gemeentecode, bsn9(f[1]) as bsn, any_date(f[2]) as geboortedatum
from floor_jib_lines
where lower(trim(f[1])) <> 'bsn' and trim(f[1]) <> '';

-- Valid rows list the youth; a refused row of a valid BSN makes the month unknown.
create or replace table floor_listed as
with checked as (
    select *, elfproef(bsn) and geboortedatum is not null
              and age_on(geboortedatum, month) between 23 and 26 as ok
    from floor_jib_rows
    where elfproef(bsn)
)
select month, bsn, min(gemeentecode) filter (where ok) as gemeentecode,
       bool_or(ok) as listed, bool_or(not ok) as refused,
       arg_min(geboortedatum, gemeentecode) filter (where ok) as geboortedatum
from checked
group by month, bsn;

create or replace table floor_months as
select cast(range as date) as month
from range((select min(month) from floor_jib_files), (select max(month) from floor_jib_files) + interval 1 month, interval 1 month);

-- Every municipality whose list holds the youth in a month (a youth on two lists
-- counts once, but either list going missing next month makes that month unknown).
create or replace table floor_listing_gms as
select distinct month, bsn, gemeentecode
from floor_jib_rows
where elfproef(bsn) and geboortedatum is not null and age_on(geboortedatum, month) between 23 and 26;

-- Status per youth and month from their first listing on: on / off / unknown (SPEC §3).
create or replace table floor_status as
with youths as (
    select bsn, min(month) as first_month from floor_listed where listed group by bsn
),
grid as (
    select y.bsn, m.month, coalesce(l.listed, false) as listed, coalesce(l.refused, false) as refused,
           l.geboortedatum
    from youths y
    join floor_months m on m.month >= y.first_month
    left join floor_listed l on l.bsn = y.bsn and l.month = m.month
),
with_last as (
    -- The latest month with a listing before M, and the birth date counted then.
    select *,
        max(case when listed then month end) over w as last_month,
        last_value(case when listed then geboortedatum end ignore nulls) over w as last_birth
    from grid
    window w as (partition by bsn order by month rows between unbounded preceding and 1 preceding)
),
missing as (
    select w.bsn, w.month
    from with_last w
    join floor_listing_gms g on g.bsn = w.bsn and g.month = w.last_month
    left join floor_jib_files f on f.gemeentecode = g.gemeentecode and f.month = w.month
    where not w.listed and f.month is null
    group by all
)
select w.bsn, w.month,
    case
        when w.listed then 'on'
        when age_on(w.last_birth, w.month) >= 27 then 'off'
        when w.refused then 'unknown'
        when m.bsn is not null then 'unknown'
        else 'off'
    end as status
from with_last w
left join missing m on m.bsn = w.bsn and m.month = w.month;

-- Runs: an on month after an off month (or the first) starts one; unknown months neither
-- count nor break it.
create or replace table floor_persistence as
with known as (
    select *,
        sum(case when status = 'off' then 1 else 0 end) over (partition by bsn order by month) as off_seen,
        count(*) filter (where status = 'on') over (
            partition by bsn order by month range between interval 11 month preceding and current row
        ) as months_on_list_12m
    from floor_status
)
select month, bsn,
    count(*) over (partition by bsn, off_seen order by month) as consecutive_months,
    dense_rank() over (partition by bsn order by off_seen) as spell_number,
    months_on_list_12m
from known
where status = 'on';

-- Registrations: for month M, per municipality and source, the latest file of M-2..M.
create or replace table floor_registration_lines as
select month_of_path(filename) as month, gm_of_path(filename) as gemeentecode,
       lower(regexp_extract(filename, '([A-Za-z_]+)\.csv$', 1)) as source,
       fields_of(line) as f
from read_csv(['{inbox}/*/*/kvk.csv', '{inbox}/*/*/rmc.csv', '{inbox}/*/*/jongerenloket.csv',
               '{inbox}/*/*/buitenland.csv', '{inbox}/*/*/detentie.csv'],
              columns = {'line': 'VARCHAR'}, delim = '\t', quote = '', escape = '',
              header = false, auto_detect = false, filename = true);

create or replace table floor_registrations as
select month, gemeentecode, source, bsn9(f[1]) as bsn,
       any_date(f[2]) as begindatum, any_date(f[3]) as einddatum
from floor_registration_lines
where lower(trim(f[1])) <> 'bsn'
  and elfproef(bsn9(f[1])) and any_date(f[2]) is not null
  and (coalesce(trim(f[3]), '') = ''
       or any_date(f[3]) >= any_date(f[2]));  -- refused: bad or earlier end

create or replace table floor_exclusions as
with files as (
    select distinct month, gemeentecode, source from floor_registration_lines
),
snapshots as (
    select m.month, f.gemeentecode, f.source, max(f.month) as file_month
    from floor_months m join files f on f.month between m.month - interval 2 month and m.month
    group by all
)
select s.month, r.bsn, string_agg(distinct r.source, ',' order by r.source) as exclusion_reasons
from snapshots s
join floor_registrations r
    on r.gemeentecode = s.gemeentecode and r.source = s.source and r.month = s.file_month
   and r.begindatum <= last_day(s.month) and (r.einddatum is null or r.einddatum >= s.month)
group by all;

create or replace table floor_youth_month as
select p.month, l.gemeentecode, p.bsn, p.consecutive_months, p.spell_number,
       p.months_on_list_12m, p.consecutive_months >= 3 as persistent,
       cast(floor(100 * p.months_on_list_12m / 12 + 0.5) as integer) as persistence_score,
       e.exclusion_reasons is not null as excluded, e.exclusion_reasons
from floor_persistence p
join floor_listed l on l.bsn = p.bsn and l.month = p.month
left join floor_exclusions e on e.bsn = p.bsn and e.month = p.month;
