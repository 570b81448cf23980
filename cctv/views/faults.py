"""Fault list and detail with SLA clocks; the workflow buttons call the fault services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.exceptions import DomainError
from accounts.models import User
from accounts.permissions import actions_allowed, authorize, can
from cctv.choices import FAULT_PRIORITY_COLOUR, FAULT_STATUSES_ACTIVE, FaultPriority, FaultStatus
from cctv.models import Fault
from cctv.selectors import cameras_visible_to, fault_cameras_taken_down, fault_clocks, faults_visible_to
from cctv.services import faults as fault_services

WORKFLOW = {
    "acknowledge": ("change", fault_services.fault_acknowledge),
    "fix": ("change", fault_services.fault_fix),
    "close": ("close", fault_services.fault_close),
}


@login_required
def fault_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Fault)
    faults = faults_visible_to(request.user)
    status = request.GET.get("status", "active")
    if status == "active":
        faults = faults.filter(status__in=FAULT_STATUSES_ACTIVE)
    elif status in FaultStatus.values:
        faults = faults.filter(status=status)
    priority = request.GET.get("priority", "")
    if priority in FaultPriority.values:
        faults = faults.filter(priority=priority)
    if request.GET.get("breached") == "1":
        faults = faults.filter(Q(response_breached_at__isnull=False) | Q(fix_breached_at__isnull=False))
    page = Paginator(faults.order_by("-reported_at"), 50).get_page(request.GET.get("page"))
    rows = [(fault, fault_clocks(fault)) for fault in page]
    return render(request, "cctv/fault_list.html", {
        "page": page, "rows": rows, "status": status, "priority": priority,
        "statuses": FaultStatus.choices, "priorities": FaultPriority.choices,
        "breached": request.GET.get("breached") == "1", "priority_colours": FAULT_PRIORITY_COLOUR,
        "can_add": can(request.user, "add", Fault),
    })


def _fault_for(request: HttpRequest, fault_id: int) -> Fault:
    fault = get_object_or_404(faults_visible_to(request.user).select_related("contract"), pk=fault_id)
    authorize(request.user, "view", fault)
    return fault


@login_required
def fault_detail(request: HttpRequest, fault_id: int) -> HttpResponse:
    fault = _fault_for(request, fault_id)
    allowed = actions_allowed(request.user, fault, ("change", "close"))
    moves = fault_services.fault_transitions_allowed(fault.status)
    engineers = []
    if "close" in allowed:  # those who run the queue assign it
        engineers = User.objects.filter(role=Role.ENGINEER, is_active=True,
                                        organisation_id=fault.contract.contractor_id if fault.contract else None)
    return render(request, "cctv/fault_detail.html", {
        "fault": fault, "clocks": fault_clocks(fault), "allowed": allowed, "moves": moves,
        "taken_down": fault_cameras_taken_down(fault), "notes": fault.notes.select_related("author"),
        "engineers": engineers,
    })


@login_required
@require_POST
def fault_move(request: HttpRequest, fault_id: int, move: str) -> HttpResponse:
    fault = _fault_for(request, fault_id)
    try:
        if move in WORKFLOW:
            action, service = WORKFLOW[move]
            authorize(request.user, action, fault)
            service(fault=fault, by=request.user)
        elif move == "cancel":
            authorize(request.user, "close", fault)
            fault_services.fault_cancel(fault=fault, by=request.user, reason=request.POST.get("reason", ""))
        elif move == "assign":
            authorize(request.user, "close", fault)
            assignee = get_object_or_404(User, pk=request.POST.get("assignee") or 0)
            fault_services.fault_assign(fault=fault, by=request.user, assignee=assignee)
        elif move == "note":
            authorize(request.user, "change", fault)
            fault_services.fault_note_add(fault=fault, by=request.user, text=request.POST.get("text", ""))
        else:
            return HttpResponse("Unknown action.", status=400)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"{fault.reference}: done.")
    return redirect("cctv:fault_detail", fault_id=fault.pk)


@login_required
def fault_new(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "add", Fault)
    camera = None
    if request.GET.get("camera") or request.POST.get("camera"):
        camera = get_object_or_404(cameras_visible_to(request.user), pk=request.GET.get("camera") or
                                   request.POST.get("camera"))
    error = None
    if request.method == "POST":
        try:
            fault = fault_services.fault_open(
                by=request.user, priority=request.POST.get("priority", ""), summary=request.POST.get("summary", ""),
                description=request.POST.get("description", ""), camera=camera,
            )
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, f"Fault {fault.reference} opened.")
            return redirect("cctv:fault_detail", fault_id=fault.pk)
    cameras = cameras_visible_to(request.user).order_by("asset_ref").only("id", "asset_ref", "name")
    return render(request, "cctv/fault_form.html", {
        "camera": camera, "cameras": cameras, "priorities": FaultPriority.choices, "error": error,
        "values": request.POST,
    }, status=400 if error else 200)
