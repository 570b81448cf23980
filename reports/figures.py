"""The monthly highlight report's figures, computed in SQL from the records (DESIGN.md 2E, issue 7).

Every figure is given for the month, the previous month and the same month a year before, with
the change against the previous month. Each SQL group (reports/sql/report_*.sql) returns the three
periods in one query. Availability reuses cctv.availability and incident coverage reuses the maps
coverage query (maps.queries), so the report agrees with the estate and map pages.

Month boundaries are midnight Europe/London, so March and October are 743 and 745 hours long.
Every figure is traceable: `records_url` opens the list of records behind it, which
`figure_records` builds with the same definition the SQL counts with.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.exceptions import InvalidInput
from accounts.models import Organisation
from cctv.availability import availability_period, camera_availability, estate_availability
from cctv.choices import CAMERA_STATUSES_UP, FaultPriority, FaultStatus
from cctv.models import Camera, Contract, Fault
from evidence.choices import CustodyEventType, DeadlineKind, RequestKind
from evidence.models import EvidenceRequest
from maps import queries as map_queries
from maps.models import Incident

LONDON = ZoneInfo("Europe/London")
SQL_DIR = Path(__file__).resolve().parent / "sql"
PERIODS = ("current", "previous", "last_year")
# The drill-down page (reports/urls.py: "reports/monthly/<month>/<key>/records/"). Built as text,
# not reversed, because the beat worker renders reports whatever URLconf it runs under.
RECORDS_PATH = "/reports/monthly/{month}/{key}/records/?owner={owner}&period={period}"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    group: str
    value: float | int | None
    previous_month: float | int | None
    same_month_last_year: float | int | None
    change: float | int | None  # value - previous_month; None when either is None
    unit: str  # "", "%", "GBP", "days"
    records_url: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Periods:
    month: dt.date
    bounds: dict[str, tuple[dt.datetime, dt.datetime]]  # period -> [start, end) aware, London midnights

    def months(self) -> dict[str, dt.date]:
        return {name: timezone.localtime(start, LONDON).date() for name, (start, _) in self.bounds.items()}


# periods


def month_parse(text: str) -> dt.date:
    """'YYYY-MM' as the first day of that month; InvalidInput otherwise."""
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date()
    except (TypeError, ValueError):
        raise InvalidInput(f"month must be YYYY-MM, e.g. 2025-03; got {text!r}.") from None
    if not 2000 <= month.year <= 2100:
        raise InvalidInput(f"month must be between 2000-01 and 2100-12; got {text!r}.")
    return month


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first midnight, next month's first midnight) in Europe/London, as aware datetimes."""
    following = _shift(month, 1)
    return (dt.datetime(month.year, month.month, 1, tzinfo=LONDON),
            dt.datetime(following.year, following.month, 1, tzinfo=LONDON))


def report_periods(month: dt.date) -> Periods:
    month = month.replace(day=1)
    return Periods(month=month, bounds={
        "current": month_bounds(month), "previous": month_bounds(_shift(month, -1)),
        "last_year": month_bounds(_shift(month, -12)),
    })


# SQL


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text().format(periods=(SQL_DIR / "_periods.sql").read_text())


