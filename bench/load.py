"""Load test (issue 9): concurrent clients over a realistic mix against a running service, 0 errors expected.

The service runs as in production (gunicorn, a Celery worker and beat, the Vale demo loaded);
bin/soak starts one on loopback and runs this against it. One run:
  * discovers what the demo holds through the API (cameras, the officer's requests, the requests
    that take exhibits, each one's custody chain length);
  * signs every client in once: the police officer through the sign-in page (a session of its
    own per client), the operator and CCTV manager by the API tokens bench/load_arrange.py
    issued (staff sign in with a second factor, which a load client cannot be asked for);
  * the baseline: every route of the mix (bench/load_mix.py) one request at a time from one
    client, --baseline-rounds times after a round that warms each gunicorn worker;
  * the load: --clients threads, each looping over the weighted mix with no pause for
    --seconds; requests started before the end are waited for and counted;
  * after it, every custody chain that took uploads must verify and have grown by exactly the
    uploads that were answered 201 (no lost or doubled appends under concurrency).
Prints per route (grouped by route, not URL): count, errors, p50/p95/p99/max latency in ms and
the one-client p50 beside them, then requests/s; writes the same as JSON to --json. Exits 1
if anything failed: an unexpected status, a failed body check, an exception or a timeout.

Run: .venv/bin/python bench/load.py --base-url http://127.0.0.1:8077 --credentials FILE
         [--clients 50] [--seconds 60] [--baseline-rounds 5] [--json load.json]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_mix import MIX, UNMONITORED_STATUSES, UPLOAD_STATES, Call, Estate, tiles_over, uploads_make  # noqa: E402

EXAMPLES_KEPT = 3
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class RouteStats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: collections.Counter = field(default_factory=collections.Counter)
    examples: list[str] = field(default_factory=list)

    def record(self, elapsed_ms: float, problem: str) -> None:
        self.latencies_ms.append(elapsed_ms)
        if problem:
            self.errors[problem.split(":", 1)[0]] += 1
            if len(self.examples) < EXAMPLES_KEPT:
                self.examples.append(problem)

    def merge(self, other: RouteStats) -> None:
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.examples += other.examples[: EXAMPLES_KEPT - len(self.examples)]


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile: a latency some request really had, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


class Client:
    """One simulated user: the officer's signed-in session, and the staff tokens for API calls."""

    def __init__(self, base_url: str, credentials: dict, *, timeout_s: float):
        self.base_url = base_url
        self.credentials = credentials
        self.timeout = (10, timeout_s)
        self.session = requests.Session()  # cookies: the officer's session and CSRF token
        self.api = requests.Session()  # no cookies: each call carries its bearer token
        self.stats: dict[str, RouteStats] = collections.defaultdict(RouteStats)
        self.uploads_by_request: collections.Counter = collections.Counter()

    def sign_in(self) -> None:
        login = urljoin(self.base_url, "/accounts/login/")
        start = time.perf_counter()
        problem = ""
        try:
            self.session.get(login, timeout=self.timeout).raise_for_status()
            response = self.session.post(login, data={
                "username": self.credentials["session"]["username"],
                "password": self.credentials["session"]["password"],
                "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), "next": "/",
            }, headers={"Referer": login}, allow_redirects=False, timeout=self.timeout)
            if response.status_code != 302 or "sessionid" not in self.session.cookies:
                problem = f"HTTP {response.status_code}: sign-in did not start a session"
        except requests.RequestException as exc:
            problem = f"{type(exc).__name__}: {exc}"
        self.stats["sign-in (GET + POST /accounts/login/)"].record((time.perf_counter() - start) * 1000, problem)

    def send(self, call: Call) -> None:
        headers = dict(call.headers)
        if call.auth == "session":
            sender = self.session
        else:
            sender = self.api
            headers["Authorization"] = f"Bearer {self.credentials['tokens'][call.auth]}"
        start = time.perf_counter()
        try:
            response = sender.request(call.method, urljoin(self.base_url, call.path), data=call.body,
                                      headers=headers, allow_redirects=False, timeout=self.timeout)
            elapsed_ms = (time.perf_counter() - start) * 1000  # .content is read in full by request()
            if response.status_code != call.expect:
                where = response.headers.get("Location") or response.text[:200].replace("\n", " ")
                problem = f"HTTP {response.status_code}: {call.path} -> {where}"
            else:
                problem = call.check(response) if call.check else ""
                if problem:
                    problem = f"bad body: {call.path}: {problem}"
        except requests.RequestException as exc:
            elapsed_ms = (time.perf_counter() - start) * 1000
            problem = f"{type(exc).__name__}: {call.path}: {exc}"
        self.stats[call.route].record(elapsed_ms, problem)
        if call.evidence_request_id is not None and not problem:
            self.uploads_by_request[call.evidence_request_id] += 1


def _items(payload) -> list:
    return payload["items"] if isinstance(payload, dict) else payload


