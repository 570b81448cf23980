"""Placement suggestions: where k new cameras would see the most incidents no camera sees now.

The maximal covering location problem (DESIGN.md 2D and 5). A configuration is a candidate site
and one way of pointing a camera there (a bearing, or the full circle of a PTZ); demand is the
period's incidents outside every counted camera's view. The coverage pairs (which configuration
sees which incident) come from one indexed spatial join in PostGIS (maps/sql/placement_*.sql);
the choice is solved exactly with HiGHS: binary x_c per configuration, binary y_g per group of
incidents seen by the same configurations, maximise the weighted incidents seen subject to
y_g <= sum of x_c over the configurations that see g, at most k configurations, and at most one
configuration per site (a pole carries one camera). Greedy (take the configuration that adds
most, k times) is the warm start, the fallback when HiGHS is missing or out of time, and the
comparison: it is not optimal (tests/maps/test_placement.py has a case it gets wrong).
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.db import connection, transaction
from django.db.models import QuerySet

from accounts.exceptions import InvalidInput
from accounts.permissions import authorize, visible_to
from cctv.choices import CameraKind, NetworkStatus
from cctv.geometry import STORAGE_SRID, field_of_view, point_from_lon_lat
from cctv.models import Node
from maps import queries
from maps.choices import ProposalItemKind
from maps.coverage import coverage_cameras, incidents_selected
from maps.models import CandidateSite, Proposal
from maps.proposals import proposal_create, proposal_item_add, proposal_owner_for

try:  # a runtime dependency; without it suggestions fall back to greedy and say so
    import highspy
except ImportError:  # pragma: no cover - exercised by the fallback test through monkeypatch
    highspy = None

logger = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent / "sql"
CANDIDATES = ("grid", "sites")
K_MAX = 50
BEARINGS_MAX = 36
MAX_CONFIGURATIONS = 5_000  # an API call; bench/placement.py passes its own limit
GRID_SPACING_M = (10.0, 2_000.0)
RANGE_M = (5.0, 500.0)
NETWORK_M_MAX = 10_000.0
TIME_LIMIT_S = (0.1, 300.0)
WEIGHT_MAX = 1_000.0


# --- the optimisation problem, free of the database ----------------------------------------------

@dataclass(frozen=True)
class CoverageProblem:
    """Configurations 0..n-1, the site each stands at, and groups of interchangeable incidents.

    groups[g] lists the configurations that see group g; group_weight[g] is the sum of its
    incidents' weights and group_incidents[g] how many incidents it holds.
    """

    site_of: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]
    group_weight: tuple[float, ...]
    group_incidents: tuple[int, ...]

    @property
    def configurations(self) -> int:
        return len(self.site_of)

    def covering(self) -> list[list[int]]:
        """For each configuration, the groups it sees."""
        sees: list[list[int]] = [[] for _ in self.site_of]
        for g, configs in enumerate(self.groups):
            for c in configs:
                sees[c].append(g)
        return sees

    def value(self, chosen: Iterable[int]) -> tuple[float, int]:
        """(weight, incidents) seen by a set of configurations."""
        chosen = set(chosen)
        seen = [g for g, configs in enumerate(self.groups) if chosen.intersection(configs)]
        return sum(self.group_weight[g] for g in seen), sum(self.group_incidents[g] for g in seen)


def problem_from_groups(
    rows: Iterable[tuple[Sequence[int], str, int]], *, site_of: Sequence[int], weights: Mapping[str, float],
) -> CoverageProblem:
    """Merge (configurations, category, incidents) rows into one group per set of configurations."""
    merged: dict[tuple[int, ...], list[float]] = {}
    for configs, category, incidents in rows:
        entry = merged.setdefault(tuple(configs), [0.0, 0])
        entry[0] += incidents * weights.get(category, 1.0)
        entry[1] += incidents
    kept = [(configs, w, n) for configs, (w, n) in merged.items() if w > 0]
    return CoverageProblem(
        site_of=tuple(site_of), groups=tuple(c for c, _, _ in kept),
        group_weight=tuple(w for _, w, _ in kept), group_incidents=tuple(int(n) for _, _, n in kept),
    )


@dataclass(frozen=True)
class Solution:
    method: str  # "ilp" or "greedy"
    chosen: tuple[int, ...]
    objective: float  # weighted incidents seen
    incidents: int  # incidents seen
    seconds: float
    status: str  # HiGHS's model status ("Optimal", "Time limit reached") or "heuristic"
    mip_gap: float | None = None  # HiGHS's relative gap; 0 when proven optimal


def solve_greedy(problem: CoverageProblem, *, k: int) -> Solution:
    """Take the configuration that adds most, k times, never two at one site.

    Lazy (CELF): a configuration's gain can only fall as others are chosen (coverage is
    submodular), so a stale gain is an upper bound and only the top of the heap is recomputed.
    Ties go to the lowest configuration index, so the answer is the same on every run.
    """
    started = time.perf_counter()
    sees = problem.covering()
    seen = [False] * len(problem.groups)
    used_sites: set[int] = set()
    heap = [(-sum(problem.group_weight[g] for g in groups), c) for c, groups in enumerate(sees)]
    heapq.heapify(heap)
    chosen: list[int] = []
    while heap and len(chosen) < k:
        stale, c = heapq.heappop(heap)
        if problem.site_of[c] in used_sites:
            continue
        gain = sum(problem.group_weight[g] for g in sees[c] if not seen[g])
        if heap and (-gain, c) > heap[0]:  # another may now add more (or as much, at a lower index)
            heapq.heappush(heap, (-gain, c))
            continue
        if gain <= 0:
            break
        chosen.append(c)
        used_sites.add(problem.site_of[c])
        for g in sees[c]:
            seen[g] = True
    objective, incidents = problem.value(chosen)
    return Solution("greedy", tuple(chosen), objective, incidents, time.perf_counter() - started, "heuristic")


class SolverUnavailable(RuntimeError):
    """highspy is not installed: the caller falls back to greedy."""


def solve_ilp(problem: CoverageProblem, *, k: int, time_limit_s: float,
              warm_start: Sequence[int] = ()) -> Solution | None:
    """The exact optimum with HiGHS, or its best within the time limit (None if it found none)."""
    if highspy is None:
        raise SolverUnavailable("highspy is not installed")
    started = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.passModel(_model(highspy, problem, k=k))
    if warm_start:
        start = highspy.HighsSolution()
        values = [0.0] * (problem.configurations + len(problem.groups))
        chosen = set(warm_start)
        for c in chosen:
            values[c] = 1.0
        for g, configs in enumerate(problem.groups):
            values[problem.configurations + g] = 1.0 if chosen.intersection(configs) else 0.0
        start.col_value = values
        start.value_valid = True
        h.setSolution(start)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        return None
    values = h.getSolution().col_value
    chosen = tuple(c for c in range(problem.configurations) if values[c] > 0.5)
    objective, incidents = problem.value(chosen)
    return Solution("ilp", chosen, objective, incidents, time.perf_counter() - started, status,
                    mip_gap=float(info.mip_gap))


def _model(highspy, problem: CoverageProblem, *, k: int):
    """Columns x_0..x_{n-1} then y_0..y_{G-1}; rows y_g - sum x_c <= 0, sum x <= k, sum x at a site <= 1."""
    n, groups = problem.configurations, problem.groups
    inf = highspy.kHighsInf
    starts, index, value, lower, upper = [0], [], [], [], []
    for g, configs in enumerate(groups):
        index.extend([n + g, *configs])
        value.extend([1.0, *([-1.0] * len(configs))])
        starts.append(len(index))
        lower.append(-inf)
        upper.append(0.0)
    index.extend(range(n))
    value.extend([1.0] * n)
    starts.append(len(index))
    lower.append(-inf)
    upper.append(float(k))
    at_site: dict[int, list[int]] = {}
    for c, s in enumerate(problem.site_of):
        at_site.setdefault(s, []).append(c)
    for configs in at_site.values():
        if len(configs) > 1:
            index.extend(configs)
            value.extend([1.0] * len(configs))
            starts.append(len(index))
            lower.append(-inf)
            upper.append(1.0)
    lp = highspy.HighsLp()
    lp.num_col_ = n + len(groups)
    lp.num_row_ = len(lower)
    lp.col_cost_ = [0.0] * n + list(problem.group_weight)
    lp.col_lower_ = [0.0] * lp.num_col_
    lp.col_upper_ = [1.0] * lp.num_col_
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.integrality_ = [highspy.HighsVarType.kInteger] * lp.num_col_
    lp.sense_ = highspy.ObjSense.kMaximize
    return lp


@dataclass(frozen=True)
class Solved:
    best: Solution  # the one suggested
    greedy: Solution
    ilp: Solution | None  # None when HiGHS is missing or found nothing in time
    fallback_reason: str | None  # why greedy's answer was used, if it was


def solve(problem: CoverageProblem, *, k: int, time_limit_s: float) -> Solved:
    """Greedy first (warm start and comparison), then HiGHS; the better answer is suggested."""
    greedy = solve_greedy(problem, k=k)
    try:
        ilp = solve_ilp(problem, k=k, time_limit_s=time_limit_s, warm_start=greedy.chosen)
    except SolverUnavailable:
        return Solved(greedy, greedy, None, "HiGHS (highspy) is not installed: greedy answer, not proven optimal.")
    if ilp is None or ilp.objective < greedy.objective - 1e-9:
        return Solved(greedy, greedy, ilp, f"HiGHS found no better answer within {time_limit_s:g} s: greedy answer.")
    return Solved(ilp, greedy, ilp, None)


def order_by_gain(problem: CoverageProblem, chosen: Sequence[int]) -> list[tuple[int, float, int]]:
    """(configuration, weight gained, incidents gained) taking the chosen ones most-adding first.

    The gains add up to the solution's totals, so each suggested camera shows what it adds.
    """
    sees = problem.covering()
    remaining, seen, ordered = list(chosen), set(), []
    while remaining:
        def gain(c: int) -> tuple[float, int]:
            new = [g for g in sees[c] if g not in seen]
            return sum(problem.group_weight[g] for g in new), sum(problem.group_incidents[g] for g in new)
        c = min(remaining, key=lambda c: (-gain(c)[0], c))
        weight, incidents = gain(c)
        ordered.append((c, weight, incidents))
        seen.update(sees[c])
        remaining.remove(c)
    return ordered


# --- candidates and coverage pairs, in PostGIS ------------------------------------------------

@dataclass(frozen=True)
class Site:
    candidate_site_id: int | None  # None for a grid point
    name: str
    location: Point  # EPSG:27700
    longitude: float
    latitude: float


@dataclass(frozen=True)
class Configuration:
    site_index: int
    bearing_deg: float | None  # None for the full circle
    angle_deg: float
    range_m: float
    view_polygon: Polygon

    @property
    def full_circle(self) -> bool:
        return self.bearing_deg is None


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def _run(name: str, inner: dict[str, tuple[QuerySet, tuple[str, ...]]], params: Sequence = ()) -> list[tuple]:
    """maps/sql/<name>.sql with each scoped queryset's SQL formatted in and its parameters bound first."""
    parts, bound = {}, []
    for placeholder, (queryset, columns) in inner.items():
        sql, inner_params = queries._inner(queryset, columns)
        parts[placeholder] = sql
        bound.extend(inner_params)
    with connection.cursor() as cursor:
        cursor.execute(queries.NO_JIT)
        cursor.execute(_sql(name).format(**parts), [*bound, *params])
        return cursor.fetchall()


