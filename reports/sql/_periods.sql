periods(period, start_at, end_at) AS (
    VALUES ('current', %(current_start)s::timestamptz, %(current_end)s::timestamptz),
           ('previous', %(previous_start)s::timestamptz, %(previous_end)s::timestamptz),
           ('last_year', %(last_year_start)s::timestamptz, %(last_year_end)s::timestamptz)
)
