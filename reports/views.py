"""Monthly report pages: list, figures with charts, CSV, PDF, regenerate, and each figure's records.

Thin views: figures come from reports.figures (live) or the stored MonthlyReport; access is decided
by accounts.permissions ("reports.monthlyreport"), so police get 403 on every page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.exceptions import InvalidInput
from accounts.permissions import authorize, can, visible_to
from reports.figures import figure_records, month_parse
from reports.models import MonthlyReport
from reports.rendering import figures_csv, report_context, report_pdf
from reports.selectors import report_figures, report_owner
from reports.services import monthly_report_generate, monthly_report_regenerate


def bad_input_is_400(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page given a bad month, owner, key or period answers 400 with what was wrong (not a 500)."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except InvalidInput as exc:
            return HttpResponseBadRequest(exc.detail, content_type="text/plain; charset=utf-8")
    return wrapped


@login_required
def monthly_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", MonthlyReport)
    reports = visible_to(request.user, MonthlyReport.objects.select_related("owner"))
    return render(request, "reports/monthly_list.html", {"reports": reports})


@login_required
@bad_input_is_400
def monthly_page(request: HttpRequest, month: str) -> HttpResponse:
    month_on = month_parse(month)
    owner = report_owner(request.user, request.GET.get("owner"))
    figures, stored = report_figures(owner, month_on)
    charts = {
        "labels": ["Same month last year", "Previous month", "This month"],
        "series": [{"key": f["key"], "label": f["label"], "unit": f["unit"],
                    "values": [f["same_month_last_year"], f["previous_month"], f["value"]]}
                   for f in figures if f["key"] in CHARTED],
    }
    return render(request, "reports/monthly.html", {
        **report_context(owner_name=owner.name, month=month_on, figures=figures), "owner": owner,
        "month_text": month, "stored": stored, "charts": charts,
        "may_regenerate": can(request.user, "regenerate", stored) if stored else
        can(request.user, "regenerate", MonthlyReport),
    })


CHARTED = ("availability_pct", "requests_received", "requests_released", "incidents", "incidents_covered",
           "credits_total_gbp", "faults_opened_p1", "faults_opened_p2", "faults_opened_p3", "faults_opened_p4")


@login_required
@bad_input_is_400
def monthly_csv(request: HttpRequest, month: str) -> HttpResponse:
    month_on = month_parse(month)
    owner = report_owner(request.user, request.GET.get("owner"))
    figures, _ = report_figures(owner, month_on)
    response = HttpResponse(figures_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cctv-highlight-{month}.csv"'
    return response


@login_required
@bad_input_is_400
def monthly_pdf(request: HttpRequest, month: str) -> HttpResponse:
    """The stored PDF byte for byte when the report is stored; otherwise rendered now (not stored)."""
    month_on = month_parse(month)
    owner = report_owner(request.user, request.GET.get("owner"))
    figures, stored = report_figures(owner, month_on)
    if stored and stored.pdf:
        with stored.pdf.open("rb") as file:
            body = file.read()
    else:
        body = report_pdf(owner_name=owner.name, month=month_on, figures=figures, generated_at=timezone.now())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cctv-highlight-{month}.pdf"'
    return response


@login_required
@require_POST
@bad_input_is_400
def monthly_generate(request: HttpRequest, month: str) -> HttpResponse:
    """Store the report (first time) or recompute and replace it (a regeneration, counted)."""
    month_on = month_parse(month)
    owner = report_owner(request.user, request.GET.get("owner"))
    authorize(request.user, "regenerate", MonthlyReport)
    report, created = monthly_report_generate(owner=owner, month=month_on, by=request.user)
    if not created:
        monthly_report_regenerate(user=request.user, report=report)
    return redirect(f"/reports/monthly/{month}/?owner={owner.pk}")


@login_required
@bad_input_is_400
def monthly_records(request: HttpRequest, month: str, key: str) -> HttpResponse:
    month_on = month_parse(month)
    owner = report_owner(request.user, request.GET.get("owner"))
    period = request.GET.get("period", "current")
    records = figure_records(owner=owner, month=month_on, key=key, period=period)
    return render(request, "reports/monthly_records.html", {
        "owner": owner, "month": month_on, "month_text": month, "key": key, "period": period, "records": records})
