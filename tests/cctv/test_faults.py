"""Fault tickets: opening with SLA clocks, the workflow, who may do what, breaches, the API.

The fault in most tests is a P2 on camera VOG-001, reported on Friday 6 March 2026 at
16:00 (GMT). Under the contract's P2 term (working hours, respond 240 min, fix 960 min)
the response is due Monday 9 March 10:00 and the fix Tuesday 10 March 12:00, both GMT,
so UTC and London agree. Test times are passed in explicitly; nothing sleeps.
"""

import datetime as dt
import json
import smtplib
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import LineString
from django.core import mail
from django.db import connection

from accounts.choices import Role
from accounts.exceptions import Forbidden, InvalidInput, NotVisible, WrongState
from cctv.choices import CameraStatus, FaultSource, FaultStatus, LinkKind, NodeKind, SlaClock
from cctv.exceptions import FaultTransitionNotAllowed
from cctv.geometry import point_from_input
from cctv.models import Fault, FaultNote, Link, Node
from cctv.services.cameras import camera_create
from cctv.services.contract import SlaTermSpec, contract_create
from cctv.services.faults import (
    fault_acknowledge,
    fault_assign,
    fault_cancel,
    fault_close,
    fault_fix,
    fault_note_add,
    fault_open,
    sla_breaches_check,
)
from cctv.tasks import sla_breaches_check_task
from tests.accounts.factories import UserFactory

LONDON = ZoneInfo("Europe/London")
REPORTED = dt.datetime(2026, 3, 6, 16, 0, tzinfo=LONDON)
RESPONSE_DUE = dt.datetime(2026, 3, 9, 10, 0, tzinfo=LONDON)
FIX_DUE = dt.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
SECOND = dt.timedelta(seconds=1)
P2_RULE = ("P2 working hours 08:00–18:00 Mon–Fri excl. E&W bank holidays: respond 240 min, fix 960 min "
           "(contract VOG-CCTV-2023)")


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def contract(council, contractor, cctv_manager):
    cctv_manager.email = "cctv.manager@vale.example"
    cctv_manager.save()
    return contract_create(
        owner=council, contractor=contractor, contract_owner=cctv_manager, by=None, reference="VOG-CCTV-2023",
        title="Public-space CCTV monitoring", starts_on=dt.date(2023, 4, 1), ends_on=dt.date(2028, 3, 31),
        sla_terms=[SlaTermSpec("p1", 60, 240, SlaClock.ROUND_THE_CLOCK),
                   SlaTermSpec("p2", 240, 960, SlaClock.WORKING_HOURS)],
    )


@pytest.fixture
def camera(council):
    return camera_create(owner=council, by=None, asset_ref="VOG-001", name="Barry Island promenade",
                         location=point_from_input(-3.2727, 51.3915), bearing_deg=180, view_angle_deg=70,
                         view_range_m=90, status=CameraStatus.OPERATIONAL)


@pytest.fixture
def fault(contract, camera, operator):
    return fault_open(by=operator, camera=camera, priority="p2", summary="No picture", reported_at=REPORTED)


@pytest.fixture
def assigned(fault, operator, engineer):
    return fault_assign(fault=fault, by=operator, assignee=engineer)


def refreshed(fault: Fault) -> Fault:
    return Fault.objects.get(pk=fault.pk)


# --- Opening ---------------------------------------------------------------------------------

def test_opening_a_fault_sets_due_times_from_the_contracts_term_and_names_the_rule(fault, contract, council,
                                                                                   operator):
    assert fault.reference == "F-2026-00001"
    assert (fault.status, fault.owner, fault.contract, fault.reported_by) == ("open", council, contract, operator)
    assert fault.response_due_at == RESPONSE_DUE
    assert fault.fix_due_at == FIX_DUE
    assert fault.sla_rule == P2_RULE


