# ruff: noqa: F811  (the seeded-month fixtures are imported from test_monthly_figures and used as arguments)
"""The monthly report as page, CSV, PDF and command; stored, regenerated; the beat job emails it once."""

import csv
import datetime as dt
import hashlib
import io
import re

from django.core import mail
from django.core.management import call_command
from pypdf import PdfReader

from accounts.choices import Role
from reports.models import MonthlyReport
from reports.services import first_working_day, monthly_report_generate
from reports.tasks import monthly_reports_generate_task
from tests.accounts.factories import UserFactory
from tests.reports.test_monthly_figures import MARCH, estate, seeded  # noqa: F401 (fixtures)


def page_numbers(html: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', html, re.S)
    return {key: [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)][1:]
            for key, body in rows}


def test_the_csv_shows_the_same_numbers_as_the_page(client, seeded, og_member):
    client.force_login(og_member)
    page = client.get(f"/reports/monthly/2025-03/?owner={seeded.pk}")
    assert page.status_code == 200
    assert b'id="report-chart-data"' in page.content and b"vendor/chartjs/chart.umd" in page.content
    on_page = page_numbers(page.content.decode())
    response = client.get(f"/reports/monthly/2025-03/csv/?owner={seeded.pk}")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(on_page) > 40
    for row in rows:
        expected = [row["value"], row["previous_month"], row["same_month_last_year"], row["change"]]
        assert on_page[row["key"]] == [text or "–" for text in expected], row["key"]
    by_key = {row["key"]: row for row in rows}
    assert by_key["requests_received"]["value"] == "5"
    assert by_key["credits_total_gbp"]["value"] == "250.00"
    assert by_key["turnaround_p90_police_investigation"]["value"] == "9.2"


def test_each_number_on_the_page_links_to_its_records(client, seeded, og_member):
    client.force_login(og_member)
    response = client.get(f"/reports/monthly/2025-03/requests_received/records/?owner={seeded.pk}&period=current")
    assert response.status_code == 200
    assert response.content.decode().count('href="/evidence/') == 5
    bad = client.get(f"/reports/monthly/2025-03/no_such_figure/records/?owner={seeded.pk}")
    assert bad.status_code == 400 and b"no_such_figure" in bad.content
    assert client.get(f"/reports/monthly/2025-13/?owner={seeded.pk}").status_code == 400


def test_the_pdf_is_a_valid_pdf_whose_text_contains_the_figures(client, seeded, og_member):
    client.force_login(og_member)
    response = client.get(f"/reports/monthly/2025-03/pdf/?owner={seeded.pk}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Vale of Glamorgan Council, March 2025" in text
    for expected in ("Evidence requests received 5 1 0 4",
                     "Service credits due in total (GBP) 250.00 0.00 0.00 250.00",
                     "Estate availability (%) 97 100 -3",
                     "90th percentile turnaround, Police investigation (days) 9.2"):
        assert expected in text, expected


def test_police_get_403_on_every_report_page(client, seeded, officer):
    client.force_login(officer)
    for url in ("/reports/monthly/", "/reports/monthly/2025-03/", "/reports/monthly/2025-03/csv/",
                "/reports/monthly/2025-03/pdf/", "/reports/monthly/2025-03/incidents/records/"):
        assert client.get(f"{url}?owner={seeded.pk}").status_code == 403, url


def test_a_stored_report_is_listed_and_downloads_unchanged_until_regenerated(client, seeded, cctv_manager, og_member):
    report, created = monthly_report_generate(owner=seeded, month=MARCH, now=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    assert created and report.regenerated_count == 0
    client.force_login(og_member)
    assert "March 2025" in client.get("/reports/monthly/").content.decode()
    first = client.get(f"/reports/monthly/2025-03/pdf/?owner={seeded.pk}").content
    assert hashlib.sha256(first).hexdigest() == report.pdf_sha256
    assert client.get(f"/reports/monthly/2025-03/pdf/?owner={seeded.pk}").content == first
    assert monthly_report_generate(owner=seeded, month=MARCH) == (report, False)
    # An OG member may not regenerate; the manager may, and it is counted.
    assert client.post(f"/reports/monthly/2025-03/generate/?owner={seeded.pk}").status_code == 403
    client.force_login(cctv_manager)
    assert client.post(f"/reports/monthly/2025-03/generate/?owner={seeded.pk}").status_code == 302
    report.refresh_from_db()
    assert report.regenerated_count == 1 and report.generated_by == cctv_manager
    assert MonthlyReport.objects.count() == 1


def test_the_command_writes_csv_and_pdf(seeded, tmp_path):
    out = io.StringIO()
    call_command("monthly_report", "--month", "2025-03", "--owner", seeded.name, stdout=out)
    assert "requests_received,Evidence,Evidence requests received,,5,1,0,4," in out.getvalue()
    pdf = tmp_path / "report.pdf"
    call_command("monthly_report", "--month", "2025-03", "--format", "pdf", "--output", str(pdf),
                 "--owner", seeded.name, stderr=io.StringIO())
    assert len(PdfReader(pdf).pages) >= 1


def test_the_first_working_day_skips_weekends_and_bank_holidays():
    assert first_working_day(dt.date(2025, 6, 1)) == dt.date(2025, 6, 2)  # Sunday 1 June
    assert first_working_day(dt.date(2026, 1, 1)) == dt.date(2026, 1, 2)  # New Year's Day
    assert first_working_day(dt.date(2025, 3, 1)) == dt.date(2025, 3, 3)  # Saturday


def test_the_beat_job_through_the_real_worker_stores_once_and_emails_once(celery_worker, council, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(role=Role.OG_MEMBER, organisation=council, email="og1@vale.example")
    UserFactory(role=Role.OG_MEMBER, organisation=council, email="og2@vale.example")
    UserFactory(role=Role.CCTV_MANAGER, organisation=council, email="manager@vale.example")
    # Not the first working day (Sunday 1 June 2025): nothing happens.
    assert monthly_reports_generate_task.delay("2025-06-01").get(timeout=60)["ran"] is False
    first = monthly_reports_generate_task.delay("2025-06-02").get(timeout=60)
    second = monthly_reports_generate_task.delay("2025-06-02").get(timeout=60)
    assert (first["generated"], first["emailed"], first["month"]) == (1, 1, "2025-05")
    assert (second["generated"], second["emailed"]) == (0, 0)
    report = MonthlyReport.objects.get(owner=council)
    assert report.month == dt.date(2025, 5, 1) and report.emailed_at is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["og1@vale.example", "og2@vale.example"]
    name, content, kind = mail.outbox[0].attachments[0]
    assert kind == "application/pdf" and hashlib.sha256(content).hexdigest() == report.pdf_sha256


def test_the_api_returns_the_figures_the_page_shows(client, seeded, cctv_manager, council):  # noqa: F811
    from reports.figures import monthly_report_figures

    client.force_login(cctv_manager)
    body = client.get(f"/api/reports/monthly/2025-03?owner={council.pk}").json()
    expected = {figure.key: figure.as_dict()["value"] for figure in monthly_report_figures(owner=council, month=MARCH)}
    assert body["month"] == "2025-03" and body["stored"] is False
    assert {figure["key"]: figure["value"] for figure in body["figures"]} == expected


def test_police_get_403_from_the_report_api(client, officer, council):
    client.force_login(officer)
    assert client.get(f"/api/reports/monthly/2025-03?owner={council.pk}").status_code == 403