def discover(base_url: str, credentials: dict, officer: Client, *, seed: int) -> tuple[Estate, dict[int, int]]:
    """What the mix needs from the demo, read through the API as its clients see it."""
    def get(path: str, token: str | None = None):
        headers = {"Authorization": f"Bearer {credentials['tokens'][token]}"} if token else {}
        session = officer.session if token is None else officer.api
        response = session.get(urljoin(base_url, path), headers=headers, timeout=60)
        response.raise_for_status()
        return response.json()

    cameras = _items(get("/api/cameras?limit=1000", "manager"))
    requests_seen = _items(get("/api/evidence/requests?limit=1000", "manager"))
    upload_ids = [item["id"] for item in requests_seen if item["state"] in UPLOAD_STATES]
    officer_ids = [item["id"] for item in _items(get("/api/evidence/requests?limit=1000"))]
    if not cameras or not upload_ids or not officer_ids:
        raise SystemExit(f"the demo is not loaded: {len(cameras)} cameras, {len(upload_ids)} requests taking "
                         f"exhibits, {len(officer_ids)} requests of the officer")
    chains = {request_id: get(f"/api/evidence/custody/{request_id}/verify", "operator")["events"]
              for request_id in upload_ids}
    lons, lats = [c["longitude"] for c in cameras], [c["latitude"] for c in cameras]
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    first_month = (last_month.replace(day=1) - dt.timedelta(days=61)).replace(day=1)  # a quarter
    estate = Estate(
        camera_ids=[c["id"] for c in cameras],
        monitored_refs=[c["asset_ref"] for c in cameras if c["status"] not in UNMONITORED_STATUSES],
        officer_request_ids=officer_ids,
        upload_request_ids=upload_ids,
        tiles=tiles_over(west=min(lons), south=min(lats), east=max(lons), north=max(lats), zooms=range(12, 16)),
        month_from=f"{first_month:%Y-%m}", month_to=f"{last_month:%Y-%m}",
        centre_points=list(zip(lons, lats, strict=True)),
        uploads=uploads_make(seed),
    )
    return estate, chains


def baseline(client: Client, estate: Estate, *, rounds: int, seed: int) -> dict[str, RouteStats]:
    """Each route alone, one request at a time: the latency with no queue in front of it.

    The first round is thrown away: it reaches workers that have not yet imported the views,
    compiled the templates or opened their database connection.
    """
    rng = random.Random(seed)
    for round_number in range(rounds + 1):
        if round_number == 1:
            client.stats.clear()
        for _, build in MIX:
            client.send(build(rng, estate))
    return dict(client.stats)