def _nodes(user) -> QuerySet[Node]:
    return visible_to(user, Node.objects.filter(status=NetworkStatus.IN_SERVICE))


def grid_sites(user, *, incidents: QuerySet, spacing_m: float, reach_m: float,
               max_distance_to_network_m: float | None, limit: int) -> list[Site]:
    """Grid points (spacing_m apart) within reach of an incident, and of the network if asked."""
    area = settings.SERVICE_AREA_BBOX_27700
    rows = _run("placement_grid_sites", {"incidents": (incidents, ("id", "location")),
                                         "nodes": (_nodes(user), ("id", "location"))},
                (spacing_m, reach_m, max_distance_to_network_m, *area, limit + 1))
    return [Site(None, f"grid {x:.0f},{y:.0f}", Point(x, y, srid=STORAGE_SRID), lon, lat) for x, y, lon, lat in rows]


def candidate_sites(user, *, max_distance_to_network_m: float | None, limit: int) -> list[Site]:
    """The staff-entered CandidateSites the user may see, near the network if asked."""
    sites = visible_to(user, CandidateSite.objects.all())
    rows = _run("placement_candidate_sites", {"sites": (sites, ("id", "name", "location")),
                                              "nodes": (_nodes(user), ("id", "location"))},
                (max_distance_to_network_m, limit + 1))
    return [Site(pk, name, Point(x, y, srid=STORAGE_SRID), lon, lat) for pk, name, x, y, lon, lat in rows]


