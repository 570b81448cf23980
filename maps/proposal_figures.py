"""What a proposal would do: coverage before and after, overlap, distance to the network, fibre cost.

Everything spatial is answered in PostGIS in two queries whatever the number of items or
incidents (maps/sql/proposal_coverage_change.sql and proposal_item_figures.sql), never by
looping in Python (DESIGN.md 2D). The items go in as bound arrays rather than as a table, so
the same two queries answer a saved proposal and a hypothetical item being dragged on the map
(the preview): both go through figures_for_items, so they cannot disagree.

Which estate and which incidents: the proposal's owner's cameras that are recording
(operational or degraded) with a surveyed view, as maps.coverage counts them; the incidents
the user may see that are police open data or the owner's own local records, so everyone who
may see a proposal sees the same figures for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Q, QuerySet

from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from accounts.permissions import visible_to
from cctv.choices import CAMERA_STATUSES_UP, NetworkStatus
from cctv.models import Camera, Node
from maps import queries
from maps.coverage import incidents_selected
from maps.models import Incident, Proposal, ProposalItem
from maps.proposals import fibre_cost_rate_gbp_per_m, item_build, proposal_get, proposal_owner_for

ROUTING_FACTOR = Decimal("1.3")
DEFAULT_PERIOD_MONTHS = 12
PENNY = Decimal("0.01")


def fibre_rule(rate_gbp_per_m: Decimal) -> str:
    """The costing rule in words, shown beside every figure it produced."""
    return (f"New fibre is estimated as the straight-line distance from the camera to the owner's nearest "
            f"in-service network node × {ROUTING_FACTOR} (a routing factor: ducts follow streets, not the "
            f"crow's flight), rounded to 0.1 m, and costed at £{rate_gbp_per_m}/m.")


@dataclass(frozen=True)
class CategoryChange:
    category: str
    incidents: int
    covered_before: int
    covered_after: int
    gained: int  # covered only after
    lost: int  # covered only before


@dataclass(frozen=True)
class CoverageChange:
    month_from: dt.date | None  # None when there are no incidents to count at all
    month_to: dt.date | None
    categories: tuple[str, ...]  # as asked; empty means every category
    incidents: int
    covered_before: int
    covered_after: int
    gained: int
    lost: int
    by_category: tuple[CategoryChange, ...]

    @property
    def net_change(self) -> int:
        return self.covered_after - self.covered_before


@dataclass(frozen=True)
class ItemFigures:
    item_id: int | None  # None for a preview
    kind: str
    camera_id: int | None
    name: str
    view_area_m2: float
    overlap_m2: float  # of this view, inside the union of the other views
    overlap_pct: float  # of this view's area, one decimal
    nearest_node_id: int | None  # None when the owner has no node in service
    nearest_node_name: str | None
    node_distance_m: float | None
    fibre_length_m: float | None
    fibre_cost_gbp: Decimal | None


@dataclass(frozen=True)
class ProposalFigures:
    coverage: CoverageChange
    items: tuple[ItemFigures, ...]
    fibre_cost_gbp_per_m: Decimal
    fibre_rule: str

    @property
    def fibre_length_m(self) -> float:
        return round(sum(item.fibre_length_m or 0 for item in self.items), 1)

    @property
    def fibre_cost_gbp(self) -> Decimal:
        return sum((item.fibre_cost_gbp or Decimal(0) for item in self.items), Decimal("0.00"))


# the estate and the incidents counted


def estate_cameras(owner: Organisation) -> QuerySet[Camera]:
    return Camera.objects.filter(owner=owner, status__in=CAMERA_STATUSES_UP, view_polygon__isnull=False)


def network_nodes(owner: Organisation) -> QuerySet[Node]:
    return Node.objects.filter(owner=owner, status=NetworkStatus.IN_SERVICE)


def _months_before(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def counted_incidents(
    user: User, *, owner: Organisation, month_from: dt.date | None, month_to: dt.date | None,
    categories: Sequence[str],
) -> tuple[QuerySet[Incident], dt.date | None, dt.date | None]:
    """The incidents counted and the period they span: by default the last 12 months that have any."""
    scope = Q(owner__isnull=True) | Q(owner=owner)
    if month_to is None:
        latest = incidents_selected(user).filter(scope).aggregate(latest=Max("month"))["latest"]
        month_to = max(latest, month_from) if latest and month_from else latest or month_from
    if month_from is None and month_to is not None:
        month_from = _months_before(month_to, DEFAULT_PERIOD_MONTHS - 1)
    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories)
    return incidents.filter(scope), month_from, month_to


# the figures


def _arrays(items: Sequence[ProposalItem]) -> tuple[list[str], list[str], list[int | None]]:
    return ([item.view_polygon.hexewkb.decode() for item in items], [item.location.hexewkb.decode() for item in items],
            [item.camera_id if item.kind == "move" else None for item in items])


def _coverage_change(owner: Organisation, incidents: QuerySet, items: Sequence[ProposalItem], *,
                     month_from, month_to, categories: tuple[str, ...]) -> CoverageChange:
    cameras = estate_cameras(owner)
    _, before = queries.coverage_counts_by_category(cameras, incidents)
    views, _, camera_ids = _arrays(items)
    changes = {category: (gained, lost) for category, gained, lost in queries._execute(
        "proposal_coverage_change", {
            "cameras": (cameras, ("id", "view_polygon")),
            "incidents": (incidents, queries.INCIDENT_COVERAGE_COLUMNS),
        }, (views, camera_ids))} if items else {}
    by_category = {}
    for row in before:
        gained, lost = changes.get(row.category, (0, 0))
        by_category[row.category] = CategoryChange(row.category, row.total, row.covered, row.covered + gained - lost,
                                                   gained, lost)
    for category in categories:
        by_category.setdefault(category, CategoryChange(category, 0, 0, 0, 0, 0))
    rows = by_category.values()
    return CoverageChange(
        month_from, month_to, categories, incidents=sum(r.incidents for r in rows),
        covered_before=sum(r.covered_before for r in rows), covered_after=sum(r.covered_after for r in rows),
        gained=sum(r.gained for r in rows), lost=sum(r.lost for r in rows),
        by_category=tuple(sorted(rows, key=lambda change: change.category)),
    )


def _item_figures(owner: Organisation, items: Sequence[ProposalItem], rate: Decimal) -> list[ItemFigures]:
    if not items:
        return []
    rows = queries._execute("proposal_item_figures", {
        "cameras": (estate_cameras(owner), ("id", "view_polygon")),
        "nodes": (network_nodes(owner), ("id", "name", "location")),
    }, _arrays(items))
    figures = []
    for item, (_, area, overlap, node_id, node_name, distance) in zip(items, rows, strict=True):
        fibre_m = round(distance * float(ROUTING_FACTOR), 1) if distance is not None else None
        figures.append(ItemFigures(
            item_id=item.pk, kind=item.kind, camera_id=item.camera_id, name=item.name or str(item.camera or ""),
            view_area_m2=round(area, 1), overlap_m2=round(overlap, 1),
            overlap_pct=round(100 * overlap / area, 1) if area else 0.0,
            nearest_node_id=node_id, nearest_node_name=node_name,
            node_distance_m=round(distance, 1) if distance is not None else None, fibre_length_m=fibre_m,
            fibre_cost_gbp=(Decimal(str(fibre_m)) * rate).quantize(PENNY, ROUND_HALF_UP) if fibre_m is not None
            else None,
        ))
    return figures


def figures_for_items(
    user: User, *, owner: Organisation, items: Sequence[ProposalItem], rate_gbp_per_m: Decimal,
    month_from: dt.date | None = None, month_to: dt.date | None = None, categories: Sequence[str] = (),
) -> ProposalFigures:
    """The figures of a set of items (saved or not) against `owner`'s estate."""
    incidents, month_from, month_to = counted_incidents(user, owner=owner, month_from=month_from,
                                                        month_to=month_to, categories=categories)
    categories = tuple(dict.fromkeys(category.strip() for category in categories))
    return ProposalFigures(
        coverage=_coverage_change(owner, incidents, items, month_from=month_from, month_to=month_to,
                                  categories=categories),
        items=tuple(_item_figures(owner, items, rate_gbp_per_m)),
        fibre_cost_gbp_per_m=rate_gbp_per_m, fibre_rule=fibre_rule(rate_gbp_per_m),
    )


