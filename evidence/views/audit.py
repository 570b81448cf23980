"""The auditor's view of evidence: every disclosure, and the custody chains checked on demand."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import authorize, can, visible_to
from evidence.models import Disclosure, EvidenceRequest
from evidence.services.release import disclosures_visible_to
from evidence.verification import chains_verify


@login_required
def evidence_audit(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Disclosure)
    page = Paginator(disclosures_visible_to(request.user), 50).get_page(request.GET.get("page"))
    reports = None
    if request.GET.get("verify") == "1" and can(request.user, "verify_custody", EvidenceRequest):
        # Only the chains of requests this user may see, in one streamed pass.
        reports = list(chains_verify(visible_to(request.user, EvidenceRequest.objects.all()).order_by("id")))
    return render(request, "evidence/audit.html", {
        "page": page, "reports": reports,
        "broken": [report for report in reports or [] if not report.ok],
        "events": sum(report.events for report in reports or []),
    })
