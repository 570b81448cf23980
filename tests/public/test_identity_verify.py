"""Staff confirm a SAR requester's identity: who may, what it records, and how the SAR clock moves.

The SAR arrives five days before today (London) through the public form; the one-month clock waits for
the proof of identity (ICO), so verifying it today records a five-day pause and moves the due date on.
"""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.exceptions import InvalidInput, WrongState
from cctv.sla import LONDON
from evidence.choices import CustodyEventType, DeadlineKind, LegalBasis, RequestKind
from evidence.deadlines import sar_due
from evidence.models import CustodyEvent, EvidenceRequest, SarClockPause
from evidence.services.public_sar import public_sar_submit, sar_identity_verify
from evidence.services.requests import sar_clock_pause
from tests.evidence.factories import EvidenceRequestFactory

pytestmark = pytest.mark.django_db
DAYS_AGO = 5


def submit(scheme, *, days_ago: int = DAYS_AGO, name: str = "Alys Jenkins") -> EvidenceRequest:
    # Noon London time on the day, so the count of days holds across a clock change.
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    received = timezone.now() if days_ago == 0 else dt.datetime.combine(day, dt.time(12), tzinfo=LONDON)
    ends = received - dt.timedelta(days=1)
    return public_sar_submit(scheme=scheme, requester_name=name, email="alys@example.org", postal_address="",
                             window_starts_at=ends - dt.timedelta(hours=1), window_ends_at=ends,
                             location_description="Holton Road", description_of_person="Red coat", consent=True,
                             ip_address="192.0.2.10", now=received)


@pytest.fixture
def sar(scheme, estate):
    return submit(scheme)


def api_verify(user, request_id, body=None):
    client = Client()
    client.force_login(user)
    return client.post(f"/api/evidence/requests/{request_id}/identity/verify",
                       json.dumps(body if body is not None else {"note": "Passport and council tax bill, by post"}),
                       content_type="application/json")


def test_verifying_records_who_on_what_proof_and_the_clock_runs_from_the_proof(sar, cctv_manager):
    received_on = sar.received_at.astimezone(LONDON).date()
    today = timezone.localdate()
    due_before = sar.deadlines.get(kind=DeadlineKind.SAR_DUE).due_at
    assert due_before.astimezone(LONDON).date() == sar_due(received_on=received_on).due_on

    response = api_verify(cctv_manager, sar.pk)

    assert response.status_code == 200
    body = response.json()
    assert body["identity_verification_pending"] is False and body["identity_verified_at"] is not None
    sar.refresh_from_db()
    assert sar.identity_verified_at is not None
    pause = SarClockPause.objects.get(request=sar)
    assert (pause.paused_on, pause.resumed_on, pause.paused_by) == (received_on, today, cctv_manager)
    assert (today - received_on).days == DAYS_AGO
    expected = sar_due(received_on=received_on, pauses=[(received_on, today)]).due_on
    due_after = sar.deadlines.get(kind=DeadlineKind.SAR_DUE).due_at
    assert due_after.astimezone(LONDON).date() == expected > due_before.astimezone(LONDON).date()
    event = CustodyEvent.objects.filter(request=sar).order_by("-sequence").first()
    assert event.sequence == 2 and event.actor == cctv_manager
    assert event.event_type == CustodyEventType.CLOCK_RESUMED
    assert event.detail["identity_verified"] is True
    assert event.detail["note"] == "Passport and council tax bill, by post"
    assert event.detail["days_paused"] == DAYS_AGO


def test_proof_that_arrived_earlier_stops_the_wait_on_that_day(sar, operator):
    received_on = sar.received_at.astimezone(LONDON).date()
    arrived = received_on + dt.timedelta(days=2)
    sar_identity_verify(request=sar, by=operator, note="Driving licence, in person", proof_received_on=arrived)
    pause = SarClockPause.objects.get(request=sar)
    assert (pause.paused_on, pause.resumed_on) == (received_on, arrived)


def test_a_pause_staff_opened_while_waiting_is_resumed_not_doubled(sar, cctv_manager):
    paused_on = timezone.localdate() - dt.timedelta(days=2)
    sar_clock_pause(request=sar, by=cctv_manager, reason="Asked for proof of identity", paused_on=paused_on)
    sar_identity_verify(request=sar, by=cctv_manager, note="Passport")
    pause = SarClockPause.objects.get(request=sar)
    assert (pause.paused_on, pause.resumed_on) == (paused_on, timezone.localdate())


def test_proof_on_the_day_of_the_request_pauses_nothing(scheme, estate, admin_user):
    same_day = submit(scheme, days_ago=0)
    sar_identity_verify(request=same_day, by=admin_user, note="Passport shown at the counter")
    assert not SarClockPause.objects.filter(request=same_day).exists()
    assert same_day.custody_events.order_by("-sequence").first().detail["days_paused"] == 0


