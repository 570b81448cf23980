"""The online subject access request form: one SAR, identity pending, or nothing at all; and the throttle."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.exceptions import InvalidInput
from accounts.models import AccessLogEntry
from cctv.models import Scheme
from evidence.choices import CustodyEventType, DeadlineKind, LegalBasis, RequestKind, RequestState
from evidence.models import CustodyEvent, Deadline, EvidenceRequest, RequestCamera, SarClockPause
from evidence.services.public_sar import public_sar_submit

pytestmark = pytest.mark.django_db

TABLES = (EvidenceRequest, RequestCamera, Deadline, CustodyEvent, SarClockPause, AccessLogEntry)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in TABLES}


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(**changes) -> dict:
    """A good request: an hour two days ago, at PUB-1 (fixed cameras, 31 days' retention)."""
    ends = timezone.now() - dt.timedelta(days=2)
    data = {
        "requester_name": "Alys Jenkins", "email": "alys@example.org", "postal_address": "1 Broad Street, Barry",
        "window_starts_at": local(ends - dt.timedelta(hours=1)), "window_ends_at": local(ends),
        "location_description": "Outside the bakery on Holton Road", "camera_id": "",
        "description_of_person": "Red coat, pushing a blue pram", "consent": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def url(scheme):
    return f"/public/subject-access/{scheme.pk}/"


def test_the_form_makes_one_sar_with_identity_pending_deadlines_and_custody(client, url, estate):
    before = counts()
    response = client.post(url, form_data(camera_id=str(estate["PUB-1"].pk)))
    assert response.status_code == 302 and response["Location"] == "/public/subject-access/sent/"
    after = counts()
    assert {name: after[name] - before[name] for name in after} == {
        "EvidenceRequest": 1, "RequestCamera": 1, "Deadline": 2, "CustodyEvent": 1, "SarClockPause": 0,
        "AccessLogEntry": 1}
    sar = EvidenceRequest.objects.get()
    assert (sar.kind, sar.legal_basis, sar.state) == (RequestKind.SAR, LegalBasis.UK_GDPR_ART15,
                                                      RequestState.SUBMITTED)
    assert sar.owner == estate["PUB-1"].owner and sar.requester is None and sar.requester_organisation is None
    assert sar.identity_verified_at is None
    assert sar.requester_name == "Alys Jenkins"
    assert sar.requester_contact == "email: alys@example.org; post: 1 Broad Street, Barry"
    assert sar.description_of_person == "Red coat, pushing a blue pram"
    assert sar.location_description == "Outside the bakery on Holton Road"
    assert sar.incident_ends_at - sar.incident_starts_at == dt.timedelta(hours=1)
    assert sar.request_cameras.get().camera == estate["PUB-1"]
    assert set(sar.deadlines.values_list("kind", flat=True)) == {DeadlineKind.SAR_DUE, DeadlineKind.OVERWRITE}
    event = sar.custody_events.get()
    assert event.event_type == CustodyEventType.CREATED and event.actor is None
    assert event.detail["channel"] == "public form" and event.detail["cameras"] == ["PUB-1"]
    log = AccessLogEntry.objects.get(event=AccessEvent.PUBLIC_SAR)
    assert (log.object_ref, log.ip_address, log.user, log.username) == (sar.reference, "127.0.0.1", None, "")
    sent = client.get("/public/subject-access/sent/").content.decode()
    assert f'id="sar-reference">{sar.reference}<' in sent
    assert "Proof of identity" in sent and "one calendar month" in sent


def test_without_a_camera_the_where_in_words_is_enough(client, url, estate):
    assert client.post(url, form_data()).status_code == 302
    sar = EvidenceRequest.objects.get()
    assert not sar.request_cameras.exists()
    assert set(sar.deadlines.values_list("kind", flat=True)) == {DeadlineKind.SAR_DUE}


def test_the_form_warns_that_footage_is_overwritten(client, url, estate):
    page = client.get(url).content.decode()
    assert "Recordings are overwritten after" in page and "14 to 31 days" in page
    # The list offers the in-service cameras only.
    assert "PUB-1 Holton Road east" in page and "PLANNED-1" not in page and "GONE-1" not in page


def _hours_ago(hours: float) -> str:
    return local(timezone.now() - dt.timedelta(hours=hours))


BAD = {
    "future window": (dict(window_starts_at=_hours_ago(1), window_ends_at=_hours_ago(-3)),
                      "ends in the future"),
    "window over 7 days": (dict(window_starts_at=_hours_ago(24 * 9), window_ends_at=_hours_ago(1)),
                           "narrow it to 7 days"),
    "window the wrong way round": (dict(window_starts_at=_hours_ago(1), window_ends_at=_hours_ago(3)),
                                   "must end after it starts"),
    "missing name": (dict(requester_name=""), "This field is required."),
    "blank name": (dict(requester_name="   "), "This field is required."),
    "no consent": (dict(consent=None), "This field is required."),
    "no way to reply": (dict(email="", postal_address=""), "Give an email address or a postal address"),
    "not an email": (dict(email="alys at example"), "Enter a valid email address."),
    "nowhere": (dict(location_description=""), "This field is required."),
    "no description": (dict(description_of_person=""), "This field is required."),
    "overwritten already": (dict(window_starts_at=_hours_ago(24 * 40 + 1), window_ends_at=_hours_ago(24 * 40)),
                            "already been overwritten"),
    "not a date": (dict(window_ends_at="yesterday"), "Enter a valid date/time."),
    "a camera not offered": (dict(camera_id="999999"), "Select a valid choice."),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_a_reason_and_nothing_written(client, url, estate, case):
    changes, message = BAD[case]
    before = counts()
    response = client.post(url, form_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_retention_is_that_of_the_camera_named(client, url, estate):
    """PUB-2 keeps 14 days: 20 days ago is gone for it, though other cameras keep 31."""
    twenty_days = dict(window_starts_at=_hours_ago(24 * 20 + 1), window_ends_at=_hours_ago(24 * 20))
    refused = client.post(url, form_data(camera_id=str(estate["PUB-2"].pk), **twenty_days))
    assert refused.status_code == 400 and "keep recordings for 14 days" in refused.content.decode()
    assert client.post(url, form_data(**twenty_days)).status_code == 302


def test_the_service_refuses_without_consent_even_without_the_form(scheme, estate):
    before = counts()
    ends = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="Tick the declaration"):
        public_sar_submit(scheme=scheme, requester_name="A", email="a@example.org", postal_address="",
                          window_starts_at=ends - dt.timedelta(hours=1), window_ends_at=ends,
                          location_description="here", description_of_person="me", consent=False,
                          ip_address="192.0.2.1")
    assert counts() == before


def test_past_the_hourly_limit_an_address_gets_a_clear_429_and_nothing_is_kept(client, url, estate, settings):
    settings.PUBLIC_SAR_PER_ADDRESS_PER_HOUR = 2
    assert [client.post(url, form_data()).status_code for _ in range(2)] == [302, 302]
    before = counts()
    third = client.post(url, form_data())
    assert third.status_code == 429
    assert "This address has sent 2 requests in the last hour" in third.content.decode()
    assert counts() == before
    # Another address is not held back by this one.
    assert Client(REMOTE_ADDR="198.51.100.7").post(url, form_data()).status_code == 302
    # An hour later the first address may ask again.
    AccessLogEntry.objects.filter(ip_address="127.0.0.1").update(at=timezone.now() - dt.timedelta(minutes=61))
    assert client.post(url, form_data()).status_code == 302
    assert EvidenceRequest.objects.count() == 4


def test_the_form_is_not_found_unless_published_with_the_intake_on(client, url, scheme, estate):
    assert client.get(url).status_code == 200
    scheme.sar_intake_enabled = False
    scheme.save()
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert client.get("/public/subject-access/").status_code == 404
    scheme.sar_intake_enabled, scheme.published = True, False
    scheme.save()
    assert client.get(url).status_code == 404
    assert EvidenceRequest.objects.count() == 0


def test_the_start_page_goes_to_the_one_form_or_offers_a_choice(client, scheme, estate, unpublished):
    response = client.get("/public/subject-access/")
    assert response.status_code == 302 and response["Location"] == f"/public/subject-access/{scheme.pk}/"
    Scheme.objects.filter(owner=unpublished[0]).update(published=True)
    choice = client.get("/public/subject-access/")
    assert choice.status_code == 200
    assert "Vale public-space CCTV" in choice.content.decode() and "Bridgend CCTV" in choice.content.decode()


def test_the_form_needs_its_csrf_token(url, estate):
    response = Client(enforce_csrf_checks=True).post(url, form_data())
    assert response.status_code == 403
    assert EvidenceRequest.objects.count() == 0


def test_the_confirmation_page_without_a_request_goes_back_to_the_public_page(client, estate):
    response = client.get("/public/subject-access/sent/")
    assert response.status_code == 302 and response["Location"] == "/public/"
