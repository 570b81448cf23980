"""The online subject access request form under /public/subject-access/ (no sign-in; CSRF on).

Shown only for a published scheme whose council has switched the intake on; anything else is a 404.
The view checks shape with the form and leaves every rule to evidence.services.public_sar.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts.exceptions import DomainError
from cctv.models import Scheme
from cctv.open_data import published_schemes, scheme_public_cameras
from evidence.forms_public import PublicSarForm
from evidence.services.public_sar import (
    SubmissionsThrottled,
    intake_scheme_get,
    public_sar_submit,
)

SESSION_KEY = "public_sar_sent"


def sar_start(request: HttpRequest) -> HttpResponse:
    """One scheme takes requests online: its form. Several: a choice. None: not found."""
    schemes = published_schemes(sar_intake_only=True)
    if not schemes:
        raise Http404("No scheme takes subject access requests online.")
    if len(schemes) == 1:
        return redirect("public_sar:form", scheme_id=schemes[0].scheme.pk)
    return render(request, "public/sar_choose.html", {"schemes": schemes})


@never_cache
def sar_form(request: HttpRequest, scheme_id: int) -> HttpResponse:
    scheme = intake_scheme_get(scheme_id)
    cameras = scheme_public_cameras(scheme)
    form = PublicSarForm(request.POST or None, cameras=cameras)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = public_sar_submit(
                    scheme=scheme, requester_name=data["requester_name"], email=data["email"],
                    postal_address=data["postal_address"], window_starts_at=data["window_starts_at"],
                    window_ends_at=data["window_ends_at"], location_description=data["location_description"],
                    camera_id=data["camera_id"], description_of_person=data["description_of_person"],
                    consent=data["consent"], ip_address=request.META.get("REMOTE_ADDR"),
                )
            except SubmissionsThrottled as exc:
                return render(request, "public/sar_throttled.html",
                              {"scheme": scheme, "detail": exc.detail,
                               "limit": settings.PUBLIC_SAR_PER_ADDRESS_PER_HOUR}, status=429)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                # The reference goes through the session, not the URL, so it cannot be guessed from an address.
                request.session[SESSION_KEY] = {"reference": created.reference, "scheme_id": scheme.pk}
                return redirect("public_sar:sent")
    retention = sorted({camera.retention_days for camera in cameras})
    return render(request, "public/sar_form.html", {
        "scheme": scheme, "form": form, "retention_min_days": retention[0] if retention else None,
        "retention_max_days": retention[-1] if retention else None,
    }, status=status)


@never_cache
def sar_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SESSION_KEY)
    if not sent:
        return redirect("public:page")
    # Not intake_scheme_get: the reference must still show if the council closes the form meanwhile.
    scheme = Scheme.objects.select_related("owner").filter(pk=sent["scheme_id"]).first()
    return render(request, "public/sar_sent.html", {"reference": sent["reference"], "scheme": scheme})
