"""Publishing the summary of a year's camera reviews: figures counted by hand, who may publish, page and API.

The arrangement, for the calendar year 2025 (London):

    camera  timeline                                          reviews in 2025          last decision
    A       operational since 2024                            keep (Mar), relocate (Oct)  relocate
    B       operational 2024, faulty from 1 Dec 2025          keep (Jun)                 keep
    C       operational 2024, decommissioned 20 Dec 2025      decommission (Nov)         decommission
    D       planned until 5 Jan 2026                          keep in 2024 only          -
    E       operational from 1 Jun 2025                       none                       -
    X       another council's camera                          keep (Jul)                 (not ours)

In operation at the end of 2025: A, B (faulty is still in service), E = 3. Reviewed: A, B, C = 3;
keep 1, relocate 1, decommission 1; reviews recorded 4 (A twice).
"""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput, NotVisible
from cctv.choices import CameraStatus, StatusSource
from cctv.models import CameraStatusChange
from cctv.sla import LONDON
from reports.choices import ReviewDecision
from reports.models import AnnualReviewSummary, CameraReview
from reports.review_summary import annual_review_figures, review_summary_publish
from tests.cctv.factories import CameraFactory

pytestmark = pytest.mark.django_db
YEAR = 2025
EXPECTED = {"year": 2025, "cameras_in_operation": 3, "cameras_reviewed": 3, "keep": 1, "relocate": 1,
            "decommission": 1, "reviews_recorded": 4, "in_operation_on": "2026-01-01T00:00:00+00:00"}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def camera(owner, ref, history):
    made = CameraFactory(owner=owner, asset_ref=ref, timeline=False, status=history[-1][1])
    for changed_at, status in history:
        CameraStatusChange.objects.create(camera=made, status=status, changed_at=changed_at,
                                          source=StatusSource.SYSTEM)
    return made


def review(camera, reviewer, on, decision):
    return CameraReview.objects.create(camera=camera, reviewed_on=on, reviewer=reviewer, decision=decision,
                                       reason="test", figures={}, next_review_on=on.replace(year=on.year + 1))


@pytest.fixture
def reviewed(council, cctv_manager, unpublished, other_manager):
    start = at(2024, 1, 1)
    a = camera(council, "A", [(start, CameraStatus.OPERATIONAL)])
    b = camera(council, "B", [(start, CameraStatus.OPERATIONAL), (at(2025, 12, 1), CameraStatus.FAULTY)])
    c = camera(council, "C", [(start, CameraStatus.OPERATIONAL), (at(2025, 12, 20), CameraStatus.DECOMMISSIONED)])
    d = camera(council, "D", [(start, CameraStatus.PLANNED), (at(2026, 1, 5), CameraStatus.OPERATIONAL)])
    camera(council, "E", [(at(2025, 6, 1), CameraStatus.OPERATIONAL)])
    x = camera(unpublished[0], "X", [(start, CameraStatus.OPERATIONAL)])
    review(a, cctv_manager, dt.date(2025, 3, 10), ReviewDecision.KEEP)
    review(a, cctv_manager, dt.date(2025, 10, 2), ReviewDecision.RELOCATE)
    review(b, cctv_manager, dt.date(2025, 6, 1), ReviewDecision.KEEP)
    review(c, cctv_manager, dt.date(2025, 11, 30), ReviewDecision.DECOMMISSION)
    review(d, cctv_manager, dt.date(2024, 12, 31), ReviewDecision.KEEP)
    review(x, other_manager, dt.date(2025, 7, 1), ReviewDecision.KEEP)


def test_figures_count_each_cameras_last_decision_and_the_cameras_in_service_at_year_end(council, reviewed):
    assert annual_review_figures(owner=council, year=YEAR) == EXPECTED


def test_for_the_year_in_progress_cameras_in_operation_are_counted_at_publication(council, reviewed):
    figures = annual_review_figures(owner=council, year=2025, now=at(2025, 7, 1))
    # On 1 July 2025: A, B, C operational, E operational since June; D still planned.
    assert figures["cameras_in_operation"] == 4
    assert figures["in_operation_on"] == "2025-07-01T00:00:00+01:00"


