"""Benchmark (issue 7): one month's highlight report against the raw SQL behind it, in one run.

Data, under its own council ("Report Bench Council") in the bench database, built with
generate_series (deterministic: setseed), over 2023 and 2024:
  * 2,000 cameras in 50 groups (the Vale's eight towns and 42 more places, as bench/coverage.py
    draws them), 80% operational or degraded, with 60-degree views of 40-80 m (every tenth a disc);
  * 400,000 camera status changes (200 per camera, one every ~3.65 days) and 100,000 faults on
    those cameras (P1-P4 with response and fix times, breaches stamped at the due time, 5% cancelled,
    one contract with credits), i.e. 500,000 fault and status records;
  * 100,000 evidence requests (every kind; 60% released with a disclosure, a tenth of those twice;
    refused and none found with their custody events, hashed by evidence.custody.event_hash; SAR
    deadlines; a camera per request, most secured; an exhibit for half the disclosures);
  * 1,000,000 incidents, the council's own local records (so other benches' police data and this
    one do not see each other), 70% near a camera group, spread over the 24 months.
Custody events are append-only, so the evidence part is built once and reused; the rest is rebuilt
when its count differs. The first build takes about a minute on two cores.

Prints, median of --repeat runs after one warm-up, the two sides interleaved:
  * monthly_report_figures(owner, month, now) through the service (Django ORM, availability and
    coverage helpers, rounding, Figure objects);
  * the raw SQL behind it: every statement the service sent, captured once with
    connection.execute_wrapper (text and bound parameters exactly as sent, including the
    SET LOCAL jit = off the coverage query runs in its own transaction), replayed with a plain
    psycopg cursor on the same connection in the same transaction grouping, all rows fetched; the
    sum over the statements, with each statement's median for reference;
  * the ratio.

Run: cd bench && ../.venv/bin/python monthly_report.py [--month 2024-06] [--repeat 5]
(BENCH_DATABASE_URL picks the database; the default is vale_bench on DATABASE_URL's server.)
"""

import argparse
import datetime as dt
import json
import statistics
import time

from _setup import django_setup, synthetic_cameras_sql

ORG_NAME = "Report Bench Council"
CONTRACTOR_NAME = "Report Bench Contractor"
MARK = "report bench"  # falls_within of the generated incidents
REF = "RB"  # prefix of generated references (requests RBR-, faults RBF-, cameras RBC-, exhibits RBX-)
START, END = "2023-01-01T00:00:00Z", "2025-01-01T00:00:00Z"  # the span the records are spread over
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # the report's "now": every period lies fully in the past
GROUPS = 50
TOWNS = [
    (311500, 167500), (318500, 171500), (299500, 174500), (296800, 168600),
    (315000, 171700), (306500, 166300), (301500, 168000), (315500, 168500),
]
CATEGORIES = (
    ["Violence and sexual offences"] * 4 + ["Anti-social behaviour"] * 4 + ["Criminal damage and arson"] * 2
    + ["Public order"] * 2 + ["Shoplifting"] * 2
    + ["Other theft", "Vehicle crime", "Burglary", "Drugs", "Other crime", "Bicycle theft",
       "Theft from the person", "Possession of weapons", "Robbery"]
)


# Camera group centres: the towns, then places spread over the Vale's box by two co-prime strides.
GROUPS_CTE = """
    WITH grp AS (
        SELECT g, CASE WHEN g <= %(towns)s THEN (%(town_e)s::float8[])[g] ELSE 290000 + (g * 7919) %% 35000 END AS e,
                  CASE WHEN g <= %(towns)s THEN (%(town_n)s::float8[])[g] ELSE 163000 + (g * 104729) %% 17000 END AS n
        FROM generate_series(1, %(groups)s) g
    )
"""


