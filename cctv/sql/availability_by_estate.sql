-- Estate-wide availability, one row per owning council: total up time over total monitored time of its
-- scoped cameras, so each camera weighs by the time it was monitored (not a mean of percentages).
-- See availability_spans.sql for the parameters and the timeline rule.
{spans}
SELECT
    pc.owner_id,
    o.name AS owner_name,
    count(*) AS cameras,
    SUM(pc.up_seconds) AS up_seconds,
    SUM(pc.monitored_seconds) AS monitored_seconds,
    round(100 * SUM(pc.up_seconds) / NULLIF(SUM(pc.monitored_seconds), 0), 3) AS pct
FROM per_camera AS pc
JOIN accounts_organisation AS o ON o.id = pc.owner_id
GROUP BY pc.owner_id, o.name
ORDER BY o.name, pc.owner_id
