"""The workflow through the API: every move by every role, the 409s, reasons, and deadlines met.

The request is South Wales Police's, made to the Vale (which shares its cameras with the force and
with its monitoring contractor). Who may make each move is written out here by hand, not read
from accounts.permissions, so a change to the rules has to change this table too.
"""

import datetime as dt
import json

import pytest

from evidence.choices import CustodyEventType, DeadlineKind, LegalBasis, RequestKind, RequestState
from evidence.models import CustodyEvent, Deadline, EvidenceRequest
from evidence.services.requests import request_submit
from evidence.workflow import MOVES
from tests.cctv.factories import CameraFactory
from tests.evidence.factories import EvidenceRequestFactory, ExhibitFactory

UTC = dt.UTC
URL = "/api/evidence/requests"
S = RequestState

MANAGER, OPERATOR, POLICE, ADMIN = "cctv_manager", "operator", "police_requester", "admin"
ROLES = ["cctv_manager", "operator", "og_member", "police_requester", "police_other", "engineer", "auditor", "admin"]
# Who may make each move on the force's request to the Vale.
ALLOWED = {
    "accept": {MANAGER, OPERATOR, ADMIN},
    "refuse": {MANAGER, ADMIN},
    "start_search": {MANAGER, OPERATOR, ADMIN},
    "footage_found": {MANAGER, OPERATOR, ADMIN},
    "none_found": {MANAGER, OPERATOR, ADMIN},
    "export": {MANAGER, OPERATOR, ADMIN},
    "ready_for_collection": {MANAGER, OPERATOR, ADMIN},
    "release": {MANAGER, ADMIN},
    "close": {MANAGER, OPERATOR, ADMIN},
    "withdraw": {MANAGER, POLICE, ADMIN},
}
# Roles that cannot see the request at all get a 404; those who see it but may not act, a 403.
CANNOT_SEE = {"og_member", "engineer", "police_other"}
# The state each move is tried from (its first source state) and where it leads.
FROM_TO = {
    "accept": (S.SUBMITTED, S.ACCEPTED),
    "refuse": (S.SUBMITTED, S.REFUSED),
    "start_search": (S.ACCEPTED, S.SEARCHING),
    "footage_found": (S.SEARCHING, S.FOOTAGE_FOUND),
    "none_found": (S.SEARCHING, S.NONE_FOUND),
    "export": (S.FOOTAGE_FOUND, S.EXPORTED),
    "ready_for_collection": (S.EXPORTED, S.READY_FOR_COLLECTION),
    "release": (S.EXPORTED, S.RELEASED),
    "close": (S.RELEASED, S.CLOSED),
    "withdraw": (S.SUBMITTED, S.WITHDRAWN),
}
# The moves the CCTV manager may make from each state, in the workflow's order.
MANAGER_MOVES_FROM = {
    S.SUBMITTED: ["accept", "refuse", "withdraw"],
    S.ACCEPTED: ["refuse", "start_search", "withdraw"],
    S.REFUSED: ["close"],
    S.SEARCHING: ["footage_found", "none_found", "withdraw"],
    S.FOOTAGE_FOUND: ["export", "withdraw"],
    S.NONE_FOUND: ["close"],
    S.EXPORTED: ["ready_for_collection", "release", "withdraw"],
    S.READY_FOR_COLLECTION: ["release", "withdraw"],
    S.RELEASED: ["close"],
    S.CLOSED: [],
    S.WITHDRAWN: [],
}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def make_move(client, request, move, body):
    """A move through the API: release has its own endpoint, which records the disclosure."""
    if move == "release":
        return post_json(client, f"/api/evidence/bundles/{request.pk}/release", {"recipient_name": "DC Evans"})
    return post_json(client, f"{URL}/{request.pk}/moves/{move}", body)


def events(request):
    return list(CustodyEvent.objects.filter(request=request).order_by("sequence"))


def make_request(council, officer, operator, state):
    request = EvidenceRequestFactory(owner=council, requester=officer, state=state, with_created_event=True)
    ExhibitFactory(request=request, created_by=operator)  # a master copy, so export may happen
    return request


def test_the_tables_cover_every_move_and_state():
    assert set(ALLOWED) == set(FROM_TO) == set(MOVES)
    assert set(MANAGER_MOVES_FROM) == set(RequestState.values)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("move", list(FROM_TO))
