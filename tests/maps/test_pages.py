"""The incident import page (upload, then live progress from the real worker) and the placement page.

The import uses the hand-written police file (tests/fixtures/street_crime/README.md): 8 rows, 3 imported,
5 skipped, one per reason, at rows 5 to 9. The placement page uses test_placement.py's known case:
with k = 2 full-circle cameras at the staff's sites, the optimum is Y and Z (6 incidents), where greedy
takes X and Y (5).
"""

import html
import json
import re
from pathlib import Path

import pytest
from celery.result import AsyncResult
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from maps.choices import ImportStatus, ProposalItemKind, ProposalStatus
from maps.imports import import_task_id
from maps.models import Incident, IncidentImport, Proposal
from tests.maps import test_placement
from tests.maps.test_placement import E0, N0

known_case = test_placement.known_case  # the hand-drawn scene of X, Y and Z, as a fixture here too
HAND_WRITTEN = Path(__file__).resolve().parent.parent / "fixtures" / "street_crime" / "2024-01-hand-written.csv"
PLACEMENT_QUERY = {"k": "2", "candidates": "sites", "grid_spacing_m": "100", "bearings": "8", "angle_deg": "360",
                   "range_m": "50", "full_circle": "on", "month_from": "2024-05", "month_to": "2024-06"}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, content: bytes, name: str = "2024-01-street.csv"):
    return client.post("/incidents/import/", {"file": SimpleUploadedFile(name, content)})


