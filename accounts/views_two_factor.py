"""Pages for the second factor: the code at sign-in, setting up an authenticator, the security page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.exceptions import InvalidInput
from accounts.sign_in import sign_in_complete, subject_of
from accounts.two_factor import (
    enrolment_confirm,
    enrolment_start,
    recovery_codes_left,
    recovery_codes_renew,
    role_requires_second_factor,
    second_factor_check,
    totp_device_of,
)
from accounts.user_sessions import sessions_end, sessions_of


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return reverse("home")


@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    user = subject_of(request)
    if user is None:
        return redirect("accounts:login")
    if totp_device_of(user) is None:
        return redirect(f"{reverse('accounts:two_factor_enrol')}?{urlencode({'next': _next(request)})}")
    error = ""
    if request.method == "POST":
        result = second_factor_check(user=user, code=request.POST.get("code", ""), ip_address=_ip(request))
        if result.device is not None:
            how = "recovery code" if result.recovery_code_used else "authenticator app"
            sign_in_complete(request, user, result.device, how)
            if result.recovery_code_used:
                messages.warning(request, f"You signed in with a recovery code; {recovery_codes_left(user)} left. "
                                          "Make new ones on your security page if you are running low.")
            return redirect(_next(request))
        error = result.error
    return render(request, "accounts/second_factor.html",
                  {"error": error, "next": _next(request), "pending_user": user}, status=400 if error else 200)


@never_cache
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: at a sign-in that needs one, or by choice from the security page."""
    user = subject_of(request)
    voluntary = user is None and request.user.is_authenticated
    if voluntary:
        user = request.user
    if user is None:
        return redirect("accounts:login")
    if totp_device_of(user) is not None:
        return redirect("accounts:security" if voluntary else "accounts:second_factor")
    enrolment = enrolment_start(user)
    error = ""
    if request.method == "POST":
        try:
            codes = enrolment_confirm(user=user, device=enrolment.device, code=request.POST.get("code", ""),
                                      ip_address=_ip(request), current_session_key=request.session.session_key)
        except InvalidInput as exc:
            error = exc.detail
        else:
            sign_in_complete(request, user, totp_device_of(user), "authenticator app (just set up)")
            # Shown once, in this response; the server keeps only what it needs to check them.
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})
    return render(request, "accounts/two_factor_enrol.html", {
        "enrolment": enrolment, "error": error, "next": _next(request), "pending_user": user,
        "required": role_requires_second_factor(user.role),
    }, status=400 if error else 200)


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "accounts/security.html", {
        "has_authenticator": totp_device_of(user) is not None,
        "required": role_requires_second_factor(user.role),
        "recovery_codes_left": recovery_codes_left(user),
        "sessions": sessions_of(user=user, current_key=request.session.session_key),
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    })


@login_required
@require_POST
def recovery_codes_renew_view(request: HttpRequest) -> HttpResponse:
    try:
        codes = recovery_codes_renew(user=request.user, ip_address=_ip(request))
    except InvalidInput as exc:
        messages.error(request, exc.detail)
        return redirect("accounts:security")
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:security")})


@login_required
@require_POST
def sessions_end_view(request: HttpRequest) -> HttpResponse:
    handle = request.POST.get("session", "")
    ended = sessions_end(user=request.user, handles=None if handle == "all-others" else {handle},
                         current_key=request.session.session_key, ip_address=_ip(request))
    messages.success(request, f"{ended} other session{'s' if ended != 1 else ''} ended.")
    return redirect("accounts:security")