@pytest.mark.parametrize("role", ["cctv_manager", "operator", "admin_user"])
def test_the_council_its_contractor_and_administrators_may_verify(request, sar, role):
    assert api_verify(request.getfixturevalue(role), sar.pk).status_code == 200


def test_an_auditor_sees_the_sar_but_may_not_verify(sar, auditor):
    response = api_verify(auditor, sar.pk)
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not verify identity this evidence request."}
    assert EvidenceRequest.objects.get(pk=sar.pk).identity_verified_at is None


def test_police_may_not_verify_even_a_sar_they_can_see(council, officer, estate):
    """A force's own SAR (sent through the API) is visible to its officer: 403. The public one is not: 404."""
    own = EvidenceRequestFactory(owner=council, requester=officer, kind=RequestKind.SAR,
                                 legal_basis=LegalBasis.UK_GDPR_ART15, requester_name="A member of the public")
    assert api_verify(officer, own.pk).status_code == 403
    public = submit(estate["PUB-1"].owner.scheme)
    assert api_verify(officer, public.pk).status_code == 404
    assert EvidenceRequest.objects.filter(identity_verified_at__isnull=False).count() == 0


def test_the_operational_group_and_engineers_see_no_requests_at_all(sar, og_member, engineer):
    # Project rule (accounts.permissions): a role that cannot see a request gets 404, never 403.
    assert api_verify(og_member, sar.pk).status_code == 404
    assert api_verify(engineer, sar.pk).status_code == 404


def test_another_councils_sar_is_not_found(sar, other_manager):
    response = api_verify(other_manager, sar.pk)
    assert response.status_code == 404
    assert EvidenceRequest.objects.get(pk=sar.pk).identity_verified_at is None


def test_only_a_sar_waits_for_identity(council, cctv_manager, officer):
    police = EvidenceRequestFactory(owner=council, requester=officer)
    response = api_verify(cctv_manager, police.pk)
    assert response.status_code == 400
    assert "is not a subject access request" in response.json()["detail"]


def test_an_identity_is_verified_once(sar, cctv_manager):
    assert api_verify(cctv_manager, sar.pk).status_code == 200
    again = api_verify(cctv_manager, sar.pk)
    assert again.status_code == 409 and "already verified" in again.json()["detail"]
    assert SarClockPause.objects.filter(request=sar).count() == 1
    assert CustodyEvent.objects.filter(request=sar).count() == 2


def test_a_note_of_the_proof_is_required_and_a_future_day_refused(sar, cctv_manager):
    before = CustodyEvent.objects.count()
    blank = api_verify(cctv_manager, sar.pk, {"note": "  "})
    assert blank.status_code == 400 and "Say what proof of identity was seen" in blank.json()["detail"]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = api_verify(cctv_manager, sar.pk, {"note": "Passport", "proof_received_on": tomorrow})
    assert future.status_code == 400 and "is in the future" in future.json()["detail"]
    assert CustodyEvent.objects.count() == before
    assert not SarClockPause.objects.filter(request=sar).exists()


def test_a_closed_sar_has_nothing_left_to_verify(sar, cctv_manager):
    EvidenceRequest.objects.filter(pk=sar.pk).update(state="withdrawn")
    with pytest.raises(WrongState, match="answered or closed"):
        sar_identity_verify(request=sar, by=cctv_manager, note="Passport")


def test_the_service_checks_its_inputs_without_the_api(sar, cctv_manager):
    with pytest.raises(InvalidInput, match="before the request arrived"):
        sar_identity_verify(request=sar, by=cctv_manager, note="Passport",
                            proof_received_on=timezone.localdate() - dt.timedelta(days=30))


def test_the_queue_and_the_page_say_identity_verification_pending(client, sar, cctv_manager, auditor):
    client.force_login(cctv_manager)
    queue = client.get("/evidence/").content.decode()
    assert "identity verification pending" in queue
    page = client.get(f"/evidence/{sar.pk}/").content.decode()
    assert "Identity verification pending." in page and 'id="identity-form"' in page
    response = client.post(f"/evidence/{sar.pk}/identity/", {"note": "Passport, by post"})
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.identity_verified_at is not None
    after = client.get(f"/evidence/{sar.pk}/").content.decode()
    assert "Identity verification pending." not in after and 'id="identity-verified"' in after
    assert "identity verification pending" not in client.get("/evidence/").content.decode()
    # An auditor reads the page but gets no button.
    client.force_login(auditor)
    assert 'id="identity-form"' not in client.get(f"/evidence/{sar.pk}/").content.decode()


def test_the_page_form_reports_a_refusal_as_a_message(client, sar, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post(f"/evidence/{sar.pk}/identity/", {"note": ""}, follow=True)
    assert "Say what proof of identity was seen" in response.content.decode()
    assert EvidenceRequest.objects.get(pk=sar.pk).identity_verified_at is None