def text(response) -> str:
    """The page's text with tags dropped and white space squeezed, as a reader sees it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def stored_files(media_root: Path) -> list[Path]:
    folder = media_root / "incident-imports"
    return list(folder.iterdir()) if folder.exists() else []


# --- incident import ----------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_an_uploaded_file_is_imported_by_the_worker_and_the_progress_partial_stops_polling_when_done(
        client, celery_worker, media_root):
    from tests.accounts.factories import OrganisationFactory, UserFactory

    client.force_login(UserFactory(role=Role.CCTV_MANAGER, organisation=OrganisationFactory()))
    response = upload(client, HAND_WRITTEN.read_bytes())

    batch = IncidentImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/imports/{batch.pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'id="import-progress"' in page.content.decode()  # polling or not depends on how far the worker got
    assert f"Incident import {batch.pk} · 2024-01-street.csv" in text(page)

    # The browser polls until the worker is done; wait on the worker itself rather than a clock.
    AsyncResult(import_task_id(batch)).get(timeout=60)
    partial = client.get(f"/incidents/imports/{batch.pk}/progress/")

    body = partial.content.decode()
    assert partial.status_code == 200
    assert "hx-trigger" not in body and "hx-get" not in body  # no more polling
    assert 'data-status="done"' in body
    assert '<progress id="import-bar" max="8" value="8">' in body
    assert "8 of 8 rows read (100%)" in text(partial)
    assert "Imported 3 for 2024-01." in text(partial)
    # One row per reason, in the order skipped_counts gives (count, then reason), with its row number.
    assert re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>([^<]*)</td></tr>", body) == [
        ("coordinates are not a longitude and latitude", "1", "8"),
        ("month is not YYYY-MM", "1", "9"),
        ("no location", "1", "5"),
        ("outside the service area", "1", "6"),
        ("wrong number of columns", "1", "7"),
    ]
    assert Incident.objects.count() == 3


def test_a_queued_import_polls_every_second_and_shows_how_far_it_has_read(client, cctv_manager):
    batch = IncidentImport.objects.create(file_name="x.csv", file_sha256="0" * 64, status=ImportStatus.RUNNING,
                                          rows_total=8, rows_done=3, created_by=cctv_manager)
    client.force_login(cctv_manager)

    partial = client.get(f"/incidents/imports/{batch.pk}/progress/")
    page = client.get(f"/incidents/imports/{batch.pk}/")

    assert 'hx-trigger="every 1s"' in page.content.decode()  # the page starts the polling
    body = partial.content.decode()
    assert f'hx-get="/incidents/imports/{batch.pk}/progress/" hx-trigger="every 1s"' in body
    assert "3 of 8 rows read (37%)" in text(partial)  # 3/8 = 37.5%, rounded down: never 100% before done
    assert "Imported" not in body


def test_a_failed_import_stops_polling_and_shows_why(client, cctv_manager):
    batch = IncidentImport.objects.create(file_name="x.csv", file_sha256="0" * 64, status=ImportStatus.FAILED,
                                          rows_total=8, error="The uploaded file is no longer stored.",
                                          created_by=cctv_manager)
    client.force_login(cctv_manager)

    partial = client.get(f"/incidents/imports/{batch.pk}/progress/")

    assert "hx-trigger" not in partial.content.decode()
    assert "Status: Failed" in text(partial) and "The uploaded file is no longer stored." in text(partial)


def test_a_file_that_is_not_the_police_format_shows_the_importers_message_and_keeps_nothing(
        client, cctv_manager, media_root):
    client.force_login(cctv_manager)
    bad = HAND_WRITTEN.read_bytes().replace(b"Crime type", b"Offence", 1)

    response = upload(client, bad)

    assert response.status_code == 400
    assert ("This is not a police street-level crime file: the header has no &#x27;Crime type&#x27; column."
            in response.content.decode())
    assert 'type="file"' in response.content.decode()  # the form again
    assert not IncidentImport.objects.exists() and stored_files(media_root) == []


def test_an_empty_upload_is_refused_with_the_form_again(client, cctv_manager, media_root):
    client.force_login(cctv_manager)
    response = client.post("/incidents/import/", {})
    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert not IncidentImport.objects.exists()


def test_a_file_over_the_limit_is_refused_with_413(client, cctv_manager, media_root, settings):
    settings.INCIDENT_IMPORT_MAX_BYTES = 100
    client.force_login(cctv_manager)
    response = upload(client, HAND_WRITTEN.read_bytes())
    assert response.status_code == 413
    assert f"The file is {HAND_WRITTEN.stat().st_size:,} bytes; the import limit is 100 bytes." in text(response)
    assert not IncidentImport.objects.exists()


@pytest.mark.parametrize(("role", "status_code"), [
    (Role.CCTV_MANAGER, 200), (Role.ADMIN, 200), (Role.OPERATOR, 403), (Role.AUDITOR, 403),
    (Role.POLICE_REQUESTER, 403), ("police_other", 403),
])
def test_only_a_manager_or_an_administrator_gets_the_import_form(client, people, role, status_code):
    client.force_login(people[role])
    assert client.get("/incidents/import/").status_code == status_code


def test_police_cannot_upload_or_see_an_imports_progress(client, officer, cctv_manager, media_root):
    batch = IncidentImport.objects.create(file_name="x.csv", file_sha256="0" * 64, created_by=cctv_manager)
    client.force_login(officer)

    assert upload(client, HAND_WRITTEN.read_bytes()).status_code == 403
    assert client.get(f"/incidents/imports/{batch.pk}/").status_code == 403
    assert client.get(f"/incidents/imports/{batch.pk}/progress/").status_code == 403
    assert IncidentImport.objects.count() == 1 and stored_files(media_root) == []


def test_an_import_that_does_not_exist_is_a_404(client, cctv_manager):
    client.force_login(cctv_manager)
    assert client.get("/incidents/imports/999999/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, db):
    assert client.get("/incidents/import/").status_code == 302
    assert client.get("/placement/").status_code == 302


# --- placement ----------------------------------------------------------------------------------

def suggested_rows(response) -> list[list[str]]:
    body = response.content.decode()
    table = re.search(r'<table class="compact" id="suggested-cameras">.*?<tbody>(.*?)</tbody>', body, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_the_placement_page_shows_the_optimum_and_greedy_beside_it(client, cctv_manager, known_case):
    client.force_login(cctv_manager)

    response = client.get("/placement/", PLACEMENT_QUERY)

    assert response.status_code == 200
    # Site, longitude, latitude, bearing, angle, range, incidents in view, gained (the first cell is the tick box).
    assert [row[1:2] + row[4:] for row in suggested_rows(response)] == [
        ["Y", "full circle", "360", "50", "3", "3"], ["Z", "full circle", "360", "50", "3", "3"]]
    page = text(response)
    assert "Seen by the suggestion 6 (ilp)" in page
    assert "Exact (ILP) 6 weighted, 6 incidents · Optimal" in page
    assert "Greedy 5 weighted, 5 incidents" in page and "1 short of the optimum" in page
    assert "Incidents in the period 8 (2 already seen by a recording camera)" in page


def test_the_placement_page_without_a_query_shows_only_the_form(client, operator, known_case):
    client.force_login(operator)
    response = client.get("/placement/")
    assert response.status_code == 200
    assert 'id="placement-form"' in response.content.decode() and "suggested-cameras" not in response.content.decode()


def test_bad_placement_input_shows_the_services_message_on_the_form(client, cctv_manager, known_case):
    client.force_login(cctv_manager)

    too_many = client.get("/placement/", {**PLACEMENT_QUERY, "k": "51"})
    bad_month = client.get("/placement/", {**PLACEMENT_QUERY, "month_to": "June"})

    assert too_many.status_code == 400
    assert "k must be a whole number of cameras from 1 to 50; got 51." in text(too_many)
    assert bad_month.status_code == 400
    assert "month_to must be a month written YYYY-MM, like 2024-01; not &#x27;June&#x27;." in text(bad_month)


def test_adopting_the_ticked_suggestions_creates_a_draft_proposal_and_shows_it(client, cctv_manager, council,
                                                                              known_case):
    client.force_login(cctv_manager)
    page = client.get("/placement/", PLACEMENT_QUERY).content.decode()
    cameras = [json.loads(html.unescape(value))
               for value in re.findall(r'name="camera" value="([^"]+)"', page)]

    response = client.post("/placement/adopt/", {"title": "Cover Holton Road", "rationale": "6 more incidents seen",
                                                 "camera": [json.dumps(camera) for camera in cameras]})

    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/maps/proposals/{proposal.pk}/"
    assert (proposal.title, proposal.status, proposal.owner, proposal.created_by) == (
        "Cover Holton Road", ProposalStatus.DRAFT, council, cctv_manager)
    items = list(proposal.items.order_by("id"))
    assert [(item.kind, item.name, item.bearing_deg, item.view_angle_deg, item.view_range_m) for item in items] == [
        (ProposalItemKind.ADD, "Y", None, 360.0, 50.0), (ProposalItemKind.ADD, "Z", None, 360.0, 50.0)]
    assert round(items[0].location.x, 2) == E0 - 70 and round(items[0].location.y, 2) == N0
    assert client.get(response["Location"]).status_code == 200


def test_adopting_nothing_shows_why_and_writes_nothing(client, cctv_manager, known_case):
    client.force_login(cctv_manager)

    response = client.post("/placement/adopt/", {"title": "Empty", "query": "k=2&month_from=2024-05"})

    assert response.status_code == 400
    assert "Adopt at least one suggested camera." in text(response)
    assert not Proposal.objects.exists()


def test_a_tampered_camera_is_refused_and_writes_nothing(client, cctv_manager, known_case):
    client.force_login(cctv_manager)

    response = client.post("/placement/adopt/", {"title": "Bad", "camera": ['{"longitude": "west"}']})

    assert response.status_code == 400
    assert "A ticked camera could not be read; run the suggestion again." in text(response)
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("role", [Role.POLICE_REQUESTER, "police_other", Role.ENGINEER])
def test_police_and_engineers_may_neither_see_suggestions_nor_adopt_them(client, people, role, known_case):
    client.force_login(people[role])
    camera = json.dumps({"longitude": -3.28, "latitude": 51.4, "bearing_deg": None, "angle_deg": 360, "range_m": 50})

    assert client.get("/placement/", PLACEMENT_QUERY).status_code == 403
    assert client.post("/placement/adopt/", {"title": "Mine", "camera": [camera]}).status_code == 403
    assert not Proposal.objects.exists()


def test_the_placement_page_carries_the_suggested_cameras_for_its_map(client, cctv_manager, known_case):
    client.force_login(cctv_manager)
    page = client.get("/placement/", PLACEMENT_QUERY).content.decode()
    data = json.loads(re.search(r'<script id="placement-data" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    assert sorted(camera["gained"] for camera in data["cameras"]) == [3, 3]  # Y and Z, by hand
    assert "<script>" not in page
