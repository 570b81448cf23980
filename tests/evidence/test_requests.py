"""Submitting evidence requests, who sees them, and how the list is ordered.

The request in most tests: South Wales Police ask the Vale for footage of an assault on Monday
2 March 2026, 22:00-22:30 GMT, near VOG-004 (keeps 14 days), received Tuesday 3 March 09:00 GMT.
Urgent, so the police target is 24 h later: 2026-03-04 09:00 GMT; the footage is overwritten at
2026-03-16 22:30 GMT. Times are passed in explicitly.
"""

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import OrganisationKind
from evidence.choices import CustodyEventType, LegalBasis, RequestKind, RequestState, Urgency
from evidence.models import CustodyEvent, Deadline, EvidenceRequest, RequestCamera
from evidence.services.requests import request_submit
from tests.accounts.factories import OrganisationFactory
from tests.cctv.factories import CameraFactory
from tests.evidence.factories import EvidenceRequestFactory

UTC = dt.UTC
URL = "/api/evidence/requests"


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def vog_004(council):
    return CameraFactory(owner=council, asset_ref="VOG-004", name="Barry Island promenade", retention_days=14)


@pytest.fixture
def body(council, vog_004):
    return {
        "owner_id": council.pk, "kind": "police_investigation", "urgency": "urgent",
        "incident_starts_at": "2026-03-02T22:00:00Z", "incident_ends_at": "2026-03-02T22:30:00Z",
        "reason": "Assault outside the Marina Bar; identify the suspect.",
        "location": {"x": -3.2727, "y": 51.3915}, "camera_ids": [vog_004.pk],
        "crime_reference": "62/12345/26", "received_at": "2026-03-03T09:00:00Z",
    }


def nothing_written():
    return (EvidenceRequest.objects.count(), RequestCamera.objects.count(), Deadline.objects.count(),
            CustodyEvent.objects.count()) == (0, 0, 0, 0)


# --- submitting -------------------------------------------------------------------------------

def test_an_officer_submits_a_request_and_gets_its_deadlines_rules_and_moves(client, officer, body, vog_004):
    client.force_login(officer)
    response = post_json(client, URL, body)
    assert response.status_code == 201, response.content
    got = response.json()
    assert (got["reference"], got["state"], got["legal_basis"]) == ("ER-2026-00001", "submitted",
                                                                    LegalBasis.DPA_SCH2_PARA2)
    assert (got["requester"], got["requester_organisation"], got["owner"]) == (
        "officer", "South Wales Police", "Vale of Glamorgan Council")
    assert got["deadlines"] == [
        {"kind": "police_target", "due_at": "2026-03-04T09:00:00Z", "met_at": None, "missed_at": None,
         "state": "overdue", "rule": "Urgent police request: target 24 h from receipt 2026-03-03 09:00 = "
                                     "2026-03-04 09:00"},
        {"kind": "overwrite", "due_at": "2026-03-16T22:30:00Z", "met_at": None, "missed_at": None,
         "state": "overdue", "rule": "VOG-004 keeps 14 days: incident end 2026-03-02 22:30 + 14 d = "
                                     "2026-03-16 22:30; the only camera"},
    ]
    assert got["cameras"] == [{"camera_id": vog_004.pk, "asset_ref": "VOG-004", "name": "Barry Island promenade",
                               "retention_days": 14, "overwrite_at": "2026-03-16T22:30:00Z", "secured_at": None,
                               "lost_at": None}]
    assert got["moves_allowed"] == ["withdraw"]
    assert got["next_deadline_at"] == "2026-03-04T09:00:00Z"  # the nearest open deadline, overdue or not
    assert (round(got["location"]["longitude"], 5), round(got["location"]["latitude"], 5)) == (-3.2727, 51.3915)
    [created] = CustodyEvent.objects.filter(request_id=got["id"])
    assert (created.event_type, created.actor, created.detail) == (
        CustodyEventType.CREATED, officer, {"to": "submitted", "kind": "police_investigation", "cameras": ["VOG-004"]})