def test_each_move_by_each_role(client, people, council, officer, operator, move, role):
    source, target = FROM_TO[move]
    request = make_request(council, officer, operator, source)
    client.force_login(people[role])
    response = make_move(client, request, move, {"reason": "Stated reason", "place": "CCTV room"})
    request.refresh_from_db()
    if role in ALLOWED[move]:
        assert response.status_code == (201 if move == "release" else 200), response.content
        assert request.state == target
        new = events(request)[1:]
        place = "" if move == "release" else "CCTV room"
        assert [(e.event_type, e.actor, e.place, e.detail["from"], e.detail["to"]) for e in new] == [
            (MOVES[move].event_type, people[role], place, source, target)]
    else:
        assert response.status_code == (404 if role in CANNOT_SEE else 403), response.content
        assert request.state == source
        assert len(events(request)) == 1  # only the 'created' event


@pytest.mark.parametrize("state", list(MANAGER_MOVES_FROM))
def test_a_move_the_state_does_not_allow_is_a_409_listing_the_moves_that_are(client, council, officer, operator,
                                                                            cctv_manager, state):
    request = make_request(council, officer, operator, state)
    client.force_login(cctv_manager)
    for move in sorted(set(MOVES) - set(MANAGER_MOVES_FROM[state]) - {"release"}):
        response = post_json(client, f"{URL}/{request.pk}/moves/{move}", {"reason": "x"})
        assert response.status_code == 409, (move, response.content)
        assert response.json()["allowed"] == MANAGER_MOVES_FROM[state], move
        assert f"cannot be moved by '{move}'" in response.json()["detail"]
    request.refresh_from_db()
    assert (request.state, len(events(request))) == (state, 1)
    assert client.get(f"{URL}/{request.pk}").json()["moves_allowed"] == MANAGER_MOVES_FROM[state]


def test_the_409_lists_only_the_moves_the_caller_may_make(client, council, officer, operator):
    request = make_request(council, officer, operator, S.SUBMITTED)
    client.force_login(operator)
    response = post_json(client, f"{URL}/{request.pk}/moves/export")
    assert (response.status_code, response.json()["allowed"]) == (409, ["accept"])


@pytest.mark.parametrize(("move", "source", "field"), [
    ("refuse", S.SUBMITTED, "refusal_reason"),
    ("none_found", S.SEARCHING, "none_found_reason"),
    ("withdraw", S.ACCEPTED, "withdrawal_reason"),
])
def test_a_move_that_needs_a_reason_is_a_400_without_one_and_changes_nothing(client, council, officer, operator,
                                                                            cctv_manager, move, source, field):
    request = make_request(council, officer, operator, source)
    client.force_login(cctv_manager)
    for body in (None, {"reason": "   "}):
        response = post_json(client, f"{URL}/{request.pk}/moves/{move}", body)
        assert response.status_code == 400, response.content
        assert response.json()["detail"] == f"Give a reason to {move.replace('_', ' ')} request {request.reference}."
    request.refresh_from_db()
    assert (request.state, getattr(request, field), len(events(request))) == (source, "", 1)


def test_export_without_a_master_copy_is_a_400_and_changes_nothing(client, council, officer, operator):
    request = EvidenceRequestFactory(owner=council, requester=officer, state=S.FOOTAGE_FOUND, with_created_event=True)
    ExhibitFactory(request=request, created_by=operator, is_master_copy=False, reference="OP/2")
    client.force_login(operator)
    response = post_json(client, f"{URL}/{request.pk}/moves/export")
    assert (response.status_code, response.json()["detail"]) == (
        400, "Upload the master copy of the exported footage before marking the request exported.")
    request.refresh_from_db()
    assert (request.state, len(events(request))) == (S.FOOTAGE_FOUND, 1)


def test_an_unknown_move_is_a_409_listing_the_states_moves(client, council, officer, operator, cctv_manager):
    request = make_request(council, officer, operator, S.SUBMITTED)
    client.force_login(cctv_manager)
    response = post_json(client, f"{URL}/{request.pk}/moves/teleport")
    assert (response.status_code, response.json()["allowed"]) == (409, ["accept", "refuse", "withdraw"])


# --- moves meet deadlines -------------------------------------------------------------------

