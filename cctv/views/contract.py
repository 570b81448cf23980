from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.permissions import authorize, visible_to
from cctv.models import Contract


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Contract)
    contracts = visible_to(request.user, Contract.objects.select_related("owner", "contractor", "contract_owner"))
    return render(request, "cctv/contract.html", {
        "contracts": [(contract, contract.sla_terms.order_by("priority")) for contract in contracts],
    })