def _count(cursor, sql: str, params) -> int:
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def build(*, cameras: int, status_changes: int, faults: int, requests: int, incidents: int) -> tuple:
    """The council and whether anything was built: each part is built with SQL only when its count differs."""
    from django.db import connection

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User
    from cctv.models import Contract

    council, _ = Organisation.objects.get_or_create(name=ORG_NAME, defaults={"kind": OrganisationKind.COUNCIL})
    contractor, _ = Organisation.objects.get_or_create(name=CONTRACTOR_NAME,
                                                       defaults={"kind": OrganisationKind.CONTRACTOR})
    user, _ = User.objects.get_or_create(username="report-bench-manager",
                                         defaults={"role": Role.CCTV_MANAGER, "organisation": council})
    contract, _ = Contract.objects.get_or_create(owner=council, reference="RB-2023", defaults={
        "title": "Report bench maintenance", "starts_on": dt.date(2023, 1, 1), "ends_on": dt.date(2025, 12, 31),
        "monitored_hours": "24/7", "availability_target_pct": 97, "camera_availability_target_pct": 95,
        "monthly_fee_gbp": 42000, "credit_per_response_breach_gbp": 50, "credit_per_fix_breach_gbp": 150,
        "availability_credit_pct_per_point": 2, "working_day_starts_at": dt.time(8),
        "working_day_ends_at": dt.time(18), "contract_owner": user, "contractor": contractor})
    owner = council.pk
    built = False
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.0707)")
        have_requests = _count(cursor, "SELECT count(*) FROM evidence_evidencerequest WHERE owner_id = %s", [owner])
        if _count(cursor, "SELECT count(*) FROM cctv_camera WHERE owner_id = %s", [owner]) != cameras:
            if have_requests:
                raise SystemExit(f"{ORG_NAME} has evidence requests (custody is append-only) but not {cameras:,} "
                                 "cameras: run with the camera count it was built with.")
            _build_cameras(cursor, owner, cameras)
            built = True
        if _count(cursor, "SELECT count(*) FROM cctv_camerastatuschange s JOIN cctv_camera c ON c.id = s.camera_id "
                          "WHERE c.owner_id = %s", [owner]) != status_changes:
            _build_status_changes(cursor, owner, cameras, status_changes)
            built = True
        if _count(cursor, "SELECT count(*) FROM cctv_fault WHERE owner_id = %s", [owner]) != faults:
            _build_faults(cursor, owner, contract.pk, faults)
            built = True
        if have_requests != requests:
            if have_requests:
                raise SystemExit(f"{ORG_NAME} has {have_requests:,} evidence requests, not {requests:,}; custody "
                                 f"events are append-only, so run with --requests {have_requests}.")
            _build_evidence(cursor, owner, user.pk, requests)
            built = True
        if _count(cursor, "SELECT count(*) FROM maps_incident WHERE owner_id = %s AND falls_within = %s",
                  [owner, MARK]) != incidents:
            _build_incidents(cursor, owner, incidents)
            built = True
    return council, built


def _build_cameras(cursor, owner: int, cameras: int) -> None:
    print(f"building {cameras:,} cameras ...", flush=True)
    cursor.execute("DELETE FROM cctv_camerastatuschange WHERE camera_id IN "
                   "(SELECT id FROM cctv_camera WHERE owner_id = %s)", [owner])
    cursor.execute("ALTER TABLE cctv_fault DISABLE TRIGGER USER")
    cursor.execute("DELETE FROM cctv_fault WHERE owner_id = %s", [owner])
    cursor.execute("ALTER TABLE cctv_fault ENABLE TRIGGER USER")
    cursor.execute("ALTER TABLE cctv_camera DISABLE TRIGGER USER")  # history triggers: not what we measure
    cursor.execute("DELETE FROM cctv_camera WHERE owner_id = %s", [owner])
    cursor.execute(GROUPS_CTE + synthetic_cameras_sql(ref_prefix="RBC", name_prefix="Report bench camera",
                                                      groups="grp"),
                   {"owner": owner, "cameras": cameras, "groups": GROUPS, "towns": len(TOWNS),
          "town_e": [t[0] for t in TOWNS], "town_n": [t[1] for t in TOWNS]})
    cursor.execute("ALTER TABLE cctv_camera ENABLE TRIGGER USER")
    cursor.execute("ANALYZE cctv_camera")


