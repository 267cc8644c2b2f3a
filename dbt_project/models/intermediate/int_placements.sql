-- Whether each start_werk / start_opleiding lasted (SPEC §3 "Placements"). For a start
-- dated d in month S, with L = list_lag_months, the follow-up months are S+1+L..S+6:
-- FALSE when an uitval follows it up to the end of S+6 or the youth is on in a follow-up
-- month; TRUE when the youth was ever listed in the window, every follow-up month lies in
-- the window and the youth is off in each without being 27 or older; NULL otherwise.
with starts as (
    select
        pseudo_id,
        datum,
        {{ month_of('datum') }} as month,
        case gebeurtenis when 'start_werk' then 'werk' else 'opleiding' end as kind,
        gemeentecode
    from {{ ref('int_events') }}
    where gebeurtenis in ('start_werk', 'start_opleiding')
),

bounds as (
    select
        s.*,
        {{ add_months('s.month', '1 + ' ~ var('list_lag_months')) }} as follow_from,
        {{ add_months('s.month', var('sustained_months')) }} as follow_to
    from starts as s
),

follow_up as (
    select
        b.pseudo_id,
        b.datum,
        b.kind,
        count(st.month) as months_seen,
        count(*) filter (where st.status = 'on') as months_on,
        count(*) filter (where st.status = 'off' and not st.aged_out) as months_off_young
    from bounds as b
    left join {{ ref('int_status') }} as st
        on st.pseudo_id = b.pseudo_id and st.month between b.follow_from and b.follow_to
    group by b.pseudo_id, b.datum, b.kind
),

window_bounds as (
    select min(month) as first_month, max(month) as last_month from {{ ref('int_window') }}
)

select
    b.pseudo_id,
    b.gemeentecode,
    b.datum,
    b.month,
    b.kind,
    case
        when exists (
            select 1 from {{ ref('int_events') }} as u
            where u.pseudo_id = b.pseudo_id
                and u.gebeurtenis = 'uitval'
                and u.datum >= b.datum
                and u.datum <= {{ end_of_month('b.follow_to') }}
        ) then false
        when f.months_on > 0 then false
        when b.pseudo_id in (select pseudo_id from {{ ref('int_listings') }})
            and b.follow_from >= w.first_month
            and b.follow_to <= w.last_month
            and f.months_off_young = {{ months_between('b.follow_from', 'b.follow_to') }} + 1
            then true
    end as sustained
from bounds as b
inner join follow_up as f
    on f.pseudo_id = b.pseudo_id and f.datum = b.datum and f.kind = b.kind
cross join window_bounds as w
