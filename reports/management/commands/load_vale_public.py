"""manage.py load_vale_public: the demo's published annual review summary (needs load_vale_demo first).

Twelve Barry cameras are reviewed in December of last year through the review service (eleven kept,
one to be decommissioned), and the council's summary of last year is published with the figures
counted from them. Idempotent: once last year's summary exists nothing is added or changed. The demo
council's scheme statement itself is written by load_vale_demo (cctv.demo.scheme).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from cctv.choices import CameraStatus
from cctv.models import Camera
from reports.choices import ReviewDecision
from reports.models import AnnualReviewSummary, CameraReview
from reports.review import camera_review_record
from reports.review_summary import annual_review_figures, review_summary_publish

COUNCIL = "Vale of Glamorgan Council"
REVIEWER = "manager"
REVIEWED_CAMERAS = 12
DECOMMISSION_REASON = ("Fewer than five incidents in view all year and the shop fronts it watched are now covered by "
                       "the neighbouring camera; the pressing need has gone.")
KEEP_REASON = "Incidents in view and evidence requests support its purpose; signage and DPIA in order."


def vale_public_demo_load(*, today: dt.date | None = None) -> tuple[AnnualReviewSummary, bool]:
    """Last year's reviews and published summary for the demo council; (summary, created)."""
    today = today or timezone.localdate()
    year = today.year - 1
    council = Organisation.objects.filter(name=COUNCIL, kind=OrganisationKind.COUNCIL).first()
    manager = User.objects.filter(username=REVIEWER).first()
    if council is None or manager is None:
        raise CommandError("The Vale demo is not loaded: run `manage.py load_vale_demo` first.")
    existing = AnnualReviewSummary.objects.filter(owner=council, year=year).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        if not CameraReview.objects.filter(camera__owner=council, reviewed_on__year=year).exists():
            cameras = list(Camera.objects.filter(owner=council, town="Barry")
                           .exclude(status__in=(CameraStatus.PLANNED, CameraStatus.DECOMMISSIONED))
                           .order_by("asset_ref")[:REVIEWED_CAMERAS])
            for number, camera in enumerate(cameras):
                last = number == len(cameras) - 1
                camera_review_record(
                    camera=camera, by=manager, as_of=dt.date(year, 12, 1 + number),
                    decision=ReviewDecision.DECOMMISSION if last else ReviewDecision.KEEP,
                    reason=DECOMMISSION_REASON if last else KEEP_REASON,
                )
        figures = annual_review_figures(owner=council, year=year)
        summary = (
            f"In {year} the Council reviewed {figures['cameras_reviewed']} of its {figures['cameras_in_operation']} "
            f"cameras in operation against the purpose each serves, the incidents in its view, the footage requested "
            f"from it and its faults. {figures['keep']} were kept, {figures['relocate']} will be relocated and "
            f"{figures['decommission']} will be decommissioned. The rest are reviewed on their own dates this year."
        )
        published = review_summary_publish(owner=council, year=year, summary=summary, by=manager)
    return published, True


class Command(BaseCommand):
    help = "Publish the demo council's review summary of last year (needs load_vale_demo first). Idempotent."

    def handle(self, *args, **options):
        published, created = vale_public_demo_load()
        figures = published.figures
        self.stdout.write(
            f"Vale demo review summary {published.year}: {'published' if created else 'already published'}; "
            f"{figures['cameras_reviewed']} cameras reviewed (kept {figures['keep']}, relocate {figures['relocate']}, "
            f"decommission {figures['decommission']}) of {figures['cameras_in_operation']} in operation.")