def _build_status_changes(cursor, owner: int, cameras: int, rows: int) -> None:
    per_camera = max(1, rows // cameras)
    print(f"building {per_camera * cameras:,} camera status changes ...", flush=True)
    cursor.execute("DELETE FROM cctv_camerastatuschange WHERE camera_id IN "
                   "(SELECT id FROM cctv_camera WHERE owner_id = %s)", [owner])
    # Camera timelines: the first entry (operational) at the start, then one entry per slot of
    # (span / per_camera), at a random moment in the slot; up about 85% of the time.
    cursor.execute("""
        INSERT INTO cctv_camerastatuschange (camera_id, status, changed_at, recorded_at, source, note)
        SELECT c.id, s.status, s.changed_at, s.changed_at, 'health_feed', ''
        FROM cctv_camera c
        CROSS JOIN LATERAL (
            SELECT CASE WHEN k = 1 THEN 'operational' ELSE
                       (ARRAY['operational','operational','operational','operational','operational','operational',
                              'operational','operational','operational','operational','operational','operational',
                              'operational','operational','degraded','degraded','degraded','faulty','faulty',
                              'offline'])[1 + floor(random() * 20)::int] END AS status,
                   %(start)s::timestamptz + (k - 1 + CASE WHEN k = 1 THEN 0 ELSE random() END)
                       * ((%(end)s::timestamptz - %(start)s::timestamptz) / %(per)s) AS changed_at
            FROM generate_series(1, %(per)s) k WHERE c.id IS NOT NULL
        ) s
        WHERE c.owner_id = %(owner)s
    """, {"owner": owner, "per": per_camera, "start": START, "end": END})
    cursor.execute("ANALYZE cctv_camerastatuschange")


def _build_faults(cursor, owner: int, contract: int, faults: int) -> None:
    print(f"building {faults:,} faults ...", flush=True)
    cursor.execute("ALTER TABLE cctv_fault DISABLE TRIGGER USER")  # history triggers: not what we measure
    cursor.execute("DELETE FROM cctv_fault WHERE owner_id = %s", [owner])
    # Response / fix targets per priority (hours): P1 1/4, P2 4/24, P3 8/72, P4 24/168. Acknowledged
    # and fixed within 0-1.5x the target, so about a third breach; the breach check stamps the due time.
    cursor.execute("""
        WITH cams AS (SELECT id, row_number() OVER (ORDER BY id) AS i, count(*) OVER () AS n
                      FROM cctv_camera WHERE owner_id = %(owner)s),
        f AS (
            SELECT k, p.priority, p.respond, p.fix, r.reported_at, random() < 0.05 AS cancelled,
                   r.reported_at + random() * 1.5 * p.respond AS acknowledged_at,
                   r.reported_at + random() * 1.5 * p.fix AS fixed_at, random() < 0.9 AS closes
            FROM generate_series(1, %(faults)s) k
            CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + random() * (%(end)s::timestamptz
                                       - %(start)s::timestamptz) AS reported_at, random() AS u
                                WHERE k IS NOT NULL) r
            CROSS JOIN LATERAL (
                SELECT CASE WHEN r.u < 0.1 THEN 'p1' WHEN r.u < 0.3 THEN 'p2' WHEN r.u < 0.7 THEN 'p3' ELSE 'p4' END
                    AS priority,
                       CASE WHEN r.u < 0.1 THEN interval '1 hour' WHEN r.u < 0.3 THEN interval '4 hours'
                            WHEN r.u < 0.7 THEN interval '8 hours' ELSE interval '24 hours' END AS respond,
                       CASE WHEN r.u < 0.1 THEN interval '4 hours' WHEN r.u < 0.3 THEN interval '24 hours'
                            WHEN r.u < 0.7 THEN interval '72 hours' ELSE interval '168 hours' END AS fix
            ) p
        )
        INSERT INTO cctv_fault (reference, priority, status, source, summary, description, reported_at,
            acknowledged_at, fixed_at, closed_at, response_due_at, fix_due_at, sla_rule, response_breached_at,
            fix_breached_at, camera_id, contract_id, owner_id)
        SELECT 'RBF-' || lpad(f.k::text, 7, '0'), f.priority,
               CASE WHEN f.cancelled THEN 'cancelled' WHEN f.closes THEN 'closed' ELSE 'fixed' END,
               'manual', 'Report bench fault', '', f.reported_at,
               CASE WHEN f.cancelled THEN NULL ELSE f.acknowledged_at END,
               CASE WHEN f.cancelled THEN NULL ELSE greatest(f.fixed_at, f.acknowledged_at) END,
               CASE WHEN f.cancelled THEN f.reported_at + interval '1 hour'
                    WHEN f.closes THEN greatest(f.fixed_at, f.acknowledged_at) + interval '1 day' END,
               f.reported_at + f.respond, f.reported_at + f.fix, 'bench: 24/7',
               CASE WHEN NOT f.cancelled AND f.acknowledged_at > f.reported_at + f.respond
                    THEN f.reported_at + f.respond END,
               CASE WHEN NOT f.cancelled AND greatest(f.fixed_at, f.acknowledged_at) > f.reported_at + f.fix
                    THEN f.reported_at + f.fix END,
               cams.id, %(contract)s, %(owner)s
        FROM f JOIN cams ON cams.i = 1 + (f.k * 7919) %% cams.n
    """, {"owner": owner, "contract": contract, "faults": faults, "start": START, "end": END})
    cursor.execute("ALTER TABLE cctv_fault ENABLE TRIGGER USER")
    cursor.execute("ANALYZE cctv_fault")


def _build_evidence(cursor, owner: int, user: int, requests: int) -> None:
    print(f"building {requests:,} evidence requests with disclosures, deadlines and custody ...", flush=True)
    # Outcome by a hash of k (deterministic): 6% refused, 6% none found, 2% withdrawn, 60% released,
    # the rest still open (accepted / searching); 2% lose footage to overwrite.
    cursor.execute("""
        INSERT INTO evidence_evidencerequest (reference, requester_name, requester_contact, kind, legal_basis,
            crime_reference, incident_starts_at, incident_ends_at, location_description, reason,
            description_of_person, urgency, state, state_changed_at, received_at, refusal_reason, none_found_reason,
            withdrawal_reason, footage_lost_at, created_at, owner_id)
        SELECT 'RBR-' || lpad(r.k::text, 7, '0'), 'Report bench requester', '', kb.kind, kb.basis, '',
               r.received_at - interval '2 days', r.received_at - interval '2 days' + interval '1 hour', '',
               'benchmark', '', 'routine',
               CASE WHEN r.o < 6 THEN 'refused' WHEN r.o < 12 THEN 'none_found' WHEN r.o < 14 THEN 'withdrawn'
                    WHEN r.o < 74 THEN 'released' WHEN r.o < 87 THEN 'accepted' ELSE 'searching' END,
               r.received_at, r.received_at,
               CASE WHEN r.o < 6 THEN 'No lawful basis' ELSE '' END,
               CASE WHEN r.o >= 6 AND r.o < 12 THEN 'Camera not recording' ELSE '' END,
               CASE WHEN r.o >= 12 AND r.o < 14 THEN 'Withdrawn by requester' ELSE '' END,
               CASE WHEN (r.k * 31) %% 50 = 0 THEN r.received_at + interval '7 days' END,
               r.received_at, %(owner)s
        FROM (
            SELECT k, (k * 7919) %% 100 AS o, random() AS u_kind,
                   %(start)s::timestamptz + random() * (%(end)s::timestamptz - %(start)s::timestamptz) AS received_at
            FROM generate_series(1, %(requests)s) k
        ) r
        CROSS JOIN LATERAL (
            SELECT CASE WHEN r.u_kind < 0.6 THEN 'police_investigation' WHEN r.u_kind < 0.75 THEN 'sar'
                        WHEN r.u_kind < 0.9 THEN 'insurer_solicitor' WHEN r.u_kind < 0.95 THEN 'court_order'
                        ELSE 'internal' END AS kind,
                   CASE WHEN r.u_kind < 0.6 THEN 'dpa2018_sch2_para2' WHEN r.u_kind < 0.75 THEN 'uk_gdpr_art15'
                        WHEN r.u_kind < 0.9 THEN 'dpa2018_sch2_para5' WHEN r.u_kind < 0.95 THEN 'court_order'
                        ELSE 'uk_gdpr_art6_1e' END AS basis
        ) kb
    """, {"owner": owner, "requests": requests, "start": START, "end": END})
    mine = "SELECT * FROM evidence_evidencerequest WHERE owner_id = %(owner)s"
    # A camera per request (overwrite after 31 days), secured for all but the lost and 10% more.
    cursor.execute(f"""
        WITH cams AS (SELECT id, row_number() OVER (ORDER BY id) AS i, count(*) OVER () AS n
                      FROM cctv_camera WHERE owner_id = %(owner)s)
        INSERT INTO evidence_requestcamera (request_id, camera_id, overwrite_at, retention_days, secured_at, lost_at)
        SELECT r.id, cams.id, r.received_at + interval '31 days', 31,
               CASE WHEN r.footage_lost_at IS NULL AND random() < 0.9 THEN r.received_at + interval '3 hours' END,
               r.footage_lost_at
        FROM ({mine}) r JOIN cams ON cams.i = 1 + (r.id * 104729) %% cams.n
    """, {"owner": owner})
    # Released requests: a disclosure 1-21 days after receipt, a tenth a second one two weeks later.
    cursor.execute(f"""
        INSERT INTO evidence_disclosure (recipient_name, legal_basis, released_at, method, chain_head, approved_by_id,
            released_by_id, request_id)
        SELECT 'Report bench recipient', r.legal_basis, r.received_at + (1 + random() * 20) * interval '1 day',
               'download', '', %(user)s, %(user)s, r.id
        FROM ({mine}) r WHERE r.state = 'released'
    """, {"owner": owner, "user": user})
    cursor.execute(f"""
        INSERT INTO evidence_disclosure (recipient_name, legal_basis, released_at, method, chain_head, approved_by_id,
            released_by_id, request_id)
        SELECT d.recipient_name, d.legal_basis, d.released_at + interval '14 days', 'download', '', %(user)s,
               %(user)s, d.request_id
        FROM evidence_disclosure d JOIN ({mine}) r ON r.id = d.request_id WHERE r.id %% 10 = 0
    """, {"owner": owner, "user": user})
    # An exhibit from the request's camera for half the released requests, in its first disclosure.
    cursor.execute(f"""
        INSERT INTO evidence_exhibit (reference, kind, description, is_master_copy, file, original_filename,
            content_type, size_bytes, sha256, created_at, legal_hold, camera_id, created_by_id, request_id)
        SELECT 'RBX-' || r.id, 'footage', 'Report bench export', true, '', 'export.mp4', 'video/mp4', 1048576,
               encode(sha256(('RBX-' || r.id)::bytea), 'hex'), r.received_at + interval '1 day', false,
               rc.camera_id, %(user)s, r.id
        FROM ({mine}) r JOIN evidence_requestcamera rc ON rc.request_id = r.id
        WHERE r.state = 'released' AND r.id %% 2 = 0
    """, {"owner": owner, "user": user})
    cursor.execute(f"""
        INSERT INTO evidence_disclosure_exhibits (disclosure_id, exhibit_id)
        SELECT DISTINCT ON (x.id) d.id, x.id
        FROM evidence_exhibit x JOIN ({mine}) r ON r.id = x.request_id
        JOIN evidence_disclosure d ON d.request_id = r.id
        ORDER BY x.id, d.released_at
    """, {"owner": owner})
    # Deadlines: overwrite for every request, and the SAR's month for SARs (85% met in time).
    cursor.execute(f"""
        INSERT INTO evidence_deadline (request_id, kind, due_at, rule, computed_at, met_at, missed_at)
        SELECT r.id, 'overwrite', r.received_at + interval '31 days', 'bench: retention', r.received_at,
               CASE WHEN r.footage_lost_at IS NULL THEN r.received_at + interval '3 hours' END,
               CASE WHEN r.footage_lost_at IS NOT NULL THEN r.received_at + interval '31 days' END
        FROM ({mine}) r
        UNION ALL
        SELECT r.id, 'sar_due', r.received_at + interval '1 month', 'bench: one calendar month', r.received_at,
               CASE WHEN s.in_time THEN r.received_at + random() * interval '28 days'
                    ELSE r.received_at + interval '1 month' + random() * interval '10 days' END,
               CASE WHEN NOT s.in_time THEN r.received_at + interval '1 month' END
        FROM ({mine}) r CROSS JOIN LATERAL (SELECT random() < 0.85 AS in_time WHERE r.id IS NOT NULL) s
        WHERE r.kind = 'sar'
    """, {"owner": owner})
    _build_custody(cursor, owner)
    cursor.execute("ANALYZE evidence_evidencerequest; ANALYZE evidence_disclosure; ANALYZE evidence_deadline; "
                   "ANALYZE evidence_requestcamera; ANALYZE evidence_exhibit; ANALYZE evidence_disclosure_exhibits; "
                   "ANALYZE evidence_custodyevent")


def _build_custody(cursor, owner: int) -> None:
    """Created, then refused / none found two days later: chains hashed as the service hashes them (COPY)."""
    from evidence.custody import HASHED_FIELDS, event_hash
    from evidence.models.custody import GENESIS_HASH

    cursor.execute("SELECT id, state, received_at FROM evidence_evidencerequest WHERE owner_id = %s "
                   "AND state IN ('refused', 'none_found') ORDER BY id", [owner])
    decided = cursor.fetchall()
    columns = ", ".join((*HASHED_FIELDS, "hash"))
    with cursor.cursor.copy(f"COPY evidence_custodyevent ({columns}) FROM STDIN") as copy:
        for request_id, state, received_at in decided:
            prev = GENESIS_HASH
            for sequence, (event_type, at) in enumerate(
                    (("created", received_at), (state, received_at + dt.timedelta(days=2))), start=1):
                fields = {
                    "request_id": request_id, "sequence": sequence, "at": at, "event_type": event_type,
                    "actor_id": None, "actor_name": "Report Bench Operator", "actor_organisation": ORG_NAME,
                    "place": "Barry control room", "exhibit_id": None, "exhibit_reference": "", "exhibit_sha256": "",
                    "from_person": "", "to_person": "", "detail": {"by": "report bench"}, "prev_hash": prev,
                }
                fields["hash"] = event_hash(prev, fields)
                prev = fields["hash"]
                fields["detail"] = json.dumps(fields["detail"])
                copy.write_row(tuple(fields[name] for name in (*HASHED_FIELDS, "hash")))


def _build_incidents(cursor, owner: int, incidents: int) -> None:
    print(f"building {incidents:,} incidents ...", flush=True)
    cursor.execute("DELETE FROM maps_incident WHERE owner_id = %s AND falls_within = %s", [owner, MARK])
    cursor.execute(GROUPS_CTE + """
        INSERT INTO maps_incident (source, crime_ref, month, reported_by, falls_within, location, location_text,
            lsoa_code, lsoa_name, category, outcome, context, description, owner_id)
        SELECT 'local', '', r.month, 'Report Bench Council', %(mark)s, ST_SetSRID(ST_MakePoint(r.e, r.n), 27700),
               'On or near Bench Street', '', '',
               (%(categories)s::text[])[1 + floor(r.u_cat * %(n_categories)s)::int], '', '', '', %(owner)s
        FROM (
            SELECT make_date(2023 + floor(z.m / 12)::int, 1 + floor(z.m)::int %% 12, 1) AS month, random() AS u_cat,
                   CASE WHEN z.near THEN grp.e + 400 * z.r * cos(z.t) ELSE 288000 + random() * 39000 END AS e,
                   CASE WHEN z.near THEN grp.n + 400 * z.r * sin(z.t) ELSE 162000 + random() * 20000 END AS n
            FROM (
                SELECT k, random() * 24 AS m, random() < 0.7 AS near, 1 + floor(random() * %(groups)s)::int AS g,
                       sqrt(-2 * ln(1 - random())) AS r, 2 * pi() * random() AS t
                FROM generate_series(1, %(incidents)s) k
            ) z JOIN grp ON grp.g = z.g
        ) r
        ORDER BY r.month
    """, {"owner": owner, "mark": MARK, "incidents": incidents, "groups": GROUPS, "towns": len(TOWNS),
          "town_e": [t[0] for t in TOWNS], "town_n": [t[1] for t in TOWNS], "categories": CATEGORIES,
          "n_categories": len(CATEGORIES)})
    cursor.execute("ANALYZE maps_incident")


def capture(function) -> tuple[object, list[tuple[str, object, int | None]]]:
    """Call function once; return its result and every statement sent: (sql, params, transaction number or None)."""
    from django.db import connection

    statements = []
    blocks = []  # the outermost atomic block of each transaction seen, kept so ids are never reused

    def wrapper(execute, sql, params, many, context):
        if many:
            raise RuntimeError("executemany in the report: not replayable as a single statement")
        transaction_no = None
        if not connection.get_autocommit():
            outermost = connection.atomic_blocks[0] if connection.atomic_blocks else None
            if not blocks or blocks[-1] is not outermost:
                blocks.append(outermost)
            transaction_no = len(blocks)
        statements.append((sql, params, transaction_no))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = function()
    return result, statements


def replayer(statements):
    """A function replaying the statements with a plain psycopg cursor, grouped into transactions as sent.

    Returns (total rows fetched, seconds per statement).
    """
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection under Django's wrapper, in autocommit
    groups: list[tuple[int | None, list]] = []  # runs of statements in one transaction, or in autocommit
    for sql, params, transaction_no in statements:
        if groups and groups[-1][0] == transaction_no:
            groups[-1][1].append((sql, params))
        else:
            groups.append((transaction_no, [(sql, params)]))

    def run_group(cursor, group, seconds, rows):
        for sql, params in group:
            start = time.perf_counter()
            cursor.execute(sql, params)
            if cursor.description is not None:
                rows += len(cursor.fetchall())
            seconds.append(time.perf_counter() - start)
        return rows

    def replay():
        seconds: list[float] = []
        rows = 0
        with raw.cursor() as cursor:
            for transaction_no, group in groups:
                if transaction_no is not None:
                    with raw.transaction():
                        rows = run_group(cursor, group, seconds, rows)
                else:
                    rows = run_group(cursor, group, seconds, rows)
        return rows, seconds

    return replay


def label(sql: str) -> str:
    """A short name for a captured statement."""
    flat = " ".join(sql.split())
    for needle, name in (
        ("SET LOCAL jit", "SET LOCAL jit = off"), ("cctv_fault f", "report_faults_by_priority.sql"),
        ("percentile_cont", "report_turnaround_by_kind.sql"), ("evidence_custodyevent e", "report_evidence.sql"),
        ("covered_totals", "coverage_counts_by_category.sql"), ("monitored_seconds", "availability_by_estate.sql"),
        ('FROM "cctv_contract"', "Contract lookup (ORM)"),
    ):
        if needle in flat:
            return name
    return flat[:60]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=2_000)
    parser.add_argument("--status-changes", type=int, default=400_000)
    parser.add_argument("--faults", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--month", default="2024-06")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.db import connection

    from reports.figures import month_parse, monthly_report_figures

    started = time.perf_counter()
    council, built = build(cameras=args.cameras, status_changes=args.status_changes, faults=args.faults,
                    requests=args.requests, incidents=args.incidents)
    built_s = time.perf_counter() - started
    month = month_parse(args.month)
    owner = council.pk
    sizes = {}
    with connection.cursor() as cursor:
        for name, sql in (
            ("cameras", "SELECT count(*) FROM cctv_camera WHERE owner_id = %s"),
            ("camera status changes", "SELECT count(*) FROM cctv_camerastatuschange s JOIN cctv_camera c "
                                      "ON c.id = s.camera_id WHERE c.owner_id = %s"),
            ("faults", "SELECT count(*) FROM cctv_fault WHERE owner_id = %s"),
            ("evidence requests", "SELECT count(*) FROM evidence_evidencerequest WHERE owner_id = %s"),
            ("disclosures", "SELECT count(*) FROM evidence_disclosure d JOIN evidence_evidencerequest r "
                            "ON r.id = d.request_id WHERE r.owner_id = %s"),
            ("SAR deadlines", "SELECT count(*) FROM evidence_deadline d JOIN evidence_evidencerequest r "
                              "ON r.id = d.request_id WHERE r.owner_id = %s AND d.kind = 'sar_due'"),
            ("custody events", "SELECT count(*) FROM evidence_custodyevent e JOIN evidence_evidencerequest r "
                               "ON r.id = e.request_id WHERE r.owner_id = %s"),
            ("incidents", "SELECT count(*) FROM maps_incident WHERE owner_id = %s"),
        ):
            sizes[name] = _count(cursor, sql, [owner])
        table_sizes = {name: _count(cursor, f"SELECT count(*) FROM {name}", []) for name in (
            "cctv_camerastatuschange", "cctv_fault", "evidence_evidencerequest", "evidence_custodyevent",
            "maps_incident")}

    def service():
        return monthly_report_figures(owner=council, month=month, now=NOW)

    figures, statements = capture(service)
    replay = replayer(statements)
    # Interleaved, alternating who goes first, after one warm-up each.
    service()
    replay()
    service_samples, raw_samples, per_statement = [], [], [[] for _ in statements]
    rows = 0
    for run in range(args.repeat):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for side in order:
            start = time.perf_counter()
            if side == 0:
                figures = service()
                service_samples.append(time.perf_counter() - start)
            else:
                rows, seconds = replay()
                raw_samples.append(time.perf_counter() - start)
                for index, value in enumerate(seconds):
                    per_statement[index].append(value)
    service_s, raw_s = statistics.median(service_samples), statistics.median(raw_samples)
    by_key = {f.key: f for f in figures}

    print(f"{ORG_NAME} (data {'built' if built else 'found and reused'} in {built_s:.1f} s):")
    for name, value in sizes.items():
        print(f"  {name:<24} {value:>10,}")
    print("  whole tables: " + ", ".join(f"{name} {value:,}" for name, value in table_sizes.items()))
    print(f"report for {month:%Y-%m} (previous month and {month.year - 1}-{month.month:02d} too), now = {NOW:%Y-%m-%d}:"
          f" {len(figures)} figures; e.g. availability {by_key['availability_pct'].value}%, "
          f"faults opened P3 {by_key['faults_opened_p3'].value}, requests received "
          f"{by_key['requests_received'].value}, released {by_key['requests_released'].value}, refused "
          f"{by_key['requests_refused'].value}, incidents {by_key['incidents'].value:,} "
          f"({by_key['incidents_covered_pct'].value}% covered)")
    print(f"raw SQL: {len(statements)} statements captured with connection.execute_wrapper during one call, "
          f"replayed with a plain psycopg cursor ({rows:,} rows fetched):")
    for (sql, _, transaction_no), samples in zip(statements, per_statement, strict=True):
        where = "" if transaction_no is None else f"  [transaction {transaction_no}]"
        print(f"    {statistics.median(samples) * 1000:8.1f} ms  {label(sql)}{where}")
    print(f"median of {args.repeat}, interleaved, after one warm-up each:")
    print(f"  monthly_report_figures (service)  {service_s * 1000:8.1f} ms")
    print(f"  raw SQL total (replayed)          {raw_s * 1000:8.1f} ms")
    print(f"  ratio                             {service_s / raw_s:8.2f}x")


if __name__ == "__main__":
    main()
