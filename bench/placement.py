"""Benchmark (issue 6): placement suggestions, k = 6 over 2,000 configurations and ~100,000 incidents.

Data: the "Coverage Bench Council" of bench/coverage.py (1,000,000 incidents over 2024, 5,000
cameras; run that first to build it). The period is January-February 2024 without its two
largest categories, about 100,000 incidents. 250 candidate sites (marked "placement bench"),
each at a seeded random incident of the period that no recording camera sees, tried at 8
bearings (60 degrees, 50 m): 2,000 configurations.

Prints, median of --repeat runs after one warm-up: the time to build the coverage pairs (temp
table with a GiST index, one spatial join, grouped in SQL), HiGHS's solve time (warm-started
from greedy), greedy's time, both objectives and greedy's shortfall against the optimum.

Run: .venv/bin/python bench/placement.py [--sites 250] [--bearings 8] [--k 6] [--repeat 3]
(BENCH_DATABASE_URL picks the database, default vale_bench_cov on DATABASE_URL's server.)
"""

import argparse
import datetime as dt
import os
from urllib.parse import urlparse, urlunparse

from _setup import django_setup, timed

ORG_NAME = "Coverage Bench Council"
SITE_MARK = "placement bench"
MONTH_FROM, MONTH_TO = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
LEFT_OUT = {"Violence and sexual offences", "Anti-social behaviour"}


def _default_database() -> None:
    if "BENCH_DATABASE_URL" not in os.environ:
        base = urlparse(os.environ.get("DATABASE_URL", "postgis://vale:vale@127.0.0.1:5432/vale"))
        os.environ["BENCH_DATABASE_URL"] = urlunparse(base._replace(path="/vale_bench_cov"))


def ensure_sites(user, council, *, sites: int, incidents) -> None:
    """250 candidate sites at seeded random uncovered incidents (kept between runs)."""
    from django.db import connection

    from maps.models import CandidateSite
    from maps.placement import coverage_cameras, queries

    if CandidateSite.objects.filter(owner=council, name__startswith=SITE_MARK).count() == sites:
        return
    CandidateSite.objects.filter(owner=council, name__startswith=SITE_MARK).delete()
    cameras_sql, cameras_params = queries._inner(coverage_cameras(user), ("id", "view_polygon"))
    incidents_sql, incidents_params = queries._inner(incidents, ("id", "location"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(f"""
            WITH cameras AS MATERIALIZED ({cameras_sql}), incidents AS NOT MATERIALIZED ({incidents_sql}),
            covered AS (SELECT DISTINCT i.id FROM cameras c
                        JOIN incidents i ON ST_Intersects(c.view_polygon, i.location))
            INSERT INTO maps_candidatesite (owner_id, name, kind, location, notes)
            SELECT %s, %s || ' ' || row_number() OVER (), 'pole', i.location, ''
            FROM (SELECT i.location FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM covered c WHERE c.id = i.id)
                  ORDER BY random() LIMIT %s) AS i
        """, [*cameras_params, *incidents_params, council.pk, SITE_MARK, sites])  # noqa: S608 - inner SQL is Django's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=250)
    parser.add_argument("--bearings", type=int, default=8)
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--angle-deg", type=float, default=60.0)
    parser.add_argument("--range-m", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    _default_database()
    django_setup()

    from accounts.models import Organisation, User
    from maps import placement
    from maps.models import Incident

    council = Organisation.objects.get(name=ORG_NAME)
    user = User.objects.filter(organisation=council, role="cctv_manager").first()
    categories = sorted(set(Incident.objects.filter(month__gte=MONTH_FROM, month__lte=MONTH_TO)
                            .values_list("category", flat=True).distinct()) - LEFT_OUT)
    incidents = placement.incidents_selected(user, month_from=MONTH_FROM, month_to=MONTH_TO, categories=categories)
    ensure_sites(user, council, sites=args.sites, incidents=incidents)
    cameras = placement.coverage_cameras(user)
    sites = [s for s in placement.candidate_sites(user, max_distance_to_network_m=None, limit=100_000)
             if s.name.startswith(SITE_MARK)]
    configurations = placement.configurations_for(sites, bearings=args.bearings, angle_deg=args.angle_deg,
                                                   range_m=args.range_m,
                                                   full_circle=False)

    pairs_s, rows = timed(lambda: placement.coverage_groups(cameras=cameras, incidents=incidents,
                                                            configurations=configurations), repeat=args.repeat)
    problem = placement.problem_from_groups(rows, site_of=[c.site_index for c in configurations], weights={})
    greedy_s, greedy = timed(lambda: placement.solve_greedy(problem, k=args.k), repeat=args.repeat)
    ilp_s, ilp = timed(lambda: placement.solve_ilp(problem, k=args.k, time_limit_s=args.time_limit,
                                                   warm_start=greedy.chosen), repeat=args.repeat)
    cold_s, cold = timed(lambda: placement.solve_ilp(problem, k=args.k, time_limit_s=args.time_limit),
                         repeat=args.repeat)
    total, covered = incidents.count(), sum(r.covered for r in placement.queries.coverage_counts_by_category(
        cameras, incidents)[1])
    pairs = sum(n * len(configs) for configs, _, n in rows)
    shortfall = ilp.objective - greedy.objective
    print(f"incidents {total:,} (Jan-Feb 2024, {len(categories)} categories); already covered {covered:,}; "
          f"uncovered and coverable {sum(n for _, _, n in rows):,}")
    print(f"configurations {len(configurations):,} ({len(sites)} sites x {args.bearings} bearings); "
          f"{args.angle_deg:g} deg, {args.range_m:g} m; pairs {pairs:,}; "
          f"groups (ILP y variables) {len(problem.groups):,}")
    print(f"coverage pairs built in {pairs_s:.3f} s (median of {args.repeat})")
    print(f"greedy  {greedy_s:.4f} s  objective {greedy.objective:g}")
    print(f"HiGHS   {ilp_s:.3f} s warm-started ({ilp.status}, gap {ilp.mip_gap:.2g}), {cold_s:.3f} s cold "
          f"({cold.status}); objective {ilp.objective:g}")
    print(f"greedy shortfall {shortfall:g} incidents ({100 * shortfall / ilp.objective:.2f}% of the optimum)")


if __name__ == "__main__":
    main()
