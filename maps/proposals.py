"""Relocation and new-install proposals: their items, their workflow, and applying them (DESIGN.md 2D).

A proposal is a plan, not a change: until it is "done" nothing in the estate moves. The
Operational Group decides (approve, or reject with a reason); the estate's owner applies an
approved proposal, and each item then goes through the estate's own services
(cctv.services.cameras.camera_relocate / camera_create), so the register keeps the same
history (pghistory, with the proposal in the reason) as any other relocation or new camera.

Who may do what is accounts.permissions' "maps.proposal" rule; this module only asks it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.exceptions import Forbidden, InvalidInput, NotVisible, WrongState
from accounts.models import Organisation, User
from accounts.permissions import authorize, can, organisations_visible_to, role_may, visible_to
from cctv.choices import CameraKind, CameraStatus
from cctv.geometry import field_of_view, to_storage
from cctv.models import Camera
from cctv.services.cameras import camera_create, camera_relocate
from maps.choices import ProposalItemKind, ProposalStatus
from maps.models import Proposal, ProposalItem

logger = logging.getLogger(__name__)

DEFAULT_FIBRE_COST_GBP_PER_M = Decimal("85")
MAX_ITEMS = 50  # a proposal is a handful of changes; the figures query grows with every item
ITEM_CAMERA_KINDS = (CameraKind.FIXED, CameraKind.PTZ)
ITEM_CHANGEABLE = {"location", "name", "camera_kind", "bearing_deg", "view_angle_deg", "view_range_m"}

# The workflow: move -> (the state it starts from, the state it leads to, the permission it needs).
MOVES: dict[str, tuple[str, str, str]] = {
    "submit": (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, "submit"),
    "approve": (ProposalStatus.SUBMITTED, ProposalStatus.APPROVED, "decide"),
    "reject": (ProposalStatus.SUBMITTED, ProposalStatus.REJECTED, "decide"),
    "apply": (ProposalStatus.APPROVED, ProposalStatus.DONE, "apply"),
}
MOVE_PAST = {"submit": "submitted", "approve": "approved", "reject": "rejected", "apply": "applied"}


def fibre_cost_rate_gbp_per_m() -> Decimal:
    """The rate new proposals are costed at (settings.PROPOSAL_FIBRE_COST_GBP_PER_M, pounds per metre)."""
    return Decimal(str(getattr(settings, "PROPOSAL_FIBRE_COST_GBP_PER_M", DEFAULT_FIBRE_COST_GBP_PER_M)))


def moves_allowed(status: str) -> list[str]:
    return [move for move, (start, _, _) in MOVES.items() if start == status]


# who sees what


def require_proposal_role(user: User, action: str = "view") -> None:
    """Forbidden (403) for a role that has nothing to do with proposals at all (police)."""
    if not role_may(user, action, "maps.proposal"):
        raise Forbidden("Your role may not see or make relocation proposals." if action == "view"
                        else f"Your role may not {action} relocation proposals.")


def proposals_visible_to(user: User) -> QuerySet[Proposal]:
    """The proposals of the user's organisation and of those that share their estate with it."""
    require_proposal_role(user)
    return visible_to(user, Proposal.objects.select_related("owner", "created_by")).annotate(
        item_count=Count("items"))


def proposal_get(user: User, proposal_id: int, *, action: str = "view") -> Proposal:
    """The proposal if the user may see it (NotVisible otherwise) and may take `action` on it."""
    proposal = visible_to(user, Proposal.objects.select_related("owner", "created_by", "decided_by", "applied_by")
                          ).filter(pk=proposal_id).first()
    if proposal is None:
        raise NotVisible(f"Proposal {proposal_id} does not exist or is not visible to you.")
    authorize(user, action, proposal)
    return proposal


