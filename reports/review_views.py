"""Server-rendered review pages: the register (/reviews/) and one camera's review (/reviews/cameras/<id>/).

Both call reports.review, as the API does, so the page and the API share every figure and rule.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.exceptions import DomainError, InvalidInput
from accounts.models import Organisation
from accounts.permissions import can
from reports.choices import ReviewDecision
from reports.models import CameraReview
from reports.review import (
    camera_review_figures,
    camera_review_record,
    camera_reviews,
    require_review_role,
    review_camera_get,
    review_register,
)
from reports.review_summary import councils_user_may_publish_for, review_summary_publish, summaries_visible_to


@login_required
def review_register_page(request: HttpRequest) -> HttpResponse:
    require_review_role(request.user)
    publish_councils = councils_user_may_publish_for(request.user)
    today = timezone.localdate()
    publish = {"owner": "", "year": str(today.year - 1), "summary": "", "error": None}
    status = 200
    if request.method == "POST":
        publish.update({name: request.POST.get(name, "") for name in ("owner", "year", "summary")})
        try:
            published = review_summary_publish(owner=_council_posted(request), year=_year_posted(publish["year"]),
                                               summary=publish["summary"], by=request.user)
        except DomainError as exc:
            publish["error"], status = exc.detail, 400
        else:
            messages.success(request, f"The {published.year} review summary of {published.owner} is published on "
                                      "the public page.")
            return redirect("reviews:register")
    overdue_only = request.GET.get("overdue") in ("1", "true", "on")
    rows = review_register(request.user, overdue_only=overdue_only)
    return render(request, "reports/review_list.html", {
        "rows": rows, "overdue_only": overdue_only, "today": today,
        "publish_councils": publish_councils, "publish": publish,
        "summaries": summaries_visible_to(request.user),
    }, status=status)


def _council_posted(request: HttpRequest) -> Organisation:
    """The council named in the form, or the user's own; whether they may publish for it is the service's."""
    owner_id = request.POST.get("owner", "")
    if not owner_id and request.user.organisation_id:
        return request.user.organisation
    owner = Organisation.objects.filter(pk=int(owner_id) if owner_id.isdigit() else 0).first()
    if owner is None:
        raise InvalidInput("Choose the council whose review summary to publish.")
    return owner


def _year_posted(value: str) -> int:
    if not value.strip().isdigit():
        raise InvalidInput(f"The year must be a number like {timezone.localdate().year - 1}; not {value[:20]!r}.")
    return int(value)


@login_required
def review_camera_page(request: HttpRequest, camera_id: int) -> HttpResponse:
    camera = review_camera_get(request.user, camera_id)
    error, status = None, 200
    form = {"decision": "", "reason": ""}
    if request.method == "POST":
        form = {"decision": request.POST.get("decision", ""), "reason": request.POST.get("reason", "")}
        try:
            review = camera_review_record(camera=camera, by=request.user, decision=form["decision"],
                                          reason=form["reason"])
        except DomainError as exc:
            error, status = exc.detail, 400
        else:
            messages.success(request, _recorded_message(review))
            return redirect("reviews:camera", camera_id=camera.pk)
    today = timezone.localdate()
    context = {
        "camera": camera, "figures": camera_review_figures(camera=camera, as_of=today),
        "reviews": camera_reviews(request.user, camera), "decisions": ReviewDecision.choices,
        "may_record": can(request.user, "add", CameraReview(camera=camera)), "form": form, "error": error,
        "today": today,
    }
    return render(request, "reports/review_camera.html", context, status=status)


def _recorded_message(review: CameraReview) -> str:
    text = (f"Review recorded: {review.get_decision_display().lower()}. "
            f"Next review due {review.next_review_on:%-d %B %Y}.")
    if review.decision == ReviewDecision.RELOCATE:
        text += f" Draft proposal {review.proposal_id} opened in the map planner."
    elif review.decision == ReviewDecision.DECOMMISSION:
        text += " The camera has not been changed: decommission it from its estate page."
    return text