def test_references_run_on_within_the_year_of_receipt(officer, council, vog_004):
    def submit(received_at):
        return request_submit(by=officer, owner=council, kind=RequestKind.POLICE_INVESTIGATION,
                              legal_basis=LegalBasis.DPA_SCH2_PARA2, incident_starts_at=received_at - dt.timedelta(1),
                              incident_ends_at=received_at - dt.timedelta(hours=23), reason="x", cameras=[vog_004],
                              crime_reference="62/1/26", received_at=received_at).reference

    assert [submit(dt.datetime(2025, 12, 31, 23, 30, tzinfo=UTC)),
            submit(dt.datetime(2026, 1, 1, 0, 30, tzinfo=UTC)),
            submit(dt.datetime(2026, 1, 2, 0, 0, tzinfo=UTC))] == ["ER-2025-00001", "ER-2026-00001", "ER-2026-00002"]


def test_requests_submitted_at_once_get_distinct_references(transactional_db, officer, council, vog_004):
    workers = 6
    barrier = threading.Barrier(workers)
    references, errors = [], []

    def submit():
        try:
            barrier.wait()
            references.append(request_submit(
                by=officer, owner=council, kind=RequestKind.POLICE_INVESTIGATION,
                legal_basis=LegalBasis.DPA_SCH2_PARA2, incident_starts_at=dt.datetime(2026, 3, 2, 22, tzinfo=UTC),
                incident_ends_at=dt.datetime(2026, 3, 2, 22, 30, tzinfo=UTC), reason="x", cameras=[vog_004],
                crime_reference="62/1/26", received_at=dt.datetime(2026, 3, 3, 9, tzinfo=UTC)).reference)
        except Exception as exc:  # collected and asserted below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(references) == [f"ER-2026-{n:05d}" for n in range(1, workers + 1)]


def test_contractor_operators_submit_to_the_council_they_monitor(client, operator, body):
    client.force_login(operator)
    response = post_json(client, URL, body)
    assert response.status_code == 201, response.content
    assert response.json()["moves_allowed"] == ["accept"]


def test_a_sar_logged_by_the_manager_gets_its_month_and_no_police_target(client, cctv_manager, body):
    client.force_login(cctv_manager)
    sar = {**body, "kind": "sar", "crime_reference": "", "requester_name": "A. Subject", "camera_ids": [],
           "received_at": "2026-01-31T11:00:00Z", "incident_starts_at": "2026-01-30T22:00:00Z",
           "incident_ends_at": "2026-01-30T22:30:00Z"}
    response = post_json(client, URL, sar)
    assert response.status_code == 201, response.content
    got = response.json()
    assert got["legal_basis"] == LegalBasis.UK_GDPR_ART15
    assert [(d["kind"], d["due_at"]) for d in got["deadlines"]] == [("sar_due", "2026-03-02T23:59:59Z")]
    assert got["moves_allowed"] == ["accept", "refuse", "withdraw"]


