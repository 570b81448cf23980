"""The demo's public side: the Vale scheme published with the online form on, and last year's review summary."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.demo import demo_organisations_ensure, demo_people_ensure
from cctv.choices import CameraKind
from cctv.demo.load import vale_demo_estate_load
from cctv.demo.scheme import KINDS_WITH_VIEWS_PUBLISHED, TOWNS_WITH_VIEWS_PUBLISHED
from cctv.models import Camera, Scheme
from reports.management.commands.load_vale_public import vale_public_demo_load
from reports.models import AnnualReviewSummary, CameraReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    demo_people_ensure(orgs=demo_organisations_ensure(), password="demo-password-for-tests-1")
    vale_demo_estate_load(seed=2026)


def test_the_demo_publishes_the_vale_scheme_and_last_years_review(demo):
    scheme = Scheme.objects.get(owner__name="Vale of Glamorgan Council")
    assert scheme.published and scheme.sar_intake_enabled
    published_views = set(Camera.objects.filter(publish_field_of_view=True).values_list("asset_ref", flat=True))
    expected_views = set(Camera.objects.filter(town__in=TOWNS_WITH_VIEWS_PUBLISHED, kind__in=KINDS_WITH_VIEWS_PUBLISHED)
                         .values_list("asset_ref", flat=True))
    assert published_views == expected_views and len(expected_views) > 10
    assert not Camera.objects.filter(publish_field_of_view=True, kind=CameraKind.PTZ).exists()

    summary, created = vale_public_demo_load()
    assert created and summary.year == timezone.localdate().year - 1
    figures = summary.figures
    assert (figures["cameras_reviewed"], figures["keep"], figures["relocate"], figures["decommission"]) == (
        12, 11, 0, 1)
    assert f"reviewed 12 of its {figures['cameras_in_operation']} cameras" in summary.summary

    out = io.StringIO()
    call_command("load_vale_public", stdout=out)
    assert "already published" in out.getvalue()
    assert (AnnualReviewSummary.objects.count(), CameraReview.objects.count()) == (1, 12)

    collection = json.loads(Client().get("/public/cameras.geojson").content)
    assert len(collection["features"]) == Camera.objects.count() == 84
    views = json.loads(Client().get("/public/cameras.geojson?geometry=view").content)
    assert len(views["features"]) == len(expected_views)
