"""The published summary of a year's camera reviews (issue 8): what the public page says about the review.

The Surveillance Camera Code asks a scheme to review each camera's continued justification and to
publish the outcome. A council's manager writes a summary for a calendar year; the figures are
counted from that year's CameraReview rows when it is published and stored with it, so the text and
its numbers stay as they were published. Publishing the same year again replaces it.

Figures: each camera reviewed in the year counts once, by its last decision of the year (a camera
kept in March and marked for relocation in October counts as "relocate"), so keep + relocate +
decommission = cameras reviewed; reviews_recorded counts every decision. cameras_in_operation is
the council's cameras in service (any status but planned or decommissioned) at the end of the year,
or at publication for the year in progress, read from the status timeline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from accounts.permissions import authorize, can, visible_to
from cctv.availability import camera_statuses_in_force
from cctv.models import Camera
from cctv.open_data import PUBLIC_STATUSES
from cctv.sla import LONDON
from reports.choices import ReviewDecision
from reports.models import AnnualReviewSummary, CameraReview

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000
MAX_SUMMARY_CHARS = 5_000


def annual_review_figures(*, owner: Organisation, year: int, now: dt.datetime | None = None) -> dict:
    """The year's review figures for one council, in four queries whatever the estate's size."""
    now = now or timezone.now()
    year_end = dt.datetime(year + 1, 1, 1, tzinfo=LONDON)
    as_of = min(year_end, now)
    reviews = CameraReview.objects.filter(camera__owner=owner, reviewed_on__year=year)
    last_decisions = (reviews.order_by("camera_id", "-reviewed_on", "-id").distinct("camera_id")
                      .values_list("decision", flat=True))
    decided = Counter(last_decisions)
    camera_ids = list(Camera.objects.filter(owner=owner).values_list("pk", flat=True))
    statuses = camera_statuses_in_force(pairs=[(camera_id, as_of) for camera_id in camera_ids])
    return {
        "year": year,
        "cameras_in_operation": sum(1 for status in statuses if status in PUBLIC_STATUSES),
        "cameras_reviewed": sum(decided.values()),
        **{str(decision): decided.get(decision, 0) for decision in ReviewDecision.values},
        "reviews_recorded": reviews.count(),
        "in_operation_on": as_of.astimezone(LONDON).isoformat(),
    }


def _summary_checked(summary: str | None) -> str:
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput("Write the summary: the public page shows it with the figures.")
    if len(summary) > MAX_SUMMARY_CHARS:
        raise InvalidInput(f"The summary is {len(summary)} characters long; the limit is {MAX_SUMMARY_CHARS}.")
    return summary


def _year_checked(year: int | None) -> int:
    this_year = timezone.localdate().year
    if not isinstance(year, int) or isinstance(year, bool) or not FIRST_YEAR <= year <= this_year:
        raise InvalidInput(f"year must be a calendar year from {FIRST_YEAR} to {this_year}; not {year!r}.")
    return year


@transaction.atomic
def review_summary_publish(*, owner: Organisation, year: int, summary: str, by: User,
                           now: dt.datetime | None = None) -> AnnualReviewSummary:
    """Publish (or republish) the council's summary of a year's reviews, with the figures counted now.

    The council's row is locked, so two managers publishing the same year at once are serialised
    and the second replaces the first rather than failing on the one-per-year constraint.
    """
    authorize(by, "publish", AnnualReviewSummary(owner=owner))
    if owner.kind != OrganisationKind.COUNCIL:
        raise InvalidInput(f"{owner.name} is not a council: only a council reviews and publishes its cameras.")
    year = _year_checked(year)
    summary = _summary_checked(summary)
    now = now or timezone.now()
    Organisation.objects.select_for_update().get(pk=owner.pk)
    published, created = AnnualReviewSummary.objects.update_or_create(
        owner=owner, year=year,
        defaults={"summary": summary, "figures": annual_review_figures(owner=owner, year=year, now=now),
                  "published_at": now, "published_by": by},
    )
    logger.info("review summary %s id=%s owner=%s year=%s user=%s", "published" if created else "republished",
                published.pk, owner.pk, year, by.pk)
    return published


def latest_published_summaries(owner_ids: list[int]) -> dict[int, AnnualReviewSummary]:
    """Each council's most recent year's summary, in one query (DISTINCT ON owner)."""
    if not owner_ids:
        return {}
    latest = (AnnualReviewSummary.objects.filter(owner_id__in=owner_ids)
              .order_by("owner_id", "-year").distinct("owner_id"))
    return {summary.owner_id: summary for summary in latest}


def summaries_visible_to(user: User) -> QuerySet[AnnualReviewSummary]:
    return visible_to(user, AnnualReviewSummary.objects.select_related("owner", "published_by")
                      ).order_by("owner__name", "-year")


def councils_user_may_publish_for(user: User) -> list[Organisation]:
    """The councils whose review summary this user may publish (their own council; any, for an administrator)."""
    councils = Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("name")
    return [council for council in councils if can(user, "publish", AnnualReviewSummary(owner=council))]