def proposal_owner_for(user: User, owner_id: int | None, *, action: str = "add") -> Organisation:
    """The estate a proposal is about: the one asked for, or the user's own organisation.

    An operator works for a contractor and plans for the council that shares with it, so the
    owner may be any council whose estate the user can see; with none named, the user's own
    council, or the one council that shares its estate with the user's organisation.
    """
    require_proposal_role(user, action)
    if owner_id is None:
        councils = list(Organisation.objects.filter(
            pk__in=organisations_visible_to(user) if user.organisation_id else [], kind=OrganisationKind.COUNCIL,
        ).values_list("pk", flat=True))
        if user.organisation_id in councils:
            owner_id = user.organisation_id
        elif len(councils) == 1:
            owner_id = councils[0]
        else:
            raise InvalidInput("Give owner_id: the council whose estate the proposal changes.")
    owner = Organisation.objects.filter(pk=owner_id).first()
    if owner is None:
        raise InvalidInput(f"Organisation {owner_id} does not exist.")
    authorize(user, action, Proposal(owner=owner))
    if owner.kind != OrganisationKind.COUNCIL:
        raise InvalidInput(f"{owner.name} is not a council: a proposal changes a council's camera estate.")
    return owner


# items


def item_build(
    *, owner: Organisation, kind: str, location: Point, camera_id: int | None = None, name: str = "",
    camera_kind: str | None = None, bearing_deg: float | None = None, view_angle_deg: float | None = None,
    view_range_m: float | None = None,
) -> ProposalItem:
    """An unsaved, checked item with its field of view: what the figures and the preview use.

    A move takes the camera's own kind, and its current bearing, angle and range for any that
    are not given; a PTZ camera covers the full circle of its range (cctv.geometry.field_of_view).
    """
    if kind not in ProposalItemKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ProposalItemKind.values)}; not {kind!r}.")
    camera = None
    if kind == ProposalItemKind.MOVE:
        if camera_id is None:
            raise InvalidInput("A move needs camera_id: the camera to move.")
        camera = Camera.objects.filter(pk=camera_id, owner=owner).first()
        if camera is None:
            raise InvalidInput(f"Camera {camera_id} is not in the estate of {owner}.")
        camera_kind = camera.kind
        bearing_deg = camera.bearing_deg if bearing_deg is None else bearing_deg
        view_angle_deg = camera.view_angle_deg if view_angle_deg is None else view_angle_deg
        view_range_m = camera.view_range_m if view_range_m is None else view_range_m
        name = ""
    else:
        if camera_id is not None:
            raise InvalidInput("A new camera is not an existing one: leave camera_id out of an add.")
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise InvalidInput("A new camera needs a name of at most 200 characters.")
        camera_kind = camera_kind or CameraKind.FIXED
        if camera_kind not in ITEM_CAMERA_KINDS:
            raise InvalidInput(f"camera_kind must be fixed or ptz; not {camera_kind!r}.")
    _check_view(bearing_deg, view_angle_deg, view_range_m)
    stored = to_storage(location)
    view = field_of_view(stored, bearing_deg=bearing_deg, angle_deg=view_angle_deg, range_m=view_range_m,
                         full_circle=camera_kind == CameraKind.PTZ)
    if view is None:
        raise InvalidInput("A fixed camera needs a bearing_deg and a view_angle_deg to have a field of view.")
    return ProposalItem(kind=kind, camera=camera, name=name, camera_kind=camera_kind, location=stored,
                        bearing_deg=bearing_deg, view_angle_deg=view_angle_deg, view_range_m=view_range_m,
                        view_polygon=view)


def _check_view(bearing_deg: float | None, view_angle_deg: float | None, view_range_m: float | None) -> None:
    # The same bounds as the Camera model's validators, so an applied item is always a valid camera.
    if view_range_m is None or not 1 <= view_range_m <= 1000:
        raise InvalidInput(f"view_range_m must be between 1 and 1000 metres; got {view_range_m}.")
    if bearing_deg is not None and not 0 <= bearing_deg < 360:
        raise InvalidInput(f"bearing_deg must be at least 0 and below 360; got {bearing_deg}.")
    if view_angle_deg is not None and not 1 <= view_angle_deg <= 360:
        raise InvalidInput(f"view_angle_deg must be between 1 and 360; got {view_angle_deg}.")