def test_the_contract_in_force_on_the_london_date_of_the_report_is_used(council, contractor, cctv_manager, camera,
                                                                        operator):
    cctv_manager.email = "cctv.manager@vale.example"
    cctv_manager.save()
    terms = {"owner": council, "contractor": contractor, "contract_owner": cctv_manager, "by": None, "title": "x"}
    contract_create(reference="OLD", starts_on=dt.date(2023, 4, 1), ends_on=dt.date(2026, 3, 31),
                    sla_terms=[SlaTermSpec("p2", 240, 960, SlaClock.WORKING_HOURS)], **terms)
    new = contract_create(reference="NEW", starts_on=dt.date(2026, 4, 1), ends_on=dt.date(2031, 3, 31),
                          sla_terms=[SlaTermSpec("p2", 120, 480, SlaClock.ROUND_THE_CLOCK)], **terms)
    # 00:30 BST on 1 April is still 31 March in UTC; the contract goes by the London date.
    reported_at = dt.datetime(2026, 4, 1, 0, 30, tzinfo=LONDON)
    fault = fault_open(by=operator, camera=camera, priority="p2", summary="x", reported_at=reported_at)
    assert fault.contract == new
    assert fault.response_due_at == dt.datetime(2026, 4, 1, 2, 30, tzinfo=LONDON)
    assert fault.sla_rule == "P2 24/7: respond 120 min, fix 480 min (contract NEW)"


def test_overlapping_contracts_are_refused(contract, council, contractor, cctv_manager):
    with pytest.raises(InvalidInput, match="overlaps contract VOG-CCTV-2023"):
        contract_create(owner=council, contractor=contractor, contract_owner=cctv_manager, by=None, reference="B",
                        title="x", starts_on=dt.date(2028, 3, 31), ends_on=dt.date(2029, 3, 31),
                        sla_terms=[SlaTermSpec("p2", 240, 960, SlaClock.WORKING_HOURS)])


def test_a_fault_with_no_contract_in_force_has_no_clock_and_says_why(camera, operator):
    fault = fault_open(by=operator, camera=camera, priority="p2", summary="x", reported_at=REPORTED)
    assert (fault.contract, fault.response_due_at, fault.fix_due_at) == (None, None, None)
    assert fault.sla_rule == "No contract in force on the report date: no SLA clock."


def test_a_priority_the_contract_has_no_term_for_has_no_clock(contract, camera, operator):
    fault = fault_open(by=operator, camera=camera, priority="p4", summary="x", reported_at=REPORTED)
    assert fault.contract == contract and fault.fix_due_at is None
    assert fault.sla_rule == "Contract VOG-CCTV-2023 has no P4 term: no SLA clock."


def test_references_count_up_within_the_year_of_the_report(contract, camera, operator):
    opened = [fault_open(by=operator, camera=camera, priority="p3", summary="x", reported_at=at).reference
              for at in (REPORTED, REPORTED + SECOND, dt.datetime(2025, 12, 31, 23, 59, tzinfo=LONDON))]
    assert opened == ["F-2026-00001", "F-2026-00002", "F-2025-00001"]


def test_concurrent_opens_get_distinct_consecutive_references(transactional_db, contract, camera, operator):
    workers = 8
    barrier = threading.Barrier(workers)
    references, errors = [], []

    def open_one():
        try:
            barrier.wait()
            references.append(fault_open(by=operator, camera=camera, priority="p3", summary="x",
                                         reported_at=REPORTED).reference)
        except Exception as exc:  # collected and asserted below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(references) == [f"F-2026-{n:05d}" for n in range(1, workers + 1)]


@pytest.mark.parametrize(
    ("change", "message"),
    [({"camera": None}, "exactly one camera, node or link"), ({"summary": "  "}, "needs a summary"),
     ({"priority": "p9"}, "Unknown priority 'p9'"),
     ({"reported_at": dt.datetime(2099, 1, 1, tzinfo=LONDON)}, "cannot be reported in the future"),
     ({"reported_at": dt.datetime(2026, 3, 6, 16, 0)}, "needs a timezone")],
)
def test_bad_fault_input_is_refused_and_nothing_is_written(contract, camera, operator, change, message):
    fields = {"camera": camera, "priority": "p2", "summary": "x", "reported_at": REPORTED, **change}
    with pytest.raises(InvalidInput, match=message):
        fault_open(by=operator, **fields)
    assert Fault.objects.count() == 0