def test_publishing_stores_the_figures_and_republishing_replaces_them(council, reviewed, cctv_manager, admin_user):
    first = review_summary_publish(owner=council, year=YEAR, summary="Three cameras reviewed.", by=cctv_manager)
    assert first.figures == EXPECTED and first.published_by == cctv_manager
    again = review_summary_publish(owner=council, year=YEAR, summary="  Corrected wording.  ", by=admin_user)
    assert AnnualReviewSummary.objects.count() == 1
    again.refresh_from_db()
    assert (again.pk, again.summary, again.published_by) == (first.pk, "Corrected wording.", admin_user)


@pytest.mark.parametrize(("year", "summary", "message"), [
    (2999, "x", "year must be a calendar year"),
    (1999, "x", "year must be a calendar year"),
    (YEAR, "   ", "Write the summary"),
    (YEAR, "x" * 5001, "the limit is 5000"),
])
def test_bad_input_is_refused_and_nothing_published(council, cctv_manager, year, summary, message):
    with pytest.raises(InvalidInput, match=message):
        review_summary_publish(owner=council, year=year, summary=summary, by=cctv_manager)
    assert not AnnualReviewSummary.objects.exists()


def test_only_the_manager_and_administrators_publish(council, og_member, auditor, other_manager):
    for user in (og_member, auditor):
        with pytest.raises(Forbidden):
            review_summary_publish(owner=council, year=YEAR, summary="x", by=user)
    with pytest.raises(NotVisible):
        review_summary_publish(owner=council, year=YEAR, summary="x", by=other_manager)
    assert not AnnualReviewSummary.objects.exists()


def api(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, body):
    return client.post("/api/reports/reviews/summaries", json.dumps(body), content_type="application/json")


def test_the_api_publishes_and_lists(council, reviewed, cctv_manager, og_member):
    response = post(api(cctv_manager), {"year": YEAR, "summary": "Three cameras reviewed."})
    assert response.status_code == 201
    body = response.json()
    assert (body["owner_id"], body["year"], body["figures"]) == (council.pk, YEAR, EXPECTED)
    listed = api(og_member).get("/api/reports/reviews/summaries")
    assert listed.status_code == 200 and [s["year"] for s in listed.json()] == [YEAR]


@pytest.mark.parametrize(("role", "status"), [
    ("og_member", 403), ("auditor", 403), ("operator", 403), ("engineer", 403), ("officer", 403),
    ("other_manager", 404), ("admin_user", 201),
])
def test_the_api_answers_each_role(request, council, role, status):
    response = post(api(request.getfixturevalue(role)), {"owner_id": council.pk, "year": YEAR, "summary": "x"})
    assert response.status_code == status, response.content
    assert "detail" in response.json() or status == 201
    assert AnnualReviewSummary.objects.count() == (1 if status == 201 else 0)


def test_the_register_page_publishes_from_its_form(client, council, reviewed, cctv_manager, og_member):
    client.force_login(cctv_manager)
    page = client.get("/reviews/").content.decode()
    assert 'id="publish-summary"' in page
    refused = client.post("/reviews/", {"owner": council.pk, "year": "last year", "summary": "x"})
    assert refused.status_code == 400 and "The year must be a number" in refused.content.decode()
    response = client.post("/reviews/", {"owner": council.pk, "year": str(YEAR), "summary": "Three reviewed."})
    assert response.status_code == 302
    assert AnnualReviewSummary.objects.get().figures == EXPECTED
    assert 'data-summary-year="2025"' in client.get("/reviews/").content.decode()
    client.force_login(og_member)
    assert 'id="publish-summary"' not in client.get("/reviews/").content.decode()
    assert client.post("/reviews/", {"owner": council.pk, "year": str(YEAR), "summary": "x"}).status_code == 403


def test_the_public_page_shows_what_was_published(client, council, scheme, reviewed, cctv_manager):
    review_summary_publish(owner=council, year=YEAR, summary="Three cameras reviewed this year.", by=cctv_manager)
    page = Client().get("/public/").content.decode()
    assert "Review of 2025" in page and "Three cameras reviewed this year." in page
    assert f"published {timezone.localdate():%-d %B %Y}" in page
