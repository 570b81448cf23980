"""One request: its state, deadlines, cameras, exhibits and custody log, and the moves allowed."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.exceptions import DomainError, WrongState
from accounts.permissions import actions_allowed, authorize, visible_to
from evidence.choices import REQUEST_STATES_FINAL, RequestKind
from evidence.models import EvidenceRequest
from evidence.services.exhibits import UPLOAD_STATES
from evidence.services.public_sar import sar_identity_verify
from evidence.services.release import BUNDLE_STATES, bundle_request, request_release
from evidence.workflow import MOVES, moves_for, transition

CASE_ACTIONS = ("upload_exhibit", "download_exhibit", "redact", "build_bundle", "view_custody", "verify_custody",
                "manage_deadlines", "release", "verify_identity")


def request_for(request: HttpRequest, request_id: int, action: str = "view") -> EvidenceRequest:
    requests = EvidenceRequest.objects.select_related("owner", "requester", "requester_organisation")
    evidence_request = get_object_or_404(visible_to(request.user, requests), pk=request_id)
    authorize(request.user, action, evidence_request)
    return evidence_request


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    evidence_request = request_for(request, request_id)
    allowed = actions_allowed(request.user, evidence_request, CASE_ACTIONS)
    moves = [(name, MOVES[name]) for name in moves_for(request.user, evidence_request) if name != "release"]
    custody = evidence_request.custody_events.select_related("exhibit") if "view_custody" in allowed else None
    location = evidence_request.location.transform(4326, clone=True) if evidence_request.location else None
    return render(request, "evidence/request_detail.html", {
        "can_upload": "upload_exhibit" in allowed and evidence_request.state in UPLOAD_STATES,
        "can_bundle": "build_bundle" in allowed and evidence_request.state in BUNDLE_STATES,
        "item": evidence_request,
        "allowed": allowed,
        "moves": moves,
        "can_release": "release" in moves_for(request.user, evidence_request),
        "deadlines": evidence_request.deadlines.all(),
        "cameras": evidence_request.request_cameras.select_related("camera"),
        "exhibits": evidence_request.exhibits.select_related("camera", "derived_from").order_by("reference"),
        "custody": custody,
        "bundles": evidence_request.bundles.all()[:5],
        "disclosures": evidence_request.disclosures.select_related("approved_by", "recipient_organisation"),
        "location": location,
        "identity_pending": evidence_request.kind == RequestKind.SAR and evidence_request.identity_verified_at is None,
        "can_verify_identity": ("verify_identity" in allowed and evidence_request.kind == RequestKind.SAR
                                and evidence_request.identity_verified_at is None
                                and evidence_request.state not in REQUEST_STATES_FINAL),
    })


@login_required
@require_POST
def request_identity_verify(request: HttpRequest, request_id: int) -> HttpResponse:
    evidence_request = request_for(request, request_id)
    proof_received_on = None
    if request.POST.get("proof_received_on"):
        try:
            proof_received_on = dt.date.fromisoformat(request.POST["proof_received_on"])
        except ValueError:
            messages.error(request, "The day the proof arrived is not a date (YYYY-MM-DD).")
            return redirect("evidence:request_detail", request_id=evidence_request.pk)
    try:
        sar_identity_verify(request=evidence_request, by=request.user, note=request.POST.get("note", ""),
                            proof_received_on=proof_received_on)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"{evidence_request.reference}: identity verified; the SAR clock runs from the day "
                                  "the proof arrived.")
    return redirect("evidence:request_detail", request_id=evidence_request.pk)


@login_required
@require_POST
def request_move(request: HttpRequest, request_id: int, move: str) -> HttpResponse:
    evidence_request = request_for(request, request_id)
    try:
        transition(request=evidence_request, move=move, by=request.user, reason=request.POST.get("reason", ""),
                   place=request.POST.get("place", ""))
    except WrongState as exc:
        allowed = ", ".join(exc.allowed) or "none"
        messages.error(request, f"{exc.detail} Moves allowed now: {allowed}.")
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"{evidence_request.reference}: {move.replace('_', ' ')} recorded.")
    return redirect("evidence:request_detail", request_id=evidence_request.pk)


@login_required
@require_POST
def request_bundle(request: HttpRequest, request_id: int) -> HttpResponse:
    evidence_request = request_for(request, request_id)
    try:
        bundle = bundle_request(request=evidence_request, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Bundle {bundle.pk} is being built; this page shows it when ready.")
    return redirect("evidence:request_detail", request_id=evidence_request.pk)


@login_required
@require_POST
def request_release_view(request: HttpRequest, request_id: int) -> HttpResponse:
    evidence_request = request_for(request, request_id)
    try:
        disclosure = request_release(request=evidence_request, by=request.user,
                                     recipient_name=request.POST.get("recipient_name", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Released to {disclosure.recipient_name}; chain head {disclosure.chain_head}.")
    return redirect("evidence:request_detail", request_id=evidence_request.pk)