def _run(name: str, periods: Periods, **params) -> list[dict]:
    bound = dict(params)
    for period, (start, end) in periods.bounds.items():
        bound[f"{period}_start"], bound[f"{period}_end"] = start, end
    with connection.cursor() as cursor:
        cursor.execute(_sql(name), bound)
        columns = [col.name for col in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _round(value, places: int = 2) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# figure groups: each returns {key: (label, group, unit, {period: value})}


def _availability(owner: Organisation, periods: Periods, now: dt.datetime) -> dict:
    cameras = Camera.objects.filter(owner=owner)
    pct, target, credit = {}, {}, {}
    for period, (start, end) in periods.bounds.items():
        rows = estate_availability(cameras=cameras, period=availability_period(start_at=start, end_at=end, now=now))
        row = rows[0] if rows else None
        pct[period] = _round(row.pct) if row else None
        target[period] = _round(row.target_pct) if row and row.target_pct is not None else None
        credit[period] = _availability_credit(owner, row)
    return {
        "availability_pct": ("Estate availability", "Availability", "%", pct),
        "availability_target_pct": ("Availability target (contract)", "Availability", "%", target),
        "credits_availability_gbp": ("Service credit: availability below target", "Service credits", "GBP", credit),
    }


def _availability_credit(owner: Organisation, row) -> float:
    """Monthly fee × credit % per point × points below target (fractional points, to the penny)."""
    if row is None or row.pct is None or row.target_pct is None or row.contract_reference is None:
        return 0.0
    shortfall = row.target_pct - Decimal(str(row.pct))
    if shortfall <= 0:
        return 0.0
    contract = Contract.objects.get(owner=owner, reference=row.contract_reference)
    return _round(contract.monthly_fee_gbp * contract.availability_credit_pct_per_point / 100 * shortfall)


FAULT_MEASURES = {
    "faults_opened": ("Faults opened", "Faults"),
    "faults_closed": ("Faults closed", "Faults"),
    "response_met": ("Response within SLA", "SLA compliance"),
    "response_breached": ("Response SLA breached", "SLA compliance"),
    "fix_met": ("Fix within SLA", "SLA compliance"),
    "fix_breached": ("Fix SLA breached", "SLA compliance"),
}
_FAULT_COLUMNS = {"faults_opened": "opened", "faults_closed": "closed"}


def _faults(owner: Organisation, periods: Periods) -> dict:
    rows = _run("report_faults_by_priority", periods, owner_id=owner.pk,
                priorities=[str(p) for p in FaultPriority.values])
    out: dict = {}
    for measure, (label, group) in FAULT_MEASURES.items():
        column = _FAULT_COLUMNS.get(measure, measure)
        for priority in FaultPriority:
            values = {r["period"]: r[column] for r in rows if r["priority"] == priority.value}
            out[f"{measure}_{priority.value}"] = (f"{label}, {priority.value.upper()}", group, "", values)
    credits = {p: _round(sum((r["breach_credits_gbp"] for r in rows if r["period"] == p), Decimal(0)))
               for p in PERIODS}
    out["credits_breach_gbp"] = ("Service credit: SLA breaches", "Service credits", "GBP", credits)
    return out


EVIDENCE_MEASURES = {
    "requests_received": ("received", "Evidence requests received"),
    "requests_released": ("released", "Evidence requests released"),
    "requests_refused": ("refused", "Evidence requests refused"),
    "requests_none_found": ("none_found", "Evidence requests: no footage found"),
    "requests_lost": ("lost", "Evidence requests: footage lost to overwrite"),
    "sar_due": ("sar_due", "SARs due"),
    "sar_in_time": ("sar_in_time", "SARs answered within the statutory month"),
    "cameras_released": ("cameras_released", "Cameras that produced released evidence"),
}


def _evidence(owner: Organisation, periods: Periods) -> dict:
    rows = {r["period"]: r for r in _run("report_evidence", periods, owner_id=owner.pk)}
    out = {key: (label, "Evidence", "", {p: rows[p][column] for p in PERIODS})
           for key, (column, label) in EVIDENCE_MEASURES.items()}
    turnaround = _run("report_turnaround_by_kind", periods, owner_id=owner.pk, kinds=list(RequestKind.values))
    for kind in RequestKind:
        mine = {r["period"]: r for r in turnaround if r["kind"] == kind.value}
        for stat, name in (("median_days", "Median"), ("p90_days", "90th percentile")):
            out[f"turnaround_{stat.split('_')[0]}_{kind.value}"] = (
                f"{name} turnaround, {kind.label}", "Turnaround", "days",
                {p: _round(mine[p][stat]) for p in PERIODS})
    return out


def owner_incidents(owner: Organisation, month: dt.date) -> QuerySet[Incident]:
    """The month's incidents a member of the council sees: police open data and its own local records."""
    return Incident.objects.filter(month=month).filter(Q(owner__isnull=True) | Q(owner=owner))


def owner_coverage_cameras(owner: Organisation) -> QuerySet[Camera]:
    """As maps.coverage counts by default: the council's recording cameras that have a view."""
    return Camera.objects.filter(owner=owner, status__in=CAMERA_STATUSES_UP, view_polygon__isnull=False)


def _incidents(owner: Organisation, periods: Periods) -> dict:
    total, covered, share = {}, {}, {}
    for period, month in periods.months().items():
        _, rows = map_queries.coverage_counts_by_category(owner_coverage_cameras(owner), owner_incidents(owner, month))
        total[period] = sum(r.total for r in rows)
        covered[period] = sum(r.covered for r in rows)
        share[period] = _round(100 * covered[period] / total[period], 1) if total[period] else None
    return {
        "incidents": ("Incidents recorded", "Incidents", "", total),
        "incidents_covered": ("Incidents within a camera's view", "Incidents", "", covered),
        "incidents_covered_pct": ("Share of incidents within camera view", "Incidents", "%", share),
    }


def monthly_report_figures(*, owner: Organisation, month: dt.date, now: dt.datetime | None = None) -> list[Figure]:
    """Every figure of the owner's report for `month` (first day), with the previous month and last year.

    `now` clips availability (time not yet happened is not counted); tests pass it explicitly.
    """
    now = now or timezone.now()
    periods = report_periods(month)
    groups = {**_availability(owner, periods, now), **_faults(owner, periods), **_evidence(owner, periods),
              **_incidents(owner, periods)}
    credit = {p: _round((groups["credits_breach_gbp"][3][p] or 0) + (groups["credits_availability_gbp"][3][p] or 0))
              for p in PERIODS}
    groups["credits_total_gbp"] = ("Service credits due in total", "Service credits", "GBP", credit)
    figures = []
    for key, (label, group, unit, values) in groups.items():
        value, previous = values["current"], values["previous"]
        change = None if value is None or previous is None else _round(value - previous)
        if isinstance(value, int) and isinstance(previous, int):
            change = value - previous
        figures.append(Figure(
            key=key, label=label, group=group, value=value, previous_month=previous,
            same_month_last_year=values["last_year"], change=change, unit=unit,
            records_url=records_url(owner=owner, month=periods.month, key=key),
        ))
    return figures


def records_url(*, owner: Organisation, month: dt.date, key: str, period: str = "current") -> str:
    return RECORDS_PATH.format(month=f"{month:%Y-%m}", key=key, owner=owner.pk, period=period)


# the records behind each figure


@dataclass(frozen=True)
class Record:
    reference: str
    when: dt.datetime | None
    detail: str
    url: str


def _fault_records(owner: Organisation, key: str, start: dt.datetime, end: dt.datetime) -> QuerySet[Fault] | None:
    faults = Fault.objects.filter(owner=owner)
    live = faults.exclude(status=FaultStatus.CANCELLED)
    if key == "credits_breach_gbp" or key == "credits_total_gbp":
        return live.filter(Q(response_breached_at__gte=start, response_breached_at__lt=end)
                           | Q(fix_breached_at__gte=start, fix_breached_at__lt=end))
    measure, _, priority = key.rpartition("_")
    if measure not in FAULT_MEASURES or priority not in FaultPriority.values:
        return None
    faults, live = faults.filter(priority=priority), live.filter(priority=priority)
    return {
        "faults_opened": lambda: faults.filter(reported_at__gte=start, reported_at__lt=end),
        "faults_closed": lambda: faults.filter(closed_at__gte=start, closed_at__lt=end),
        "response_met": lambda: live.filter(acknowledged_at__gte=start, acknowledged_at__lt=end,
                                            acknowledged_at__lte=F("response_due_at")),
        "response_breached": lambda: live.filter(response_breached_at__gte=start, response_breached_at__lt=end),
        "fix_met": lambda: live.filter(fixed_at__gte=start, fixed_at__lt=end, fixed_at__lte=F("fix_due_at")),
        "fix_breached": lambda: live.filter(fix_breached_at__gte=start, fix_breached_at__lt=end),
    }[measure]()


def _request_records(owner: Organisation, key: str, start: dt.datetime,
                     end: dt.datetime) -> QuerySet[EvidenceRequest] | None:
    requests = EvidenceRequest.objects.filter(owner=owner)
    released = requests.annotate(first_release=Min("disclosures__released_at")).filter(
        first_release__gte=start, first_release__lt=end)
    if key.startswith("turnaround_"):
        kind = key.split("_", 2)[2]
        return released.filter(kind=kind) if kind in RequestKind.values else None
    by_event = {"requests_refused": CustodyEventType.REFUSED, "requests_none_found": CustodyEventType.NONE_FOUND}
    if key in by_event:
        return requests.filter(custody_events__event_type=by_event[key], custody_events__at__gte=start,
                               custody_events__at__lt=end).distinct()
    sar = requests.filter(deadlines__kind=DeadlineKind.SAR_DUE, deadlines__due_at__gte=start,
                          deadlines__due_at__lt=end)
    return {
        "requests_received": lambda: requests.filter(received_at__gte=start, received_at__lt=end),
        "requests_released": lambda: released,
        "requests_lost": lambda: requests.filter(footage_lost_at__gte=start, footage_lost_at__lt=end),
        "sar_due": lambda: sar,
        "sar_in_time": lambda: sar.filter(deadlines__met_at__lte=F("deadlines__due_at")),
    }.get(key, lambda: None)()


def _camera_records(owner: Organisation, key: str, start: dt.datetime, end: dt.datetime,
                    now: dt.datetime) -> list[Record] | None:
    if key in ("availability_pct", "availability_target_pct", "credits_availability_gbp"):
        period = availability_period(start_at=start, end_at=end, now=now)
        rows = camera_availability(cameras=Camera.objects.filter(owner=owner), period=period)
        return [Record(row.asset_ref, None, _availability_text(row), f"/cameras/{row.camera_id}/") for row in rows]
    if key == "cameras_released":
        in_period = Q(disclosures__released_at__gte=start, disclosures__released_at__lt=end)
        from_exhibits = Camera.objects.filter(pk__in=EvidenceRequest.objects.filter(in_period, owner=owner)
                                              .values("disclosures__exhibits__camera"))
        from_secured = Camera.objects.filter(pk__in=EvidenceRequest.objects.filter(in_period, owner=owner).filter(
            request_cameras__secured_at__isnull=False).values("request_cameras__camera"))
        cameras = (from_exhibits | from_secured).distinct().order_by("asset_ref")
        return [Record(c.asset_ref, None, c.name, f"/cameras/{c.pk}/") for c in cameras]
    return None


def _availability_text(row) -> str:
    return f"{row.name}: " + ("no monitored time" if row.pct is None else f"{row.pct:.2f}% available")


def _incident_records(owner: Organisation, key: str, month: dt.date) -> list[Record] | None:
    if key not in ("incidents", "incidents_covered", "incidents_covered_pct"):
        return None
    incidents = owner_incidents(owner, month)
    if key != "incidents":
        views = owner_coverage_cameras(owner).filter(view_polygon__intersects=OuterRef("location"))
        incidents = incidents.filter(Exists(views))
    return [Record(i.crime_ref or f"incident {i.pk}", i.occurred_at, f"{i.category}: {i.location_text}", "")
            for i in incidents.order_by("category", "id")]


def figure_records(*, owner: Organisation, month: dt.date, key: str, period: str = "current",
                   now: dt.datetime | None = None) -> list[Record]:
    """The records a figure counts, by the same definition as its SQL; InvalidInput for an unknown key."""
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}; got {period!r}.")
    periods = report_periods(month)
    start, end = periods.bounds[period]
    faults = _fault_records(owner, key, start, end)
    if faults is not None:
        return [Record(f.reference, f.reported_at, f"{f.priority.upper()} {f.summary} ({f.status})",
                       f"/faults/{f.pk}/") for f in faults.order_by("reported_at", "id")]
    requests = _request_records(owner, key, start, end)
    if requests is not None:
        return [Record(r.reference, r.received_at, f"{r.get_kind_display()} ({r.get_state_display()})",
                       f"/evidence/{r.pk}/") for r in requests.order_by("received_at", "id")]
    records = _camera_records(owner, key, start, end, now or timezone.now())
    if records is None:
        records = _incident_records(owner, key, periods.months()[period])
    if records is None:
        raise InvalidInput(f"There is no report figure called {key!r}.")
    return records
