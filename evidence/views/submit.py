"""The police portal's request form (also used by staff for SARs and internal requests)."""


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.exceptions import DomainError
from accounts.permissions import authorize
from cctv.geometry import point_from_input
from cctv.views.cameras import map_settings
from evidence.forms import RequestForm
from evidence.models import EvidenceRequest


@login_required
def request_new(request: HttpRequest) -> HttpResponse:
    from evidence.services.requests import request_submit

    authorize(request.user, "add", EvidenceRequest)
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = None
            if data["longitude"] is not None:
                location = point_from_input(data["longitude"], data["latitude"], 4326)
            created = request_submit(
                by=request.user, owner=data["owner"], kind=data["kind"], legal_basis=data["legal_basis"],
                incident_starts_at=data["incident_starts_at"], incident_ends_at=data["incident_ends_at"],
                reason=data["reason"], urgency=data["urgency"], location=location,
                crime_reference=data["crime_reference"], requester_name=data.get("requester_name", ""),
                requester_contact=data.get("requester_contact", ""),
                location_description=data["location_description"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, f"Request {created.reference} submitted.")
            return redirect("evidence:request_detail", request_id=created.pk)
    map_data = {**map_settings(), "camerasUrl": reverse("api:camera_geojson"),
                "viewsUrl": reverse("api:camera_geojson") + "?geometry=view", "pickLocation": True}
    return render(request, "evidence/request_form.html", {"form": form, "map_data": map_data},
                  status=400 if request.method == "POST" else 200)
