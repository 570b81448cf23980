"""A footage request end to end in a real browser: police portal to release."""

import pytest

from evidence.choices import RequestState
from evidence.models import Disclosure, EvidenceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, username, password):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def move(page, name):
    page.click(f'#moves button[data-move="{name}"]')
    page.wait_for_selector(f".messages >> text={name.replace('_', ' ')} recorded")


def test_police_submit_and_the_control_room_takes_it_to_release(page, officer, operator, cctv_manager, password,
                                                                tmp_path):
    sign_in(page, "officer", password)
    page.goto("/evidence/new/")
    page.wait_for_selector("#camera-map.leaflet-container")
    page.click("#camera-map", position={"x": 300, "y": 240})  # the map sets the location fields
    assert page.input_value("#id_longitude") and page.input_value("#id_latitude")
    page.fill("#id_crime_reference", "62/12345/26")
    page.fill("#id_incident_starts_at", "2026-11-20T22:00")
    page.fill("#id_incident_ends_at", "2026-11-20T22:30")
    page.fill("#id_location_description", "Outside the Kings Arms, Holton Road")
    page.fill("#id_reason", "Assault; identify the suspect leaving the premises.")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#request-state")
    evidence_request = EvidenceRequest.objects.get(crime_reference="62/12345/26")
    assert evidence_request.requester == officer and page.inner_text("#request-state") == "Submitted"

    sign_in(page, "operator", password)
    page.goto(f"/evidence/{evidence_request.pk}/")
    for name in ("accept", "start_search", "footage_found"):
        move(page, name)
    page.set_input_files("#exhibit-upload input[name=file]",
                         files=[{"name": "export.mp4", "mimeType": "video/mp4", "buffer": b"frames" * 10_000}])
    page.click("#exhibit-upload button[type=submit]")
    page.wait_for_selector("#exhibits >> text=OP/1")
    for name in ("export", "ready_for_collection"):
        move(page, name)

    sign_in(page, "manager", password)
    page.goto(f"/evidence/{evidence_request.pk}/")
    page.fill("#release-form input[name=recipient_name]", "DC Rhian Evans")
    page.click("#release-form button[type=submit]")
    page.wait_for_selector(".messages >> text=Released to DC Rhian Evans")
    page.screenshot(path=str(tmp_path / "released.png"), full_page=True)

    evidence_request.refresh_from_db()
    assert evidence_request.state == RequestState.RELEASED
    disclosure = Disclosure.objects.get(request=evidence_request)
    assert disclosure.approved_by == cctv_manager and disclosure.recipient_name == "DC Rhian Evans"
    assert disclosure.chain_head == evidence_request.custody_events.latest("sequence").hash
    types = list(evidence_request.custody_events.order_by("sequence").values_list("event_type", flat=True))
    assert types == ["created", "accepted", "searching", "footage_found", "hashed", "exported",
                     "ready_for_collection", "released"]