def proposal_figures(
    user: User, *, proposal: Proposal, month_from: dt.date | None = None, month_to: dt.date | None = None,
    categories: Sequence[str] = (),
) -> ProposalFigures:
    """A proposal's figures, costed at the rate it was created with."""
    proposal = proposal_get(user, proposal.pk)
    items = list(proposal.items.select_related("camera").order_by("id"))
    return figures_for_items(user, owner=proposal.owner, items=items, rate_gbp_per_m=proposal.fibre_cost_gbp_per_m,
                             month_from=month_from, month_to=month_to, categories=categories)


def proposal_preview(
    user: User, *, owner_id: int | None = None, month_from: dt.date | None = None, month_to: dt.date | None = None,
    categories: Sequence[str] = (), **item: object,
) -> ProposalFigures:
    """The figures of one hypothetical item, saved nowhere: for dragging a camera on the map.

    The owner is the moved camera's, or for a new camera owner_id (by default the user's own
    organisation); the user must be one who may make proposals for it.
    """
    owner = proposal_owner_for(user, owner_id if item.get("kind") != "move" else _camera_owner_id(user, item))
    built = item_build(owner=owner, **item)
    return figures_for_items(user, owner=owner, items=[built], rate_gbp_per_m=fibre_cost_rate_gbp_per_m(),
                             month_from=month_from, month_to=month_to, categories=categories)


def _camera_owner_id(user: User, item: dict) -> int | None:
    camera_id = item.get("camera_id")
    if camera_id is None:
        return None
    owner_id = visible_to(user, Camera.objects.filter(pk=camera_id)).values_list("owner_id", flat=True).first()
    if owner_id is None:
        raise InvalidInput(f"Camera {camera_id} does not exist or is not visible to you.")
    return owner_id
