"""The scheme statement page (/estate/scheme/): what the public page says about a council's scheme."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.choices import OrganisationKind
from accounts.exceptions import DomainError
from accounts.models import Organisation
from accounts.permissions import authorize, can
from cctv.forms_scheme import SchemeForm
from cctv.models import Scheme
from cctv.services.scheme import SCHEME_FIELDS, scheme_for, scheme_save


def _council_chosen(request: HttpRequest) -> Organisation | None:
    """?owner=<id>, else the user's own council; None when neither (a contractor's staff, an administrator)."""
    chosen = request.GET.get("owner")
    if chosen is not None:
        council = Organisation.objects.filter(pk=int(chosen) if chosen.isdigit() else 0,
                                              kind=OrganisationKind.COUNCIL).first()
        if council is None:
            raise Http404("No such council.")
        return council
    organisation = request.user.organisation
    return organisation if organisation is not None and organisation.kind == OrganisationKind.COUNCIL else None


@login_required
def scheme_edit(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Scheme)
    council = _council_chosen(request)
    if council is None:
        if request.method == "POST":
            authorize(request.user, "change", Scheme)  # 403 for a role that may not write any statement
        councils = [c for c in Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("name")
                    if can(request.user, "view", Scheme(owner=c))]
        # A POST that names no council has nothing to save: choose one first.
        return render(request, "cctv/scheme_form.html", {"councils": councils},
                      status=400 if request.method == "POST" else 200)
    scheme = scheme_for(council)
    authorize(request.user, "view", scheme)
    may_change = can(request.user, "change", scheme)
    form = SchemeForm(request.POST or None, instance=scheme)
    if request.method == "POST":
        authorize(request.user, "change", scheme)
        if form.is_valid():
            try:
                scheme_save(owner=council, by=request.user,
                            **{name: form.cleaned_data[name] for name in SCHEME_FIELDS})
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, "The scheme statement is saved. " + (
                    "It is on the public page." if form.cleaned_data["published"]
                    else "It is not published: the public page does not show it."))
                return redirect(request.get_full_path())
    if not may_change:
        for field in form.fields.values():
            field.disabled = True
    context = {"form": form, "scheme": scheme, "council": council, "may_change": may_change}
    return render(request, "cctv/scheme_form.html", context, status=400 if request.method == "POST" else 200)
