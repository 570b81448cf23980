"""The public transparency page: what an anonymous visitor is told, the published key, and its cost in queries."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cctv.choices import CameraStatus
from cctv.models import Scheme
from reports.models import AnnualReviewSummary
from tests.cctv.factories import CameraFactory
from tests.public.conftest import LICENCE

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client()


def page_text(client) -> str:
    response = client.get("/public/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_anonymous_visitor_reads_who_runs_the_scheme_and_how_to_ask(anonymous, estate, signing_key):
    page = page_text(anonymous)
    assert "Vale public-space CCTV" in page and "Cameras keep the town centres safe." in page
    assert "Vale of Glamorgan Council" in page
    # The contractor and hours come from the contract in force, not from the statement.
    assert "Cardiff Council CCTV Control Room, 24 hours a day, 365 days a year" in page
    # Retention from the in-service cameras: 14 (PUB-2) to 31 days; planned/decommissioned do not count.
    assert "14 to 31 days, depending on the camera" in page
    assert "Write to the Data Protection Officer with the date, time and place." in page
    assert "dpo@vale.example, Civic Offices, Barry" in page
    scheme = Scheme.objects.get(name="Vale public-space CCTV")
    assert f'href="/public/subject-access/{scheme.pk}/"' in page
    assert LICENCE in page
    for feed in ("/public/cameras.geojson", "/public/cameras.csv", "/public/cameras.osm"):
        assert f'href="{feed}"' in page


def test_one_retention_period_is_said_as_one(anonymous, estate):
    for camera in estate.values():
        camera.retention_days = 31
        camera.save()
    assert "31 days, then overwritten" in page_text(anonymous)


def test_without_a_contract_in_force_the_page_says_so(anonymous, council, scheme, estate, contract):
    contract.starts_on = timezone.localdate().replace(year=timezone.localdate().year - 3)
    contract.ends_on = contract.starts_on.replace(year=contract.starts_on.year + 1)
    contract.save()
    assert "No monitoring contract is in force at present." in page_text(anonymous)


def test_the_online_form_link_shows_only_while_the_intake_is_on(anonymous, scheme, estate):
    scheme.sar_intake_enabled = False
    scheme.save()
    page = page_text(anonymous)
    assert "/public/subject-access/" not in page
    assert "Write to the Data Protection Officer" in page


def test_the_latest_published_review_summary_is_shown(anonymous, council, scheme, estate, cctv_manager):
    for year, text in ((2023, "Old summary."), (2024, "All twelve cameras kept.")):
        AnnualReviewSummary.objects.create(
            owner=council, year=year, summary=text, published_at=timezone.now(), published_by=cctv_manager,
            figures={"year": year, "cameras_in_operation": 84, "cameras_reviewed": 12, "keep": 12, "relocate": 0,
                     "decommission": 0, "reviews_recorded": 12},
        )
    page = page_text(anonymous)
    assert 'data-year="2024"' in page and "All twelve cameras kept." in page
    assert "Old summary." not in page
    assert re.search(r'<span class="value">84</span><span class="label">cameras in operation', page)


def test_the_key_and_its_fingerprint_are_published_and_downloadable(anonymous, estate, signing_key):
    pem, fingerprint = signing_key
    page = page_text(anonymous)
    assert fingerprint in page and fingerprint.startswith("SHA256:")
    assert pem.strip().splitlines()[1] in page
    download = anonymous.get("/public/signing-key.pem")
    assert download.status_code == 200
    assert download.content.decode() == pem
    assert download["X-Key-Fingerprint"] == fingerprint


def test_a_missing_key_is_not_yet_published_and_never_created_by_a_visit(anonymous, estate, no_signing_key):
    page = page_text(anonymous)
    assert "The key that signs released footage is not yet published." in page
    response = anonymous.get("/public/signing-key.pem")
    assert response.status_code == 404
    assert not no_signing_key.exists()


def test_a_key_file_others_can_read_is_not_published(anonymous, estate, signing_key, settings):
    settings.EVIDENCE_SIGNING_KEY_FILE.chmod(0o644)
    assert "not yet published" in page_text(anonymous)
    assert anonymous.get("/public/signing-key.pem").status_code == 404


def test_the_page_runs_no_inline_script_and_loads_nothing_from_elsewhere(anonymous, estate, signing_key):
    page = page_text(anonymous)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert not re.search(r"<[^>]+\son[a-z]+=", page)
    assert 'style="' not in page


def _cameras(council, count):
    for n in range(count):
        CameraFactory(owner=council, asset_ref=f"Q-{n:03d}", publish_field_of_view=n % 2 == 0,
                      status=CameraStatus.OPERATIONAL if n % 3 else CameraStatus.FAULTY)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# The page: schemes, contracts in force, camera count and retention, summaries, the camera list. Each feed is
# one query; the OSM one two (its root names the schemes' operators and licences).
CEILING = {"/public/": 5, "/public/cameras.geojson": 1, "/public/cameras.geojson?geometry=view": 1,
           "/public/cameras.csv": 1, "/public/cameras.osm": 2}


def test_queries_do_not_grow_with_the_estate(anonymous, council, scheme, contract, signing_key,
                                             django_assert_max_num_queries):
    urls = {**CEILING, f"/public/subject-access/{scheme.pk}/": 2}  # the scheme, its cameras for the list
    _cameras(council, 5)
    small = {url: _queries(anonymous, url) for url in urls}
    for n in range(45):
        CameraFactory(owner=council, asset_ref=f"R-{n:03d}", publish_field_of_view=True)
    large = {url: _queries(anonymous, url) for url in urls}
    assert small == large, (small, large)
    for url, ceiling in urls.items():
        with django_assert_max_num_queries(ceiling):
            anonymous.get(url)
