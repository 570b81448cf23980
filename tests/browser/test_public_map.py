"""The public transparency page in a real browser, signed out: the map, the key, the SAR form; localhost only."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.choices import OrganisationKind
from cctv.choices import CameraKind, CameraStatus
from cctv.models import Scheme
from evidence.models import EvidenceRequest
from tests.accounts.factories import OrganisationFactory
from tests.cctv.factories import CameraFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IN_SERVICE = [CameraStatus.OPERATIONAL, CameraStatus.OPERATIONAL, CameraStatus.DEGRADED, CameraStatus.FAULTY,
              CameraStatus.OFFLINE, CameraStatus.OPERATIONAL]


@pytest.fixture
def public_estate(transactional_db, settings, tmp_path):
    from evidence.signing import signing_key_create, signing_key_fingerprint

    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    signing_key_create()
    council = OrganisationFactory(name="Vale of Glamorgan Council", kind=OrganisationKind.COUNCIL)
    scheme = Scheme.objects.create(owner=council, name="Vale public-space CCTV", published=True,
                                   sar_intake_enabled=True, statement="Why we have cameras.",
                                   controller_contact="dpo@vale.example", sar_instructions="Write to us.")
    for n, status in enumerate(IN_SERVICE):
        CameraFactory(owner=council, asset_ref=f"PUB-{n}", name=f"Public camera {n}", status=status,
                      purpose=f"Purpose {n}", publish_field_of_view=n < 2, kind=CameraKind.FIXED,
                      location=Point(311000 + 150 * n, 167000, srid=27700))
    for n, status in enumerate((CameraStatus.PLANNED, CameraStatus.DECOMMISSIONED)):
        CameraFactory(owner=council, asset_ref=f"HIDDEN-{n}", status=status, publish_field_of_view=True,
                      location=Point(311000 + 150 * n, 167300, srid=27700))
    hidden_council = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    Scheme.objects.create(owner=hidden_council, name="Bridgend CCTV", published=False, statement="x",
                          controller_contact="x", sar_instructions="x")
    CameraFactory(owner=hidden_council, asset_ref="BR-1", location=Point(311500, 167500, srid=27700))
    return scheme, signing_key_fingerprint()


def test_a_visitor_sees_one_marker_per_public_camera_and_the_key(page, public_estate, tmp_path):
    scheme, fingerprint = public_estate
    page.goto("/public/")
    page.wait_for_selector('#public-map[data-loaded="true"]', timeout=20000)
    assert page.locator("path.public-camera").count() == len(IN_SERVICE)
    assert page.locator("path.public-view").count() == 2
    assert "No background map is configured" in page.inner_text("#map-message")
    assert page.inner_text("#key-fingerprint") == fingerprint
    page.screenshot(path=str(tmp_path / "public.png"), full_page=True)
    page.locator("path.public-camera").first.click(force=True)
    popup = page.wait_for_selector(".leaflet-popup-content")
    text = popup.inner_text()
    assert "Public camera" in text and "Purpose" in text and "Vale of Glamorgan Council" in text
    assert "faulty" not in text.lower() and "offline" not in text.lower()


def test_a_visitor_asks_for_footage_of_themselves(page, public_estate):
    scheme, _ = public_estate
    page.goto("/public/")
    page.click("text=Ask for footage of yourself online")
    page.wait_for_selector("#sar-form")
    assert "Recordings are overwritten after" in page.inner_text("#retention-warning")
    ends = timezone.localtime(timezone.now() - dt.timedelta(days=1))
    page.fill("#id_requester_name", "Alys Jenkins")
    page.fill("#id_email", "alys@example.org")
    page.fill("#id_window_starts_at", (ends - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_window_ends_at", ends.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_location_description", "Outside the bakery")
    page.fill("#id_description_of_person", "Red coat")
    page.check("#id_consent")
    page.click("#sar-form button[type=submit]")
    page.wait_for_selector("#sar-reference")
    sar = EvidenceRequest.objects.get()
    assert page.inner_text("#sar-reference") == sar.reference
    assert sar.identity_verified_at is None and sar.requester is None
