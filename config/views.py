import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from config.health import health_report


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Plain health endpoint for load balancers and compose: 200 only when everything answers."""
    report = health_report()
    return HttpResponse(
        json.dumps(report.as_dict()), status=200 if report.ok else 503, content_type="application/json"
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    detail = getattr(exception, "detail", None) or "You do not have permission to see this page."
    return render(request, "errors/403.html", {"detail": detail}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
