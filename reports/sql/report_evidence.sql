-- Evidence requests of one owner per period (reports.figures.monthly_report_figures).
-- Received: received_at in the period. Released: the request's FIRST disclosure fell in the period
-- (a later second disclosure does not count it twice). Refused / none found: a custody event of that
-- type in the period (the chain is the record of the decision). Lost: footage_lost_at in the period.
-- SARs: sar_due deadlines falling due in the period, and those met by their due time.
-- Cameras: distinct cameras behind the disclosures made in the period, from the disclosed exhibits'
-- cameras and the secured cameras of the disclosed requests.
WITH {periods},
mine AS (SELECT id, received_at, footage_lost_at FROM evidence_evidencerequest WHERE owner_id = %(owner_id)s),
first_release AS (
    SELECT d.request_id, min(d.released_at) AS released_at
    FROM evidence_disclosure d JOIN mine m ON m.id = d.request_id
    GROUP BY d.request_id
)
SELECT p.period,
    (SELECT count(*) FROM mine m WHERE m.received_at >= p.start_at AND m.received_at < p.end_at) AS received,
    (SELECT count(*) FROM first_release fr WHERE fr.released_at >= p.start_at AND fr.released_at < p.end_at)
        AS released,
    (SELECT count(DISTINCT e.request_id) FROM evidence_custodyevent e JOIN mine m ON m.id = e.request_id
      WHERE e.event_type = 'refused' AND e.at >= p.start_at AND e.at < p.end_at) AS refused,
    (SELECT count(DISTINCT e.request_id) FROM evidence_custodyevent e JOIN mine m ON m.id = e.request_id
      WHERE e.event_type = 'none_found' AND e.at >= p.start_at AND e.at < p.end_at) AS none_found,
    (SELECT count(*) FROM mine m WHERE m.footage_lost_at >= p.start_at AND m.footage_lost_at < p.end_at) AS lost,
    (SELECT count(*) FROM evidence_deadline dl JOIN mine m ON m.id = dl.request_id
      WHERE dl.kind = 'sar_due' AND dl.due_at >= p.start_at AND dl.due_at < p.end_at) AS sar_due,
    (SELECT count(*) FROM evidence_deadline dl JOIN mine m ON m.id = dl.request_id
      WHERE dl.kind = 'sar_due' AND dl.due_at >= p.start_at AND dl.due_at < p.end_at AND dl.met_at <= dl.due_at)
        AS sar_in_time,
    (SELECT count(DISTINCT cam.camera_id) FROM (
        SELECT x.camera_id FROM evidence_disclosure d JOIN mine m ON m.id = d.request_id
          JOIN evidence_disclosure_exhibits de ON de.disclosure_id = d.id
          JOIN evidence_exhibit x ON x.id = de.exhibit_id
         WHERE d.released_at >= p.start_at AND d.released_at < p.end_at AND x.camera_id IS NOT NULL
        UNION
        SELECT rc.camera_id FROM evidence_disclosure d JOIN mine m ON m.id = d.request_id
          JOIN evidence_requestcamera rc ON rc.request_id = d.request_id
         WHERE d.released_at >= p.start_at AND d.released_at < p.end_at AND rc.secured_at IS NOT NULL
    ) cam) AS cameras_released
FROM periods p
