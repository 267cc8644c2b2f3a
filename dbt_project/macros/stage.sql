{# The case-stage table of SPEC §3, in one place. States: N = niet_benaderd,
   G = geweigerd, U = uitgestroomd_opleiding / uitgestroomd_werk, B = bezwaar.
   `run_start_reset` is the synthetic event at the first month of a run (emitted only when
   the latest start_* lies before month R-1, so here it only has to say U -> N). #}

{# Order of events on the same date: SPEC §1's list; the run-start reset acts first
   (seed case_events, column event_rank). #}
{% macro event_rank(event) -%}
    case {{ event }}
    {%- for name, rank in code_rows('case_events', ['gebeurtenis', 'event_rank'], 'event_rank') %}
        when '{{ name }}' then {{ rank }}
    {%- endfor %}
    end
{%- endmacro %}

{% macro stage_transition(state, event) -%}
    case
        when {{ event }} = 'bezwaar' then 'bezwaar'
        when {{ state }} = 'bezwaar' then 'bezwaar'
        when {{ event }} in ({{ quoted(channel_events()) }})
            and {{ state }} in ('niet_benaderd', 'geweigerd') then 'benaderd'
        when {{ event }} = 'contact'
            and {{ state }} in ('niet_benaderd', 'geweigerd', 'benaderd') then 'bereikt'
        when {{ event }} = 'intake'
            and {{ state }} in ('niet_benaderd', 'geweigerd', 'benaderd', 'bereikt') then 'intake'
        when {{ event }} = 'traject_start'
            and {{ state }} in ('niet_benaderd', 'geweigerd', 'benaderd', 'bereikt', 'intake')
            then 'traject'
        when {{ event }} = 'traject_einde' and {{ state }} = 'traject' then 'bereikt'
        when {{ event }} = 'start_opleiding' then 'uitgestroomd_opleiding'
        when {{ event }} = 'start_werk' then 'uitgestroomd_werk'
        when {{ event }} = 'uitval'
            and {{ state }} in ('uitgestroomd_opleiding', 'uitgestroomd_werk') then 'traject'
        when {{ event }} = 'weigering'
            and {{ state }} not in ('uitgestroomd_opleiding', 'uitgestroomd_werk') then 'geweigerd'
        when {{ event }} = 'run_start_reset'
            and {{ state }} in ('uitgestroomd_opleiding', 'uitgestroomd_werk') then 'niet_benaderd'
        else {{ state }}
    end
{%- endmacro %}
