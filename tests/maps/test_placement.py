"""Placement suggestions (maps.placement): a maximal covering problem solved exactly, greedy beside it.

The known case, in British National Grid metres around Barry (E0, N0) = (311000, 167000). Three
candidate sites, each tried as one full-circle (PTZ) camera of 50 m range (a disc):

    site X (E0, N0)        sees E0-50 .. E0+50 along the line N0:  i1, i2, i3, i4       (4)
    site Y (E0 - 70, N0)   sees E0-120 .. E0-20:                    i1, i2, i5           (3)
    site Z (E0 + 70, N0)   sees E0+20 .. E0+120:                    i3, i4, i6           (3)

    incidents on N0 (May 2024): i1 E0-40, i2 E0-30, i3 E0+30, i4 E0+40, i5 E0-100, i6 E0+100

With k = 2, greedy takes X (4, the most) and then Y (adds i5 only; Y before Z on a tie, lower
index): 5. The optimum is Y and Z together: 6. Around them, things that must not count:

    e1 (E0, N0+30), e2 (E0, N0+35): inside X's disc, but already seen by an operational camera
        at (E0, N0) looking north (60 degrees, 50 m). Counted as demand they would make X see 6
        and X+Y worth 7, so the answer 6 shows they were left out.
    an OFFLINE camera at (E0+100, N0-20) looking north sees i6 (20 m ahead): offline cameras do
        not count, or Z would drop to 2 and the optimum to 5.
    april (E0, N0-10), April 2024: inside X's disc, outside the May-June period.

8 incidents in the period, 2 already covered, 6 coverable.
"""

import datetime as dt
import itertools
import random
import types
from functools import cache

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.urls import Resolver404, path, resolve

from accounts.auth import API_AUTH
from accounts.exceptions import Forbidden, InvalidInput
from cctv.choices import CameraKind, CameraStatus
from maps import placement
from maps.api_placement import router, suggestion_out
from maps.choices import IncidentSource, ProposalItemKind, ProposalStatus
from maps.models import CandidateSite, Incident, Proposal
from maps.placement import (
    AdoptedCamera,
    CoverageProblem,
    placement_adopt,
    placement_suggest,
    solve,
    solve_greedy,
    solve_ilp,
)
from tests.cctv.factories import CameraFactory, NodeFactory

E0, N0 = 311000.0, 167000.0
MAY, JUNE, APRIL = dt.date(2024, 5, 1), dt.date(2024, 6, 1), dt.date(2024, 4, 1)
PERIOD = {"month_from": MAY, "month_to": JUNE}
PTZ = {"candidates": "sites", "full_circle": True, "range_m": 50.0}


def incident(x: float, y: float, *, month: dt.date = MAY, category: str = "Anti-social behaviour") -> Incident:
    return Incident.objects.create(source=IncidentSource.POLICE_OPEN_DATA, month=month, category=category,
                                   location=Point(x, y, srid=27700), falls_within="South Wales Police")


def site(owner, name: str, x: float, y: float) -> CandidateSite:
    return CandidateSite.objects.create(owner=owner, name=name, location=Point(x, y, srid=27700))


@pytest.fixture
def known_case(council):
    sites = {name: site(council, name, E0 + dx, N0) for name, dx in (("X", 0), ("Y", -70), ("Z", 70))}
    for dx in (-40, -30, 30, 40, -100, 100):
        incident(E0 + dx, N0)
    incident(E0, N0 + 30)
    incident(E0, N0 + 35, month=JUNE)
    incident(E0, N0 - 10, month=APRIL)
    CameraFactory(owner=council, location=Point(E0, N0, srid=27700), bearing_deg=0.0)
    CameraFactory(owner=council, location=Point(E0 + 100, N0 - 20, srid=27700), status=CameraStatus.OFFLINE)
    return sites


def chosen_sites(suggestion) -> set[str]:
    return {camera.site.name for camera in suggestion.cameras}


# --- the known case ---------------------------------------------------------------------------

def test_ilp_finds_the_optimum_greedy_misses(cctv_manager, known_case):
    suggestion = placement_suggest(cctv_manager, k=2, **PTZ, **PERIOD)

    assert suggestion.best.method == "ilp"
    assert suggestion.best.status == "Optimal"
    assert suggestion.ilp.objective == 6
    assert chosen_sites(suggestion) == {"Y", "Z"}
    assert suggestion.covered_by_suggestion == 6
    assert suggestion.greedy.objective == 5
    assert suggestion.greedy.incidents == 5