@pytest.mark.parametrize(("change", "fragment"), [
    ({"incident_ends_at": "2026-03-02T21:00:00Z"}, "The incident window must end after it starts"),
    ({"incident_starts_at": "2026-02-20T22:00:00Z"}, "is 240 hours long; narrow it to 7 days (168 hours) or less"),
    ({"incident_ends_at": "2999-01-01T00:00:00Z"}, "The incident window ends in the future"),
    ({"incident_starts_at": "2026-03-02T22:00:00"}, "incident_starts_at needs a UTC offset"),
    ({"received_at": "2999-01-01T00:00:00Z"}, "received_at is in the future"),
    ({"received_at": "2026-03-02T21:00:00Z"}, "The incident starts after the request was received"),
    ({"crime_reference": "  "}, "A police request needs its crime or incident reference"),
    ({"kind": "sar", "legal_basis": "uk_gdpr_art15"}, "A subject access request needs the name of the data subject"),
    ({"kind": "sar", "requester_name": "A. Subject", "legal_basis": "dpa2018_sch2_para2"},
     "A subject access request rests on UK GDPR Art 15"),
    ({"kind": "footage"}, "Unknown request kind 'footage'"),
    ({"urgency": "asap"}, "Unknown urgency 'asap'"),
    ({"legal_basis": "because"}, "Unknown legal basis 'because'"),
    ({"reason": "   "}, "Give the reason the footage is needed"),
    ({"crime_reference": "x" * 61}, "crime_reference is 61 characters long; the limit is 60"),
    ({"location": None, "camera_ids": []}, "Say where: give a location, or at least one camera"),
    ({"location": {"x": 0.0, "y": 51.5}}, "The location is outside the service area"),
    ({"camera_ids": [999999]}, "Camera 999999 does not exist or is not visible to you"),
    ({"owner_id": 999999}, "Organisation 999999 does not exist"),
])
def test_bad_input_is_a_400_that_says_what_is_wrong_and_writes_nothing(client, officer, body, change, fragment):
    client.force_login(officer)
    response = post_json(client, URL, {**body, **change})
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]
    assert nothing_written()


def test_a_request_goes_only_to_a_council_that_shares_with_the_force(client, officer, officer_other_force, force,
                                                                     body):
    client.force_login(officer_other_force)
    response = post_json(client, URL, body)
    assert (response.status_code, response.json()["detail"]) == (
        400, "Your organisation cannot send requests to Vale of Glamorgan Council: it does not share its cameras "
             "with you.")
    client.force_login(officer)
    response = post_json(client, URL, {**body, "owner_id": force.pk})
    assert (response.status_code, response.json()["detail"]) == (
        400, "South Wales Police is not a council: a request goes to the council that controls the footage.")
    assert nothing_written()


def test_cameras_of_another_council_cannot_be_named(client, officer, force, body):
    neighbour = OrganisationFactory(name="Cardiff Council", kind=OrganisationKind.COUNCIL)
    neighbour.shares_with.add(force)
    theirs = CameraFactory(owner=neighbour, asset_ref="CDF-001")
    client.force_login(officer)
    response = post_json(client, URL, {**body, "camera_ids": [theirs.pk]})
    assert (response.status_code, response.json()["detail"]) == (
        400, "Camera CDF-001 is not one of Vale of Glamorgan Council's cameras: a request covers the cameras of the "
             "council it is sent to.")
    assert nothing_written()


@pytest.mark.parametrize("role", ["auditor", "engineer", "og_member"])
def test_roles_that_do_not_request_footage_cannot_submit(client, people, body, role):
    client.force_login(people[role])
    assert post_json(client, URL, body).status_code == 403
    assert nothing_written()


# --- who sees what ----------------------------------------------------------------------------

@pytest.fixture
def theirs(council, officer):
    return EvidenceRequestFactory(owner=council, requester=officer, with_created_event=True)


def test_an_officer_of_another_force_cannot_list_see_or_act_on_a_request(client, council, other_force, theirs,
                                                                        officer_other_force):
    council.shares_with.add(other_force)  # even when the council shares its cameras with both forces
    client.force_login(officer_other_force)
    assert client.get(URL).json() == {"items": [], "count": 0}
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404
    for action in ("moves/withdraw", "sar/pause", "sar/resume", "sar/extend"):
        response = post_json(client, f"{URL}/{theirs.pk}/{action}", {"reason": "mine now"})
        assert response.status_code == 404, action
    theirs.refresh_from_db()
    assert theirs.state == RequestState.SUBMITTED
    assert CustodyEvent.objects.filter(request=theirs).count() == 1