def configurations_for(sites: Sequence[Site], *, bearings: int, angle_deg: float, range_m: float,
                       full_circle: bool) -> list[Configuration]:
    """Each site tried at `bearings` evenly spaced bearings from grid north, or once all round (PTZ)."""
    configurations = []
    for s, site in enumerate(sites):
        headings = [None] if full_circle else [360.0 * b / bearings for b in range(bearings)]
        for bearing in headings:
            polygon = field_of_view(site.location, bearing_deg=bearing, angle_deg=360.0 if full_circle else angle_deg,
                                    range_m=range_m, full_circle=full_circle)
            configurations.append(Configuration(s, bearing, 360.0 if full_circle else angle_deg, range_m, polygon))
    return configurations


def coverage_groups(*, cameras: QuerySet, incidents: QuerySet,
                    configurations: Sequence[Configuration]) -> list[tuple[list[int], str, int]]:
    """(configurations, category, incidents) for the uncovered incidents the configurations see.

    The configurations' polygons go into a temporary table with a GiST index, then one spatial
    join gives every pair at once (placement_coverage_pairs.sql), grouped there.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(queries.NO_JIT)
        load = [statement for statement in _sql("placement_configurations_load").split(";\n") if statement.strip()]
        for statement in load:
            body = "\n".join(line for line in statement.splitlines() if not line.startswith("--"))
            params = [[bytes(c.view_polygon.wkb) for c in configurations]] if "%s" in body else None
            cursor.execute(body, params)
        rows = _run("placement_coverage_pairs", {"cameras": (cameras, ("id", "view_polygon")),
                                                  "incidents": (incidents, queries.INCIDENT_COVERAGE_COLUMNS)})
        cursor.execute("DROP TABLE placement_configuration")
    return rows


# --- the suggestion a user asks for --------------------------------------------------------------

@dataclass(frozen=True)
class SuggestedCamera:
    site: Site
    bearing_deg: float | None  # None: full circle (PTZ)
    angle_deg: float
    range_m: float
    incidents_in_view: int  # uncovered incidents it sees on its own
    incidents_gained: int  # what it adds after the ones listed before it (the gains sum to the total)
    weight_gained: float


@dataclass(frozen=True)
class Suggestion:
    k: int
    candidates: str
    sites: int
    configurations: int
    incidents: int  # selected for the period and categories
    already_covered: int  # inside a counted camera's view now
    coverable: int  # uncovered and inside some configuration's view
    pairs: int  # (configuration, incident) pairs
    covered_by_suggestion: int
    cameras: tuple[SuggestedCamera, ...]
    best: Solution
    greedy: Solution
    ilp: Solution | None
    fallback_reason: str | None
    pairs_seconds: float


def _check_range(name: str, value: float, low: float, high: float, unit: str = "") -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and low <= value <= high):
        raise InvalidInput(f"{name} must be between {low:g} and {high:g}{unit}; got {value!r}.")
    return float(value)


def _check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    checked = {}
    for category, weight in (weights or {}).items():
        checked[category] = _check_range(f"The weight of {category!r}", weight, 0.0, WEIGHT_MAX)
    return checked


def placement_suggest(
    user, *, k: int, month_from: dt.date, month_to: dt.date, categories: Sequence[str] = (),
    candidates: str = "grid", grid_spacing_m: float = 100.0, max_distance_to_network_m: float | None = None,
    bearings: int = 8, angle_deg: float = 60.0, range_m: float = 50.0, full_circle: bool = False,
    category_weights: Mapping[str, float] | None = None, time_limit_s: float = 30.0,
    max_configurations: int = MAX_CONFIGURATIONS,
) -> Suggestion:
    """The k configurations that see the most (weighted) incidents no counted camera sees now.

    Demand is the period's incidents the user may see (maps.coverage.incidents_selected) outside
    every view of their operational or degraded cameras (maps.coverage.coverage_cameras).
    """
    authorize(user, "suggest", Proposal)
    if not (isinstance(k, int) and 1 <= k <= K_MAX):
        raise InvalidInput(f"k must be a whole number of cameras from 1 to {K_MAX}; got {k!r}.")
    if candidates not in CANDIDATES:
        raise InvalidInput(f"candidates must be 'grid' (points spaced grid_spacing_m apart) or 'sites' "
                           f"(the candidate sites entered by staff); got {candidates!r}.")
    if not full_circle and not (isinstance(bearings, int) and 1 <= bearings <= BEARINGS_MAX):
        raise InvalidInput(f"bearings must be a whole number from 1 to {BEARINGS_MAX}; got {bearings!r}.")
    angle_deg = _check_range("angle_deg", angle_deg, 1.0, 360.0, " degrees")
    range_m = _check_range("range_m", range_m, *RANGE_M, " metres")
    time_limit_s = _check_range("time_limit_s", time_limit_s, *TIME_LIMIT_S, " seconds")
    if max_distance_to_network_m is not None:
        max_distance_to_network_m = _check_range("max_distance_to_network_m", max_distance_to_network_m,
                                                 0.0, NETWORK_M_MAX, " metres")
    weights = _check_weights(category_weights)
    full_circle = full_circle or angle_deg >= 360.0
    per_site = 1 if full_circle else bearings

    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories)
    cameras = coverage_cameras(user)
    site_limit = max(1, max_configurations // per_site)
    if candidates == "grid":
        spacing = _check_range("grid_spacing_m", grid_spacing_m, *GRID_SPACING_M, " metres")
        sites = grid_sites(user, incidents=incidents, spacing_m=spacing, reach_m=range_m,
                           max_distance_to_network_m=max_distance_to_network_m, limit=site_limit)
    else:
        sites = candidate_sites(user, max_distance_to_network_m=max_distance_to_network_m, limit=site_limit)
    if len(sites) > site_limit:
        raise InvalidInput(
            f"Too many candidate configurations: more than {site_limit:,} sites x {per_site} bearings "
            f"(the limit is {max_configurations:,}). Use a wider grid_spacing_m, fewer bearings, fewer months "
            "or categories, or a max_distance_to_network_m.")
    configurations = configurations_for(sites, bearings=bearings, angle_deg=angle_deg, range_m=range_m,
                                        full_circle=full_circle)

    started = time.perf_counter()
    rows = coverage_groups(cameras=cameras, incidents=incidents, configurations=configurations)
    pairs_seconds = time.perf_counter() - started
    _, by_category = queries.coverage_counts_by_category(cameras, incidents)
    problem = problem_from_groups(rows, site_of=[c.site_index for c in configurations], weights=weights)
    solved = solve(problem, k=k, time_limit_s=time_limit_s)
    logger.info("placement user=%s k=%s configurations=%s groups=%s method=%s objective=%s greedy=%s",
                user.pk, k, len(configurations), len(problem.groups), solved.best.method, solved.best.objective,
                solved.greedy.objective)

    sees = problem.covering()
    suggested = []
    for c, weight, gained in order_by_gain(problem, solved.best.chosen):
        configuration = configurations[c]
        suggested.append(SuggestedCamera(
            site=sites[configuration.site_index], bearing_deg=configuration.bearing_deg,
            angle_deg=configuration.angle_deg, range_m=configuration.range_m,
            incidents_in_view=sum(problem.group_incidents[g] for g in sees[c]), incidents_gained=gained,
            weight_gained=weight,
        ))
    return Suggestion(
        k=k, candidates=candidates, sites=len(sites), configurations=len(configurations),
        incidents=sum(row.total for row in by_category), already_covered=sum(row.covered for row in by_category),
        coverable=sum(n for _, _, n in rows), pairs=sum(n * len(configs) for configs, _, n in rows),
        covered_by_suggestion=solved.best.incidents, cameras=tuple(suggested), best=solved.best,
        greedy=solved.greedy, ilp=solved.ilp, fallback_reason=solved.fallback_reason, pairs_seconds=pairs_seconds,
    )


# --- a suggestion becomes a draft proposal ------------------------------------------------------

@dataclass(frozen=True)
class AdoptedCamera:
    """One suggested camera as the user accepts it (they may rename or re-aim it first)."""

    longitude: float
    latitude: float
    bearing_deg: float | None  # None: full circle (PTZ)
    angle_deg: float
    range_m: float
    name: str = ""


@transaction.atomic
def placement_adopt(user, *, title: str, cameras: Sequence[AdoptedCamera], rationale: str = "",
                    owner_id: int | None = None) -> Proposal:
    """A draft proposal adding the suggested cameras, through maps.proposals (all or nothing).

    The proposal goes through the Operational Group like any other: a suggestion changes nothing
    in the estate by itself.
    """
    owner = proposal_owner_for(user, owner_id)
    if not cameras:
        raise InvalidInput("Adopt at least one suggested camera.")
    proposal = proposal_create(by=user, title=title, rationale=rationale, owner=owner)
    for n, camera in enumerate(cameras, start=1):
        full_circle = camera.bearing_deg is None or camera.angle_deg >= 360.0
        proposal_item_add(
            proposal=proposal, by=user, kind=ProposalItemKind.ADD,
            location=point_from_lon_lat(camera.longitude, camera.latitude),
            name=camera.name or f"Suggested camera {n}",
            camera_kind=CameraKind.PTZ if full_circle else CameraKind.FIXED,
            bearing_deg=None if full_circle else camera.bearing_deg,
            view_angle_deg=360.0 if full_circle else camera.angle_deg, view_range_m=camera.range_m,
        )
    logger.info("placement adopted proposal=%s cameras=%s user=%s", proposal.pk, len(cameras), user.pk)
    return proposal