def test_each_suggested_camera_shows_what_it_sees_and_adds(cctv_manager, known_case):
    suggestion = placement_suggest(cctv_manager, k=2, **PTZ, **PERIOD)

    assert [(c.site.name, c.incidents_in_view, c.incidents_gained) for c in suggestion.cameras] == [
        ("Y", 3, 3), ("Z", 3, 3)]
    assert all(camera.bearing_deg is None and camera.angle_deg == 360 for camera in suggestion.cameras)
    y = suggestion.cameras[0].site
    assert (y.location.x, y.location.y) == (E0 - 70, N0)
    assert y.candidate_site_id == known_case["Y"].pk
    assert -3.4 < y.longitude < -3.2 and 51.3 < y.latitude < 51.5  # Barry


def test_incidents_already_seen_or_outside_the_period_are_not_demand(cctv_manager, known_case):
    suggestion = placement_suggest(cctv_manager, k=2, **PTZ, **PERIOD)

    assert suggestion.incidents == 8  # the April one is outside May-June
    assert suggestion.already_covered == 2  # e1, e2; the offline camera's i6 is not covered
    assert suggestion.coverable == 6
    assert suggestion.pairs == 4 + 3 + 3
    assert (suggestion.sites, suggestion.configurations) == (3, 3)


def test_with_one_camera_the_site_seeing_most_is_chosen_by_both(cctv_manager, known_case):
    suggestion = placement_suggest(cctv_manager, k=1, **PTZ, **PERIOD)

    assert chosen_sites(suggestion) == {"X"}
    assert suggestion.ilp.objective == suggestion.greedy.objective == 4


def test_category_weights_change_the_optimum(cctv_manager, council):
    site(council, "X", E0, N0)
    site(council, "Y", E0 + 200, N0)
    for dy in (0, 10, 20):
        incident(E0, N0 + dy, category="Anti-social behaviour")
    incident(E0 + 200, N0, category="Robbery")

    plain = placement_suggest(cctv_manager, k=1, **PTZ, **PERIOD)
    weighted = placement_suggest(cctv_manager, k=1, **PTZ, **PERIOD, category_weights={"Robbery": 5.0})

    assert chosen_sites(plain) == {"X"} and plain.best.objective == 3
    assert chosen_sites(weighted) == {"Y"} and weighted.best.objective == 5
    assert weighted.covered_by_suggestion == 1


def test_without_highspy_the_greedy_answer_is_given_and_says_why(cctv_manager, known_case, monkeypatch):
    monkeypatch.setattr(placement, "highspy", None)  # the library absent: outside the project

    suggestion = placement_suggest(cctv_manager, k=2, **PTZ, **PERIOD)

    assert suggestion.best.method == "greedy" and suggestion.ilp is None
    assert suggestion.covered_by_suggestion == 5
    assert "not installed" in suggestion.fallback_reason


# --- one configuration per site, bearings, the grid -------------------------------------------

def test_one_configuration_per_site_even_when_two_bearings_there_see_most(cctv_manager, council):
    # Site S looks north (0) or south (180) at three incidents each; site T north at two.
    site(council, "S", E0, N0 + 1000)
    site(council, "T", E0 + 300, N0 + 1000)
    for dy in (20, 30, 40, -20, -30, -40):
        incident(E0, N0 + 1000 + dy)
    for dy in (20, 25):
        incident(E0 + 300, N0 + 1000 + dy)

    suggestion = placement_suggest(cctv_manager, k=2, candidates="sites", bearings=2, angle_deg=60.0,
                                   range_m=50.0, **PERIOD)

    assert suggestion.configurations == 4
    assert suggestion.ilp.objective == 5  # not 6 from both of S's bearings
    assert chosen_sites(suggestion) == {"S", "T"}
    assert [c.bearing_deg for c in suggestion.cameras] == [0.0, 0.0]  # S north (tie, first bearing), T north


def test_grid_candidates_are_points_near_incidents(cctv_manager, known_case):
    suggestion = placement_suggest(cctv_manager, k=1, candidates="grid", grid_spacing_m=100.0, full_circle=True,
                                   range_m=50.0, **PERIOD)

    camera = suggestion.cameras[0]
    assert (camera.site.location.x, camera.site.location.y) == (E0, N0)
    assert camera.site.candidate_site_id is None
    assert suggestion.covered_by_suggestion == 4