def _locked_draft(proposal: Proposal) -> Proposal:
    """The proposal's row, locked, if it is still a draft: only a draft can be edited."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.DRAFT:
        raise WrongState(f"Proposal {locked.pk} is {locked.get_status_display().lower()}; only a draft can be "
                         "edited.", allowed=moves_allowed(locked.status))
    return locked


def _check_one_move_per_camera(proposal: Proposal, item: ProposalItem) -> None:
    if item.kind != ProposalItemKind.MOVE:
        return
    others = proposal.items.filter(kind=ProposalItemKind.MOVE, camera_id=item.camera_id).exclude(pk=item.pk)
    if others.exists():
        raise InvalidInput(f"Camera {item.camera_id} is already moved by item {others.first().pk} of this "
                           "proposal; change that item instead.")


@transaction.atomic
def proposal_item_add(*, proposal: Proposal, by: User, kind: str, location: Point, camera_id: int | None = None,
                      **view: Any) -> ProposalItem:
    """Add a move or a new camera to a draft proposal."""
    authorize(by, "change", proposal)
    proposal = _locked_draft(proposal)
    if proposal.items.count() >= MAX_ITEMS:
        raise InvalidInput(f"A proposal holds at most {MAX_ITEMS} items; split it into two proposals.")
    item = item_build(owner=proposal.owner, kind=kind, location=location, camera_id=camera_id, **view)
    item.proposal = proposal
    _check_one_move_per_camera(proposal, item)
    item.save()
    logger.info("proposal item added proposal=%s item=%s kind=%s", proposal.pk, item.pk, kind)
    return item


@transaction.atomic
def proposal_item_update(*, item: ProposalItem, by: User, **changes: Any) -> ProposalItem:
    """Change an item's place, name or view; the field of view is rebuilt from the result."""
    unknown = set(changes) - ITEM_CHANGEABLE
    if unknown:
        raise InvalidInput(f"These cannot be changed on an item: {', '.join(sorted(unknown))}. To move another "
                           "camera, remove the item and add a new one.")
    authorize(by, "change", item.proposal)
    proposal = _locked_draft(item.proposal)
    fields = {"location": item.location, "name": item.name, "camera_kind": item.camera_kind,
              "bearing_deg": item.bearing_deg, "view_angle_deg": item.view_angle_deg,
              "view_range_m": item.view_range_m, **changes}
    if item.kind == ProposalItemKind.MOVE:
        fields.pop("name")
        fields.pop("camera_kind")
    rebuilt = item_build(owner=proposal.owner, kind=item.kind, camera_id=item.camera_id, **fields)
    rebuilt.pk, rebuilt.proposal = item.pk, proposal
    rebuilt.save()
    return rebuilt


@transaction.atomic
def proposal_item_remove(*, item: ProposalItem, by: User) -> None:
    authorize(by, "change", item.proposal)
    _locked_draft(item.proposal)
    item.delete()


# proposals


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise InvalidInput("A proposal needs a title of at most 200 characters.")
    return title


@transaction.atomic
def proposal_create(*, by: User, title: str, rationale: str = "", owner: Organisation) -> Proposal:
    """A new draft for `owner`'s estate, costed at today's fibre rate (kept with it, so figures don't drift)."""
    authorize(by, "add", Proposal(owner=owner))
    proposal = Proposal.objects.create(owner=owner, title=_check_title(title), rationale=rationale or "",
                                       fibre_cost_gbp_per_m=fibre_cost_rate_gbp_per_m(), created_by=by)
    logger.info("proposal created id=%s owner=%s user=%s", proposal.pk, owner.pk, by.pk)
    return proposal


@transaction.atomic
def proposal_update(*, proposal: Proposal, by: User, title: str | None = None,
                    rationale: str | None = None) -> Proposal:
    authorize(by, "change", proposal)
    proposal = _locked_draft(proposal)
    if title is not None:
        proposal.title = _check_title(title)
    if rationale is not None:
        proposal.rationale = rationale
    proposal.save(update_fields=["title", "rationale"])
    return proposal


