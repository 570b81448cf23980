"""The monthly highlight report in a real browser, on the demo data; its screenshot is kept."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.demo import demo_organisations_ensure, demo_people_ensure
from cctv.demo.load import vale_demo_estate_load
from maps.demo import vale_demo_incidents_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-browser-password-1"


@pytest.fixture
def demo(transactional_db):
    demo_people_ensure(orgs=demo_organisations_ensure(), password=PASSWORD)
    vale_demo_estate_load(seed=2026)
    vale_demo_incidents_load(seed=2026)


def test_last_months_report_renders_with_its_charts(page, demo):
    last_day = timezone.localdate().replace(day=1) - timezone.timedelta(days=1)
    last_month = last_day.strftime("%Y-%m")
    page.goto("/accounts/login/")
    page.fill("#id_username", "og")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"/reports/monthly/{last_month}/")
    page.wait_for_selector('#report-chart-counts[data-drawn="true"]')
    page.wait_for_selector('#report-chart-availability[data-drawn="true"]')
    assert page.inner_text("h1").endswith(last_day.strftime("%B %Y"))
    assert "Incidents within a camera's view" in page.inner_text("main")
    artefacts = Path(settings.VAR_DIR) / "test-artefacts"
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "monthly-report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000  # a page with two drawn charts, not a blank one