def test_grid_candidates_can_be_kept_near_the_network(cctv_manager, council, known_case):
    NodeFactory(owner=council, location=Point(E0 + 105, N0, srid=27700))

    suggestion = placement_suggest(cctv_manager, k=1, candidates="grid", grid_spacing_m=100.0, full_circle=True,
                                   range_m=50.0, max_distance_to_network_m=10.0, **PERIOD)

    assert suggestion.sites == 1
    assert (suggestion.cameras[0].site.location.x, suggestion.covered_by_suggestion) == (E0 + 100, 1)  # i6


def test_too_many_configurations_are_refused_with_what_to_change(cctv_manager, known_case):
    with pytest.raises(InvalidInput, match="grid_spacing_m"):
        placement_suggest(cctv_manager, k=1, candidates="grid", grid_spacing_m=10.0, bearings=8,
                          max_configurations=100, **PERIOD)


# --- the solvers against brute force ----------------------------------------------------------

def brute_force(problem: CoverageProblem, k: int) -> float:
    best = 0.0
    for size in range(1, k + 1):
        for chosen in itertools.combinations(range(problem.configurations), size):
            if len({problem.site_of[c] for c in chosen}) == size:
                best = max(best, problem.value(chosen)[0])
    return best


def random_problem(seed: int) -> tuple[CoverageProblem, int]:
    rng = random.Random(seed)
    configurations = rng.randint(3, 9)
    site_of = tuple(sorted(rng.randrange(max(2, configurations - 2)) for _ in range(configurations)))
    groups, weights, counts = [], [], []
    for _ in range(rng.randint(4, 16)):
        seen_by = tuple(sorted(rng.sample(range(configurations), rng.randint(1, 3))))
        groups.append(seen_by)
        counts.append(rng.randint(1, 4))
        weights.append(counts[-1] * rng.choice([1.0, 1.0, 2.0, 0.5]))
    return CoverageProblem(site_of, tuple(groups), tuple(weights), tuple(counts)), rng.randint(1, 3)


@pytest.mark.parametrize("seed", range(20))
def test_ilp_matches_brute_force_and_greedy_is_never_better(seed):
    problem, k = random_problem(seed)

    ilp = solve_ilp(problem, k=k, time_limit_s=10)
    greedy = solve_greedy(problem, k=k)

    assert ilp.objective == pytest.approx(brute_force(problem, k))
    assert greedy.objective <= ilp.objective + 1e-9
    for solution in (ilp, greedy):
        assert len(solution.chosen) <= k
        assert len({problem.site_of[c] for c in solution.chosen}) == len(solution.chosen)


def test_greedy_falls_short_on_some_random_instance():
    """The comparison is worth making: across the seeds greedy is sometimes worse, never better."""
    shortfalls = []
    for seed in range(20):
        problem, k = random_problem(seed)
        solved = solve(problem, k=k, time_limit_s=10)
        shortfalls.append(solved.ilp.objective - solved.greedy.objective)
    assert min(shortfalls) >= -1e-9
    assert max(shortfalls) > 0


# --- input and access -------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"k": 0}, "k must be a whole number"),
    ({"candidates": "poles"}, "candidates must be 'grid'"),
    ({"range_m": 0.5}, "range_m must be between"),
    ({"bearings": 0, "full_circle": False}, "bearings must be"),
    ({"category_weights": {"Burglary": -1}}, "weight of 'Burglary'"),
])
def test_bad_input_says_what_is_wrong(cctv_manager, change, message):
    with pytest.raises(InvalidInput, match=message):
        placement_suggest(cctv_manager, **{"k": 2, **PTZ, **PERIOD, **change})


def test_police_may_not_ask_for_suggestions(officer, known_case):
    with pytest.raises(Forbidden, match="suggest"):
        placement_suggest(officer, k=2, **PTZ, **PERIOD)


# --- adopting a suggestion --------------------------------------------------------------------

