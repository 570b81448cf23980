-- Faults of one owner per period and priority (reports.figures.monthly_report_figures).
-- Opened: reported in the period; closed: closed in the period. SLA: a response is met when the
-- fault was acknowledged in the period by its response due time, breached when the breach check
-- stamped it in the period (likewise fix with fixed_at / fix_breached_at). Cancelled faults owe no
-- SLA, so they are left out of met, breached and credits. Credits: each breach stamped in the
-- period times the amount of the fault's own contract (none without a contract).
WITH {periods}
SELECT p.period, pr.priority,
    count(f.id) FILTER (WHERE f.reported_at >= p.start_at AND f.reported_at < p.end_at) AS opened,
    count(f.id) FILTER (WHERE f.closed_at >= p.start_at AND f.closed_at < p.end_at) AS closed,
    count(f.id) FILTER (WHERE f.status <> 'cancelled' AND f.acknowledged_at >= p.start_at
                          AND f.acknowledged_at < p.end_at AND f.acknowledged_at <= f.response_due_at) AS response_met,
    count(f.id) FILTER (WHERE f.status <> 'cancelled' AND f.response_breached_at >= p.start_at
                          AND f.response_breached_at < p.end_at) AS response_breached,
    count(f.id) FILTER (WHERE f.status <> 'cancelled' AND f.fixed_at >= p.start_at
                          AND f.fixed_at < p.end_at AND f.fixed_at <= f.fix_due_at) AS fix_met,
    count(f.id) FILTER (WHERE f.status <> 'cancelled' AND f.fix_breached_at >= p.start_at
                          AND f.fix_breached_at < p.end_at) AS fix_breached,
    coalesce(sum(c.credit_per_response_breach_gbp) FILTER (
        WHERE f.status <> 'cancelled' AND f.response_breached_at >= p.start_at AND f.response_breached_at < p.end_at
    ), 0) + coalesce(sum(c.credit_per_fix_breach_gbp) FILTER (
        WHERE f.status <> 'cancelled' AND f.fix_breached_at >= p.start_at AND f.fix_breached_at < p.end_at
    ), 0) AS breach_credits_gbp
FROM periods p
CROSS JOIN unnest(%(priorities)s::text[]) AS pr(priority)
LEFT JOIN cctv_fault f
    ON f.owner_id = %(owner_id)s AND f.priority = pr.priority
   AND ((f.reported_at >= p.start_at AND f.reported_at < p.end_at)
     OR (f.closed_at >= p.start_at AND f.closed_at < p.end_at)
     OR (f.acknowledged_at >= p.start_at AND f.acknowledged_at < p.end_at)
     OR (f.fixed_at >= p.start_at AND f.fixed_at < p.end_at)
     OR (f.response_breached_at >= p.start_at AND f.response_breached_at < p.end_at)
     OR (f.fix_breached_at >= p.start_at AND f.fix_breached_at < p.end_at))
LEFT JOIN cctv_contract c ON c.id = f.contract_id
GROUP BY p.period, pr.priority
