"""The coverage page: the same functions as /api/maps/coverage..., so page and API agree."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.exceptions import DomainError
from accounts.permissions import authorize
from maps.coverage import coverage_by_camera, coverage_share, uncovered_hotspots
from maps.models import Incident
from maps.services import incidents_visible_to, month_parse


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Incident)
    months = sorted(incidents_visible_to(request.user).order_by().values_list("month", flat=True).distinct())
    month_from = request.GET.get("month_from") or (months[0].strftime("%Y-%m") if months else "")
    month_to = request.GET.get("month_to") or (months[-1].strftime("%Y-%m") if months else "")
    categories = [category for category in request.GET.getlist("category") if category]
    context = {"months": [month.strftime("%Y-%m") for month in months], "month_from": month_from,
               "month_to": month_to, "chosen": categories, "error": None, "share": None}
    if month_from and month_to:
        try:
            period = {"month_from": month_parse(month_from, name="month_from"),
                      "month_to": month_parse(month_to, name="month_to"), "categories": categories}
            context["share"] = coverage_share(request.user, **period)
            context["cameras"] = coverage_by_camera(request.user, **period)
            context["hotspots"] = uncovered_hotspots(request.user, cell_m=250, limit=10, **period)
        except DomainError as exc:
            context["error"] = exc.detail
    context["all_categories"] = sorted(
        incidents_visible_to(request.user).order_by().values_list("category", flat=True).distinct()
    )
    return render(request, "maps/coverage.html", context, status=400 if context["error"] else 200)