def test_a_fault_cannot_be_about_a_camera_and_a_node_at_once(contract, camera, operator):
    node = Node.objects.create(owner=camera.owner, name="Cabinet 1", kind=NodeKind.CABINET, location=camera.location)
    with pytest.raises(InvalidInput, match="exactly one camera, node or link"):
        fault_open(by=operator, camera=camera, node=node, priority="p2", summary="x", reported_at=REPORTED)
    assert Fault.objects.count() == 0


def test_the_health_feed_keeps_one_active_fault_per_camera(contract, camera):
    first = fault_open(by=None, camera=camera, priority="p2", summary="Offline", source=FaultSource.HEALTH_FEED,
                       reported_at=REPORTED)
    with pytest.raises(WrongState, match=f"already has an active health-feed fault, {first.reference}"):
        fault_open(by=None, camera=camera, priority="p2", summary="Offline", source=FaultSource.HEALTH_FEED,
                   reported_at=REPORTED)


# --- The workflow --------------------------------------------------------------------------------

ACTIONS = {
    "acknowledge": lambda fault, by: fault_acknowledge(fault=fault, by=by, at=RESPONSE_DUE),
    "fix": lambda fault, by: fault_fix(fault=fault, by=by, at=FIX_DUE),
    "close": lambda fault, by: fault_close(fault=fault, by=by, at=FIX_DUE + SECOND),
    "cancel": lambda fault, by: fault_cancel(fault=fault, by=by, reason="Duplicate of another fault"),
}
# How to reach each status from open, and what may follow it.
PATHS = {
    "open": [], "acknowledged": ["acknowledge"], "fixed": ["acknowledge", "fix"],
    "closed": ["acknowledge", "fix", "close"], "cancelled": ["cancel"],
}
ALLOWED_AFTER = {
    "open": ["acknowledge", "cancel"], "acknowledged": ["fix", "cancel"], "fixed": ["close"],
    "closed": [], "cancelled": [],
}


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_transition_is_allowed_or_refused_with_the_allowed_list(fault, cctv_manager, status, action):
    for step in PATHS[status]:
        ACTIONS[step](fault, cctv_manager)
    if action in ALLOWED_AFTER[status]:
        moved = ACTIONS[action](fault, cctv_manager)
        assert moved.status == {"acknowledge": "acknowledged", "fix": "fixed", "close": "closed",
                                "cancel": "cancelled"}[action]
    else:
        with pytest.raises(FaultTransitionNotAllowed) as refused:
            ACTIONS[action](fault, cctv_manager)
        assert refused.value.allowed == ALLOWED_AFTER[status]
        assert refreshed(fault).status == status


def test_a_refused_transition_is_a_409_listing_what_is_allowed(client, fault, cctv_manager):
    client.force_login(cctv_manager)
    response = post_json(client, f"/api/faults/{fault.pk}/close")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Fault F-2026-00001 is open, so it cannot be closed; allowed now: acknowledge, cancel.",
        "allowed": ["acknowledge", "cancel"],
    }


def test_each_step_records_who_and_when(fault, cctv_manager, engineer, operator):
    fault_assign(fault=fault, by=operator, assignee=engineer)
    fault_acknowledge(fault=fault, by=engineer, at=RESPONSE_DUE - SECOND)
    fault_fix(fault=fault, by=engineer, at=FIX_DUE - SECOND, note="Replaced the PSU in the column")
    fault_close(fault=fault, by=cctv_manager, at=FIX_DUE)
    fault = refreshed(fault)
    assert (fault.acknowledged_by, fault.acknowledged_at) == (engineer, RESPONSE_DUE - SECOND)
    assert (fault.fixed_by, fault.fixed_at) == (engineer, FIX_DUE - SECOND)
    assert (fault.closed_by, fault.closed_at, fault.status) == (cctv_manager, FIX_DUE, "closed")
    assert (fault.response_breached_at, fault.fix_breached_at) == (None, None)
    assert list(fault.notes.values_list("text", flat=True)) == ["Replaced the PSU in the column"]