def test_adopted_suggestion_becomes_a_draft_proposal_with_new_cameras(cctv_manager, council, known_case):
    suggestion = placement_suggest(cctv_manager, k=2, **PTZ, **PERIOD)
    cameras = [AdoptedCamera(c.site.longitude, c.site.latitude, c.bearing_deg, c.angle_deg, c.range_m, c.site.name)
               for c in suggestion.cameras]

    proposal = placement_adopt(cctv_manager, title="Cover Holton Road", cameras=cameras)

    assert (proposal.owner, proposal.status) == (council, ProposalStatus.DRAFT)
    items = list(proposal.items.order_by("id"))
    assert [(i.kind, i.name, i.camera_kind) for i in items] == [
        (ProposalItemKind.ADD, "Y", CameraKind.PTZ), (ProposalItemKind.ADD, "Z", CameraKind.PTZ)]
    assert items[0].location.distance(Point(E0 - 70, N0, srid=27700)) < 0.01
    assert items[0].view_polygon.contains(Point(E0 - 100, N0, srid=27700))  # i5


def test_adopting_nothing_writes_nothing(cctv_manager, known_case):
    with pytest.raises(InvalidInput, match="at least one"):
        placement_adopt(cctv_manager, title="Empty", cameras=[])
    assert not Proposal.objects.exists()


# --- the API ----------------------------------------------------------------------------------

@cache
def _placement_urls() -> types.ModuleType:
    """The router on an API with config.api's error handlers, for when config has not mounted it yet."""
    from ninja import NinjaAPI

    from config.api import api

    test_api = NinjaAPI(auth=API_AUTH, urls_namespace="placement-test")
    for exception, handler in api._exception_handlers.items():
        test_api.add_exception_handler(exception, handler)
    test_api.add_router("/maps/placement/", router)
    module = types.ModuleType("placement_test_urls")
    module.urlpatterns = [path("api/", test_api.urls)]
    return module


@pytest.fixture
def placement_api(settings):
    """/api/maps/placement/ as config/api.py mounts it (or this test's stand-in until it does)."""
    try:
        resolve("/api/maps/placement/suggest")
    except Resolver404:
        settings.ROOT_URLCONF = _placement_urls()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


BODY = {"k": 2, "candidates": "sites", "full_circle": True, "range_m": 50, "month_from": "2024-05",
        "month_to": "2024-06"}
TIMINGS = ("pairs_seconds",)


def without_timings(answer: dict) -> dict:
    answer = {key: value for key, value in answer.items() if key not in TIMINGS}
    for solver in ("ilp", "greedy"):
        if answer[solver]:
            answer[solver] = {key: value for key, value in answer[solver].items() if key != "seconds"}
    return answer


def test_api_answers_as_the_function_does(placement_api, cctv_manager, known_case):
    response = client_for(cctv_manager).post("/api/maps/placement/suggest", BODY, content_type="application/json")

    assert response.status_code == 200, response.content
    expected = suggestion_out(placement_suggest(cctv_manager, k=2, **PTZ, **PERIOD))
    assert without_timings(response.json()) == without_timings(expected)
    assert response.json()["greedy_shortfall"] == 1
    assert [s["site"]["name"] for s in response.json()["suggestions"]] == ["Y", "Z"]


def test_api_refuses_police(placement_api, officer, known_case):
    response = client_for(officer).post("/api/maps/placement/suggest", BODY, content_type="application/json")

    assert response.status_code == 403
    assert "suggest" in response.json()["detail"]


def test_api_bad_input_is_400_with_the_reason(placement_api, cctv_manager, known_case):
    response = client_for(cctv_manager).post("/api/maps/placement/suggest", {**BODY, "month_to": "June"},
                                             content_type="application/json")

    assert response.status_code == 400
    assert "month_to must be a month written YYYY-MM" in response.json()["detail"]


def test_api_adopt_creates_a_draft_proposal(placement_api, operator, council, known_case):
    body = {"title": "Cover Holton Road", "owner_id": council.pk,
            "cameras": [{"longitude": -3.27, "latitude": 51.40, "bearing_deg": 90, "angle_deg": 60, "range_m": 50}]}

    response = client_for(operator).post("/api/maps/placement/adopt", body, content_type="application/json")

    assert response.status_code == 201, response.content
    proposal = Proposal.objects.get(pk=response.json()["proposal_id"])
    assert (proposal.owner, proposal.created_by, proposal.items.count()) == (council, operator, 1)
    assert proposal.items.get().bearing_deg == 90


def test_api_adopt_refuses_police(placement_api, officer, known_case):
    body = {"title": "x", "cameras": [{"longitude": -3.27, "latitude": 51.40, "bearing_deg": 90}]}

    response = client_for(officer).post("/api/maps/placement/adopt", body, content_type="application/json")

    assert response.status_code == 403
    assert not Proposal.objects.exists()
