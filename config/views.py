import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
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


def _api_error(request: HttpRequest, status: int, detail: str) -> JsonResponse | None:
    """Under /api/ every error is {"detail": ...}, even one Django raises before ninja sees the request
    (no route matches the path, a body over DATA_UPLOAD_MAX_MEMORY_SIZE): API clients parse JSON, not pages."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    return None


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return (_api_error(request, 413, "The request body is larger than this service accepts; send less.")
                or render(request, "errors/400.html", status=400))
    return _api_error(request, 400, "Bad request.") or render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    detail = getattr(exception, "detail", None) or "You do not have permission to see this page."
    return _api_error(request, 403, detail) or render(request, "errors/403.html", {"detail": detail}, status=403)


def page_not_found(request, exception=None):
    return (_api_error(request, 404, "No API endpoint at this path; /api/docs lists them.")
            or render(request, "errors/404.html", status=404))


def server_error(request):
    return (_api_error(request, 500, "Internal error; it has been logged.")
            or render(request, "errors/500.html", status=500))


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """Send the admin site's sign-in to ours (password, then the second factor)."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
