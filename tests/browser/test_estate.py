"""The estate in a real browser, on the Vale demo estate."""

import pytest

from accounts.demo import demo_organisations_ensure, demo_people_ensure
from cctv.demo.load import vale_demo_estate_load
from cctv.models import Camera

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-browser-password-1"


@pytest.fixture
def demo_estate(transactional_db):
    demo_people_ensure(orgs=demo_organisations_ensure(), password=PASSWORD)
    return vale_demo_estate_load(seed=2026)


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")


def test_dashboard_renders_the_demo_estate(page, demo_estate, tmp_path):
    sign_in(page, "og")
    page.goto("/estate/")
    assert page.inner_text('[data-figure="cameras-total"]') == "84"
    assert page.inner_text('[data-figure="availability"]').endswith("%")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_camera_page_draws_the_camera_and_its_cone_without_a_basemap(page, demo_estate, tmp_path):
    camera = Camera.objects.get(asset_ref="VOG-004")
    sign_in(page, "og")
    page.goto(f"/cameras/{camera.pk}/")
    page.wait_for_selector('#camera-map[data-loaded="true"]')
    assert page.locator("path.camera-marker").count() == 1
    assert page.locator("path.view-cone").count() == 1
    assert "No basemap is configured" in page.inner_text("#map-message")
    assert "Cardiff Council CCTV Control Room" in page.inner_text("#trace")
    page.screenshot(path=str(tmp_path / "camera.png"), full_page=True)


def test_a_status_change_made_in_the_page_appears_in_the_timeline(page, demo_estate):
    camera = Camera.objects.get(asset_ref="VOG-010")
    sign_in(page, "operator")
    page.goto(f"/cameras/{camera.pk}/")
    page.select_option("#id_status", "faulty")
    page.fill("#id_note", "Picture rolling, engineer called")
    page.click("text=Record status")
    page.wait_for_selector("#timeline >> text=Picture rolling, engineer called")
    first_row = page.locator("#timeline tbody tr").first.inner_text()
    assert "Faulty" in first_row and "Picture rolling, engineer called" in first_row
    camera.refresh_from_db()
    assert camera.status == "faulty"
