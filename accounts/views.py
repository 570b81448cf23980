from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.exceptions import DomainError
from accounts.forms import ApiTokenForm
from accounts.models import AccessLogEntry, ApiToken
from accounts.permissions import authorize
from accounts.selectors import access_log_visible_to, api_tokens_visible_to
from accounts.services import api_token_create, api_token_revoke
from accounts.sign_in import pending_start
from accounts.two_factor import role_requires_second_factor, totp_device_of


class LoginView(auth_views.LoginView):
    """The password step. For a user who needs a second factor it starts a pending sign-in
    (accounts.sign_in) instead of signing in."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        device = totp_device_of(user)
        if device is not None or role_requires_second_factor(user.role):
            pending_start(self.request, user)
            target = "accounts:second_factor" if device is not None else "accounts:two_factor_enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': self.get_success_url()})}")
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def api_token_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", ApiToken)
    issued = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        authorize(request.user, "add", ApiToken)
        try:
            issued = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", exc.detail)
        else:
            form = ApiTokenForm()
    tokens = api_tokens_visible_to(request.user).filter(user=request.user)
    return render(request, "accounts/token_list.html", {"tokens": tokens, "form": form, "issued": issued})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_visible_to(request.user), pk=token_id)
    authorize(request.user, "revoke", token)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("accounts:tokens")


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", AccessLogEntry)
    page = Paginator(access_log_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {"page": page})