@transaction.atomic
def proposal_delete(*, proposal: Proposal, by: User) -> None:
    """Only a draft can be withdrawn; a decided proposal is part of the record."""
    authorize(by, "change", proposal)
    _locked_draft(proposal).delete()


def _locked_for(proposal: Proposal, move: str, by: User) -> Proposal:
    """Check the user may make `move`, then lock the row and check the state under the lock.

    The state is checked after the lock so two people deciding at once cannot both succeed.
    """
    start, _, action = MOVES[move]
    authorize(by, action, proposal)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != start:
        raise WrongState(f"Proposal {locked.pk} is {locked.get_status_display().lower()}: it cannot be "
                         f"{MOVE_PAST[move]} now.", allowed=moves_allowed(locked.status))
    return locked


def _moved(proposal: Proposal, move: str, by: User) -> None:
    proposal.status = MOVES[move][1]
    logger.info("proposal=%s %s->%s user=%s", proposal.pk, MOVES[move][0], proposal.status, by.pk)


@transaction.atomic
def proposal_submit(*, proposal: Proposal, by: User, at: datetime | None = None) -> Proposal:
    """Send a draft to the Operational Group; it can no longer be edited."""
    proposal = _locked_for(proposal, "submit", by)
    if not proposal.items.exists():
        raise InvalidInput("A proposal needs at least one item (a move or a new camera) before it is submitted.")
    proposal.submitted_at = at or timezone.now()
    _moved(proposal, "submit", by)
    proposal.save(update_fields=["status", "submitted_at"])
    return proposal


@transaction.atomic
def proposal_decide(*, proposal: Proposal, by: User, approve: bool, reason: str = "",
                    at: datetime | None = None) -> Proposal:
    """The Operational Group's decision. A rejection must say why, so the author can act on it."""
    move = "approve" if approve else "reject"
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput("A rejection needs a reason.")
    proposal = _locked_for(proposal, move, by)
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = by, at or timezone.now(), reason
    _moved(proposal, move, by)
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return proposal


def history_reason(proposal: Proposal) -> str:
    """The reason each estate change carries in its history: which proposal made it."""
    return f"Proposal {proposal.pk}: {proposal.title}"


@transaction.atomic
def proposal_apply(*, proposal: Proposal, by: User, at: datetime | None = None) -> Proposal:
    """Make an approved proposal real, all of it or none of it (one transaction).

    Each move is a camera_relocate and each add a camera_create with status planned (it is not
    installed yet); both record history with the proposal as the reason. A camera that can no
    longer be moved (its row fails validation) rolls the whole proposal back.
    """
    proposal = _locked_for(proposal, "apply", by)
    at = at or timezone.now()
    reason = history_reason(proposal)
    for item in proposal.items.select_related("camera").order_by("id"):
        view = {"bearing_deg": item.bearing_deg, "view_angle_deg": item.view_angle_deg,
                "view_range_m": item.view_range_m}
        # One history context per item; nested inside the service's own, it adds the proposal's id.
        with pghistory.context(proposal=proposal.pk, reason=reason):
            if item.kind == ProposalItemKind.MOVE:
                camera_relocate(camera=item.camera, by=by, location=item.location, reason=reason,
                                relocated_on=timezone.localdate(at), **view)
            else:
                item.created_camera = camera_create(
                    owner=proposal.owner, by=by, status_at=at, asset_ref=f"P{proposal.pk}-{item.pk}",
                    name=item.name, kind=item.camera_kind, location=item.location, status=CameraStatus.PLANNED,
                    purpose=reason, **view)
                item.save(update_fields=["created_camera"])
    proposal.applied_by, proposal.applied_at = by, at
    _moved(proposal, "apply", by)
    proposal.save(update_fields=["status", "applied_by", "applied_at"])
    return proposal


def proposal_moves_for(user: User, proposal: Proposal) -> list[str]:
    """The workflow moves this user may make on the proposal now: which buttons the page shows."""
    return [move for move, (start, _, action) in MOVES.items()
            if proposal.status == start and can(user, action, proposal)]