def test_a_step_cannot_be_dated_before_the_one_before_it(fault, cctv_manager):
    fault_acknowledge(fault=fault, by=cctv_manager, at=RESPONSE_DUE)
    with pytest.raises(InvalidInput, match="cannot be fixed before 2026-03-09 10:00 GMT"):
        fault_fix(fault=fault, by=cctv_manager, at=RESPONSE_DUE - SECOND)
    assert refreshed(fault).status == "acknowledged"


def test_cancelling_needs_a_reason_which_is_kept_as_a_note(fault, operator):
    with pytest.raises(InvalidInput, match="needs a reason"):
        fault_cancel(fault=fault, by=operator, reason="  ")
    assert refreshed(fault).status == "open" and FaultNote.objects.count() == 0
    fault_cancel(fault=fault, by=operator, reason="Logged twice")
    fault = refreshed(fault)
    assert (fault.status, fault.closed_by) == ("cancelled", operator)
    assert list(fault.notes.values_list("text", flat=True)) == ["Cancelled: Logged twice"]


def test_acknowledging_after_the_deadline_stamps_the_response_breach(fault, operator):
    late = RESPONSE_DUE + dt.timedelta(minutes=5)
    fault = fault_acknowledge(fault=fault, by=operator, at=late)
    assert fault.response_breached_at == late
    assert fault.response_breach_notified_at is None


# --- Assignment and who may do what ---------------------------------------------------------------

def test_faults_are_assigned_only_to_active_engineers_of_the_contractor(fault, operator, council, contractor):
    strangers = [
        operator,  # the contractor's, but not an engineer
        UserFactory(username="council.engineer", role=Role.ENGINEER, organisation=council),
        UserFactory(username="retired.engineer", role=Role.ENGINEER, organisation=contractor, is_active=False),
    ]
    for stranger in strangers:
        with pytest.raises(InvalidInput, match=f"{stranger.username} is not an active engineer of"):
            fault_assign(fault=fault, by=operator, assignee=stranger)
    assert refreshed(fault).assigned_to is None


def test_an_engineer_cannot_pass_a_fault_to_a_colleague(assigned, engineer, contractor):
    colleague = UserFactory(username="engineer.two", role=Role.ENGINEER, organisation=contractor)
    with pytest.raises(Forbidden, match="may not assign faults"):
        fault_assign(fault=assigned, by=engineer, assignee=colleague)


def test_an_engineer_acknowledges_their_own_fault_but_not_anothers(client, assigned, engineer, contractor, operator,
                                                                   contract, camera):
    other = fault_open(by=operator, camera=camera, priority="p2", summary="Other", reported_at=REPORTED)
    fault_assign(fault=other, by=operator,
                 assignee=UserFactory(username="engineer.two", role=Role.ENGINEER, organisation=contractor))
    client.force_login(engineer)
    assert post_json(client, f"/api/faults/{assigned.pk}/acknowledge").status_code == 200
    assert refreshed(assigned).acknowledged_by == engineer
    for response in (client.get(f"/api/faults/{other.pk}"), post_json(client, f"/api/faults/{other.pk}/acknowledge")):
        assert response.status_code == 404
        assert response.json() == {"detail": f"Fault {other.pk} not found."}
    with pytest.raises(NotVisible):
        fault_acknowledge(fault=other, by=engineer)
    assert refreshed(other).status == "open"


