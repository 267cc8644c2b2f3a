-- Youths referred to the sociale kaart over the rolling year up to M, by the type of
-- organisation of their latest referral and what became of them (type x outcome
-- partitions the referred youths of the region).
with computed as (
    select arbeidsmarktregio, month, organisatie_type, uitkomst, count(*) as youths
    from {{ ref('int_referred_youths') }}
    group by all
)

{{ with_frozen('computed') }}
