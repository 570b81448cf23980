"""Evidence pages: the queue, a request's page, and moves made from it."""

import datetime as dt

import pytest
from django.utils import timezone

from evidence.choices import DeadlineKind, RequestState
from evidence.models import Deadline
from tests.evidence.factories import EvidenceRequestFactory


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def requests_of_two_forces(council, officer, officer_other_force):
    ours = EvidenceRequestFactory(owner=council, requester=officer, reference="ER-2026-00001",
                                  with_created_event=True)
    theirs = EvidenceRequestFactory(owner=council, requester=officer_other_force, reference="ER-2026-00002",
                                    with_created_event=True)
    return ours, theirs


def test_police_see_only_their_forces_requests_in_the_portal(client, officer, requests_of_two_forces):
    ours, theirs = requests_of_two_forces
    client.force_login(officer)
    page = client.get("/evidence/").content.decode()
    assert "ER-2026-00001" in page and "ER-2026-00002" not in page
    assert client.get(f"/evidence/{theirs.pk}/").status_code == 404
    assert client.post(f"/evidence/{theirs.pk}/move/withdraw/", {"reason": "x"}).status_code == 404


def test_operator_queue_is_ordered_by_the_nearest_open_deadline(client, operator, council, officer):
    now = timezone.now()
    later = EvidenceRequestFactory(owner=council, requester=officer, reference="ER-2026-00010")
    sooner = EvidenceRequestFactory(owner=council, requester=officer, reference="ER-2026-00011")
    Deadline.objects.create(request=later, kind=DeadlineKind.OVERWRITE, due_at=now + dt.timedelta(days=20), rule="r")
    Deadline.objects.create(request=sooner, kind=DeadlineKind.OVERWRITE, due_at=now + dt.timedelta(days=2), rule="r")
    client.force_login(operator)
    page = client.get("/evidence/").content.decode()
    assert page.index("ER-2026-00011") < page.index("ER-2026-00010")
    assert page.count('class="countdown"') == 2


def test_request_page_shows_custody_log_and_allowed_moves(client, operator, requests_of_two_forces):
    ours, _ = requests_of_two_forces
    client.force_login(operator)
    page = client.get(f"/evidence/{ours.pk}/").content.decode()
    assert 'id="custody"' in page and "Request created" in page
    assert 'data-move="accept"' in page and 'data-move="release"' not in page


def test_a_move_from_the_page_is_recorded_with_its_custody_event(client, operator, requests_of_two_forces):
    ours, _ = requests_of_two_forces
    client.force_login(operator)
    response = client.post(f"/evidence/{ours.pk}/move/accept/", {"place": "Cardiff control room"})
    assert response.status_code == 302
    ours.refresh_from_db()
    assert ours.state == RequestState.ACCEPTED
    event = ours.custody_events.order_by("-sequence").first()
    assert (event.event_type, event.place, event.actor_id) == ("accepted", "Cardiff control room", operator.pk)


def test_a_forbidden_move_changes_nothing_and_says_what_is_allowed(client, operator, requests_of_two_forces):
    ours, _ = requests_of_two_forces
    client.force_login(operator)
    response = client.post(f"/evidence/{ours.pk}/move/close/", follow=True)
    ours.refresh_from_db()
    assert ours.state == RequestState.SUBMITTED and ours.custody_events.count() == 1
    assert "Moves allowed now: accept" in response.content.decode()


def test_withdrawing_needs_a_reason(client, officer, requests_of_two_forces):
    ours, _ = requests_of_two_forces
    client.force_login(officer)
    response = client.post(f"/evidence/{ours.pk}/move/withdraw/", {"reason": ""}, follow=True)
    ours.refresh_from_db()
    assert ours.state == RequestState.SUBMITTED
    assert "Give a reason" in response.content.decode()
    client.post(f"/evidence/{ours.pk}/move/withdraw/", {"reason": "Suspect identified by other means"})
    ours.refresh_from_db()
    assert ours.state == RequestState.WITHDRAWN and ours.withdrawal_reason == "Suspect identified by other means"


def test_engineers_and_the_operational_group_see_no_requests(client, engineer, og_member, requests_of_two_forces):
    for user in (engineer, og_member):
        client.force_login(user)
        assert client.get("/evidence/").status_code == 403


def test_auditor_sees_the_disclosure_log_and_can_verify_every_chain(client, auditor, requests_of_two_forces):
    client.force_login(auditor)
    page = client.get("/evidence/audit/").content.decode()
    assert 'id="disclosures"' in page
    verified = client.get("/evidence/audit/?verify=1").content.decode()
    assert "2 chains, 2 events checked: all intact." in verified


def test_the_audit_page_names_a_broken_chain(client, auditor, requests_of_two_forces):
    from django.db import connection

    ours, _ = requests_of_two_forces
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks, so the table can be altered
        cursor.execute("ALTER TABLE evidence_custodyevent DISABLE TRIGGER custody_no_update")
        cursor.execute("UPDATE evidence_custodyevent SET place = 'forged' WHERE request_id = %s", [ours.pk])
        cursor.execute("ALTER TABLE evidence_custodyevent ENABLE TRIGGER custody_no_update")
    client.force_login(auditor)
    page = client.get("/evidence/audit/?verify=1").content.decode()
    assert "1 broken" in page and "ER-2026-00001: broken at event 1 (hash does not match its contents)" in page


def test_police_and_operators_cannot_open_the_audit_page(client, officer, operator):
    for user in (officer, operator):
        client.force_login(user)
        assert client.get("/evidence/audit/").status_code == 403