# role -> status codes for: view, acknowledge, note, assign, cancel (on a fault assigned to `engineer`).
MATRIX = {
    Role.CCTV_MANAGER: (200, 200, 201, 200, 200),
    Role.OPERATOR: (200, 200, 201, 200, 200),
    Role.OG_MEMBER: (200, 403, 403, 403, 403),
    Role.POLICE_REQUESTER: (404, 404, 404, 404, 404),
    "police_other": (404, 404, 404, 404, 404),
    Role.ENGINEER: (200, 200, 201, 403, 403),
    Role.AUDITOR: (200, 403, 403, 403, 403),
    Role.ADMIN: (200, 200, 201, 200, 200),
}
REQUESTS = {
    "view": lambda client, pk, engineer: client.get(f"/api/faults/{pk}"),
    "acknowledge": lambda client, pk, engineer: post_json(client, f"/api/faults/{pk}/acknowledge"),
    "note": lambda client, pk, engineer: post_json(client, f"/api/faults/{pk}/notes", {"text": "On site"}),
    "assign": lambda client, pk, engineer: post_json(client, f"/api/faults/{pk}/assign",
                                                     {"assignee_id": engineer.pk}),
    "cancel": lambda client, pk, engineer: post_json(client, f"/api/faults/{pk}/cancel", {"reason": "Duplicate"}),
}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("action", list(REQUESTS))
def test_access_matrix(client, people, assigned, engineer, role, action):
    client.force_login(people[role])
    response = REQUESTS[action](client, assigned.pk, engineer)
    expected = MATRIX[role][list(REQUESTS).index(action)]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["detail"]
        fault = refreshed(assigned)
        assert (fault.status, fault.notes.count(), fault.assigned_to) == ("open", 0, engineer)


def test_police_and_auditors_cannot_open_faults_and_police_see_none(client, fault, camera, officer, auditor):
    body = {"camera_id": camera.pk, "priority": "p2", "summary": "x"}
    for user in (officer, auditor):
        client.force_login(user)
        assert post_json(client, "/api/faults", body).status_code == 403
    client.force_login(officer)
    assert client.get("/api/faults").json() == {"items": [], "count": 0}
    assert Fault.objects.count() == 1


# --- Breach detection ---------------------------------------------------------------------------

