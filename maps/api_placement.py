"""Placement suggestions, mounted at /api/maps/placement/ (issue 6, DESIGN.md 5).

POST /suggest: the k camera configurations that would see the most incidents no camera sees now,
solved exactly (HiGHS) and by greedy, with both figures. POST /adopt: turn chosen suggestions into
a draft proposal for the Operational Group. Thin: checks and rules are in maps.placement.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from maps.placement import AdoptedCamera, Solution, Suggestion, placement_adopt, placement_suggest
from maps.services import month_parse

router = Router(tags=["maps: placement"])


class PlacementSuggestIn(Schema):
    k: int = Field(..., description="How many new cameras.", examples=[3])
    candidates: str = Field("grid", description="'grid': points grid_spacing_m apart near the incidents; "
                                                "'sites': the candidate sites entered by staff.")
    grid_spacing_m: float = Field(100.0, description="Grid spacing in metres (grid candidates).")
    max_distance_to_network_m: float | None = Field(
        None, description="Only sites this close to an in-service network node; anywhere when absent.")
    bearings: int = Field(8, description="Bearings tried at each site, evenly spaced from grid north.")
    angle_deg: float = Field(60.0, description="Field-of-view angle in degrees.")
    range_m: float = Field(50.0, description="Field-of-view range in metres.")
    full_circle: bool = Field(False, description="PTZ: one full-circle configuration per site instead of bearings.")
    month_from: str = Field(..., description="First month counted, YYYY-MM.", examples=["2024-01"])
    month_to: str = Field(..., description="Last month counted (inclusive), YYYY-MM.", examples=["2024-12"])
    categories: list[str] = Field(default_factory=list, description="Only these crime types; all when empty.")
    category_weights: dict[str, float] = Field(default_factory=dict,
                                               description="Weight per crime type (default 1).")
    time_limit_s: float = Field(30.0, description="Time limit for the exact solver, in seconds.")


class SiteOut(Schema):
    candidate_site_id: int | None
    name: str
    longitude: float
    latitude: float
    easting: float
    northing: float


class SuggestedCameraOut(Schema):
    site: SiteOut
    bearing_deg: float | None = Field(description="Degrees from grid north; null for a full circle (PTZ).")
    angle_deg: float
    range_m: float
    incidents_in_view: int = Field(description="Uncovered incidents this camera would see on its own.")
    incidents_gained: int = Field(description="What it adds to the cameras listed before it.")
    weight_gained: float


class SolutionOut(Schema):
    method: str
    objective: float = Field(description="Weighted incidents seen.")
    incidents: int
    seconds: float
    status: str
    mip_gap: float | None


class PlacementSuggestionOut(Schema):
    k: int
    candidates: str
    sites: int
    configurations: int
    incidents: int = Field(description="Incidents selected for the period and categories.")
    already_covered: int = Field(description="Of those, inside a recording camera's view now.")
    coverable: int = Field(description="Uncovered incidents inside some candidate configuration's view.")
    pairs: int = Field(description="(configuration, incident) coverage pairs.")
    covered_by_suggestion: int
    method: str = Field(description="Whose answer is suggested: 'ilp' (HiGHS) or 'greedy' (fallback).")
    fallback_reason: str | None
    suggestions: list[SuggestedCameraOut]
    ilp: SolutionOut | None
    greedy: SolutionOut
    greedy_shortfall: float | None = Field(description="ILP objective less greedy's (0 when greedy is optimal).")
    pairs_seconds: float


def _solution(solution: Solution | None) -> dict | None:
    if solution is None:
        return None
    return {"method": solution.method, "objective": solution.objective, "incidents": solution.incidents,
            "seconds": round(solution.seconds, 4), "status": solution.status, "mip_gap": solution.mip_gap}


def suggestion_out(suggestion: Suggestion) -> dict:
    """The suggestion as the API shows it (tests compare the function's answer through this)."""
    return {
        "k": suggestion.k, "candidates": suggestion.candidates, "sites": suggestion.sites,
        "configurations": suggestion.configurations, "incidents": suggestion.incidents,
        "already_covered": suggestion.already_covered, "coverable": suggestion.coverable, "pairs": suggestion.pairs,
        "covered_by_suggestion": suggestion.covered_by_suggestion, "method": suggestion.best.method,
        "fallback_reason": suggestion.fallback_reason,
        "suggestions": [{
            "site": {"candidate_site_id": camera.site.candidate_site_id, "name": camera.site.name,
                     "longitude": camera.site.longitude, "latitude": camera.site.latitude,
                     "easting": camera.site.location.x, "northing": camera.site.location.y},
            "bearing_deg": camera.bearing_deg, "angle_deg": camera.angle_deg, "range_m": camera.range_m,
            "incidents_in_view": camera.incidents_in_view, "incidents_gained": camera.incidents_gained,
            "weight_gained": camera.weight_gained,
        } for camera in suggestion.cameras],
        "ilp": _solution(suggestion.ilp), "greedy": _solution(suggestion.greedy),
        "greedy_shortfall": None if suggestion.ilp is None else suggestion.ilp.objective - suggestion.greedy.objective,
        "pairs_seconds": round(suggestion.pairs_seconds, 4),
    }


@router.post("/suggest", response=PlacementSuggestionOut)
def placement_suggest_view(request: HttpRequest, payload: PlacementSuggestIn):
    suggestion = placement_suggest(
        request.user, k=payload.k, candidates=payload.candidates, grid_spacing_m=payload.grid_spacing_m,
        max_distance_to_network_m=payload.max_distance_to_network_m, bearings=payload.bearings,
        angle_deg=payload.angle_deg, range_m=payload.range_m, full_circle=payload.full_circle,
        month_from=month_parse(payload.month_from, name="month_from"),
        month_to=month_parse(payload.month_to, name="month_to"), categories=payload.categories,
        category_weights=payload.category_weights, time_limit_s=payload.time_limit_s,
    )
    return suggestion_out(suggestion)


class AdoptCameraIn(Schema):
    longitude: float
    latitude: float
    bearing_deg: float | None = Field(None, description="Null for a full-circle (PTZ) camera.")
    angle_deg: float = 60.0
    range_m: float = 50.0
    name: str = Field("", max_length=200)


class AdoptIn(Schema):
    title: str = Field(..., max_length=200)
    rationale: str = ""
    owner_id: int | None = Field(None, description="The council whose estate it changes; yours when absent.")
    cameras: list[AdoptCameraIn]


class AdoptOut(Schema):
    proposal_id: int
    status: str
    items: int


@router.post("/adopt", response={201: AdoptOut})
def placement_adopt_view(request: HttpRequest, payload: AdoptIn):
    proposal = placement_adopt(
        request.user, title=payload.title, rationale=payload.rationale, owner_id=payload.owner_id,
        cameras=[AdoptedCamera(**camera.dict()) for camera in payload.cameras],
    )
    return Status(201, {"proposal_id": proposal.pk, "status": proposal.status, "items": proposal.items.count()})
