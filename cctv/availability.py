"""Camera availability from the status timeline, computed in PostgreSQL (DESIGN.md 2B).

Availability over a period [start, end) is time in an "up" status (CAMERA_STATUSES_UP) over time
in any monitored status: planned and decommissioned time (CAMERA_STATUSES_UNMONITORED) is left out
of both. The estate figure is time-weighted (total up time over total monitored time of the
council's cameras), which is how the contract's service credits read it, not a mean of percentages.
The SQL is in cctv/sql/availability_*.sql; the cameras come in as the caller's permission-scoped
queryset, whose own SQL becomes the inner query, so the scope decided by accounts.permissions is
the one applied here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from accounts.exceptions import InvalidInput
from cctv.choices import CAMERA_STATUSES_UNMONITORED, CAMERA_STATUSES_UP
from cctv.models import Camera, Contract

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


@dataclass(frozen=True)
class Period:
    """[start_at, end_at) as asked, and `counted_to`: the end clipped to now, since the future has no status."""

    start_at: dt.datetime
    end_at: dt.datetime
    counted_to: dt.datetime


@dataclass(frozen=True)
class Target:
    contract_reference: str
    target_pct: Decimal


@dataclass(frozen=True)
class CameraAvailability:
    camera_id: int
    owner_id: int
    asset_ref: str
    name: str
    up_seconds: float
    monitored_seconds: float
    pct: float | None  # None when the camera had no monitored time in the period
    contract_reference: str | None
    target_pct: Decimal | None  # the contract's per-camera target
    target_met: bool | None  # None when there is no figure or no contract


@dataclass(frozen=True)
class EstateAvailability:
    owner_id: int
    owner_name: str
    cameras: int
    up_seconds: float
    monitored_seconds: float
    pct: float | None
    contract_reference: str | None
    target_pct: Decimal | None  # the contract's estate-wide target
    target_met: bool | None


def availability_period(*, start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime | None = None) -> Period:
    """Check the period and clip its end to now: time that has not happened yet is not counted."""
    if timezone.is_naive(start_at) or timezone.is_naive(end_at):
        raise InvalidInput("The period's start and end must be timezone-aware.")
    if end_at <= start_at:
        raise InvalidInput("The period's end must be after its start.")
    now = now or timezone.now()
    return Period(start_at=start_at, end_at=end_at, counted_to=max(start_at, min(end_at, now)))


def _rows(name: str, *, cameras: QuerySet[Camera], period: Period) -> list[dict]:
    inner_sql, inner_params = cameras.order_by().values("id", "owner_id", "asset_ref", "name").query.sql_with_params()
    sql = _sql(name).format(spans=_sql("availability_spans")).format(scoped=inner_sql)
    params = [
        period.start_at, period.counted_to, [str(s) for s in CAMERA_STATUSES_UP],
        [str(s) for s in CAMERA_STATUSES_UNMONITORED], *inner_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [col.name for col in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _contracts_in_force(owner_ids: set[int], period: Period) -> dict[int, Contract]:
    """Each owner's contract for the period: the latest-starting one whose term overlaps it.

    Contract terms are calendar dates in Europe/London, ends_on included; a period that
    straddles two contracts is judged against the newer one, and the reference is returned
    so the report says which contract it used.
    """
    first_on = timezone.localtime(period.start_at).date()
    last_on = timezone.localtime(period.end_at - dt.timedelta(microseconds=1)).date()
    contracts: dict[int, Contract] = {}
    candidates = Contract.objects.filter(
        owner_id__in=owner_ids, starts_on__lte=last_on, ends_on__gte=first_on
    ).order_by("owner_id", "-starts_on", "-id")
    for contract in candidates:
        contracts.setdefault(contract.owner_id, contract)
    return contracts


def _judged(up: Decimal, monitored: Decimal, target: Decimal | None) -> bool | None:
    """Whether up/monitored reaches the target, compared exactly (no rounding of the percentage)."""
    if target is None or not monitored:
        return None
    return up * 100 >= target * monitored


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def camera_availability(*, cameras: QuerySet[Camera], period: Period) -> list[CameraAvailability]:
    """Availability of every camera in the (scoped) queryset over the period, in one query."""
    rows = _rows("availability_by_camera", cameras=cameras, period=period)
    contracts = _contracts_in_force({row["owner_id"] for row in rows}, period)
    result = []
    for row in rows:
        contract = contracts.get(row["owner_id"])
        target = contract.camera_availability_target_pct if contract else None
        result.append(CameraAvailability(
            camera_id=row["camera_id"], owner_id=row["owner_id"], asset_ref=row["asset_ref"], name=row["name"],
            up_seconds=float(row["up_seconds"]), monitored_seconds=float(row["monitored_seconds"]),
            pct=_float(row["pct"]), contract_reference=contract.reference if contract else None,
            target_pct=target, target_met=_judged(row["up_seconds"], row["monitored_seconds"], target),
        ))
    return result


def estate_availability(*, cameras: QuerySet[Camera], period: Period) -> list[EstateAvailability]:
    """Time-weighted availability of each council's estate among the (scoped) cameras, in one query."""
    rows = _rows("availability_by_estate", cameras=cameras, period=period)
    contracts = _contracts_in_force({row["owner_id"] for row in rows}, period)
    result = []
    for row in rows:
        contract = contracts.get(row["owner_id"])
        target = contract.availability_target_pct if contract else None
        result.append(EstateAvailability(
            owner_id=row["owner_id"], owner_name=row["owner_name"], cameras=row["cameras"],
            up_seconds=float(row["up_seconds"]), monitored_seconds=float(row["monitored_seconds"]),
            pct=_float(row["pct"]), contract_reference=contract.reference if contract else None,
            target_pct=target, target_met=_judged(row["up_seconds"], row["monitored_seconds"], target),
        ))
    return result


def camera_statuses_in_force(*, pairs: Sequence[tuple[int, dt.datetime]]) -> list[str | None]:
    """The status each camera was in at each instant (None before its first entry), in one query.

    The health feed uses it to refuse events that fall in a planned or decommissioned stretch.
    """
    if not pairs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_sql("availability_status_in_force"), [[c for c, _ in pairs], [at for _, at in pairs]])
        return [row[0] for row in cursor.fetchall()]