def run_load(clients: list[Client], estate: Estate, *, seconds: float, seed: int) -> float:
    """Every client loops over the weighted mix until the deadline; returns the wall seconds taken."""
    weights = [weight for weight, _ in MIX]
    builders = [build for _, build in MIX]
    ready = threading.Barrier(len(clients) + 1)
    clock: dict[str, float] = {}

    def loop(client: Client, rng: random.Random) -> None:
        ready.wait()
        while time.monotonic() < clock["deadline"]:
            client.send(rng.choices(builders, weights)[0](rng, estate))

    threads = [threading.Thread(target=loop, args=(client, random.Random(seed * 1000 + number)), daemon=True)
               for number, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    start = time.monotonic()
    clock["deadline"] = start + seconds
    ready.wait()
    for thread in threads:
        thread.join()
    return time.monotonic() - start


def merged(clients: list[Client]) -> dict[str, RouteStats]:
    total: dict[str, RouteStats] = collections.defaultdict(RouteStats)
    for client in clients:
        for route, stats in client.stats.items():
            total[route].merge(stats)
    return total


def custody_after(base_url: str, credentials: dict, chains_before: dict[int, int],
                  uploaded: collections.Counter) -> list[dict]:
    """Each chain that took uploads: intact, and longer by exactly one event per 201 upload."""
    results = []
    for request_id, before in chains_before.items():
        response = requests.get(urljoin(base_url, f"/api/evidence/custody/{request_id}/verify"), timeout=60,
                                headers={"Authorization": f"Bearer {credentials['tokens']['operator']}"})
        body = response.json() if response.ok else {"ok": False, "events": None}
        expected = before + uploaded[request_id]
        results.append({"request_id": request_id, "intact": body["ok"], "events_before": before,
                        "uploads_201": uploaded[request_id], "events_after": body["events"],
                        "as_expected": bool(body["ok"]) and body["events"] == expected})
    return results


def _row(route: str, weight: int | None, stats: RouteStats, base: RouteStats | None, seconds: float) -> dict:
    lat = stats.latencies_ms
    return {
        "route": route, "weight_pct": weight, "count": len(lat), "errors": sum(stats.errors.values()),
        "error_kinds": dict(stats.errors), "error_examples": stats.examples,
        "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
        "max_ms": max(lat) if lat else None, "requests_per_s": len(lat) / seconds if seconds else None,
        "baseline_p50_ms": percentile(base.latencies_ms, 50) if base else None,
        "baseline_count": len(base.latencies_ms) if base else 0,
    }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def print_table(rows: list[dict], title: str) -> None:
    print(f"\n{title}")
    header = (f"{'route':<46} {'wt%':>4} {'count':>6} {'err':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
              f"{'req/s':>6} | {'1-client p50':>12}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['route'][:46]:<46} {row['weight_pct'] if row['weight_pct'] is not None else '':>4} "
              f"{row['count']:>6} {row['errors']:>4} {_fmt(row['p50_ms']):>7} {_fmt(row['p95_ms']):>7} "
              f"{_fmt(row['p99_ms']):>7} {_fmt(row['max_ms']):>7} {_fmt(row['requests_per_s']):>6} | "
              f"{_fmt(row['baseline_p50_ms']):>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8077")
    parser.add_argument("--credentials", type=Path, required=True, help="JSON from bench/load_arrange.py")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-rounds", type=int, default=5, help="one-client requests per route (default 5)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds a response may take (default 60)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args()
    if urlparse(args.base_url).hostname not in LOOPBACK:
        raise SystemExit(f"{args.base_url} is not on loopback: the load test never sends traffic off this machine.")
    credentials = json.loads(args.credentials.read_text())

    solo = Client(args.base_url, credentials, timeout_s=args.timeout)
    solo.sign_in()
    estate, chains_before = discover(args.base_url, credentials, solo, seed=args.seed)
    print(f"estate: {len(estate.camera_ids)} cameras, {len(estate.officer_request_ids)} requests of the officer, "
          f"{len(estate.upload_request_ids)} taking exhibits; tiles z12-15: "
          f"{sum(len(tiles) for tiles in estate.tiles.values())}; incidents {estate.month_from}..{estate.month_to}",
          flush=True)
    print(f"baseline: every route, one request at a time, {args.baseline_rounds} rounds ...", flush=True)
    base = baseline(solo, estate, rounds=args.baseline_rounds, seed=args.seed)

    clients = [Client(args.base_url, credentials, timeout_s=args.timeout) for _ in range(args.clients)]
    print(f"signing in {args.clients} clients ...", flush=True)
    signing = [threading.Thread(target=client.sign_in) for client in clients]
    for thread in signing:
        thread.start()
    for thread in signing:
        thread.join()
    sign_ins = merged(clients)
    for client in clients:
        client.stats.clear()

    print(f"load: {args.clients} clients for {args.seconds:.0f} s ...", flush=True)
    wall_s = run_load(clients, estate, seconds=args.seconds, seed=args.seed)
    loaded = merged(clients)
    uploaded = sum((client.uploads_by_request for client in clients), collections.Counter())
    uploaded_solo = solo.uploads_by_request
    custody = custody_after(args.base_url, credentials, chains_before, uploaded + uploaded_solo)

    weights = {build(random.Random(0), estate).route: weight for weight, build in MIX}
    rows = [_row(route, weights[route], loaded.get(route, RouteStats()), base.get(route), wall_s)
            for route in weights]
    total = RouteStats()
    for stats in loaded.values():
        total.merge(stats)
    overall = _row("all routes", 100, total, None, wall_s)
    sign_in_rows = [_row(route, None, stats, None, 0) for route, stats in sign_ins.items()]
    baseline_errors = sum(sum(stats.errors.values()) for stats in base.values())

    print_table(rows + [overall], f"{args.clients} clients, {wall_s:.1f} s, latency in ms "
                                  "(1-client p50: the same route alone, before the load)")
    print(f"\nthroughput: {overall['count']:,} requests in {wall_s:.1f} s = {overall['requests_per_s']:.1f} "
          f"requests/s; errors: {overall['errors']}")
    for row in sign_in_rows:
        print(f"sign-in: {row['count']} concurrent, p50 {_fmt(row['p50_ms'])} ms, max {_fmt(row['max_ms'])} ms, "
              f"errors {row['errors']} (before the clock started)")
    print(f"baseline errors: {baseline_errors}")
    for chain in custody:
        print(f"custody chain of request {chain['request_id']}: intact={chain['intact']}, {chain['events_before']} "
              f"+ {chain['uploads_201']} uploads = {chain['events_after']} events "
              f"({'as expected' if chain['as_expected'] else 'NOT as expected'})")
    for row in rows + sign_in_rows:
        for example in row["error_examples"]:
            print(f"  error on {row['route']}: {example}")

    failed = (overall["errors"] + baseline_errors + sum(row["errors"] for row in sign_in_rows)
              + sum(not chain["as_expected"] for chain in custody))
    if args.json:
        args.json.write_text(json.dumps({
            "clients": args.clients, "seconds": args.seconds, "wall_seconds": wall_s, "base_url": args.base_url,
            "requests": overall["count"], "errors": overall["errors"], "requests_per_s": overall["requests_per_s"],
            "routes": rows, "sign_in": sign_in_rows, "baseline_errors": baseline_errors,
            "custody_chains": custody, "ok": failed == 0,
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }, indent=2) + "\n")
        print(f"figures written to {args.json}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
