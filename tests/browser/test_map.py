"""The map in a real browser: every layer from localhost only, and click-through to a record."""

import datetime as dt

import pytest

from accounts.demo import demo_organisations_ensure, demo_people_ensure
from cctv.demo.load import vale_demo_estate_load
from cctv.models import Camera
from maps.choices import IncidentSource
from maps.models import Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-browser-password-1"


@pytest.fixture
def estate_with_incidents(transactional_db):
    demo_people_ensure(orgs=demo_organisations_ensure(), password=PASSWORD)
    vale_demo_estate_load(seed=2026)
    # Incidents at the first twenty cameras' positions, so some fall in view.
    Incident.objects.bulk_create([
        Incident(source=IncidentSource.GENERATED, month=dt.date(2026, 10, 1), location=camera.location,
                 category="Anti-social behaviour", falls_within="South Wales Police")
        for camera in Camera.objects.order_by("asset_ref")[:20]
    ])


def test_map_shows_cones_incidents_and_opens_a_camera(page, estate_with_incidents, tmp_path):
    page.goto("/accounts/login/")
    page.fill("#id_username", "og")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto("/map/")
    page.wait_for_selector('#full-map[data-loaded="true"]', timeout=20000)
    assert page.locator("path.camera-marker").count() == 84
    assert page.locator("path.view-cone").count() == 84
    assert page.locator("path.incident-cell").count() >= 1
    assert page.locator("path.network-link").count() == 25
    assert "No basemap is configured" in page.inner_text("#map-message")
    page.screenshot(path=str(tmp_path / "map.png"), full_page=True)
    # Markers overlap at town zoom, so follow whichever camera the popup names.
    page.locator("path.camera-VOG-004").click(force=True)
    link = page.wait_for_selector(".leaflet-popup a.camera-link")
    asset_ref = link.inner_text().split()[0]
    camera = Camera.objects.get(asset_ref=asset_ref)
    link.click()
    page.wait_for_url(f"**/cameras/{camera.pk}/")
    assert page.inner_text("h1").startswith(asset_ref)


def test_at_street_zoom_incidents_come_from_vector_tiles(page, estate_with_incidents, live_site):
    camera = Camera.objects.get(asset_ref="VOG-004")
    where = camera.location.transform(4326, clone=True)
    tiles = []
    page.on("response", lambda r: tiles.append(r.status) if "/tiles/incidents/" in r.url else None)
    page.goto("/accounts/login/")
    page.fill("#id_username", "og")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"/map/#17/{where.y:.6f}/{where.x:.6f}")
    page.wait_for_selector('#full-map[data-loaded="true"]', timeout=20000)
    page.wait_for_selector(".incident-tile-point", timeout=20000)
    assert tiles and set(tiles) <= {200}
    assert "vector tiles" in page.inner_text("#map-counts")
