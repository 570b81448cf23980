-- Turnaround in days from received to FIRST release, per period and request kind, for the requests
-- first released in the period: median and 90th percentile (continuous, interpolated). NULL with none.
WITH {periods},
first_release AS (
    SELECT r.id, r.kind, r.received_at, min(d.released_at) AS released_at
    FROM evidence_evidencerequest r JOIN evidence_disclosure d ON d.request_id = r.id
    WHERE r.owner_id = %(owner_id)s
    GROUP BY r.id
)
SELECT p.period, k.kind,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr.released_at - fr.received_at) / 86400.0)
        AS median_days,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM fr.released_at - fr.received_at) / 86400.0)
        AS p90_days,
    count(fr.id) AS released
FROM periods p
CROSS JOIN unnest(%(kinds)s::text[]) AS k(kind)
LEFT JOIN first_release fr ON fr.kind = k.kind AND fr.released_at >= p.start_at AND fr.released_at < p.end_at
GROUP BY p.period, k.kind