def test_no_breach_at_the_deadline_itself_and_a_breach_one_second_after(fault, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_breaches_check(now=RESPONSE_DUE).stamped == []
        assert refreshed(fault).response_breached_at is None
        check = sla_breaches_check(now=RESPONSE_DUE + SECOND)
    assert check.stamped == [(fault.pk, "response")]
    assert refreshed(fault).response_breached_at == RESPONSE_DUE + SECOND
    assert refreshed(fault).fix_breached_at is None


def test_a_breach_is_emailed_once_to_the_contract_owner_however_often_the_check_runs(
        fault, mailoutbox, django_capture_on_commit_callbacks):
    late = RESPONSE_DUE + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        for minutes in range(3):
            sla_breaches_check(now=late + dt.timedelta(minutes=minutes))
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["cctv.manager@vale.example"]
    assert email.subject == "SLA breach: F-2026-00001 response overdue (P2)"
    assert "Response due: Mon 09 Mar 2026 10:00 GMT" in email.body
    assert "camera VOG-001 Barry Island promenade" in email.body
    assert P2_RULE in email.body
    fault = refreshed(fault)
    assert (fault.response_breached_at, fault.response_breach_notified_at) == (late, late)


def test_an_acknowledged_fault_breaches_only_its_fix_clock(fault, operator, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    fault_acknowledge(fault=fault, by=operator, at=RESPONSE_DUE)
    with django_capture_on_commit_callbacks(execute=True):
        check = sla_breaches_check(now=FIX_DUE + SECOND)
    assert check.stamped == [(fault.pk, "fix")]
    assert [email.subject for email in mailoutbox] == ["SLA breach: F-2026-00001 fix overdue (P2)"]
    assert refreshed(fault).response_breached_at is None


def test_a_late_acknowledgement_is_emailed_by_the_next_check(fault, operator, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    fault_acknowledge(fault=fault, by=operator, at=RESPONSE_DUE + dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        check = sla_breaches_check(now=RESPONSE_DUE + dt.timedelta(minutes=6))
    assert (check.stamped, check.notified) == ([], [(fault.pk, "response")])
    assert len(mailoutbox) == 1


def test_cancelled_and_fixed_faults_do_not_breach(fault, contract, camera, operator, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    fault_cancel(fault=fault, by=operator, reason="Logged twice")
    fixed = fault_open(by=operator, camera=camera, priority="p2", summary="x", reported_at=REPORTED)
    fault_acknowledge(fault=fixed, by=operator, at=RESPONSE_DUE)
    fault_fix(fault=fixed, by=operator, at=FIX_DUE)
    with django_capture_on_commit_callbacks(execute=True):
        check = sla_breaches_check(now=FIX_DUE + dt.timedelta(days=1))
    assert (check.stamped, check.notified, len(mailoutbox)) == ([], [], 0)


class RefusingEmailBackend:
    """An SMTP server that is down (outside the project, so standing in for it is fair)."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection refused")


def test_an_email_that_fails_to_send_is_retried_by_the_next_check(fault, settings, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    late = RESPONSE_DUE + SECOND
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        sla_breaches_check(now=late)
    assert refreshed(fault).response_breach_notified_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        check = sla_breaches_check(now=late + dt.timedelta(minutes=1))
    assert (check.stamped, check.notified) == ([], [(fault.pk, "response")])
    assert len(mailoutbox) == 1
    assert refreshed(fault).response_breached_at == late


def test_two_checks_running_at_once_stamp_and_email_a_breach_once(transactional_db, contract, camera, operator,
                                                                 mailoutbox):
    fault = fault_open(by=operator, camera=camera, priority="p2", summary="No picture", reported_at=REPORTED)
    workers = 6
    barrier = threading.Barrier(workers)
    checks, errors = [], []

    def check():
        try:
            barrier.wait()
            checks.append(sla_breaches_check(now=RESPONSE_DUE + SECOND))
        except Exception as exc:  # collected and asserted below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(len(c.stamped) for c in checks) == [0] * (workers - 1) + [1]
    assert sorted(len(c.notified) for c in checks) == [0] * (workers - 1) + [1]
    assert len(mailoutbox) == 1
    assert refreshed(fault).response_breached_at == RESPONSE_DUE + SECOND


def test_the_real_worker_flags_a_breach_exactly_once(celery_worker, contract, camera, operator):
    fault = fault_open(by=operator, camera=camera, priority="p2", summary="No picture", reported_at=REPORTED)
    now_iso = (RESPONSE_DUE + dt.timedelta(minutes=1)).isoformat()
    first, second = sla_breaches_check_task.delay(now_iso), sla_breaches_check_task.delay(now_iso)
    results = sorted([first.get(timeout=20), second.get(timeout=20)], key=lambda r: -r["stamped"])
    assert results == [{"stamped": 1, "notified": 1}, {"stamped": 0, "notified": 0}]
    fault = refreshed(fault)
    assert fault.response_breached_at == RESPONSE_DUE + dt.timedelta(minutes=1)
    assert fault.response_breach_notified_at == fault.response_breached_at
    assert fault.fix_breached_at is None
    assert [email.subject for email in mail.outbox] == ["SLA breach: F-2026-00001 response overdue (P2)"]


# --- The API -----------------------------------------------------------------------------------

def test_opening_a_fault_through_the_api_returns_its_clocks(client, contract, camera, operator):
    client.force_login(operator)
    response = post_json(client, "/api/faults", {"camera_id": camera.pk, "priority": "p2", "summary": "No picture",
                                                 "reported_at": "2026-03-06T16:00:00+00:00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["reference"], body["status"], body["sla_rule"]) == ("F-2026-00001", "open", P2_RULE)
    assert body["subject"] == {"kind": "camera", "id": camera.pk, "label": "camera VOG-001 Barry Island promenade"}
    assert body["response"]["due_at"] == "2026-03-09T10:00:00Z"
    assert body["fix"]["due_at"] == "2026-03-10T12:00:00Z"
    assert body["transitions_allowed"] == ["acknowledge", "cancel"]


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"node_id": 1}, 400, "exactly one of camera_id, node_id or link_id"),
        ({"camera_id": 999999}, 400, "Camera 999999 does not exist or is not visible to you"),
        ({"priority": "urgent"}, 400, "Unknown priority 'urgent'"),
        ({"reported_at": "2026-03-06T16:00:00"}, 400, "needs a timezone"),
        ({"reported_at": "yesterday"}, 422, "reported_at"),
        ({"summary": "x" * 201}, 400, "summary: Ensure this value has at most 200 characters"),
    ],
)
def test_bad_fault_input_through_the_api_is_a_4xx_with_a_detail(client, contract, camera, operator, change, status,
                                                                 fragment):
    client.force_login(operator)
    body = {"camera_id": camera.pk, "priority": "p2", "summary": "No picture", **change}
    response = post_json(client, "/api/faults", body)
    assert response.status_code == status
    assert fragment in response.json()["detail"]
    assert Fault.objects.count() == 0


def test_link_faults_can_be_opened(client, contract, council, operator):
    a = Node.objects.create(owner=council, name="Cabinet A", kind=NodeKind.CABINET,
                            location=point_from_input(-3.27, 51.39))
    b = Node.objects.create(owner=council, name="Cabinet B", kind=NodeKind.CABINET,
                            location=point_from_input(-3.26, 51.39))
    link = Link.objects.create(owner=council, kind=LinkKind.FIBRE, circuit_ref="OR-123", a_node=a, b_node=b,
                               route=LineString(a.location, b.location, srid=27700),
                               length_m=a.location.distance(b.location))
    client.force_login(operator)
    response = post_json(client, "/api/faults", {"link_id": link.pk, "priority": "p1", "summary": "Fibre cut",
                                                 "reported_at": "2026-03-07T11:00:00+00:00"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == {"kind": "link", "id": link.pk, "label": "link Fibre OR-123"}
    assert body["response"]["due_at"] == "2026-03-07T12:00:00Z"  # P1 is 24/7: a Saturday counts


def test_the_fault_page_reads_each_clock(client, fault, operator):
    fault_acknowledge(fault=fault, by=operator, at=RESPONSE_DUE)
    fault_fix(fault=fault, by=operator, at=FIX_DUE + dt.timedelta(minutes=1))
    client.force_login(operator)
    body = client.get(f"/api/faults/{fault.pk}").json()
    assert body["response"] | {"breached_at": None} == {
        "state": "met", "due_at": "2026-03-09T10:00:00Z", "stopped_at": "2026-03-09T10:00:00Z",
        "seconds_remaining": None, "seconds_overdue": None, "breached_at": None, "breach_notified_at": None,
    }
    assert (body["fix"]["state"], body["fix"]["seconds_overdue"]) == ("missed", 60)
    assert body["fix"]["breached_at"] == "2026-03-10T12:01:00Z"
    assert (body["response_breached"], body["fix_breached"]) == (False, True)
    assert body["cameras_taken_down"] is None  # a camera fault takes down only itself


def test_an_unacknowledged_fault_past_its_deadline_reads_overdue(client, fault, operator):
    client.force_login(operator)
    body = client.get(f"/api/faults/{fault.pk}").json()
    assert body["response"]["state"] == "overdue"
    assert body["response"]["seconds_overdue"] > 0 and body["response"]["seconds_remaining"] is None


def test_the_fault_list_filters_and_pages(client, contract, camera, council, operator, cctv_manager,
                                          django_assert_max_num_queries, django_capture_on_commit_callbacks):
    other_camera = camera_create(owner=council, by=None, asset_ref="VOG-002", name="Holton Road",
                                 location=point_from_input(-3.27, 51.40))
    faults = [fault_open(by=operator, camera=cam, priority=priority, summary="x",
                         reported_at=REPORTED + dt.timedelta(hours=hour))
              for hour, (cam, priority) in enumerate([(camera, "p2"), (camera, "p1"), (other_camera, "p2")])]
    fault_acknowledge(fault=faults[1], by=operator, at=REPORTED + dt.timedelta(hours=1, minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        # At 22:00 only the P1's 24/7 fix clock (17:00 + 240 min) has run out; the P2s wait for Monday.
        sla_breaches_check(now=REPORTED + dt.timedelta(hours=6))
    client.force_login(cctv_manager)

    def refs(query: str) -> list[str]:
        return [item["reference"] for item in client.get(f"/api/faults?{query}").json()["items"]]

    assert refs("") == ["F-2026-00003", "F-2026-00002", "F-2026-00001"]
    assert refs("status=acknowledged") == ["F-2026-00002"]
    assert refs("priority=p2") == ["F-2026-00003", "F-2026-00001"]
    assert refs(f"camera={camera.pk}") == ["F-2026-00002", "F-2026-00001"]
    assert refs("breached=true") == ["F-2026-00002"]
    assert refs("breached=false") == ["F-2026-00003", "F-2026-00001"]
    page = client.get("/api/faults?limit=2&offset=2").json()
    assert (page["count"], [item["reference"] for item in page["items"]]) == (3, ["F-2026-00001"])
    bad = client.get("/api/faults?status=lost")
    assert bad.status_code == 422 and "status" in bad.json()["detail"]
    # Session, user, sharing organisations, count, one page query, and the session save (3 with its
    # savepoint): the same however many faults, because subjects and assignees are joined.
    with django_assert_max_num_queries(8, info="the fault list"):
        assert len(client.get("/api/faults").json()["items"]) == 3


def test_notes_are_added_and_shown_in_order(client, fault, operator):
    client.force_login(operator)
    assert post_json(client, f"/api/faults/{fault.pk}/notes", {"text": "  "}).json() == {
        "detail": "A note needs some text."}
    first = post_json(client, f"/api/faults/{fault.pk}/notes", {"text": "Rang the contractor"})
    assert first.status_code == 201 and first.json()["author"] == "operator"
    fault_note_add(fault=fault, by=operator, text="Engineer on the way")
    notes = client.get(f"/api/faults/{fault.pk}").json()["notes"]
    assert [note["text"] for note in notes] == ["Rang the contractor", "Engineer on the way"]


def test_assigning_an_unknown_user_is_a_400(client, fault, operator):
    client.force_login(operator)
    response = post_json(client, f"/api/faults/{fault.pk}/assign", {"assignee_id": 999999})
    assert response.status_code == 400 and response.json() == {"detail": "No active user 999999."}


def test_the_full_workflow_through_the_api(client, assigned, engineer, cctv_manager):
    client.force_login(engineer)
    assert post_json(client, f"/api/faults/{assigned.pk}/acknowledge").json()["status"] == "acknowledged"
    fixed = post_json(client, f"/api/faults/{assigned.pk}/fix", {"note": "Camera power restored"}).json()
    assert (fixed["status"], fixed["fixed_by"], fixed["notes"][0]["text"]) == ("fixed", "engineer",
                                                                              "Camera power restored")
    assert post_json(client, f"/api/faults/{assigned.pk}/close").status_code == 403  # closing is the council's
    client.force_login(cctv_manager)
    closed = post_json(client, f"/api/faults/{assigned.pk}/close").json()
    assert (closed["status"], closed["closed_by"], closed["transitions_allowed"]) == ("closed", "manager", [])
    assert FaultStatus(refreshed(assigned).status) == FaultStatus.CLOSED


def test_contracts_are_listed_with_their_sla_terms(client, contract, cctv_manager, operator):
    client.force_login(operator)
    listing = client.get("/api/faults/contracts").json()
    assert [c["reference"] for c in listing] == ["VOG-CCTV-2023"]
    detail = client.get(f"/api/faults/contracts/{contract.pk}").json()
    assert (detail["contractor"], detail["working_day_starts_at"]) == ("Cardiff Council CCTV Control Room", "08:00:00")
    assert [(t["priority"], t["response_minutes"], t["fix_minutes"], t["clock"]) for t in detail["sla_terms"]] == [
        ("p1", 60, 240, "24_7"), ("p2", 240, 960, "working_hours")]
    assert detail["sla_terms"][1]["rule"] == P2_RULE


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.POLICE_REQUESTER, "police_other"])
def test_engineers_and_police_do_not_see_the_contract(client, people, contract, role):
    client.force_login(people[role])
    assert client.get("/api/faults/contracts").json() == []
    response = client.get(f"/api/faults/contracts/{contract.pk}")
    assert response.status_code == 404 and response.json() == {"detail": f"Contract {contract.pk} not found."}
