"""SLA clocks: when a fault's response and fix fall due, and how a clock reads now.

Pure functions, no database: the contract's SLA term says how many minutes a priority has
and on which clock. Around the clock (24/7) is elapsed time. Working hours count only
Monday to Friday between the contract's day start and end in Europe/London, skipping the
bank holidays of England and Wales (the Vale is in Wales, whose bank holidays are England's).

Boundaries are computed in local time and the answer is returned in UTC, as STYLE.md asks
for every local-calendar rule. UK clocks change at 01:00 UTC on a Sunday, so a working
window (always on a weekday) never contains a change; what the clock change does alter is
the UTC instant of "Monday 10:00", which is why windows are built from local dates and
times rather than by adding hours to a UTC instant. Elapsed (24/7) time is added in UTC,
because aware-datetime arithmetic in Python is wall-clock arithmetic within one zone and
would be an hour out across a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from cctv.choices import SlaClock

if TYPE_CHECKING:
    from cctv.models import Contract, SlaTerm

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
# Monday..Friday as date.weekday() numbers.
WORKING_WEEKDAYS = frozenset(range(5))
# The longest run of closed days the calendar can hold; more means a broken holiday list.
MAX_CLOSED_DAYS = 31


@lru_cache(maxsize=64)
def _bank_holidays_of(year: int) -> frozenset[dt.date]:
    # subdiv "ENG" and "WLS" give the same days; without a subdiv the library lists only the
    # UK-wide days and leaves out Easter Monday and the August bank holiday.
    return frozenset(holidays_lib.country_holidays("GB", subdiv="ENG", years=year).keys())


class EnglandAndWalesBankHolidays(Container[dt.date]):
    """`date in calendar` for any year, with one-off days (jubilees, state funerals) included.

    Built per year and cached: immutable, so safe to share between threads and workers.
    """

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and day in _bank_holidays_of(day.year)


BANK_HOLIDAYS_ENGLAND_AND_WALES = EnglandAndWalesBankHolidays()


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, not a naive datetime.")


def _working_window(day: dt.date, *, day_start: dt.time, day_end: dt.time,
                    holidays: Container[dt.date]) -> tuple[dt.datetime, dt.datetime] | None:
    """The UTC instants a local working day opens and closes, or None on weekends and holidays."""
    if day.weekday() not in WORKING_WEEKDAYS or day in holidays:
        return None
    opens = dt.datetime.combine(day, day_start, tzinfo=LONDON).astimezone(UTC)
    closes = dt.datetime.combine(day, day_end, tzinfo=LONDON).astimezone(UTC)
    return opens, closes


def add_working_time(start: dt.datetime, minutes: int, *, clock: str, day_start: dt.time = dt.time(8, 0),
                     day_end: dt.time = dt.time(18, 0),
                     holidays: Container[dt.date] | None = None) -> dt.datetime:
    """The instant `minutes` of SLA time after `start`, in UTC.

    On the working-hours clock time outside working hours does not count, so a fault
    reported on a Saturday starts its clock at Monday's opening, and a deadline that uses
    up a day exactly falls at that day's close (17:00 + 60 min is 18:00, not 08:00 next day).
    """
    _require_aware(start, "start")
    if minutes < 0:
        raise ValueError("SLA minutes cannot be negative.")
    start_utc = start.astimezone(UTC)
    if clock == SlaClock.ROUND_THE_CLOCK:
        return start_utc + dt.timedelta(minutes=minutes)
    if clock != SlaClock.WORKING_HOURS:
        raise ValueError(f"Unknown SLA clock {clock!r}; use one of {', '.join(SlaClock.values)}.")
    if day_end <= day_start:
        raise ValueError("The working day must end after it starts.")
    holidays = BANK_HOLIDAYS_ENGLAND_AND_WALES if holidays is None else holidays

    remaining = dt.timedelta(minutes=minutes)
    cursor = start_utc
    day = start.astimezone(LONDON).date()
    closed_days = 0
    while True:
        window = _working_window(day, day_start=day_start, day_end=day_end, holidays=holidays)
        closed_days = closed_days + 1 if window is None else 0
        if closed_days > MAX_CLOSED_DAYS:
            raise ValueError(f"No working day in the {MAX_CLOSED_DAYS} days from {day:%Y-%m-%d}: check the holidays.")
        if window is not None:
            opens, closes = window
            cursor = max(cursor, opens)
            if cursor <= closes:
                available = closes - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
        day += dt.timedelta(days=1)


class DueTimes(NamedTuple):
    response_due_at: dt.datetime
    fix_due_at: dt.datetime
    rule_text: str


def sla_rule_text(term: SlaTerm, contract: Contract) -> str:
    """The rule in words, stored on the fault so the due times can be explained later."""
    if term.clock == SlaClock.WORKING_HOURS:
        hours = (f"working hours {contract.working_day_starts_at:%H:%M}–{contract.working_day_ends_at:%H:%M} "
                 "Mon–Fri excl. E&W bank holidays")
    else:
        hours = "24/7"
    return (f"{term.priority.upper()} {hours}: respond {term.response_minutes} min, fix {term.fix_minutes} min "
            f"(contract {contract.reference})")


def fault_due_times(reported_at: dt.datetime, term: SlaTerm, contract: Contract, *,
                    holidays: Container[dt.date] | None = None) -> DueTimes:
    """Response and fix deadlines for a fault reported at `reported_at` under `term`.

    Both clocks start when the fault is reported (the fix clock does not wait for the
    response), as the contract's terms are written: "fix within N hours of report".
    """
    hours = {"clock": term.clock, "day_start": contract.working_day_starts_at,
             "day_end": contract.working_day_ends_at, "holidays": holidays}
    return DueTimes(
        response_due_at=add_working_time(reported_at, term.response_minutes, **hours),
        fix_due_at=add_working_time(reported_at, term.fix_minutes, **hours),
        rule_text=sla_rule_text(term, contract),
    )


class ClockState:
    """How one SLA clock reads. Plain strings so the API can return them as they are."""

    NO_SLA = "no_sla"  # no contract term covered the fault
    RUNNING = "running"  # not done, deadline ahead
    OVERDUE = "overdue"  # not done, deadline passed
    MET = "met"  # done on or before the deadline
    MISSED = "missed"  # done after the deadline
    STOPPED = "stopped"  # the fault was cancelled before the clock was met


@dataclass(frozen=True)
class ClockReading:
    """One clock at `now`. Seconds are elapsed time (what a person waits), not working time."""

    state: str
    due_at: dt.datetime | None
    stopped_at: dt.datetime | None
    seconds_remaining: int | None
    seconds_overdue: int | None


def clock_read(*, due_at: dt.datetime | None, done_at: dt.datetime | None, cancelled_at: dt.datetime | None,
               now: dt.datetime) -> ClockReading:
    """Read a response or fix clock: a deadline is met when the work is done at or before it."""
    if due_at is None:
        return ClockReading(ClockState.NO_SLA, None, done_at or cancelled_at, None, None)
    if done_at is not None:
        late_s = int((done_at - due_at).total_seconds())
        state = ClockState.MISSED if late_s > 0 else ClockState.MET
        return ClockReading(state, due_at, done_at, None, max(late_s, 0) or None)
    if cancelled_at is not None:
        return ClockReading(ClockState.STOPPED, due_at, cancelled_at, None, None)
    left_s = int((due_at - now).total_seconds())
    if left_s >= 0:
        return ClockReading(ClockState.RUNNING, due_at, None, left_s, None)
    return ClockReading(ClockState.OVERDUE, due_at, None, None, -left_s)