def test_the_officer_sees_their_forces_request_and_council_staff_see_it_too(client, theirs, people):
    for role, visible in (("police_requester", True), ("cctv_manager", True), ("operator", True), ("auditor", True),
                          ("admin", True), ("engineer", False), ("og_member", False), ("police_other", False)):
        client.force_login(people[role])
        assert (client.get(f"{URL}/{theirs.pk}").status_code == 200) is visible, role
        assert ([r["id"] for r in client.get(URL).json()["items"]] == [theirs.pk]) is visible, role


def test_an_auditor_sees_a_request_but_may_make_no_move(client, theirs, auditor):
    client.force_login(auditor)
    assert client.get(f"{URL}/{theirs.pk}").json()["moves_allowed"] == []


# --- the list ---------------------------------------------------------------------------------

@pytest.fixture
def queue(officer, council, vog_004):
    """Three requests received in this order; their nearest deadlines fall in the reverse order."""
    def submit(urgency, received_at):
        return request_submit(by=officer, owner=council, kind=RequestKind.POLICE_INVESTIGATION,
                              legal_basis=LegalBasis.DPA_SCH2_PARA2, urgency=urgency, reason="x",
                              incident_starts_at=dt.datetime(2026, 3, 1, 22, tzinfo=UTC),
                              incident_ends_at=dt.datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
                              crime_reference="62/1/26", received_at=received_at, location=vog_004.location)
    routine = submit(Urgency.ROUTINE, dt.datetime(2026, 3, 2, 9, tzinfo=UTC))  # target 9 Mar 09:00
    urgent = submit(Urgency.URGENT, dt.datetime(2026, 3, 3, 9, tzinfo=UTC))  # target 4 Mar 09:00
    immediate = submit(Urgency.IMMEDIATE, dt.datetime(2026, 3, 4, 9, tzinfo=UTC))  # target 4 Mar 11:00
    withdrawn = submit(Urgency.IMMEDIATE, dt.datetime(2026, 3, 1, 23, tzinfo=UTC))  # target 2 Mar 01:00
    EvidenceRequest.objects.filter(pk=withdrawn.pk).update(state=RequestState.WITHDRAWN)
    return routine, urgent, immediate, withdrawn


def test_staff_see_the_nearest_open_deadline_first(client, queue, cctv_manager):
    routine, urgent, immediate, withdrawn = queue
    client.force_login(cctv_manager)
    items = client.get(URL).json()["items"]
    assert [item["reference"] for item in items] == [
        urgent.reference, immediate.reference, routine.reference, withdrawn.reference]
    assert [item["next_deadline_at"] for item in items] == [
        "2026-03-04T09:00:00Z", "2026-03-04T11:00:00Z", "2026-03-09T09:00:00Z", None]


def test_the_requester_sees_their_requests_newest_first_and_can_filter(client, queue, officer):
    routine, urgent, immediate, withdrawn = queue
    client.force_login(officer)
    assert [item["id"] for item in client.get(URL).json()["items"]] == [
        immediate.pk, urgent.pk, routine.pk, withdrawn.pk]
    assert [item["id"] for item in client.get(f"{URL}?state=withdrawn").json()["items"]] == [withdrawn.pk]
    assert client.get(f"{URL}?kind=sar").json()["count"] == 0
    assert client.get(f"{URL}?state=lost").status_code == 422


def test_the_list_costs_the_same_queries_for_four_requests_as_for_one(client, officer, council, vog_004,
                                                                      cctv_manager, queue):
    client.force_login(cctv_manager)
    client.get(URL)  # the session's activity stamp is written on the first request, then once a minute
    with CaptureQueriesContext(connection) as four:
        assert client.get(URL).json()["count"] == 4
    EvidenceRequest.objects.exclude(pk=queue[0].pk).update(owner=OrganisationFactory(name="Elsewhere"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).json()["count"] == 1
    # session, user, organisations shared with the user, count, page.
    assert len(four) == len(one) <= 5