@pytest.fixture
def submitted(officer, council):
    cameras = [CameraFactory(owner=council, asset_ref=ref, retention_days=days)
               for ref, days in (("VOG-004", 14), ("VOG-005", 28))]
    return request_submit(by=officer, owner=council, kind=RequestKind.POLICE_INVESTIGATION,
                          legal_basis=LegalBasis.DPA_SCH2_PARA2, cameras=cameras, reason="Assault",
                          incident_starts_at=dt.datetime(2026, 3, 2, 22, tzinfo=UTC),
                          incident_ends_at=dt.datetime(2026, 3, 2, 22, 30, tzinfo=UTC),
                          crime_reference="62/1/26", received_at=dt.datetime(2026, 3, 3, 9, tzinfo=UTC))


def walk(client, request, moves):
    for move in moves:
        response = make_move(client, request, move, {"reason": "Stated"})
        assert response.status_code in (200, 201), (move, response.content)
    return client.get(f"{URL}/{request.pk}").json()


def test_release_is_refused_through_the_generic_moves_endpoint(client, council, officer, operator, cctv_manager):
    request = make_request(council, officer, operator, S.EXPORTED)
    client.force_login(cctv_manager)
    response = post_json(client, f"{URL}/{request.pk}/moves/release", {})
    assert response.status_code == 400
    assert "/api/evidence/bundles/" in response.json()["detail"]
    request.refresh_from_db()
    assert (request.state, len(events(request)), request.disclosures.count()) == (S.EXPORTED, 1, 0)


def deadline_marks(request):
    return {d.kind: (d.met_at is not None, d.missed_at is not None) for d in Deadline.objects.filter(request=request)}


def test_export_secures_the_footage_and_meets_the_overwrite_deadline(client, submitted, operator, cctv_manager):
    client.force_login(operator)
    walk(client, submitted, ["accept", "start_search", "footage_found"])
    assert deadline_marks(submitted) == {DeadlineKind.OVERWRITE: (False, False),
                                         DeadlineKind.POLICE_TARGET: (False, False)}
    ExhibitFactory(request=submitted, created_by=operator)
    got = walk(client, submitted, ["export"])
    assert [camera["secured_at"] is not None for camera in got["cameras"]] == [True, True]
    assert deadline_marks(submitted) == {DeadlineKind.OVERWRITE: (True, False),
                                         DeadlineKind.POLICE_TARGET: (False, False)}
    client.force_login(cctv_manager)
    got = walk(client, submitted, ["release"])
    assert deadline_marks(submitted) == {DeadlineKind.OVERWRITE: (True, False),
                                         DeadlineKind.POLICE_TARGET: (True, False)}
    assert {d["kind"]: d["state"] for d in got["deadlines"]} == {"overwrite": "met_late", "police_target": "met_late"}


def test_none_found_meets_the_police_target_but_not_the_overwrite_deadline(client, submitted, operator):
    client.force_login(operator)
    walk(client, submitted, ["accept", "start_search", "none_found"])
    assert deadline_marks(submitted) == {DeadlineKind.OVERWRITE: (False, False),
                                         DeadlineKind.POLICE_TARGET: (True, False)}


def test_a_failed_export_leaves_the_footage_unsecured(client, submitted, operator):
    client.force_login(operator)
    walk(client, submitted, ["accept", "start_search", "footage_found"])
    response = post_json(client, f"{URL}/{submitted.pk}/moves/export")
    assert response.status_code == 400
    assert list(submitted.request_cameras.values_list("secured_at", flat=True)) == [None, None]
    assert deadline_marks(submitted)[DeadlineKind.OVERWRITE] == (False, False)


def test_the_workflow_ends_with_one_custody_event_per_move(client, submitted, operator, cctv_manager):
    client.force_login(operator)
    walk(client, submitted, ["accept", "start_search", "footage_found"])
    ExhibitFactory(request=submitted, created_by=operator)
    walk(client, submitted, ["export", "ready_for_collection"])
    client.force_login(cctv_manager)
    walk(client, submitted, ["release", "close"])
    assert [e.event_type for e in events(submitted)] == [
        CustodyEventType.CREATED, CustodyEventType.ACCEPTED, CustodyEventType.SEARCHING,
        CustodyEventType.FOOTAGE_FOUND, CustodyEventType.EXPORTED, CustodyEventType.READY_FOR_COLLECTION,
        CustodyEventType.RELEASED, CustodyEventType.CLOSED]
    assert EvidenceRequest.objects.get(pk=submitted.pk).state == S.CLOSED
